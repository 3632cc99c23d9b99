"""The tweet readers (P-Stance, SemEval-2016, RUW) on tiny files written here: the target found in the text,
a tweet that does not name it, a repeated tweet, a tweet of an earlier split, a bad row."""
import csv

import pytest

from stance.data.pstance import read_pstance
from stance.data.ruw import read_ruw
from stance.data.semeval import read_semeval
from stance.data.sources import DataError, load_source
from stance.data.tweets import drop_repeated_tweets, target_spans
from stance.types import PairExample, Span

LABELS = ("against", "neutral", "favor")


def write_csv(path, header, rows, delimiter=","):
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter)
        writer.writerow(header)
        writer.writerows(rows)
    return path


@pytest.mark.parametrize("text, target, found", [
    ("Trump lied again", "Donald Trump", ["Trump"]),
    ("Vote! #Trump2020 @realDonaldTrump", "Donald Trump", ["#Trump2020", "@realDonaldTrump"]),
    ("Sleepy Joe and @JoeBiden", "Joe Biden", ["Sleepy Joe", "@JoeBiden"]),
    ("#FeelTheBern, Bernie!", "Bernie Sanders", ["#FeelTheBern", "Bernie"]),
    ("The Kremlin and Russian troops", "Russia", ["Kremlin", "Russian"]),
    ("#StandWithUkraine in Kyiv", "Ukraine", ["#StandWithUkraine", "Kyiv"]),
    ("Trumpets played", "Donald Trump", []),  # a word that only begins with the name is not it
])
def test_targets_are_found_by_name_nickname_handle_and_hashtag(text, target, found):
    assert [text[s.start:s.end] for s in target_spans(text, target)] == found


def test_pstance_reads_a_split_marks_the_target_and_reports_bad_rows(tmp_path):
    header = ["Tweet", "Target", "Stance"]
    write_csv(tmp_path / "train_trump.csv", header, [["Trump is a disgrace", "Donald Trump", "AGAINST"]])
    write_csv(tmp_path / "test_trump.csv", header, [
        ["#Trump2020 all the way", "Donald Trump", "FAVOR"],
        ["Four more years!", "Donald Trump", "FAVOR"],  # does not name him
        ["#Trump2020 all the way", "Donald Trump", "FAVOR"],  # repeated
        ["TRUMP is a  disgrace", "Donald Trump", "AGAINST"],  # in train (case and spaces aside)
        ["Trump again", "Donald Trump", "MAYBE"],  # bad label
    ])
    problems = []
    cfg = {"split": "test", "targets": ["Donald Trump"], "label_set": ["against", "favor"]}
    pairs = read_pstance(tmp_path, cfg, LABELS, problems)
    assert [(p.text, p.label, p.actor) for p in pairs] == [
        ("#Trump2020 all the way", "favor", "Trump"), ("Donald Trump: Four more years!", "favor", "Trump")]
    assert pairs[1].spans == [Span(0, len("Donald Trump"))]  # the target's name put before the tweet
    assert pairs[0].label_set == ("against", "favor")
    assert problems == [f"{tmp_path / 'test_trump.csv'}:6: unknown stance 'MAYBE' (expected one of FAVOR, AGAINST, NONE)"]
    skipped = read_pstance(tmp_path, {**cfg, "unnamed": "skip"}, LABELS, [])
    assert [p.text for p in skipped] == ["#Trump2020 all the way"]


def test_pstance_through_load_source_fails_with_every_problem_and_a_missing_file(tmp_path):
    write_csv(tmp_path / "train_trump.csv", ["Tweet", "Target"], [["Trump", "Donald Trump"]])
    with pytest.raises(DataError) as error:
        load_source({"format": "pstance", "path": str(tmp_path), "split": "train"}, LABELS)
    assert f"{tmp_path / 'train_trump.csv'}:1: missing column(s) Stance" in error.value.problems
    assert f"{tmp_path / 'train_biden.csv'}: file not found" in error.value.problems


