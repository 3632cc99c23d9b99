"""`python -m stance.label export run=RUN_DIR output=tasks.json n=200 strategy=uncertain|random`.

Turns claims of a scoring run into Label Studio tasks, one task per claim, with the model's labels as
pre-annotations (`predictions`): a span per actor mention, the stance of the mention's pair and the actor's
canonical name on that span, and the claim's sentiment. Writes the labelling config to paste into the Label
Studio project next to the tasks (`<output stem>.label_config.xml`).

Which claims: `uncertain` takes the claims whose least certain pair has the smallest margin between the
model's two most probable labels, most uncertain first; `random` draws a seeded sample of all claims, those
without actors included (a labeller may find an actor the model missed). Claims already in a gold file named
in `exclude` are left out, so each round of labelling asks for new claims. The run is read a document at a
time; only the chosen tasks are held in memory.
"""
from __future__ import annotations

import heapq
import json
import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from stance.atomic import write_text_atomic
from stance.label.studio_config import (
    ACTOR,
    LABEL_CONFIG,
    MENTION,
    MENTION_LABEL,
    SENTIMENT,
    STANCE,
    TEXT,
)
from stance.score.outputs.documents import DOCUMENTS, read_documents
from stance.score.outputs.shards import PAIRS_DIR, read_pairs
from stance.score.outputs.store import PAIRS, SUMMARY
from stance.textfile import jsonl_rows

STRATEGIES = ("uncertain", "random")


class ExportError(ValueError):
    """The run or the options cannot give tasks; one line for the user."""


@dataclass
class ClaimUnit:
    """One claim of the run, with its pair rows (none for a claim without actors)."""

    order: int  # position in the run, to break ties the same way every time
    doc_id: str
    claim_id: int
    start: int
    end: int
    text: str
    before: str  # the claim before it in its document ("" for the first)
    date: str | None
    sentiment: str | None
    pairs: list[dict] = field(default_factory=list)

    @property
    def uncertainty(self) -> float | None:
        """1 - (top probability - second probability) of the claim's least certain pair; None without pairs."""
        margins = []
        for pair in self.pairs:
            top, second = sorted(pair["probs"].values(), reverse=True)[:2]
            margins.append(top - second)
        return round(1 - min(margins), 4) if margins else None


@dataclass
class ExportResult:
    tasks: Path
    label_config: Path
    written: int
    candidates: int  # claims the strategy could choose from
    notes: list[str]


def claim_units(run_dir: Path, notes: list[str]) -> Iterator[ClaimUnit]:
    """Every claim of the run in order: from documents.jsonl (all claims, their sentiment), or from
    pairs.jsonl alone (claims with actors) for a run that kept no documents.jsonl."""
    pairs_by_claim: dict[tuple[str, int], list[dict]] = {}
    for pair in read_pairs(run_dir):  # pairs.jsonl, or the Parquet shards of output_format=parquet
        pairs_by_claim.setdefault((pair["doc_id"], pair["claim_id"]), []).append(pair)
    order = 0
    if (run_dir / DOCUMENTS).is_file():
        for record in read_documents(run_dir):
            before = ""
            for claim in record["claims"]:
                text = record["text"][claim["start"]:claim["end"]]
                yield ClaimUnit(order, record["doc_id"], claim["claim_id"], claim["start"], claim["end"], text,
                                before, record.get("date"), claim.get("sentiment"),
                                pairs_by_claim.get((record["doc_id"], claim["claim_id"]), []))
                before, order = text, order + 1
        return
    notes.append(f"{run_dir / DOCUMENTS} not found (a run from before it was written): only claims with actors "
                 "are offered, without the model's sentiment or the claim before them")
    for (doc_id, claim_id), rows in pairs_by_claim.items():
        first = rows[0]
        yield ClaimUnit(order, doc_id, claim_id, first["start"], first["end"], first["text"], "", None, None, rows)
        order += 1


def excluded_claims(paths: list[str]) -> set[tuple[str, int]]:
    """(doc_id, claim_id) of every row of the given gold files (already labelled)."""
    done: set[tuple[str, int]] = set()
    problems: list[str] = []
    for name in paths:
        path = Path(name)
        if not path.is_file():
            raise ExportError(f"{path}: exclude file not found")
        for number, row in jsonl_rows(path, problems):
            if "doc_id" not in row or "claim_id" not in row:
                problems.append(f"{path}:{number}: no doc_id or claim_id (exclude takes gold-format files)")
                continue
            done.add((row["doc_id"], row["claim_id"]))
    if problems:
        raise ExportError(problems[0] + (f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""))
    return done


