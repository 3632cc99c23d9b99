"""What the three tweet sets (P-Stance, SemEval-2016, RUW) share: finding the target in a tweet, their
labels, a split by hash, and turning checked rows into pairs with every row not used counted.

A tweet is labelled for the author's stance toward a named target ("Donald Trump", "Russia"). The pair's
spans are the target's mentions in the tweet: the registry's names for the actor (conf/actors/default.yaml)
plus the nicknames below, and any @handle or #hashtag containing one of the actor's stems (#Trump2020,
@JoeBiden, #StandWithUkraine). A tweet that names its target nowhere is handled by the source's `unnamed`
setting: `prefix` (the default): the target's name is put before the tweet ("Hillary Clinton: ...") and
marked there, so every row is used and every row of a test set is scored; or `skip` (counted). Skipping
is not neutral: of SemEval's Hillary Clinton rows 48% do not name her, and they hold nearly all its NONE
labels (docs/data.md).
"""
from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from stance.data.splits import hash_split
from stance.types import PairExample, Span

TWEET_LABELS = {"FAVOR": "favor", "AGAINST": "against", "NONE": "neutral"}
UNNAMED = ("skip", "prefix")
TWEET_FORMATS = ("pstance", "semeval", "ruw")
REGISTRY_FILE = Path(__file__).resolve().parents[3] / "conf" / "actors" / "default.yaml"


@dataclass(frozen=True)
class Target:
    actor: str  # the registry's canonical name (the `actor` of the pairs)
    names: tuple[str, ...]  # names and nicknames beyond the registry's, matched as whole words
    stems: tuple[str, ...]  # a @handle or #hashtag containing one of these names the target


TARGETS = {
    "Donald Trump": Target("Trump", ("Donald", "DJT", "Drumpf"), ("trump", "djt")),
    "Joe Biden": Target("Biden", ("Joe", "Sleepy Joe", "Uncle Joe", "Creepy Joe"), ("biden", "joe")),
    "Bernie Sanders": Target("Sanders", ("Bernie", "Sanders", "Bernie Sanders", "Senator Sanders"),
                             ("bernie", "sanders", "feelthebern")),
    "Hillary Clinton": Target("Clinton", ("Hillary", "Hilary", "Clinton", "Hillary Clinton", "HRC"),
                              ("hillary", "hilary", "clinton", "hrc")),
    "Russia": Target("Russia", ("Russians", "Russian Federation"), ("russia", "kremlin", "moscow")),
    "Ukraine": Target("Ukraine", ("Ukrainians", "Kyiv", "Kiev"), ("ukrain", "kyiv", "kiev")),
}


@cache
def registry_names(actor: str) -> tuple[str, ...]:
    """The registry's aliases, adjectives and metonyms of an actor (empty when it has no entry)."""
    registry = yaml.safe_load(REGISTRY_FILE.read_text(encoding="utf-8"))["registry"]
    entry = registry.get(actor) or {}
    return tuple(entry.get("aliases", []) + entry.get("adjectives", []) + entry.get("metonyms", []))


@cache
def target_pattern(target: str) -> re.Pattern:
    """One case-insensitive pattern for every way a tweet names `target`: handles and hashtags first."""
    spec = TARGETS[target]
    names = sorted({*registry_names(spec.actor), *spec.names, target}, key=len, reverse=True)
    tags = rf"[#@]\w*(?:{'|'.join(map(re.escape, spec.stems))})\w*"
    words = rf"(?<!\w)(?:{'|'.join(map(re.escape, names))})(?!\w)"
    return re.compile(f"{tags}|{words}", re.IGNORECASE)


def target_spans(text: str, target: str) -> list[Span]:
    """Every mention of `target` in `text`."""
    return [Span(m.start(), m.end()) for m in target_pattern(target).finditer(text)]


def text_key(text: str) -> str:
    """Tweets compared for duplicates: case and runs of whitespace ignored."""
    return " ".join(text.lower().split())


# A set without a dev part of its own (SemEval-2016, RUW): 15% of its training file, by a hash of the tweet.
DEV_OF_TRAIN = (("dev", 15), ("train", 100))


def setting(cfg: Any, key: str, default: Any = None) -> Any:
    return cfg.get(key, default) if isinstance(cfg, dict) else getattr(cfg, key, default)


@dataclass
class TweetRow:
    where: str  # file:line
    text: str
    target: str
    stance: str  # the file's label (FAVOR / AGAINST / NONE)
    pair_id: str


