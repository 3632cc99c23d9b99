"""Finds the actors each claim speaks about: registry matches, spaCy NER discoveries, pronouns.

Sources of a mention: "registry" (an alias from conf/actors), "ner" (a spaCy entity that no alias
covers, mapped to a registry actor when its text is an alias, else a new actor), "pronoun" (him,
himself, his, ... bound to the one person it can denote in the same claim; and "the two countries",
"both sides" bound to the last two states or sides named before it in the paragraph).
A discovered place used as a place ("detained in Kazan", "the Kursk region") is not an actor.
"""
from __future__ import annotations

import bisect
import re
import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc
from spacy.tokens import Span as SpacySpan

from stance.analyse.coref import pair_phrase_mentions, pronoun_mentions
from stance.analyse.discovery import subject_mentions
from stance.analyse.registry import PLACE_NOUN_AFTER, PLACE_NOUNS, ActorRegistry, RegistryError, config_dict
from stance.types import Claim, ClaimActors, Mention

# A discovery the registry cannot place keeps the kind NER can vouch for: a GPE may be a city or a province as
# well as a state, so it is a "place", never a guessed state.
NER_KINDS = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "NORP": "people", "LOC": "place",
             "FAC": "place"}
PLACE_LABELS = {"GPE", "LOC"}
# Common Chinese, Korean and Vietnamese family names, which come first ("Wang Yi" is Wang, not Yi).
FAMILY_NAME_FIRST = frozenset(
    ["Li", "Wang", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou", "Wu", "Xu", "Sun", "Hu", "Zhu", "Gao", "Lin", "He", "Guo", "Ma", "Luo", "Liang", "Song", "Zheng", "Xie", "Han", "Tang", "Feng", "Yu", "Dong", "Xiao", "Cheng", "Cao", "Yuan", "Deng", "Xi", "Lai", "Ko", "Tsai", "Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Shin", "Nguyen", "Tran", "Le", "Pham", "Hoang", "Vo", "Dang", "Bui", "Do", "Ngo", "Duong", "To", "Hun"])
# A name before one of these is a natural feature, whatever NER calls it ("the Amazon rainforest" is no organisation).
FEATURE_AFTER = re.compile(r"[ \t]+(?:rainforest|jungle|river|basin|delta|desert|mountains|range|valley|strait|"
                           r"gulf|sea|lake|island|islands|peninsula|coast|forest|plateau)\b", re.IGNORECASE)
STRIP_CHARS = "\"'“”‘’«»()[]{}*,;: \t\n"
POSSESSIVE = re.compile(r"(?:['’]s|(?<=s)['’])$")


def normalise_entity(text: str, start: int) -> tuple[str, int]:
    """Entity text without quotes, a leading "the" and a trailing possessive; returns (text, new start)."""
    while True:
        before = text
        stripped = text.lstrip(STRIP_CHARS)
        start += len(text) - len(stripped)
        text = stripped.rstrip(STRIP_CHARS)
        if text[:4].lower() == "the ":
            text, start = text[4:], start + 4
        text = POSSESSIVE.sub("", text)
        if text == before:
            return text, start


def person_name(name: str) -> str:
    """The canonical name of a discovered person, as the registry names people: the surname of a plain
    "First Last" ("Daniel Noboa" -> "Noboa"); a longer name, one with a particle ("Tarcísio de Freitas"), and
    an East Asian name, family name first ("Li Qiang", "Lee Jae-myung"), stay whole."""
    words = name.split()
    if len(words) != 2 or not all(word[:1].isupper() for word in words) or words[0] in FAMILY_NAME_FIRST:
        return name
    if "-" in words[1] and not words[1].split("-")[-1][:1].isupper():
        return name
    return words[1]


def overlaps(start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    return any(start < span_end and span_start < end for span_start, span_end in spans)


@dataclass
class ActorDetector:
    """Registry matching plus optional NER discovery and pronoun resolution, per claim."""

    registry: ActorRegistry
    discover_ner: bool = True
    ner_labels: tuple[str, ...] = ("PERSON", "ORG", "GPE", "NORP")
    resolve_pronouns: bool = True
    place_prepositions: frozenset[str] = field(default_factory=frozenset)
    discover_subjects: bool = True  # subject proper nouns NER missed (stance.analyse.discovery)

    @classmethod
    def from_config(cls, actors_cfg: Any) -> ActorDetector:
        cfg = config_dict(actors_cfg)
        unknown = set(cfg.get("ner_labels") or []) - set(NER_KINDS)
        if unknown:
            raise RegistryError(f"actors.ner_labels: {sorted(unknown)} not supported; use some of {sorted(NER_KINDS)}")
        return cls(registry=ActorRegistry.from_config(cfg), discover_ner=bool(cfg.get("discover_ner", True)),
                   ner_labels=tuple(cfg.get("ner_labels") or ()),
                   resolve_pronouns=bool(cfg.get("resolve_pronouns", True)),
                   discover_subjects=bool(cfg.get("discover_subjects", True)),
                   place_prepositions=frozenset(w.lower() for w in cfg.get("ner_place_prepositions") or ()))

    def detect(self, doc: Doc, claims: list[Claim], matches: list | None = None) -> list[ClaimActors]:
        """One ClaimActors per claim, same order; mentions sorted by start (then end, actor). `matches`: the
        registry's scan of this document when the caller already has it (`ner_sentences` needs it first)."""
        text = doc.text  # spaCy joins every token's text on each access: read it once
        matches = self.registry.scan(text) if matches is None else matches
        mentions = [Mention(m.actor.name, m.actor.kind, text[m.start:m.end], m.start, m.end, "registry")
                    for m in matches if m.actor is not None]
        if self.discover_ner:
            mentions += self.discover(doc, text, [(m.start, m.end) for m in matches])
        per_claim = assign_to_claims(mentions, claims, text)
        if self.resolve_pronouns:
            for i, claim in enumerate(claims):
                per_claim[i] += pronoun_mentions(doc, claim, per_claim[i])
            for i, claim in enumerate(claims):  # after all pronouns, so earlier claims are complete
                per_claim[i] += pair_phrase_mentions(text, claims, per_claim, i)
        return [ClaimActors(claim, sorted(found, key=lambda m: (m.start, m.end, m.actor)))
                for claim, found in zip(claims, per_claim)]

    def ner_sentences(self, doc: Doc, matches: list) -> list[SpacySpan]:
        """The sentences where NER can discover an actor: those with a capitalised word outside the registry's
        `matches` in this document (`discover` keeps only entities that start with a capital and touch no
        match), not counting "I" or a stop word capitalised only because it starts the sentence ("The", "But";
        "May" there too)."""
        taken = [(m.start, m.end) for m in matches]
        starts = [start for start, _ in taken]

        def may_name(token) -> bool:
            sentence_case = token.is_sent_start and token.is_stop and not token.is_upper
            if not token.text[:1].isupper() or sentence_case or token.text == "I":
                return False
            i = bisect.bisect_right(starts, token.idx) - 1
            return i < 0 or token.idx >= taken[i][1]

        return [sentence for sentence in doc.sents if any(may_name(token) for token in sentence)]

    def discover(self, doc: Doc, text: str, taken: list[tuple[int, int]]) -> list[Mention]:
        """Mentions from spaCy entities outside `taken` spans (registry hits and not-actor phrases); `text` is doc.text."""
        found: list[Mention] = []
        rejected: list[tuple[int, int]] = []  # entities judged not to be actors here: not repeated either
        surnames = self.registry_surnames(text, taken)  # last word of a full name named before -> that person
        for ent in doc.ents:
            if ent.label_ not in self.ner_labels or self.is_place(ent, text):
                rejected.append((ent.start_char, ent.end_char))
                continue
            name, start = normalise_entity(ent.text, ent.start_char)
            end = start + len(name)
            if not name[:1].isupper() or self.registry.is_not_actor(name) or overlaps(start, end, taken):
                rejected.append((ent.start_char, ent.end_char))
                continue
            actor = self.registry.lookup(name)
            if actor is not None:
                found.append(Mention(actor.name, actor.kind, name, start, end, "ner"))
            elif ent.label_ == "PERSON" and name in surnames:
                found.append(Mention(surnames[name].actor, "person", name, start, end, "ner"))
            elif ent.label_ == "PERSON":
                found.append(Mention(person_name(name), "person", name, start, end, "ner"))
                if " " in name:
                    surnames.setdefault(name.rsplit(" ", 1)[1], found[-1])
            else:
                found.append(Mention(name, NER_KINDS[ent.label_], name, start, end, "ner"))
        spans = taken + rejected + [(m.start, m.end) for m in found]
        found += subject_mentions(doc, spans, surnames) if self.discover_subjects else []
        return found + self.repeat_discoveries(text, found, taken + rejected)

    def registry_surnames(self, text: str, taken: list[tuple[int, int]]) -> dict[str, Mention]:
        """Surname -> person for the registry's people named in full in this text ("Rahul Gandhi"), so that a
        later "Gandhi" that NER finds is that person, as for a full name NER discovers."""
        surnames: dict[str, Mention] = {}
        for start, end in taken:
            surface = text[start:end]
            actor = self.registry.lookup(surface) if " " in surface else None
            if actor is not None and actor.kind == "person":
                surnames.setdefault(surface.rsplit(" ", 1)[1], Mention(actor.name, "person", surface, start, end,
                                                                      "registry"))
        return surnames

    def is_place(self, ent: SpacySpan, text: str) -> bool:
        """Any entity before a natural feature noun ("the Amazon rainforest"), and a GPE/LOC right after a
        locative preposition ("detained in Kazan") or before a place noun ("the Kursk region"), names a place."""
        if FEATURE_AFTER.match(text, ent.end_char) is not None:
            return True
        if ent.label_ not in PLACE_LABELS:
            return False
        after_preposition = ent.start > 0 and ent.doc[ent.start - 1].lower_ in self.place_prepositions
        before_place_noun = (ent[-1].lower_ in PLACE_NOUNS
                             or PLACE_NOUN_AFTER.match(text, ent.end_char) is not None)
        return after_preposition or before_place_noun

    def repeat_discoveries(self, text: str, found: list[Mention], taken: list[tuple[int, int]]) -> list[Mention]:
        """Other occurrences of a newly discovered name that spaCy did not tag (it tags a name unevenly)."""
        names = {m.text: m for m in found if m.actor not in self.registry}  # new names, not registry ones
        if not names:
            return []
        alternation = "|".join(map(re.escape, sorted(names, key=len, reverse=True)))
        spans = taken + [(m.start, m.end) for m in found]
        repeats = []
        for hit in re.finditer(r"(?<!\w)(?:" + alternation + r")(?!\w)", text):
            first = names[hit.group()]
            previous = re.search(r"(\w+)\W*$", text[max(0, hit.start() - 30):hit.start()])
            after_preposition = previous is not None and previous.group(1).lower() in self.place_prepositions
            is_place = first.kind == "place" and after_preposition
            if not is_place and not overlaps(hit.start(), hit.end(), spans):
                repeats.append(Mention(first.actor, first.kind, hit.group(), hit.start(), hit.end(), "ner"))
        return repeats


def assign_to_claims(mentions: list[Mention], claims: list[Claim], text: str) -> list[list[Mention]]:
    """Mentions grouped by the claim that contains them; one that crosses a claim boundary is left out, with a warning."""
    per_claim: list[list[Mention]] = [[] for _ in claims]
    starts = [claim.start for claim in claims]
    for mention in mentions:
        i = bisect.bisect_right(starts, mention.start) - 1
        if i < 0 or mention.end > claims[i].end:
            context = text[max(0, mention.start - 30):mention.end + 30]
            warnings.warn(f"mention {mention.text!r} at [{mention.start}, {mention.end}) is not inside one claim "
                          f"(the claim splitter cut through it: {context!r}); left out", stacklevel=2)
            continue
        per_claim[i].append(mention)
    return per_claim
