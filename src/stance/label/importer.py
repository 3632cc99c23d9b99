"""`python -m stance.label import input=export.json output=labels.jsonl`: a Label Studio JSON export of the
tasks `stance.label export` wrote, back into gold rows (GUIDELINE.md "File format").

Per task, one annotation is read: the ground-truth one if the task has one, else the most recently updated;
cancelled (skipped) annotations and tasks without any are left out and counted. Each mention span becomes a
mention of the actor named in its `actor` box (the span's own words when the box is empty, counted), the
mentions of one actor are one row with their common stance, and a claim left without spans is one row with
actor null. Every problem names its task; by default any problem stops the import before anything is
written (`skip_bad_tasks=true` writes the good tasks and lists the others). The written file is then checked
with the gold validator (`python -m stance.data validate`) in the same way.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path

from stance.atomic import write_text_atomic
from stance.data.validate import SENTIMENTS, STANCES, GoldSummary, check_gold
from stance.label.studio_config import ACTOR, MENTION, MENTION_LABEL, NOTE, SENTIMENT, STANCE, TEXT
from stance.score.outputs.documents import read_documents

KNOWN = {(MENTION, "labels"), (STANCE, "choices"), (ACTOR, "textarea"), (SENTIMENT, "choices"), (NOTE, "textarea")}


class LabelImportError(ValueError):
    """The export cannot be imported; `problems` holds one line each, naming the task."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


class TaskProblem(ValueError):
    """What is wrong with one task (the caller adds which task)."""


@dataclass
class ImportResult:
    output: Path
    rows: int
    claims: int
    counts: Counter = field(default_factory=Counter)  # what was left out or filled in, by kind
    problems: list[str] = field(default_factory=list)  # bad tasks left out (skip_bad_tasks)
    summary: GoldSummary | None = None  # the gold validator's reading of the written file