class TweetPairs:
    """Turns rows into pairs: checks each, drops repeats (the same tweet and target twice, or a tweet of an
    earlier split), finds the target, and counts what it did not use."""

    def __init__(self, cfg: Any, labels: tuple, problems: list[str], earlier_texts: set[str] = frozenset()):
        self.label_map = dict(setting(cfg, "label_map") or TWEET_LABELS)
        self.unnamed = setting(cfg, "unnamed", "prefix")
        self.label_set = tuple(setting(cfg, "label_set") or ())
        self.labels, self.problems, self.earlier = labels, problems, earlier_texts
        self.seen: set[tuple[str, str]] = set()
        self.skipped: Counter = Counter()
        self.prefixed = 0
        if self.unnamed not in UNNAMED:
            problems.append(f"unnamed: {self.unnamed!r} is not one of {', '.join(UNNAMED)}")

    def pair(self, row: TweetRow) -> PairExample | None:
        if not row.text.strip():
            self.problems.append(f"{row.where}: empty tweet")
            return None
        if row.target not in TARGETS:
            self.skipped[f"rows toward {row.target} (a topic, not an actor this reader knows)"] += 1
            return None
        label = self.label_map.get(row.stance.strip(), row.stance)
        if label not in self.labels:
            self.problems.append(f"{row.where}: unknown stance {row.stance!r} (expected one of "
                                 f"{', '.join(self.label_map)})")
            return None
        key = text_key(row.text)
        if key in self.earlier:
            self.skipped["pairs whose tweet is in an earlier split"] += 1
            return None
        if (key, row.target) in self.seen:
            self.skipped["repeated pairs (same tweet and target)"] += 1
            return None
        self.seen.add((key, row.target))
        text, spans = row.text, target_spans(row.text, row.target)
        if not spans:
            if self.unnamed == "skip":
                self.skipped["pairs whose tweet does not name the target"] += 1
                return None
            text, spans = f"{row.target}: {row.text}", [Span(0, len(row.target))]
            self.prefixed += 1
        return PairExample(text=text, spans=spans, label=label, actor=TARGETS[row.target].actor,
                           pair_id=row.pair_id, origin=row.where, label_set=self.label_set)

    def pairs(self, rows: list[TweetRow]) -> list[PairExample]:
        return [example for row in rows if (example := self.pair(row))]

    def log(self, name: str, count: int) -> None:
        not_used = ", ".join(f"{n} {what}" for what, n in self.skipped.items()) or "none"
        prefixed = f", {self.prefixed} with the target's name put before the tweet (unnamed=prefix)" \
            if self.prefixed else ""
        logging.getLogger("stance.data").info("%s: %d pairs%s; not used: %s", name, count, prefixed, not_used)


def read_test_or_split(path: Path, cfg: Any, labels: tuple, problems: list[str],
                       read_rows: Callable[[Path, list[str]], list[TweetRow]], training_files: tuple[str, ...],
                       wrong_split: str) -> list[PairExample]:
    """The pairs of a set without a dev part of its own (SemEval-2016, RUW): `split: train | dev` divides a
    training file by a hash of the tweet (DEV_OF_TRAIN); with no split the file is a test part, read whole
    except tweets that are also in its sibling `training_files`. `targets` keeps some targets; `wrong_split`
    is the problem line for any other split."""
    split, targets = setting(cfg, "split"), list(setting(cfg, "targets") or [])
    rows = read_rows(path, problems)
    if split in ("train", "dev"):
        rows = [row for row in rows if hash_split(text_key(row.text), DEV_OF_TRAIN) == split]
    elif split:
        problems.append(f"{path}: {wrong_split.format(split=split)}")
        return []
    if targets:
        rows = [row for row in rows if row.target in targets]
    earlier = set()
    if path.name not in training_files:
        earlier = {text_key(row.text) for name in training_files if (path.parent / name).is_file()
                   for row in read_rows(path.parent / name, [])}
    pairs = TweetPairs(cfg, labels, problems, earlier)
    examples = pairs.pairs(rows)
    pairs.log(f"{path}{f' ({split})' if split else ''}", len(examples))
    return examples


def drop_repeated_tweets(train: list[PairExample], later: list[dict[str, list[PairExample]]],
                         tweet_sets: set[str]) -> dict[str, int]:
    """Across sets: a tweet pair of a later split (dev, then test) whose tweet is in an earlier one (train,
    then dev), another data set's included, is removed from the later set. `tweet_sets` names the sets
    (`PairExample.source`) that are tweets; returns how many pairs each set lost."""
    def is_tweet(example: PairExample) -> bool:
        return example.source in tweet_sets

    seen = {text_key(e.text) for e in train if is_tweet(e)}
    dropped = {}
    for sets in later:
        for name, examples in sets.items():
            kept = [e for e in examples if not is_tweet(e) or text_key(e.text) not in seen]
            if len(kept) < len(examples):
                dropped[name], sets[name] = len(examples) - len(kept), kept
        seen |= {text_key(e.text) for examples in sets.values() for e in examples if is_tweet(e)}
    return dropped
