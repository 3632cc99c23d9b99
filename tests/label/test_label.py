"""The labelling loop: `python -m stance.label export` (tasks with the model's labels as pre-annotations) and
`python -m stance.label import` (a Label Studio JSON export back into gold rows).

fixtures/label_studio_1.23.2_export.json was exported by Label Studio 1.23.2 itself (scripts/
label_studio_fixture.py): the tasks of `stance.label export` on fixtures/corpus.jsonl, annotated through Label
Studio's API as a labeller would (stances changed, a mention removed, one added without an actor name, a
note, a ground-truth second annotation, a skipped task, a task left unlabelled)."""
import copy
import json
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from stance.config import compose
from stance.data.sources import load_source
from stance.label import LabelImportError, export_tasks, import_labels
from stance.label.export import ExportError
from stance.label.run import main
from stance.label.studio_config import ACTOR, LABEL_CONFIG, MENTION, NOTE, SENTIMENT, STANCE, TEXT
from stance.score import run_score

FIXTURES = Path(__file__).parent / "fixtures"
EXPORT = FIXTURES / "label_studio_1.23.2_export.json"
DOCS = {
    "a": "Putin failed badly in Ukraine. Aliyev met Erdogan in Ankara on Tuesday.",
    "b": "The Kremlin lost the war. Russia and Azerbaijan are rivals now.",
    "c": "Erdogan wants to push Russia out of the Caucasus. Rain fell all day.",
}


@pytest.fixture(scope="module")
def scored(tmp_path_factory, tiny_model_dir):
    """A scoring run of the tiny model over DOCS."""
    root = tmp_path_factory.mktemp("label_run")
    path = root / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": k, "text": v}) + "\n" for k, v in DOCS.items()))
    cfg = compose("score", [f"model_dir={tiny_model_dir}", f"input={path}", f"output={root / 'run'}",
                            "progress=false", "threads=1", "bf16=false", "view=false"])
    run_score(cfg)
    return root / "run"


def read_jsonl(path):
    return [json.loads(line) for line in Path(path).read_text().splitlines()]


def as_label_studio_export(tasks):
    """What Label Studio's JSON export holds after a labeller accepted every pre-annotation unchanged."""
    return [{"id": 100 + i, "data": task["data"], "predictions": [],
             "annotations": [{"id": 500 + i, "completed_by": 1,
                              "result": copy.deepcopy(task["predictions"][0]["result"]),
                              "was_cancelled": False, "ground_truth": False,
                              "created_at": "2026-01-05T10:00:00Z", "updated_at": "2026-01-05T10:00:00Z"}]}
            for i, task in enumerate(tasks)]


def test_round_trip_gives_the_models_labels_as_gold_rows(scored, tmp_path):
    result = export_tasks(str(scored), str(tmp_path / "tasks.json"), n=100, strategy="random")
    tasks = json.loads(result.tasks.read_text())
    documents = read_jsonl(scored / "documents.jsonl")
    assert len(tasks) == sum(len(d["claims"]) for d in documents) == result.candidates  # every claim, actors or not
    export = tmp_path / "export.json"
    export.write_text(json.dumps(as_label_studio_export(tasks)))
    imported = import_labels(str(export), str(tmp_path / "labels.jsonl"), run=str(scored))
    assert imported.summary.problems == [] and imported.summary.unchecked_documents == []  # checked against documents
    assert sorted((tmp_path / "labels").iterdir()) == [tmp_path / "labels" / f"{k}.txt" for k in DOCS]
    rows = read_jsonl(tmp_path / "labels.jsonl")
    pairs = read_jsonl(scored / "pairs.jsonl")
    model = {(p["doc_id"], p["claim_id"], p["actor"]): (p["label"], [(m["start"], m["end"]) for m in p["mentions"]])
             for p in pairs}
    assert {(r["doc_id"], r["claim_id"], r["actor"]): (r["stance"], [(m["start"], m["end"]) for m in r["mentions"]])
            for r in rows if r["actor"]} == model
    sentiments = {(d["doc_id"], c["claim_id"]): c["sentiment"] for d in documents for c in d["claims"]}
    assert {(r["doc_id"], r["claim_id"]): r["sentiment"] for r in rows} == sentiments
    assert [r for r in rows if r["actor"] is None]  # a claim without actors is a row with actor null
    assert list(rows[0]) == ["doc_id", "claim_id", "start", "end", "text", "actor", "mentions", "stance",
                             "sentiment", "note"]
    examples = load_source({"format": "gold", "path": str(tmp_path / "labels.jsonl"), "claims_without_actors": True})
    assert len([e for e in examples if e.label]) == len(pairs)  # training reads every pair


