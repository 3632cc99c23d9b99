"""`actors_file=`: the analyst's own registry files, merged over the actors group; problems name the file and line."""
import pytest

from stance.analyse.actor_files import merge_actor_files, read_actor_file, registry_summary
from stance.analyse.registry import ActorRegistry, RegistryError
from stance.config import compose


def test_files_merge_in_order_over_the_group(tmp_path):
    bare = tmp_path / "bare.yaml"
    bare.write_text("Kofi Mensah: {kind: person, aliases: [Kofi Mensah, Mensah]}\n"
                    "Russia: {metonyms: [Kremlin]}\n", encoding="utf-8")
    group = tmp_path / "group.yaml"
    group.write_text("registry:\n  Mensah Party: {kind: party, aliases: [Mensah Party]}\nnot_actors: [Red Square]\n")
    actors = merge_actor_files(compose("extract").actors, [str(bare), str(group)])
    registry = ActorRegistry.from_config(actors)
    assert registry.lookup("Mensah").name == "Kofi Mensah" and registry.lookup("Mensah Party").kind == "party"
    assert registry.lookup("Kremlin").name == "Russia" and registry.lookup("Moscow") is None  # the list replaced
    assert registry.lookup("Russian Federation").name == "Russia"  # fields the file leaves out are kept
    assert list(actors.not_actors) == ["Red Square"]
    summary = registry_summary(actors, [str(bare), str(group)])
    assert summary["actors"] == len(registry) and len(summary["sha1"]) == 40 and summary["files"][1] == str(group)


@pytest.mark.parametrize("content, problem", [
    ("A: {kind: person}\nB: {kind: celebrity}\n", "bad.yaml:2: actor 'B': kind 'celebrity' is not one of"),
    ("registry:\n  A: {kind: person, alias: [A]}\n", "bad.yaml:2: actor 'A': unknown key(s) 'alias'"),
    ("A: [1, 2\n", "bad.yaml:2: not valid YAML"),
    ("- A\n", "bad.yaml: expected a mapping of actors"),
    ("Newcomer: {aliases: [Newcomer]}\n", "bad.yaml: new actor(s) 'Newcomer' need a kind"),
])
def test_bad_files_name_the_file_and_line(tmp_path, content, problem):
    path = tmp_path / "bad.yaml"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(RegistryError) as error:
        merge_actor_files(compose("extract").actors, [str(path)])
    assert str(error.value).startswith(f"{tmp_path}/{problem}") or problem in str(error.value)
    assert str(path) in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(RegistryError, match="actors_file not found"):
        read_actor_file(tmp_path / "none.yaml")