def read_export(path: Path) -> list:
    """The list of tasks of a Label Studio JSON export; LabelImportError when the file is not one."""
    if not path.is_file():
        raise LabelImportError([f"{path}: file not found"])
    try:
        tasks = json.loads(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as error:
        raise LabelImportError([f"{path}: not UTF-8 text (byte {error.start})"]) from None
    except json.JSONDecodeError as error:
        raise LabelImportError([f"{path}:{error.lineno}: not JSON ({error.msg} at column {error.colno})"]) from None
    if not isinstance(tasks, list):
        raise LabelImportError([(f"{path}: not a Label Studio JSON export (expected a list of tasks, got "
                                 f"{type(tasks).__name__}; export with the \"JSON\" format, not JSON_MIN or CSV)")])
    return tasks


def task_name(path: Path, index: int, task: object) -> str:
    """How a problem names its task: the Label Studio id, its position in the file, its doc and claim."""
    if not isinstance(task, dict):
        return f"{path}: task #{index + 1}"
    data = task.get("data") if isinstance(task.get("data"), dict) else {}
    where = f"doc {data.get('doc_id')!r}, claim {data.get('claim_id')}" if "doc_id" in data else "no doc_id"
    return f"{path}: task {task.get('id', '?')} (#{index + 1} in the file; {where})"


def pick_annotation(task: dict, counts: Counter) -> dict | None:
    """The annotation to import: ground truth first, else the latest updated; None when there is none left
    after dropping cancelled ones."""
    annotations = task.get("annotations")
    if not isinstance(annotations, list):
        raise TaskProblem("no 'annotations' list (export with the \"JSON\" format)")
    usable = [a for a in annotations if isinstance(a, dict) and not a.get("was_cancelled")]
    if len(usable) < len(annotations):
        counts["cancelled annotations"] += len(annotations) - len(usable)
    if not usable:
        counts["tasks without an annotation"] += 1
        return None
    if len(usable) > 1:
        counts["tasks with several annotations (ground truth or latest taken)"] += 1
    return max(usable, key=lambda a: (bool(a.get("ground_truth")), str(a.get("updated_at") or a.get("created_at")
                                                                            or "")))


def claim_of(task: dict) -> dict:
    """The claim a task holds, from its data (as `stance.label export` wrote it)."""
    data = task.get("data")
    if not isinstance(data, dict):
        raise TaskProblem("no 'data' object")
    for key, kind in (("doc_id", str), ("claim_id", int), ("start", int), ("end", int), (TEXT, str)):
        if not isinstance(data.get(key), kind) or isinstance(data.get(key), bool):
            raise TaskProblem(f"data.{key} missing or not {kind.__name__} (tasks must come from "
                              "`python -m stance.label export`)")
    if data["end"] - data["start"] != len(data[TEXT]):
        raise TaskProblem(f"data.text has {len(data[TEXT])} characters but the claim span "
                          f"[{data['start']}, {data['end']}) has {data['end'] - data['start']}")
    return data


def _single(value: dict, key: str, allowed: tuple, what: str) -> str:
    chosen = value.get(key)
    if not isinstance(chosen, list) or len(chosen) != 1 or chosen[0] not in allowed:
        raise TaskProblem(f"{what} must be one of {', '.join(allowed)}, got {chosen!r}")
    return chosen[0]


def task_rows(task: dict, counts: Counter) -> list[dict] | None:
    """The gold rows of one task, or None when it has no annotation to import."""
    claim = claim_of(task)
    annotation = pick_annotation(task, counts)
    if annotation is None:
        return None
    text = claim[TEXT]
    spans: dict[str, tuple[int, int]] = {}
    stances: dict[str, str] = {}
    names: dict[str, str] = {}
    sentiment, note = None, ""
    for item in annotation.get("result") or []:
        if not isinstance(item, dict) or not isinstance(item.get("value"), dict):
            raise TaskProblem(f"result item {item!r:.80} is not an object with a 'value'")
        control, kind, value, region = item.get("from_name"), item.get("type"), item["value"], item.get("id")
        if (control, kind) not in KNOWN:
            raise TaskProblem(f"result from {control!r} of type {kind!r} is not in the labelling config "
                              f"(mention, stance, actor, sentiment, note)")
        if control == MENTION:
            spans[region] = _span(value, text)
        elif control == STANCE:
            stances[region] = _single(value, "choices", STANCES, "stance")
        elif control == ACTOR:
            words = value.get("text")
            names[region] = " ".join(words).strip() if isinstance(words, list) else str(words or "").strip()
        elif control == SENTIMENT:
            sentiment = _single(value, "choices", SENTIMENTS, "sentiment")
        else:
            words = value.get("text")
            note = " ".join(words).strip() if isinstance(words, list) else str(words or "").strip()
    orphans = sorted((set(stances) | set(names)) - set(spans), key=str)
    if orphans:
        raise TaskProblem(f"a stance or actor (result id {orphans[0]!r}) belongs to no mention span")
    if sentiment is None:
        raise TaskProblem("no sentiment chosen for the claim")
    actors: dict[str, list[tuple[int, int, str]]] = {}
    for region, (start, end) in sorted(spans.items(), key=lambda item: item[1]):
        words = text[start:end]
        if region not in stances:
            raise TaskProblem(f"mention {words!r} [{start}, {end}) has no stance")
        name = names.get(region) or words
        if not names.get(region):
            counts["mentions named by their own words (empty actor box)"] += 1
        actors.setdefault(name, []).append((start, end, stances[region]))
    base = {"doc_id": claim["doc_id"], "claim_id": claim["claim_id"], "start": claim["start"], "end": claim["end"],
            "text": text}
    if not actors:
        return [{**base, "actor": None, "mentions": [], "stance": None, "sentiment": sentiment, "note": note}]
    rows = []
    for name, mentions in actors.items():
        labels = {stance for _, _, stance in mentions}
        if len(labels) > 1:
            listed = ", ".join(f"{stance} on {text[s:e]!r}" for s, e, stance in mentions)
            raise TaskProblem(f"actor {name!r} has mentions with different stances ({listed}); "
                              "one stance per (claim, actor)")
        for (s1, e1, _), (s2, e2, _) in pairwise(mentions):
            if s2 < e1:
                raise TaskProblem(f"actor {name!r} has overlapping mentions {text[s1:e1]!r} and {text[s2:e2]!r}")
        rows.append({**base, "actor": name,
                     "mentions": [{"text": text[s:e], "start": claim["start"] + s, "end": claim["start"] + e}
                                  for s, e, _ in mentions],
                     "stance": labels.pop(), "sentiment": sentiment, "note": note})
    return rows


def _span(value: dict, text: str) -> tuple[int, int]:
    """A mention span's offsets in the claim, surrounding whitespace trimmed (a selection may take a space)."""
    start, end = value.get("start"), value.get("end")
    offsets = all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end))
    if not offsets or not 0 <= start < end <= len(text):
        raise TaskProblem(f"mention span [{start}, {end}) is not inside the claim (length {len(text)})")
    if MENTION_LABEL not in (value.get("labels") or []):
        raise TaskProblem(f"mention span [{start}, {end}) has labels {value.get('labels')!r}, not [{MENTION_LABEL!r}]")
    if "text" in value and value["text"] != text[start:end]:
        raise TaskProblem(f"mention span [{start}, {end}) says {value['text']!r} but the claim has "
                          f"{text[start:end]!r} there (offsets off: was the task's text changed?)")
    words = text[start:end]
    start, end = start + len(words) - len(words.lstrip()), end - (len(words) - len(words.rstrip()))
    if start >= end:
        raise TaskProblem(f"mention span [{value['start']}, {value['end']}) holds only whitespace")
    return start, end


