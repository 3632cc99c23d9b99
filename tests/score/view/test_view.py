"""view.html, documents.jsonl and dated inputs (actors_over_time.csv) of `python -m stance.score`, on the tiny
random model: what the view shows, that input text is escaped, the index beyond view_documents, resuming,
and dates read, checked and aggregated per period."""
import csv
import re
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest
from scoring import DOCS, read_jsonl, score, write_jsonl

from stance.score import ScoreError
from stance.score.dates import parse_date, period_of, period_range
from stance.score.inputs import Document, InputSpec, read_inputs
from stance.score.view.page import ViewOptions, write_view

pytestmark = pytest.mark.usefixtures("reuse_loaded_pipelines")  # tests/score/conftest.py


class Collect(HTMLParser):
    """The view's elements as a browser parses them: tags with attributes, and the text inside <mark>s."""

    def __init__(self):
        super().__init__()
        self.tags, self.marks, self._in_mark = [], [], None

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "mark":
            self._in_mark = [dict(attrs), ""]

    def handle_endtag(self, tag):
        if tag == "mark" and self._in_mark:
            self.marks.append(tuple(self._in_mark))
            self._in_mark = None

    def handle_data(self, data):
        if self._in_mark:
            self._in_mark[1] += data


def parse(path):
    collected = Collect()
    collected.feed(Path(path).read_text(encoding="utf-8"))
    return collected


def test_view_shows_every_mention_in_its_stance_with_probabilities(tmp_path, tiny_model_dir):
    path = write_jsonl(tmp_path / "docs.jsonl", [{"id": k, "text": v} for k, v in DOCS.items()])
    summary, out = score(tmp_path, tiny_model_dir, f"input={path}")
    assert summary["analyst_files"]["view"]["documents_in_full"] == 4
    pairs = read_jsonl(out / "pairs.jsonl")
    page = parse(out / "view.html")
    in_legend = 3  # the legend's three sample marks
    assert len(page.marks) == in_legend + sum(len(p["mentions"]) for p in pairs)
    for pair in pairs:
        for mention in pair["mentions"]:
            tips = [attrs["data-tip"] for attrs, text in page.marks[in_legend:]
                    if text == mention["text"] and attrs["class"] == pair["label"]
                    and attrs["data-tip"].startswith(f"{pair['actor']} (")]
            expected = f"P(against) {pair['probs']['against']:.2f}  P(neutral) {pair['probs']['neutral']:.2f}"
            assert any(expected in tip and f"score {pair['score']:+.2f}" in tip for tip in tips), (pair, tips)
    # every claim of every document is shown, with the sentiment of the model's sentiment head
    documents = read_jsonl(out / "documents.jsonl")
    assert [d["doc_id"] for d in documents] == list(DOCS) and [d["text"] for d in documents] == list(DOCS.values())
    chips = [attrs for tag, attrs in page.tags if tag == "span" and "sent" in attrs.get("class", "")]
    assert len(chips) == sum(len(d["claims"]) for d in documents) == summary["counts"]["claims"]
    assert all(c["class"].split()[1] in {"negative", "neutral", "positive"} for c in chips)
    assert [c["class"].split()[1] for c in chips] == [c["sentiment"] for d in documents for c in d["claims"]]
    # the corpus table: one row per actor, sortable; one article per document
    html = (out / "view.html").read_text()
    assert html.count('data-actor="') == len({p["actor"] for p in pairs})
    assert sum(1 for tag, attrs in page.tags if tag == "article") == 4
    assert sum(1 for tag, attrs in page.tags if tag == "table" and "sortable" in attrs.get("class", "")) == 2 + 4
    # self-contained: nothing is fetched
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", html) and "@import" not in html