def test_import_of_a_real_label_studio_export(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    corpus = read_jsonl(FIXTURES / "corpus.jsonl")
    (run / "documents.jsonl").write_text("".join(json.dumps({"doc_id": d["id"], "date": d["date"], "text": d["text"],
                                                             "claims": []}) + "\n" for d in corpus))
    result = import_labels(str(EXPORT), str(tmp_path / "labels.jsonl"), run=str(run))
    assert result.summary.problems == [] and result.summary.unchecked_documents == []
    rows = [(r["doc_id"], r["claim_id"], r["actor"], [m["text"] for m in r["mentions"]], r["stance"], r["sentiment"],
             r["note"]) for r in read_jsonl(tmp_path / "labels.jsonl")]
    assert rows == [
        ("caucasus-01", 0, "Turkey", ["Ankara"], "neutral", "negative", "Ankara: assertive, not judged"),
        ("caucasus-01", 0, "Russia", ["Russia"], "against", "negative", "Ankara: assertive, not judged"),
        ("caucasus-01", 1, "Aliyev", ["Aliyev", "his"], "neutral", "neutral", ""),  # both mentions changed
        ("caucasus-02", 0, "Russia", ["Kremlin"], "against", "negative", ""),  # the ground-truth annotation
        ("caucasus-02", 1, None, [], None, "neutral", ""),  # the labeller removed "Baku" (a place here)
        ("caucasus-03", 0, "Iran", ["Tehran"], "neutral", "neutral", ""),
        ("caucasus-03", 0, "Turkish", ["Turkish"], "favor", "neutral", ""),  # added, actor box left empty
    ]
    assert result.counts == {"cancelled annotations": 1, "tasks without an annotation": 1,
                             "tasks with several annotations (ground truth or latest taken)": 1,
                             "mentions named by their own words (empty actor box)": 1}


def bad_export(tmp_path, change):
    tasks = json.loads(EXPORT.read_text())
    change(tasks)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(tasks, indent=1))
    return path


def result_of(task, control, region=None):
    return [r for r in task["annotations"][0]["result"] if r["from_name"] == control and r["id"] == (region or r["id"])]


@pytest.mark.parametrize("change, problem", [
    (lambda t: t[0]["annotations"][0]["result"].remove(result_of(t[0], STANCE, "t0r1")[0]),
     "task 7 (#1 in the file; doc 'caucasus-01', claim 0): mention 'Russia' [27, 33) has no stance"),
    (lambda t: result_of(t[1], STANCE, "t1r1")[0]["value"].update(choices=["favor"]),
     ("task 8 (#2 in the file; doc 'caucasus-01', claim 1): actor 'Aliyev' has mentions with different stances "
      "(neutral on 'Aliyev', favor on 'his'); one stance per (claim, actor)")),
    (lambda t: next(r for r in t[0]["annotations"][0]["result"] if r["from_name"] == SENTIMENT)["value"].update(
        choices=["angry"]),
     ("task 7 (#1 in the file; doc 'caucasus-01', claim 0): sentiment must be one of negative, neutral, positive, "
      "got ['angry']")),
    (lambda t: result_of(t[0], MENTION, "t0r0")[0]["value"].update(start=1),
     ("task 7 (#1 in the file; doc 'caucasus-01', claim 0): mention span [1, 6) says 'Ankara' but the claim has "
      "'nkara' there (offsets off: was the task's text changed?)")),
    (lambda t: t[0]["data"].pop("doc_id"),
     ("task 7 (#1 in the file; no doc_id): data.doc_id missing or not str (tasks must come from "
      "`python -m stance.label export`)")),
    (lambda t: t[0]["annotations"][0]["result"].append({"id": "zz", "from_name": "relation", "to_name": "text",
                                                        "type": "relation", "value": {}}),
     ("task 7 (#1 in the file; doc 'caucasus-01', claim 0): result from 'relation' of type 'relation' is not in the "
      "labelling config (mention, stance, actor, sentiment, note)")),
    (lambda t: t.append(copy.deepcopy(t[0])),
     "task 7 (#7 in the file; doc 'caucasus-01', claim 0): this claim was already imported from"),
])
def test_a_bad_export_names_the_task_and_writes_nothing(tmp_path, change, problem):
    path = bad_export(tmp_path, change)
    with pytest.raises(LabelImportError) as caught:
        import_labels(str(path), str(tmp_path / "labels.jsonl"))
    assert len(caught.value.problems) == 1 and caught.value.problems[0].startswith(f"{path}: {problem}")
    assert not (tmp_path / "labels.jsonl").exists()
    skipped = import_labels(str(path), str(tmp_path / "labels.jsonl"), skip_bad_tasks=True)
    assert skipped.problems == caught.value.problems and skipped.summary.problems == []


