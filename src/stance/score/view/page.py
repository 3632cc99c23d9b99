"""view.html: a scoring run as a person reads it, one self-contained file (inline CSS and JS, no network).

From top to bottom: the run (model, counts), a sortable table of the actors across the corpus, with dated
inputs a plot per top actor of its mean score over time, an index of the documents (sortable, filterable;
the first `max_index`, with a note when there are more), and the first `max_documents` documents in full:
each claim with its sentiment, every actor mention highlighted in its pair's stance colour (probabilities on
hover), and the document's actor table. Beyond `max_documents` a document is in the index only, so the page
stays quick to open: 1,000 short documents make 1.4 MB (scripts/bench/view_scale.py). Every piece of input text is
HTML-escaped.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from html import escape
from itertools import islice
from pathlib import Path

from stance.atomic import atomic_file
from stance.score.aggregate import LABELS, Tally, aggregate_actors, document_groups
from stance.score.dates import period_range
from stance.score.outputs.documents import read_documents
from stance.score.view.assets import CSS, JS
from stance.score.view.plots import actor_plot

VIEW = "view.html"
INDEX_ACTORS = 4  # actors named per document in the index (most claims first)
SENTIMENT_SHORT = {"negative": "neg", "neutral": "neu", "positive": "pos"}


@dataclass
class ViewOptions:
    max_documents: int = 200  # documents shown in full
    max_index: int = 20_000  # documents listed in the index (~0.5 kB each); the rest are in done.jsonl, actors.csv
    top_actors: int = 8  # actors plotted over time (most dated claims first)
    neutral_band: float = 0.15  # shaded around 0 in the plots over time
    period: str = "month"


@dataclass
class ViewStats:
    path: Path
    documents: int  # in the index
    shown: int  # in full
    bytes: int


@dataclass
class ViewRows:
    """What the page needs of the run's pair rows, gathered in one pass a document at a time: the actors across
    the corpus (running figures), each indexed document's actor rows and pair count, the shown documents' rows."""

    corpus: dict[str, Tally]
    indexed: dict[str, tuple[list[dict], int]]
    shown: dict[str, list[dict]]


def gather_rows(pairs: Iterable[dict], indexed: set[str], shown: set[str]) -> ViewRows:
    rows = ViewRows({}, {}, {})
    for doc_id, members in document_groups(pairs):
        for pair in members:
            if pair["actor"] not in rows.corpus:
                rows.corpus[pair["actor"]] = Tally(pair["kind"])
            rows.corpus[pair["actor"]].add(pair)
        if doc_id in indexed:
            rows.indexed[doc_id] = (aggregate_actors(members), len(members))
        if doc_id in shown:
            rows.shown[doc_id] = members
    return rows


def write_view(out_dir: str | Path, pairs: Iterable[dict], done: Iterable[dict], summary: dict,
               options: ViewOptions, over_time: list[dict] | None = None) -> ViewStats:
    """Write <out_dir>/view.html (to a temporary name, then renamed) from the run's pair rows, its done.jsonl
    records (the documents, in order) and summary; `over_time` is the rows of actors_over_time.csv. Both
    streams are read once; what is held is bounded by the page (`max_index`, `max_documents`, the actors)."""
    out_dir = Path(out_dir)
    remaining = iter(done)
    listed = list(islice(remaining, options.max_index))
    total = len(listed) + sum(1 for _ in remaining)
    shown = [record["doc_id"] for record in listed[: options.max_documents]]
    gathered = gather_rows(pairs, {record["doc_id"] for record in listed}, set(shown))
    records = _records(out_dir, set(shown))
    notes = []
    if records and not any(claim.get("sentiment") for r in records.values() for claim in r["claims"]):
        notes.append("This model has no sentiment head: the claims carry no sentiment.")
    if len(records) < len(shown):
        notes.append(f"{len(shown) - len(records)} of the documents shown in full were scored by a run that kept "
                     "no documents.jsonl: they show only their claims that mention an actor, without sentiment.")
    if total > len(shown):
        in_index = "all of them" if total <= options.max_index else f"the first {options.max_index:,}"
        notes.append(f"The first {len(shown)} of {total} documents are shown in full (view_documents="
                     f"{options.max_documents}); the index lists {in_index}.")
    if total > options.max_index:
        notes.append(f"The index stops at {options.max_index:,} documents to keep this page quick to open; every "
                     "document's actors are in actors.csv, its claims in pairs.jsonl and documents.jsonl.")
    path = out_dir / VIEW
    with atomic_file(path) as out:
        out.write(_head(out_dir))
        out.write(_intro(summary, notes, bool(over_time)))
        out.write(_corpus_actors(corpus_actor_rows(gathered.corpus)))
        if over_time:
            out.write(_over_time(over_time, options))
        out.write(_index(listed, total, gathered.indexed, set(shown)))
        out.write('<section id="documents"><h2>Documents in full</h2>\n')
        for number, doc_id in enumerate(shown):
            out.write(_document(number, doc_id, records.get(doc_id), gathered.shown.get(doc_id, []), listed[number]))
        out.write(f"</section></main>\n<script>{JS}</script>\n</body></html>\n")
    return ViewStats(path, total, len(shown), path.stat().st_size)


def _records(out_dir: Path, wanted: set[str]) -> dict[str, dict]:
    """documents.jsonl lines of the documents shown in full, read until all are found."""
    found = {}
    for record in read_documents(out_dir):
        if record["doc_id"] in wanted:
            found[record["doc_id"]] = record
            if len(found) == len(wanted):
                break
    return found


def _head(out_dir: Path) -> str:
    title = f"stance: {out_dir.resolve().name}"
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{CSS}</style></head>\n<body><main>\n")


def _intro(summary: dict, notes: list[str], over_time: bool) -> str:
    counts, model, config = summary["counts"], summary["model"], summary.get("config", {})
    card = model.get("card") or Path(model["path"]).name
    parts = [
        "<h1>Who is the author for and against?</h1>",
        (f'<p class="meta">{counts["documents"]} documents &middot; {counts["claims"]} claims &middot; '
         f'{counts["pairs"]} (claim, actor) pairs &middot; {counts["actors"]} (document, actor) rows &middot; '
         f'{counts["errors"]} input problems</p>'),
        (f'<p class="meta">input {escape(str(config.get("input", "")))} &middot; model {escape(card)} '
         f'({escape(model["path"])}, {escape(str(model.get("precision", "")))})</p>'),
        ('<p class="meta legend">A mention\'s colour is the stance the claim takes toward its actor: '
         '<mark class="against">against</mark> <mark class="neutral">neutral</mark> '
         '<mark class="favor">favor</mark>; hover it for the probabilities. '
         "An actor's score is P(favor) &minus; P(against), from &minus;1 to +1. Click a column to sort.</p>"),
        *(f'<p class="note">{escape(note)}</p>' for note in notes),
        '<nav><a href="#actors">Actors</a>' + ('<a href="#over-time">Over time</a>' if over_time else "")
        + '<a href="#index">Index of documents</a><a href="#documents">Documents in full</a></nav>',
    ]
    return "\n".join(parts) + "\n"


def _label(label: str) -> str:
    return f'<span class="lab {label}">{label}</span>'


def _score_cell(mean: float) -> str:
    """The mean score as a number and a bar from the centre: left (red) for against, right (blue) for favor."""
    width = min(abs(mean), 1) * 50
    side = f"left:{50 - width:.1f}%" if mean < 0 else "left:50%"
    colour = "against" if mean < 0 else "favor"
    return (f'<td class="n" data-v="{mean:.4f}">{mean:+.2f}<span class="bar">'
            f'<i class="{colour}" style="{side};width:{width:.1f}%"></i></span></td>')


def _counts_cells(row: dict) -> str:
    return "".join(f'<td class="n" data-v="{row[f"n_{label}"]}">{row[f"n_{label}"]}</td>' for label in LABELS)


def corpus_actor_rows(tallies: dict[str, Tally]) -> list[dict]:
    """One row per actor over the whole run: documents, claims (pairs), mean score, label counts, and the label
    by the rule of actors.csv (`actor_label`), most claims first."""
    rows = [{"actor": actor, "kind": tally.kind, **tally.figures()} for actor, tally in tallies.items()]
    return sorted(rows, key=lambda row: (-row["claims"], row["actor"]))


def _corpus_actors(rows: list[dict]) -> str:
    body = "".join(
        f'<tr><td><a href="#index" data-actor="{escape(row["actor"])}">{escape(row["actor"])}</a></td>'
        f'<td>{escape(row["kind"])}</td><td class="n" data-v="{row["documents"]}">{row["documents"]}</td>'
        f'<td class="n" data-v="{row["claims"]}">{row["claims"]}</td>{_score_cell(row["mean_score"])}'
        f'{_counts_cells(row)}<td>{_label(row["label"])}</td></tr>\n' for row in rows)
    return (f'<section id="actors"><h2>Actors across the corpus ({len(rows)})</h2>\n'
            '<p class="meta">Claims: the claims that mention the actor. Label: favor or against by which more '
            "of them have (neutral when they balance); the mean score says how strongly. Click an actor to list its documents.</p>\n"
            '<input type="search" data-filter="actors-table" placeholder="filter actors">'
            '<div class="scroll"><table id="actors-table" class="sortable"><thead><tr><th>Actor</th><th>Kind</th>'
            "<th>Documents</th><th>Claims</th><th>Mean score</th><th>Against</th><th>Neutral</th><th>Favor</th>"
            f"<th>Label</th></tr></thead><tbody>\n{body}</tbody></table></div></section>\n")


def _over_time(rows: list[dict], options: ViewOptions) -> str:
    starts = sorted({row["period_start"] for row in rows})
    periods = period_range(starts[0], starts[-1], options.period)
    actors: dict[str, list[dict]] = {}
    for row in rows:  # ordered by actor, most claims first (stance.score.outputs.over_time)
        actors.setdefault(row["actor"], []).append(row)
    top = list(actors.items())[: options.top_actors]
    plots = "".join(
        f'<div class="plot"><h3>{escape(actor)} <span class="more">{sum(r["claims"] for r in series)} dated claims'
        f"</span></h3>{actor_plot(actor, series, periods, options.neutral_band)}</div>\n" for actor, series in top)
    return (f'<section id="over-time"><h2>Over time: the {len(top)} actors with the most dated claims, '
            f"per {options.period}</h2>\n"
            '<p class="meta">Points: mean score per period (shaded: the neutral band; larger points, more claims). '
            "Bars: claims per period by label, up to the number at their left (the most in one period). "
            "Every actor and period is in actors_over_time.csv.</p>\n"
            f'<div class="plots">{plots}</div></section>\n')


def _index(done: list[dict], total: int, indexed: dict[str, tuple[list[dict], int]], shown: set[str]) -> str:
    dated = any(record.get("date") for record in done)
    rows = []
    for number, record in enumerate(done):
        doc_id = record["doc_id"]
        actors, pairs = indexed.get(doc_id, ([], 0))
        actors = sorted(actors, key=lambda row: -row["claims"])
        chips = " ".join(f'<span class="lab {row["label"]}">{escape(row["actor"])}</span>'
                         for row in actors[:INDEX_ACTORS])
        if len(actors) > INDEX_ACTORS:
            chips += f' <span class="more">+{len(actors) - INDEX_ACTORS} more</span>'
        name = (f'<a href="#d{number}">{escape(doc_id)}</a>' if doc_id in shown
                else f'<span title="in the index only (view_documents)">{escape(doc_id)}</span>')
        all_actors = escape(" ".join(row["actor"] for row in actors))
        rows.append(f'<tr data-actors="{all_actors}"><td class="n" data-v="{number}">{number + 1}</td>'
                    f'<td>{name}</td>' + (f'<td>{escape(record.get("date") or "")}</td>' if dated else "") +
                    f'<td class="n" data-v="{record["claims"]}">{record["claims"]}</td>'
                    f'<td class="n" data-v="{pairs}">{pairs}</td><td>{chips}</td></tr>\n')
    count = f"{total}" if total == len(done) else f"the first {len(done):,} of {total:,}"
    return (f'<section id="index"><h2>Index of documents ({count})</h2>\n'
            '<input type="search" data-filter="index-table" placeholder="filter by document or actor">'
            '<div class="scroll"><table id="index-table" class="sortable"><thead><tr><th>#</th><th>Document</th>'
            + ("<th>Date</th>" if dated else "")
            + "<th>Claims</th><th>Pairs</th><th>Actors (most claims first)</th></tr></thead><tbody>\n"
            f'{"".join(rows)}</tbody></table></div></section>\n')


def _document(number: int, doc_id: str, record: dict | None, pairs: list[dict], done_record: dict) -> str:
    """One document in full: claims with highlighted mentions beside the document's actor table."""
    by_claim: dict[int, list[dict]] = {}
    for pair in pairs:
        by_claim.setdefault(pair["claim_id"], []).append(pair)
    if record is not None:
        text, claims = record["text"], record["claims"]
    else:  # no documents.jsonl line: the claims of pairs.jsonl, their text as the rows give it
        text, claims = None, [{"claim_id": cid, "start": rows[0]["start"], "end": rows[0]["end"],
                               "text": rows[0]["text"]} for cid, rows in sorted(by_claim.items())]
    lines, cursor = [], 0
    for claim in claims:
        claim_text = text[claim["start"]:claim["end"]] if text is not None else claim["text"]
        if text is not None and text[cursor:claim["start"]].strip():
            lines.append(_gap(text[cursor:claim["start"]]))
        cursor = claim["end"]
        lines.append(_claim(claim, claim_text, by_claim.get(claim["claim_id"], [])))
    if text is not None and text[cursor:].strip():
        lines.append(_gap(text[cursor:]))
    actors = aggregate_actors(pairs)
    actors.sort(key=lambda row: -row["claims"])
    table = "".join(
        f'<tr><td>{escape(row["actor"])}</td><td class="n" data-v="{row["claims"]}">{row["claims"]}</td>'
        f'{_score_cell(row["mean_score"])}{_counts_cells(row)}<td>{_label(row["label"])}</td></tr>'
        for row in actors)
    date = f' <span class="more">{escape(record["date"])}</span>' if record and record.get("date") else ""
    return (f'<article class="doc" id="d{number}"><h3>{escape(doc_id)}{date}</h3>'
            f'<p class="meta">{done_record["claims"]} claims &middot; {len(pairs)} pairs &middot; {len(actors)} actors'
            f' &middot; <a href="#index">index</a></p><div class="doc-body"><div class="claims">\n'
            + "\n".join(lines)
            + '</div><div class="doc-actors"><table class="sortable"><thead><tr><th>Actor</th><th>Claims</th>'
            "<th>Mean</th><th>A</th><th>N</th><th>F</th><th>Label</th></tr></thead><tbody>"
            f"{table}</tbody></table></div></div></article>\n")