def test_semeval_keeps_the_political_targets_splits_train_by_hash_and_drops_training_tweets_from_test(tmp_path):
    header = ["ID", "Target", "Tweet", "Stance", "Opinion towards", "Sentiment"]
    train_rows = [[str(i), "Hillary Clinton", f"Hillary speech number {i} #SemST", "AGAINST", "TARGET", "NEGATIVE"]
                  for i in range(40)] + [["99", "Atheism", "God is great #SemST", "AGAINST", "OTHER", "POSITIVE"]]
    write_csv(tmp_path / "train.tsv", header, train_rows, delimiter="\t")
    train = read_semeval(tmp_path / "train.tsv", {"split": "train"}, LABELS, [])
    dev = read_semeval(tmp_path / "train.tsv", {"split": "dev"}, LABELS, [])
    assert len(train) + len(dev) == 40 and dev and not {p.text for p in train} & {p.text for p in dev}
    write_csv(tmp_path / "test_a.tsv", header, [
        ["1", "Hillary Clinton", "Hillary speech number 3 #SemST", "AGAINST", "TARGET", "NEGATIVE"],  # in train
        ["2", "Hillary Clinton", "We need a change #SemST", "NONE", "OTHER", "NEITHER"],
        ["3", "Hillary Clinton", "", "NONE", "OTHER", "NEITHER"],  # empty
    ], delimiter="\t")
    problems = []
    test = read_semeval(tmp_path / "test_a.tsv", {}, LABELS, problems)
    assert [(p.text, p.label) for p in test] == [("Hillary Clinton: We need a change #SemST", "neutral")]
    assert problems == [f"{tmp_path / 'test_a.tsv'}:4: empty tweet"]


def test_ruw_gives_two_pairs_per_tweet_often_with_opposite_stances(tmp_path):
    header = ["Tweet", "Target 1", "Stance 1", "Target 2", "Stance 2", "Test/Train/Dev"]
    write_csv(tmp_path / "train.csv", header, [["Russia bombed Kyiv again", "Russia", "AGAINST", "Ukraine", "FAVOR", "Train"]])
    write_csv(tmp_path / "val.csv", header, [
        ["Slava Ukraini! #StandWithUkraine, Russian ships go home", "Russia", "AGAINST", "Ukraine", "FAVOR", "Dev"],
        ["russia bombed kyiv again", "Russia", "AGAINST", "Ukraine", "FAVOR", "Dev"],  # a training tweet
        ["Peace talks today", "Russia", "NONE", "Ukraine", "OOPS", "Dev"],
    ])
    problems = []
    pairs = read_ruw(tmp_path / "val.csv", {}, LABELS, problems)
    assert [(p.actor, p.label) for p in pairs] == [("Russia", "against"), ("Ukraine", "favor"), ("Russia", "neutral")]
    assert pairs[0].text[pairs[0].spans[0].start:pairs[0].spans[0].end] == "Russian"
    assert problems == [f"{tmp_path / 'val.csv'}:4: unknown stance 'OOPS' (expected one of FAVOR, AGAINST, NONE)"]


def test_a_tweet_repeated_across_sets_is_removed_from_the_later_split():
    def pair(text, source):
        return PairExample(text, [Span(0, 5)], "favor", source=source)

    train = [pair("Trump wins", "pstance_train")]
    dev = {"ruw_dev": [pair("trump  WINS", "ruw_dev"), pair("Russia loses", "ruw_dev")], "news": [pair("Trump wins", "news")]}
    test = {"semeval_test": [pair("Russia loses", "semeval_test"), pair("Biden wins", "semeval_test")]}
    dropped = drop_repeated_tweets(train, [dev, test], {"pstance_train", "ruw_dev", "semeval_test"})
    assert dropped == {"ruw_dev": 1, "semeval_test": 1}
    assert [p.text for p in dev["ruw_dev"]] == ["Russia loses"] and len(dev["news"]) == 1  # not a tweet set
    assert [p.text for p in test["semeval_test"]] == ["Biden wins"]