def test_import_command_exit_codes(tmp_path, capsys, monkeypatch):
    def run(*args):
        monkeypatch.setattr(sys, "argv", ["stance.label", *args])
        try:
            main()
        except SystemExit as exit_:
            return exit_.code, capsys.readouterr()
        return 0, capsys.readouterr()

    code, out = run("import", f"input={EXPORT}", f"output={tmp_path / 'labels.jsonl'}")
    assert code == 0 and "5 claims, 7 rows" in out.out and "valid: 5 claims, 6 (claim, actor) pairs" in out.out
    assert "note: 1 tasks without an annotation" in out.err
    broken = tmp_path / "broken.json"
    broken.write_text('[\n {"id": 1,\n  "data": }\n]')
    code, out = run("import", f"input={broken}", f"output={tmp_path / 'x.jsonl'}")
    assert code == 1 and f"{broken}:3: not JSON (Expecting value at column 11)" in out.err
    min_format = tmp_path / "min.json"
    min_format.write_text(json.dumps({"text": "a"}))
    code, out = run("import", f"input={min_format}", f"output={tmp_path / 'x.jsonl'}")
    assert code == 1 and "not a Label Studio JSON export (expected a list of tasks, got dict" in out.err
    code, out = run("label")
    assert code == 2 and "usage: python -m stance.label export" in out.err


def test_export_uncertain_orders_by_margin_and_excludes_labelled_claims(scored, tmp_path):
    result = export_tasks(str(scored), str(tmp_path / "tasks.json"), n=3, strategy="uncertain")
    tasks = json.loads(result.tasks.read_text())
    pairs = read_jsonl(scored / "pairs.jsonl")
    margins = {}
    for pair in pairs:
        top, second = sorted(pair["probs"].values(), reverse=True)[:2]
        key = (pair["doc_id"], pair["claim_id"])
        margins[key] = min(margins.get(key, 1.0), top - second)
    ranked = sorted(margins, key=lambda key: margins[key])
    assert [(t["data"]["doc_id"], t["data"]["claim_id"]) for t in tasks] == ranked[:3]
    assert result.candidates == len(margins)
    uncertainties = [t["data"]["uncertainty"] for t in tasks]
    assert uncertainties == sorted(uncertainties, reverse=True)
    assert [t["predictions"][0]["score"] for t in tasks] == [round(1 - u, 4) for u in uncertainties]
    for task in tasks:  # pre-annotations: one span, stance and actor name per mention, linked by id
        claim_pairs = [p for p in pairs if (p["doc_id"], p["claim_id"]) == (task["data"]["doc_id"],
                                                                              task["data"]["claim_id"])]
        result_items = task["predictions"][0]["result"]
        for pair in claim_pairs:
            for mention in pair["mentions"]:
                start = mention["start"] - task["data"]["start"]
                linked = [r for r in result_items if r["value"].get("start") == start]
                assert {(r["from_name"], r["type"]) for r in linked} == {(MENTION, "labels"), (STANCE, "choices"),
                                                                         (ACTOR, "textarea")}
                assert len({r["id"] for r in linked}) == 1
                assert task["data"][TEXT][start:linked[0]["value"]["end"]] == mention["text"]
                assert next(r["value"] for r in linked if r["from_name"] == STANCE)["choices"] == [pair["label"]]
                assert next(r["value"] for r in linked if r["from_name"] == ACTOR)["text"] == [pair["actor"]]
    all_ids = [r["id"] for t in tasks for r in t["predictions"][0]["result"] if r["from_name"] == MENTION]
    assert len(all_ids) == len(set(all_ids))  # unique in the whole file

    labelled = tmp_path / "labelled.jsonl"
    labelled.write_text("".join(json.dumps({"doc_id": d, "claim_id": c}) + "\n" for d, c in ranked[:3]))
    again = export_tasks(str(scored), str(tmp_path / "next.json"), n=3, strategy="uncertain", exclude=[str(labelled)])
    assert [(t["data"]["doc_id"], t["data"]["claim_id"]) for t in json.loads(again.tasks.read_text())] == ranked[3:6]
    with pytest.raises(ExportError, match="strategy=best: expected one of uncertain, random"):
        export_tasks(str(scored), str(tmp_path / "x.json"), n=3, strategy="best")
    with pytest.raises(ExportError, match="no pairs.jsonl"):
        export_tasks(str(tmp_path), str(tmp_path / "x.json"), n=3, strategy="random")


def test_random_export_is_seeded(scored, tmp_path):
    first = export_tasks(str(scored), str(tmp_path / "a.json"), n=2, strategy="random", seed=3)
    second = export_tasks(str(scored), str(tmp_path / "b.json"), n=2, strategy="random", seed=3)
    assert first.tasks.read_text() == second.tasks.read_text() and first.written == 2


def test_labelling_config_names_every_control_the_tasks_use():
    root = ElementTree.fromstring(LABEL_CONFIG)
    controls = {element.get("name"): element.tag for element in root.iter() if element.get("toName")}
    assert controls == {MENTION: "Labels", STANCE: "Choices", ACTOR: "TextArea", SENTIMENT: "Choices",
                        NOTE: "TextArea"}
    assert all(element.get("toName") == TEXT for element in root.iter() if element.get("toName"))
    per_region = {element.get("name") for element in root.iter() if element.get("perRegion") == "true"}
    assert per_region == {STANCE, ACTOR}
    choices = {element.get("name"): [c.get("value") for c in element] for element in root.iter("Choices")}
    assert choices == {SENTIMENT: ["negative", "neutral", "positive"], STANCE: ["against", "neutral", "favor"]}