def _gap(text: str) -> str:
    """Text between claims that is not whitespace (shown so that nothing of the document is hidden)."""
    return (f'<div class="claim gap nosent"><span class="cid"></span>'
            f'<div class="ctext" title="not part of any claim">{escape(text.strip())}</div></div>')


def _claim(claim: dict, text: str, pairs: list[dict]) -> str:
    sentiment = claim.get("sentiment")
    if sentiment:
        probs = claim.get("sentiment_probs") or {}
        tip = f"claim sentiment: {sentiment}\n" + "  ".join(f"P({k}) {v:.2f}" for k, v in probs.items())
        chip = (f'<span class="sent {escape(sentiment)}" data-tip="{escape(tip)}">'
                f"{escape(SENTIMENT_SHORT.get(sentiment, sentiment))}</span>")
    else:
        chip = ""
    part = f" (part {claim['long_part']})" if claim.get("long_part") else ""
    kind = "claim" if sentiment else "claim nosent"
    return (f'<div class="{kind}"><span class="cid" title="claim {claim["claim_id"]}{part}">{claim["claim_id"]}</span>'
            f'{chip}<div class="ctext">{_highlight(text, claim["start"], pairs)}</div></div>')


def _highlight(text: str, offset: int, pairs: list[dict]) -> str:
    """The claim's text with each mention in a <mark> of its pair's label. A mention inside another one (rare:
    two actors on overlapping words) is named in the outer mark's tooltip instead of being nested."""
    spans = sorted(((m["start"] - offset, m["end"] - offset, pair, m) for pair in pairs for m in pair["mentions"]),
                   key=lambda span: (span[0], -span[1]))
    marks: list[list] = []  # [start, end, tip, label]
    for start, end, pair, mention in spans:
        if marks and start < marks[-1][1]:
            marks[-1][2] += f"\nalso: {pair['actor']} ({pair['label']}) on {mention['text']!r}"
            continue
        marks.append([start, end, _tip(pair, mention), pair["label"]])
    out, cursor = [], 0
    for start, end, tip, label in marks:
        out.append(escape(text[cursor:start]))
        out.append(f'<mark class="{escape(label)}" data-tip="{escape(tip)}">{escape(text[start:end])}</mark>')
        cursor = end
    out.append(escape(text[cursor:]))
    return "".join(out)


def _tip(pair: dict, mention: dict) -> str:
    probs = pair["probs"]
    lines = [f"{pair['actor']} ({pair['kind']}): {pair['label']}",
             "  ".join(f"P({label}) {probs[label]:.2f}" for label in LABELS if label in probs),
             f"score {pair['score']:+.2f}   found by {mention.get('source', '?')}"]
    if pair.get("windowed"):
        lines.append("scored on a window around the mention (claim longer than the model reads)")
    return "\n".join(lines)