def test_input_text_is_escaped(tmp_path, tiny_model_dir):
    hostile = {"id": '<img src=x onerror="alert(1)">',
               "text": "Putin wrote <script>alert('x')</script> & \"quoted\" words. Russia lost </mark></div>."}
    path = write_jsonl(tmp_path / "docs.jsonl", [hostile, {"id": "plain", "text": DOCS["a"]}])
    _, out = score(tmp_path, tiny_model_dir, f"input={path}")
    html = (out / "view.html").read_text()
    assert html.count("<script") == 1  # the view's own script only
    assert "<img" not in html and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quoted&quot;" in html
    assert "&lt;/mark&gt;&lt;/div&gt;" in html
    page = parse(out / "view.html")
    assert not any(tag in {"img", "iframe"} for tag, _ in page.tags)
    assert sum(1 for tag, _ in page.tags if tag == "article") == 2  # the markup in the text closed nothing


def test_documents_beyond_view_documents_are_in_the_index_only(tmp_path, tiny_model_dir, capsys, monkeypatch):
    root = tmp_path / "docs"
    root.mkdir()
    for doc_id, text in DOCS.items():
        (root / f"{doc_id}.txt").write_text(text)
    summary, out = score(tmp_path, tiny_model_dir, f"input={root}", "view_documents=2")
    page = parse(out / "view.html")
    articles = [attrs["id"] for tag, attrs in page.tags if tag == "article"]
    assert articles == ["d0", "d1"]
    index_rows = re.findall(r'<tr data-actors="[^"]*"><td class="n" data-v="(\d+)">', (out / "view.html").read_text())
    assert index_rows == ["0", "1", "2", "3"]
    assert "The first 2 of 4 documents are shown in full" in (out / "view.html").read_text()
    assert summary["analyst_files"]["view"] == {"file": "view.html", "documents_in_index": 4, "documents_in_full": 2,
                                               "bytes": (out / "view.html").stat().st_size}
    score(tmp_path, tiny_model_dir, f"input={root}", "view=false")  # turned off: no stale view is left
    assert not (out / "view.html").exists()


def test_documents_jsonl_has_one_line_per_done_document_after_a_resume(tmp_path, tiny_model_dir):
    path = write_jsonl(tmp_path / "docs.jsonl", [{"id": k, "text": v} for k, v in DOCS.items()])
    _, out = score(tmp_path, tiny_model_dir, f"input={path}", "doc_batch_size=1")
    expected = (out / "documents.jsonl").read_text()
    done = (out / "done.jsonl").read_text().splitlines()
    # interrupted after d's documents.jsonl line, before its done line, and again mid-line
    (out / "done.jsonl").write_text("\n".join(done[:3]) + "\n")
    lines = expected.splitlines(keepends=True)
    (out / "documents.jsonl").write_text("".join(lines) + lines[-1][:20])
    summary, _ = score(tmp_path, tiny_model_dir, f"input={path}", "doc_batch_size=1")
    assert summary["this_run"]["documents_scored"] == 1
    assert (out / "documents.jsonl").read_text() == expected
    score(tmp_path, tiny_model_dir, f"input={path}", "overwrite=true")
    assert (out / "documents.jsonl").read_text() == expected


