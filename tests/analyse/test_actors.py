"""Actor detection: registry matching (possessives, demonyms, metonyms, longest match, overlapping aliases),
NER discovery, pronouns, and a user's own registry file."""
from pathlib import Path

import pytest

from stance.analyse.actors import ActorDetector, normalise_entity
from stance.analyse.nlp import load_nlp
from stance.analyse.registry import KINDS, ActorRegistry, RegistryError
from stance.analyse.segment import segment_claims
from stance.config import compose

SMALL_REGISTRY = {
    "Russia": {"kind": "state", "aliases": ["Russia", "Russian Federation"], "adjectives": ["Russian"],
               "metonyms": ["Kremlin", "Moscow"]},
    "Russian Defense Ministry": {"kind": "government body",
                                 "aliases": ["Defense Ministry of the Russian Federation", "Russian Defense Ministry"]},
    "Azerbaijan": {"kind": "state", "aliases": ["Azerbaijan"], "adjectives": ["Azerbaijani"], "metonyms": ["Baku"]},
    "Turkey": {"kind": "state", "aliases": ["Turkey"], "adjectives": ["Turkish"], "metonyms": ["Ankara"]},
    "United States": {"kind": "state", "aliases": ["US", "United States"]},
    "ISIS": {"kind": "armed group", "aliases": ["ISIS", "Islamic State"]},
    "ISIS-K": {"kind": "armed group", "aliases": ["Islamic State Khorasan"]},
    "Axis of Resistance": {"kind": "bloc", "aliases": ["axis of resistance"]},
    "Putin": {"kind": "person", "aliases": ["Putin", "Vladimir Putin"]},
}


def found(registry: ActorRegistry, text: str) -> list[tuple[str, str]]:
    """(surface, actor) of every registry mention; each surface must equal the text at its offsets."""
    matches = [m for m in registry.scan(text) if m.actor is not None]
    return [(text[m.start:m.end], m.actor.name) for m in matches]


@pytest.fixture(scope="module")
def small() -> ActorRegistry:
    return ActorRegistry(SMALL_REGISTRY, not_actors=["Moscow time", "Russian roulette"])


@pytest.mark.parametrize("text, expected", [
    ("Russia's allies and Russia’s enemies", [("Russia", "Russia"), ("Russia", "Russia")]),  # possessive outside
    ("the Russians' anger", [("Russians", "Russia")]),  # plural of the adjective, plural possessive
    ("Azerbaijani officials detained Azerbaijanis", [("Azerbaijani", "Azerbaijan"), ("Azerbaijanis", "Azerbaijan")]),
    ("The Kremlin and Baku quarrel; Ankara waits", [("Kremlin", "Russia"), ("Baku", "Azerbaijan"), ("Ankara", "Turkey")]),
    ("the Moscow-Baku alliance", [("Moscow", "Russia"), ("Baku", "Azerbaijan")]),  # a hyphen separates words
    ("Turkish equities", [("Turkish", "Turkey")]),
])
def test_possessives_demonyms_and_metonyms(small, text, expected):
    assert found(small, text) == expected


def test_longest_match_wins(small):
    text = "armies controlled by the Defense Ministry of the Russian Federation, not the Russian Federation"
    assert found(small, text) == [("Defense Ministry of the Russian Federation", "Russian Defense Ministry"),
                                  ("Russian Federation", "Russia")]
    assert found(small, "Islamic State Khorasan, unlike the Islamic State") == [
        ("Islamic State Khorasan", "ISIS-K"), ("Islamic State", "ISIS")]
    assert found(small, "the Russian Defense Ministry") == [("Russian Defense Ministry", "Russian Defense Ministry")]


def test_overlapping_aliases_whole_words_and_case(small):
    assert found(small, "Let us ask the USSR and the US") == [("US", "United States")]  # not "us", not inside "USSR"
    assert found(small, "Vladimir Putin, then Putin") == [("Vladimir Putin", "Putin"), ("Putin", "Putin")]
    assert found(small, "Axis of resistance, axis of resistance") == [  # lower-case alias also matches capitalised
        ("Axis of resistance", "Axis of Resistance"), ("axis of resistance", "Axis of Resistance")]
    assert found(small, "Russianness") == []


def test_not_actors_and_place_nouns_block_shorter_aliases(small):
    assert found(small, "At 9 Moscow time, a game of Russian roulette") == []
    assert found(small, "Drones hit the Moscow region and Moscow Oblast; Moscow protested") == [("Moscow", "Russia")]
    assert found(small, "a Russian region") == [("Russian", "Russia")]  # an adjective stays the state


def test_lookup_is_case_insensitive_and_blocks_ambiguity():
    registry = ActorRegistry({"Hamas": {"kind": "armed group", "aliases": ["Hamas"]},
                              "Georgia": {"kind": "state", "aliases": ["Georgia"]},
                              "Georgia (US state)": {"kind": "region", "aliases": ["GEORGIA"]}})
    assert registry.lookup("HAMAS").name == "Hamas"
    assert registry.lookup("georgia") is None  # two actors share the folded form
    assert registry.lookup("Hezbollah") is None