def choose(units: Iterator[ClaimUnit], n: int, strategy: str, seed: int) -> tuple[list[ClaimUnit], int]:
    """(the chosen claims in task order, the number of candidates)."""
    count = 0
    if strategy == "uncertain":
        def candidates() -> Iterator[ClaimUnit]:
            nonlocal count
            for unit in units:
                if unit.pairs:
                    count += 1
                    yield unit
        chosen = heapq.nsmallest(n, candidates(), key=lambda unit: (-unit.uncertainty, unit.order))
        return chosen, count
    rng, sample = random.Random(seed), []
    for unit in units:  # reservoir sampling: a uniform sample in one pass
        count += 1
        if len(sample) < n:
            sample.append(unit)
        elif (slot := rng.randrange(count)) < n:
            sample[slot] = unit
    return sorted(sample, key=lambda unit: unit.order), count


def task(unit: ClaimUnit, number: int, model_version: str) -> dict:
    """One Label Studio task: the claim in `data`, the model's labels in `predictions` (result ids unique
    in the whole file, as Label Studio asks)."""
    uncertainty = unit.uncertainty
    title = f"{unit.doc_id} · claim {unit.claim_id}" + (f" · {unit.date}" if unit.date else "")
    if uncertainty is not None:
        title += f" · model uncertainty {uncertainty:.2f}"
    result = []
    for pair in unit.pairs:
        for mention in pair["mentions"]:
            span = {"start": mention["start"] - unit.start, "end": mention["end"] - unit.start}
            region = f"t{number}r{len(result) // 3}"
            result += [
                _result(region, MENTION, "labels", {**span, "text": mention["text"], "labels": [MENTION_LABEL]}),
                _result(region, STANCE, "choices", {**span, "text": mention["text"], "choices": [pair["label"]]}),
                _result(region, ACTOR, "textarea", {**span, "text": [pair["actor"]]}),
            ]
    if unit.sentiment:
        result.append(_result(f"t{number}s", SENTIMENT, "choices", {"choices": [unit.sentiment]}))
    prediction = {"model_version": model_version, "result": result}
    if uncertainty is not None:
        prediction["score"] = round(1 - uncertainty, 4)  # Label Studio lists low scores first when sorted
    data = {TEXT: unit.text, "before": unit.before, "title": title, "doc_id": unit.doc_id,
            "claim_id": unit.claim_id, "start": unit.start, "end": unit.end, "date": unit.date,
            "uncertainty": uncertainty}
    return {"data": data, "predictions": [prediction]}


def _result(region: str, control: str, kind: str, value: dict) -> dict:
    return {"id": region, "from_name": control, "to_name": TEXT, "type": kind, "value": value}


def model_version(run_dir: Path) -> str:
    """The model's directory name and the start of its weights' sha1, as the run recorded them."""
    summary = json.loads((run_dir / SUMMARY).read_text(encoding="utf-8")) if (run_dir / SUMMARY).is_file() else {}
    run = json.loads((run_dir / "run.json").read_text(encoding="utf-8")) if (run_dir / "run.json").is_file() else {}
    name = Path(summary.get("model", {}).get("path", "model")).name
    digest = run.get("model_weights", "")[:8]
    return f"{name}@{digest}" if digest else name


def export_tasks(run: str, output: str, n: int, strategy: str, seed: int = 0,
                 exclude: list[str] | None = None) -> ExportResult:
    """Write the tasks and the labelling config; ExportError (one line) when the run or options cannot."""
    run_dir = Path(run)
    if strategy not in STRATEGIES:
        raise ExportError(f"strategy={strategy}: expected one of {', '.join(STRATEGIES)}")
    if n < 1:
        raise ExportError(f"n={n}: expected a positive number of tasks")
    if not (run_dir / PAIRS).is_file() and not (run_dir / PAIRS_DIR).is_dir():
        raise ExportError(f"{run_dir}: no {PAIRS} or {PAIRS_DIR}/ "
                          "(not the output directory of `python -m stance.score`)")
    notes: list[str] = []
    skip = excluded_claims(list(exclude or []))
    units = (unit for unit in claim_units(run_dir, notes) if (unit.doc_id, unit.claim_id) not in skip)
    chosen, candidates = choose(units, n, strategy, seed)
    if not chosen:
        raise ExportError(f"{run_dir}: no claims to label"
                          + (" (every claim is in the exclude files)" if skip else ""))
    if len(chosen) < n:
        notes.append(f"n={n} asked, {len(chosen)} claims available: {len(chosen)} tasks")
    version = model_version(run_dir)
    tasks = [task(unit, number, version) for number, unit in enumerate(chosen)]
    out = Path(output)
    write_text_atomic(out, json.dumps(tasks, ensure_ascii=False, indent=1))
    config_path = out.with_name(out.stem + ".label_config.xml")
    write_text_atomic(config_path, LABEL_CONFIG)
    return ExportResult(out, config_path, len(tasks), candidates, notes)