def test_dated_input_gives_actors_over_time_and_plots(tmp_path, tiny_model_dir, capsys):
    dates = {"a": "2024-03-04", "b": "2024-03-10T23:30:00+05:00", "c": "2024-03-11T08:00:00Z", "d": ""}
    path = write_jsonl(tmp_path / "docs.jsonl", [{"id": k, "text": v, "published": dates[k]} for k, v in DOCS.items()])
    summary, out = score(tmp_path, tiny_model_dir, f"input={path}", "date_field=published", "period=week")
    assert [r["date"] for r in read_jsonl(out / "documents.jsonl")] == ["2024-03-04", "2024-03-10", "2024-03-11", None]
    pairs = read_jsonl(out / "pairs.jsonl")
    with (out / "actors_over_time.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    week = {"a": "2024-W10", "b": "2024-W10", "c": "2024-W11"}  # Sunday the 10th is still in the week of the 4th
    expected = {}
    for pair in pairs:
        if pair["doc_id"] in week:
            expected.setdefault((pair["actor"], week[pair["doc_id"]]), []).append(pair)
    assert {(r["actor"], r["period"]) for r in rows} == set(expected)
    for row in rows:
        members = expected[(row["actor"], row["period"])]
        assert int(row["claims"]) == len(members) and int(row["documents"]) == len({p["doc_id"] for p in members})
        assert abs(float(row["mean_score"]) - sum(p["score"] for p in members) / len(members)) < 1e-4
        assert sum(int(row[f"n_{label}"]) for label in ("against", "neutral", "favor")) == len(members)
        assert row["period_start"] == {"2024-W10": "2024-03-04", "2024-W11": "2024-03-11"}[row["period"]]
    info = summary["analyst_files"]["over_time"]
    assert info["undated_documents"] == 1 and info["undated_pairs"] == sum(p["doc_id"] == "d" for p in pairs)
    assert "1 of 4 documents have no 'published'" in capsys.readouterr().err
    html = (out / "view.html").read_text()
    plotted = min(8, len({r["actor"] for r in rows}))
    assert html.count("<svg ") == plotted and 'id="over-time"' in html


def test_bad_and_missing_dates_are_reported(tmp_path, tiny_model_dir):
    path = write_jsonl(tmp_path / "docs.jsonl", [{"id": "a", "text": DOCS["a"], "date": "yesterday"},
                                                  {"id": "b", "text": DOCS["b"], "date": 1710000000},
                                                  {"id": "c", "text": DOCS["c"], "date": "2024-02-30"},
                                                  {"id": "d", "text": DOCS["d"], "date": "2024-05-01"}])
    summary, _ = score(tmp_path, tiny_model_dir, f"input={path}", "date_field=date")
    problems = [f"{e['file']}:{e['line']}: {e['problem']}" for e in summary["errors"]]
    assert problems == [f"{path}:1: 'date': date 'yesterday' is not an ISO 8601 date (YYYY-MM-DD[THH:MM[:SS]])",
                        (f"{path}:2: 'date': date 1710000000 is a number; expected an ISO 8601 date string "
                         "(YYYY-MM-DD[THH:MM[:SS]])"),
                        f"{path}:3: 'date': date '2024-02-30' is not an ISO 8601 date (YYYY-MM-DD[THH:MM[:SS]])"]
    assert summary["counts"]["documents"] == 1
    table = tmp_path / "docs.csv"
    table.write_text("id,text\na,Putin failed.\n")
    summary, _ = score(tmp_path, tiny_model_dir, f"input={table}", "date_field=day", out="csv")
    assert [e["problem"] for e in summary["errors"]] == ["no date column 'day' (columns: id, text)"]
    with pytest.raises(ScoreError, match="date_field=date: a txt input has no fields to read a date from"):
        score(tmp_path, tiny_model_dir, f"input={tmp_path / 'x.txt'}", "date_field=date", out="txt")
    with pytest.raises(ScoreError, match="period=day: expected one of week, month"):
        score(tmp_path, tiny_model_dir, f"input={path}", "period=day", out="p")


def test_dates_are_read_from_jsonl_and_csv_records(tmp_path):
    table = tmp_path / "posts.csv"
    table.write_text("id,text,day\na,Putin failed.,2024-03-05T10:00:00\nb,Russia won.,\nc,Iran met Iraq.,5 March\n")
    items = list(read_inputs(InputSpec(str(table), date_field="day")))
    assert [(d.doc_id, d.date) for d in items[:2]] == [("a", "2024-03-05"), ("b", None)]
    assert str(items[2]) == f"{table}:4: 'day': date '5 March' is not an ISO 8601 date (YYYY-MM-DD[THH:MM[:SS]])"
    undated = Document("a", "Putin failed.", "x:1")
    assert undated.digest() == Document("a", "Putin failed.", "x:1", date=None).digest()
    assert undated.digest() != Document("a", "Putin failed.", "x:1", date="2024-03-05").digest()
    posts = write_jsonl(tmp_path / "posts.jsonl", [{"id": "a", "text": "Putin failed.", "d": "2024-03-05"}])
    assert [d.date for d in read_inputs(InputSpec(str(posts), date_field="d"))] == ["2024-03-05"]
    assert [d.date for d in read_inputs(InputSpec(str(posts)))] == [None]  # no date_field: no date


def test_dates_and_periods():
    assert parse_date("2024-12-30") == "2024-12-30" and parse_date(" 2024-12-30 10:00 ") == "2024-12-30"
    assert period_of("2024-12-30", "week") == ("2025-W01", "2024-12-30")  # ISO week of the next year
    assert period_of("2024-02-29", "month") == ("2024-02", "2024-02-01")
    assert [p for p, _ in period_range("2024-11-20", "2025-02-03", "month")] == ["2024-11", "2024-12", "2025-01",
                                                                                 "2025-02"]
    assert [p for p, _ in period_range("2024-12-25", "2025-01-08", "week")] == ["2024-W52", "2025-W01", "2025-W02"]


def test_view_of_1000_documents_stays_small_and_quick(tmp_path):
    """A synthetic run of 1,000 short documents (5 claims, 4 pairs each): the view is written in well under
    a second and stays a few MB with the default 200 documents in full."""
    out = tmp_path / "run"
    out.mkdir()
    actors = ["Russia", "Turkey", "Iran", "Azerbaijan", "Kazakhstan", "China", "the European Union", "Putin"]
    pairs, done, documents = [], [], []
    for n in range(1000):
        sentences = [f"{actors[(n + i) % 8]} and {actors[(n + i + 3) % 8]} met in round {i}." for i in range(4)]
        text = " ".join(sentences) + " Nothing else happened."
        claims, start = [], 0
        for claim_id, sentence in enumerate([*sentences, "Nothing else happened."]):
            claims.append({"claim_id": claim_id, "start": start, "end": start + len(sentence), "long_part": 0,
                           "sentiment": "neutral", "sentiment_probs": {"negative": 0.2, "neutral": 0.6,
                                                                       "positive": 0.2}})
            if claim_id < 4:
                name = actors[(n + claim_id) % 8]
                probs = {"against": 0.5, "neutral": 0.3, "favor": 0.2}
                pairs.append({"doc_id": f"doc{n:04d}", "claim_id": claim_id, "start": start,
                              "end": start + len(sentence), "text": sentence, "actor": name, "kind": "state",
                              "mentions": [{"text": name, "start": start, "end": start + len(name),
                                            "source": "registry"}],
                              "label": "against", "probs": probs, "score": -0.3, "windowed": False,
                              "context_cut": False})
            start += len(sentence) + 1
        done.append({"doc_id": f"doc{n:04d}", "claims": 5, "pairs": 4, "date": None})
        documents.append({"doc_id": f"doc{n:04d}", "date": None, "text": text, "claims": claims})
    write_jsonl(out / "documents.jsonl", documents)
    summary = {"counts": {"documents": 1000, "claims": 5000, "pairs": 4000, "actors": 4000, "errors": 0},
               "model": {"path": "/models/x", "precision": "float32"}, "config": {"input": "corpus.jsonl"}}
    started = time.perf_counter()
    stats = write_view(out, pairs, done, summary, ViewOptions())
    seconds = time.perf_counter() - started
    assert stats.shown == 200 and stats.documents == 1000
    assert seconds < 5 and stats.bytes < 3_000_000, (seconds, stats.bytes)
    html = (out / "view.html").read_text()
    assert html.count("<article ") == 200 and html.count('<tr data-actors="') == 1000
    capped = write_view(out, pairs, done, summary, ViewOptions(max_documents=10, max_index=300))
    html = (out / "view.html").read_text()
    assert capped.shown == 10 and html.count('<tr data-actors="') == 300
    assert "Index of documents (the first 300 of 1,000)" in html and "The index stops at 300 documents" in html