def import_labels(input_path: str, output: str, skip_bad_tasks: bool = False, run: str | None = None,
                  ) -> ImportResult:
    """Read the export, write the gold rows (sorted by document and claim), check them with the validator."""
    path, out = Path(input_path), Path(output)
    tasks = read_export(path)
    counts: Counter = Counter()
    rows: dict[tuple[str, int], list[dict]] = {}
    seen: dict[tuple[str, int], str] = {}
    problems = []
    for index, task in enumerate(tasks):
        name = task_name(path, index, task)
        try:
            if not isinstance(task, dict):
                raise TaskProblem("not a JSON object")
            found = task_rows(task, counts)
        except TaskProblem as problem:
            problems.append(f"{name}: {problem}")
            continue
        if found is None:
            continue
        key = (found[0]["doc_id"], found[0]["claim_id"])
        if key in seen:
            problems.append(f"{name}: this claim was already imported from {seen[key]}")
            continue
        seen[key], rows[key] = name, found
    if problems and not skip_bad_tasks:
        raise LabelImportError(problems)
    if not rows:
        raise LabelImportError([*problems, f"{path}: no annotated task to import ({len(tasks)} tasks)"])
    if run:
        _write_documents(out, {key[0] for key in rows}, run, counts)
    ordered = [row for key in sorted(rows) for row in rows[key]]
    write_text_atomic(out, "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in ordered))
    summary = check_gold(out)  # finds the documents written beside it, if any
    return ImportResult(out, len(ordered), len(rows), counts, problems, summary)


def _write_documents(out: Path, doc_ids: set[str], run: str, counts: Counter) -> None:
    """`<output stem>/<doc_id>.txt` for each labelled document, from the run's documents.jsonl, where the gold
    validator looks for them (`stance.data.validate.seed_dirs`), so spans are checked against the documents."""
    folder, found, unsafe = out.with_suffix(""), 0, 0
    for record in read_documents(run):
        doc_id = record["doc_id"]
        if doc_id not in doc_ids:
            continue
        if "/" in doc_id or "\\" in doc_id:
            unsafe += 1
            continue
        write_text_atomic(folder / f"{doc_id}.txt", record["text"])
        found += 1
    if unsafe:
        counts["documents not written beside the labels (a / in the doc_id)"] += unsafe
    if len(doc_ids) - found - unsafe:
        counts[f"documents not found in {run}"] += len(doc_ids) - found - unsafe
