"""The command line before Hydra: a misspelt option is one line with "did you mean", --help lists the options."""
import pytest

from stance.cli import check_arguments, guard_command_line, help_text


def test_misspelt_option_gets_did_you_mean(capsys):
    assert "unknown option 'text_feild' (did you mean 'text_field'" in check_arguments("score", ["text_feild=body"])
    # Hydra's own hint (+key) would add a key nothing reads: refused the same way
    assert "unknown option 'text_feild'" in check_arguments("score", ["+text_feild=body"])
    assert "unknown option 'model.lora_rr' (did you mean 'model.lora_r'" in check_arguments("train", ["model.lora_rr=8"])
    assert "unknown option 'data.train.x'" in check_arguments("train", ["data.train.x.path=a.csv"])
    assert "unknown option 'keep_fields'" in check_arguments("train", ["keep_fields=[a]"])  # a scoring option
    for command, arguments in [
        ("score", ["text_field=body", "keep_fields=[a,b]", "actors=[default,mine]", "hydra.run.dir=x", "bf16=false"]),
        ("score", ["actors.registry.Lula.kind=person", "+actors.registry.Lula={kind: person}", "actors_file=a.yaml"]),
        ("train", ["data=simple", "data.train.0.path=a.csv", "experiment=full_finetune", "overwrite=true"]),
        ("evaluate", ["model_dir=[models/a,models/b]", "datasets.0.source.format=simple"]),
    ]:
        assert check_arguments(command, arguments) is None, arguments
    with pytest.raises(SystemExit) as exit_:
        guard_command_line("score", ["input=x.csv", "text_feild=body"])
    assert exit_.value.code == 2 and "did you mean 'text_field'" in capsys.readouterr().err


def test_help_lists_options_not_the_registry(capsys):
    with pytest.raises(SystemExit) as exit_:
        guard_command_line("score", ["--help"])
    out = capsys.readouterr().out
    assert exit_.value.code == 0 and len(out.splitlines()) < 80
    assert "text_field: text" in out and "keep_fields" in out and "actors=default" in out
    assert "Kadyrov" not in out and "aliases" not in out  # no actor of the registry
    train = help_text("train")
    assert "model.lora_r: 32" in train and "overwrite: false" in train and "data=mix" in train and "simple" in train
    # every default and its comment from the schema (stance/config.py), what a config file sets over it
    assert "trainer.seed: 21  # of seeds 42, 7, 13 and 21" in train and "ray.batch_size: ${doc_batch_size}" in out
