"""The PerSenT reader: references located by aligning MASKED_DOCUMENT with DOCUMENT, labels mapped, splits by
document, unusable paragraphs counted (not dropped silently)."""
import csv
import logging

import pytest

from stance.data.persent import locate_references, persent_split, read_persent
from stance.data.sources import DataError, load_source

LABELS = ("against", "neutral", "favor")


def test_references_found_despite_whitespace_and_quote_differences():
    paragraph = ' "People like me feel like suckers "  Koellmann said. His  plan  failed.'
    masked = ' "People like me feel like suckers [TGT] said. [TGT] plan failed.'
    spans = locate_references(paragraph, masked)
    assert [paragraph[s.start:s.end] for s in spans] == ["Koellmann", "His"]


def test_adjacent_references_become_one_span_and_no_reference_gives_none():
    paragraph = "For Liu  he felt that cities grow."
    assert [paragraph[s.start:s.end] for s in locate_references(paragraph, "For [TGT][TGT] felt that cities grow.")] \
        == ["Liu  he"]
    assert locate_references("Nothing about the person.", "Nothing about the person.") == []


def write_persent(path, rows):
    columns = ["DOCUMENT_INDEX", "TITLE", "TARGET_ENTITY", "DOCUMENT", "MASKED_DOCUMENT", "TRUE_SENTIMENT"] + \
              [f"Paragraph{i}" for i in range(16)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row.get(c, "") for c in columns})


def test_reader_maps_labels_splits_by_document_and_counts_what_it_skips(tmp_path, caplog):
    path = tmp_path / "persent.csv"
    rows = [{"DOCUMENT_INDEX": str(i), "TARGET_ENTITY": "Ann Lee",
             "DOCUMENT": "Ann Lee won the vote.\nThe weather was fine.\nShe thanked voters.",
             "MASKED_DOCUMENT": "[TGT] won the vote.\nThe weather was fine.\n[TGT] thanked voters.",
             "Paragraph0": "Positive", "Paragraph1": "Neutral", "Paragraph2": ""} for i in range(40)]
    write_persent(path, rows)
    with caplog.at_level(logging.INFO, logger="stance.data"):
        everything = read_persent(path, {}, LABELS, problems := [])
    assert not problems and len(everything) == 40  # paragraph 1 has no reference, paragraph 2 no label
    assert {e.label for e in everything} == {"favor"} and everything[0].text[:7] == "Ann Lee"
    assert "40 paragraphs without a located reference" in caplog.text and "40 paragraphs without a label" in caplog.text
    parts = {split: load_source({"format": "persent", "path": str(path), "split": split}, LABELS)
             for split in ("train", "dev", "test")}
    assert sum(len(p) for p in parts.values()) == 40
    for split, examples in parts.items():
        assert all(persent_split(e.pair_id.split(":")[1]) == split for e in examples)
        assert all(e.source == f"{path.stem}" for e in examples)


def test_missing_column_and_unknown_label_are_reported_with_their_line(tmp_path):
    path = tmp_path / "bad.csv"
    write_persent(path, [{"DOCUMENT_INDEX": "1", "TARGET_ENTITY": "X", "DOCUMENT": "X won.",
                          "MASKED_DOCUMENT": "[TGT] won.", "Paragraph0": "Glowing"}])
    with pytest.raises(DataError, match=r"bad.csv:2: Paragraph0: unknown label 'Glowing'"):
        load_source({"format": "persent", "path": str(path)}, LABELS)