@pytest.mark.parametrize("registry, message", [
    ({"X": {"kind": "planet", "aliases": ["X"]}}, "kind 'planet'"),
    ({"X": {"kind": "state", "aliases": ["Xland"]}, "Y": {"kind": "state", "aliases": ["Xland"]}}, "two actors"),
    ({"X": {"kind": "state", "aliases": [" "]}}, "empty alias"),
    ({"X": "state"}, "expected {kind"),
])
def test_bad_registry_entries_fail_with_a_clear_message(registry, message):
    with pytest.raises(RegistryError, match=message):
        ActorRegistry(registry)


@pytest.fixture(scope="module")
def default_cfg():
    return compose("extract").actors


def test_default_registry_covers_the_region(default_cfg):
    registry = ActorRegistry.from_config(default_cfg)
    assert len(registry) >= 80
    assert {actor.kind for actor in registry.actors.values()} == set(KINDS)
    expected = {"Russia": "Russia", "Kremlin": "Russia", "Azerbaijani": "Azerbaijan", "Baku": "Azerbaijan",
                "Ankara": "Turkey", "Tehran": "Iran", "Afghan": "Afghanistan", "Taliban": "Taliban",
                "Kazakhstan": "Kazakhstan", "Tbilisi": "Georgia", "Beijing": "China", "NATO": "NATO",
                "Erdogan": "Erdogan", "Aliyev": "Aliyev", "Pashinyan": "Pashinyan", "Xi Jinping": "Xi Jinping"}
    forms = registry.surface_forms()
    assert {form: forms.get(form) for form in expected} == expected


@pytest.fixture(scope="module")
def nlp():
    return load_nlp()


def detect(nlp, text: str, actors_cfg, ents=None):
    """Claims of `text` with (surface, actor, source) mentions; `ents` replaces spaCy's entities."""
    doc = nlp(text)
    if ents is not None:
        doc.ents = [doc.char_span(start, end, label=label) for start, end, label in ents]
    items = ActorDetector.from_config(actors_cfg).detect(doc, segment_claims(doc))
    for item in items:
        for m in item.mentions:
            assert text[m.start:m.end] == m.text and item.claim.start <= m.start < m.end <= item.claim.end
    return [[(m.text, m.actor, m.source) for m in item.mentions] for item in items]


def with_ents(text: str, *spans: tuple[str, str]) -> list[tuple[int, int, str]]:
    """Entity offsets for the first occurrence of each surface."""
    return [(text.index(surface), text.index(surface) + len(surface), label) for surface, label in spans]


def test_ner_discovery_maps_to_the_registry_and_names_new_actors(nlp, small):
    cfg = {"registry": SMALL_REGISTRY, "ner_labels": ["PERSON", "ORG", "GPE", "NORP"],
           "ner_place_prepositions": ["in"]}
    text = "The HAMAS's leaders met Jane Roe in Kazan. Later Roe praised the Wagner Network and Russia."
    ents = with_ents(text, ("The HAMAS's", "ORG"), ("Jane Roe", "PERSON"), ("Kazan", "GPE"),
                     ("Roe praised", "PERSON"), ("the Wagner Network", "ORG"), ("Russia", "GPE"))
    ents[3] = (ents[3][0], ents[3][0] + 3, "PERSON")  # "Roe" alone
    hamas = {**SMALL_REGISTRY, "Hamas": {"kind": "armed group", "aliases": ["Hamas"]}}
    claims = detect(nlp, text, {**cfg, "registry": hamas}, ents)
    assert claims == [  # a person is named by surname, as the registry names people
        [("HAMAS", "Hamas", "ner"), ("Jane Roe", "Roe", "ner")],  # "the" and "'s" dropped; "in Kazan" a place
        [("Roe", "Roe", "ner"), ("Wagner Network", "Wagner Network", "ner"), ("Russia", "Russia", "registry")],
    ]
    assert detect(nlp, text, {**cfg, "registry": hamas, "discover_ner": False}, ents) == [
        [], [("Russia", "Russia", "registry")]]


def test_normalise_entity_strips_the_quotes_and_possessive():
    assert normalise_entity("the Kremlin's", 10) == ("Kremlin", 14)
    assert normalise_entity('"Taliban"', 0) == ("Taliban", 1)


@pytest.mark.parametrize("text, pronoun, actor", [
    ("Erdogan wants to close the corridor to Putin and make him a complete puppet.", "him", "Putin"),
    ("The former minister Starovoit, who shot himself today, was responsible.", "himself", "Starovoit"),
    ("Putin has found himself in a deadlock.", "himself", "Putin"),
    ("Aliyev said his country would resist.", "his", "Aliyev"),
    ("Putin told Erdogan that he would win.", "he", None),  # two persons before it: ambiguous
    ("He said Russia would win.", "He", None),  # no person in the claim
])
def test_pronouns_bind_only_to_an_unambiguous_person(nlp, default_cfg, text, pronoun, actor):
    (mentions,) = detect(nlp, text, default_cfg)
    bound = [(surface, name) for surface, name, source in mentions if source == "pronoun"]
    assert bound == ([(pronoun, actor)] if actor else [])


