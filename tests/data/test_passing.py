"""The politicians-named-in-passing reader: tweets found by pointer in the tweet sets' own files (P-Stance CSV,
SemEval TSV), the split kept, and a tweet that no longer matches its digest is a problem line."""
import json

import pytest

from stance.data.passing import digest
from stance.data.sources import DataError, load_source

CSV_TWEET = "Obama did it better, says nobody. #Trump"
TSV_TWEET = "Voting for Bernie, not Hillary #SemST"


@pytest.fixture
def shared(tmp_path):
    (tmp_path / "pstance").mkdir()
    (tmp_path / "pstance" / "train_trump.csv").write_text(f"Tweet,Target,Stance\n\"{CSV_TWEET}\",Donald Trump,AGAINST\n")
    (tmp_path / "semeval2016").mkdir()
    (tmp_path / "semeval2016" / "train.tsv").write_text(
        "ID\tTarget\tTweet\tStance\tOpinion towards\tSentiment\n"
        f"1\tHillary Clinton\t{TSV_TWEET}\tAGAINST\tTARGET\tNEGATIVE\n")
    return tmp_path


def pair(file, text, actor, start, end, split, stance="neutral", text_digest=None):
    return {"id": f"{file}:2|{actor}", "file": file, "line": 2, "digest": text_digest or digest(text),
            "actor": actor, "mentions": [[start, end]], "split": split, "stance": stance}


def write(path, rows):
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return str(path)


def test_pairs_are_read_from_the_tweet_files_by_pointer_and_split(tmp_path, shared):
    path = write(tmp_path / "pairs.jsonl", [pair("pstance/train_trump.csv", CSV_TWEET, "Obama", 0, 5, "dev", "favor"),
                                            pair("semeval2016/train.tsv", TSV_TWEET, "Sanders", 11, 17, "test")])
    (example,) = load_source({"format": "passing", "path": path, "split": "dev", "texts": str(shared)})
    assert (example.text, example.actor, example.label) == (CSV_TWEET, "Obama", "favor")
    assert [example.text[s.start:s.end] for s in example.spans] == ["Obama"]
    (example,) = load_source({"format": "passing", "path": path, "split": "test", "texts": str(shared)})
    assert example.text[11:17] == "Bernie" and example.actor == "Sanders"


def test_a_tweet_that_changed_is_a_problem_line(tmp_path, shared):
    path = write(tmp_path / "pairs.jsonl", [pair("pstance/train_trump.csv", CSV_TWEET, "Obama", 0, 5, "dev",
                                                 text_digest="0" * 16)])
    with pytest.raises(DataError) as error:
        load_source({"format": "passing", "path": path, "split": "dev", "texts": str(shared)})
    tweet_file = shared / "pstance" / "train_trump.csv"
    assert error.value.problems == [f"{path}:1: {tweet_file}:2 is not the tweet this pair was labelled on"]