def test_pronoun_resolution_can_be_switched_off(nlp, default_cfg):
    cfg = {**compose("extract", ["actors.resolve_pronouns=false"]).actors}
    (mentions,) = detect(nlp, "Putin has found himself in a deadlock.", cfg)
    assert mentions == [("Putin", "Putin", "registry")]


def test_the_two_countries_names_the_last_two_states(nlp, default_cfg):
    text = "The Russian-Azerbaijani rupture grew. The war between the two countries goes on. Both sides suffer."
    claims = detect(nlp, text, default_cfg)
    assert claims[1] == [("the two countries", "Azerbaijan", "phrase"), ("the two countries", "Russia", "phrase")]
    assert sorted(actor for _, actor, _ in claims[2]) == ["Azerbaijan", "Russia"]
    assert detect(nlp, "Georgia held talks. The two countries agreed.", default_cfg)[1] == []  # one state: nothing
    assert detect(nlp, "Russia and Georgia met.\nThe two countries agreed.", default_cfg)[1] == []  # new paragraph


def test_a_user_registry_file_adds_and_replaces_actors(tmp_path: Path, nlp):
    (tmp_path / "actors").mkdir()
    (tmp_path / "actors" / "mine.yaml").write_text(
        "registry:\n"
        "  Foo Party: {kind: organisation, aliases: [Foo Party], adjectives: [Fooist]}\n"
        "  Russia: {kind: state, aliases: [Russia, RF]}\n", encoding="utf-8")
    cfg = compose("extract", ["actors=[default,mine]", f"hydra.searchpath=[file://{tmp_path}]"]).actors
    text = "Fooists and the Foo Party back the RF, while Russian media and Baku disagree, unlike the Russian Federation."
    (mentions,) = detect(nlp, text, {**cfg, "discover_ner": False})
    assert [(surface, actor) for surface, actor, _ in mentions] == [
        ("Fooists", "Foo Party"), ("Foo Party", "Foo Party"), ("RF", "Russia"), ("Russian", "Russia"),
        ("Baku", "Azerbaijan"), ("Russian", "Russia")]
    # the user's `aliases` list replaced the default one (no "Russian Federation"); `adjectives` it did not give stayed


def test_discovered_names_keep_the_ner_kind_and_link_to_the_registry(nlp):
    """A GPE the registry cannot place is a place (never a guessed state); capitals and demonyms map to their
    state; a natural feature is no actor; a subject NER missed is found; people are named by surname."""
    from stance.analyse.actors import person_name
    from stance.config import compose

    actors = compose("extract").actors
    text = ("Manila protested, and the Argentine envoy left Nairobi. Ouagadougou-born Fofana met Kofi Mensah. "
            "The Amazon rainforest shrinks. Critics say Petrovna overreached. Mensah agreed.")
    ents = with_ents(text, ("Manila", "GPE"), ("Argentine", "NORP"), ("Nairobi", "GPE"), ("Kofi Mensah", "PERSON"),
                     ("Amazon", "ORG"), ("Mensah agreed", "PERSON"))
    ents[-1] = (ents[-1][0], ents[-1][0] + len("Mensah"), "PERSON")
    found = {(m[0], m[1]) for claim in detect(nlp, text, actors, ents) for m in claim}
    assert {("Manila", "Philippines"), ("Argentine", "Argentina"), ("Nairobi", "Kenya")} <= found
    assert ("Kofi Mensah", "Mensah") in found and ("Mensah", "Mensah") in found
    assert not any(surface == "Amazon" for surface, _ in found)
    assert person_name("Daniel Noboa") == "Noboa" and person_name("Li Qiang") == "Li Qiang"
    assert person_name("Tarcísio de Freitas") == "Tarcísio de Freitas" and person_name("Lee Jae-myung") == "Lee Jae-myung"


def test_unplaced_gpe_is_a_place_and_a_missed_subject_is_found(nlp):
    from stance.analyse.segment import segment_claims

    text = "Goma fell. Critics say Lula overreached. Petro agreed with Lula on Tuesday."
    doc = nlp(text)
    doc.ents = [doc.char_span(0, 4, label="GPE")]
    items = ActorDetector.from_config({"registry": SMALL_REGISTRY, "ner_labels": ["GPE", "PERSON"]}).detect(
        doc, segment_claims(doc))
    found = [(m.text, m.actor, m.kind, m.source) for item in items for m in item.mentions]
    assert ("Goma", "Goma", "place", "ner") in found  # NER's kind only: a place, never a guessed state
    assert ("Petro", "Petro", "unknown", "subject") in found  # the parse's subject, missed by NER
    off = ActorDetector.from_config({"registry": SMALL_REGISTRY, "ner_labels": ["GPE"], "discover_subjects": False})
    assert not any(m.source == "subject" for item in off.detect(doc, segment_claims(doc)) for m in item.mentions)
