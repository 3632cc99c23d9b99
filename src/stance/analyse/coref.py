"""Mentions by reference: personal pronouns inside a claim, and "the two countries" / "both sides".

A pronoun is bound only where one person can be meant (the GUIDELINE's "antecedent in the same claim"):
- a reflexive (himself, herself) goes to the subject of its clause, through a relative "who"
  ("Starovoit, who shot himself"); without a person there, to the one person named before it;
- him / her (object) go to the one person named before it that is not the subject of its own clause
  ("Erdogan wants to ... make him a puppet" cannot be Erdogan: binding theory);
- he / she / his / her (possessive) go to the one person named before it.
Gender is not checked: a claim naming two persons before the pronoun is ambiguous and gets nothing.
"""
from __future__ import annotations

import re

from spacy.tokens import Doc, Token

from stance.types import Claim, Mention

REFLEXIVES = {"himself", "herself"}
OBJECTS = {"him", "her"}
PRONOUNS = REFLEXIVES | OBJECTS | {"he", "she", "his"}
SUBJECTS = ("nsubj", "nsubjpass")
RELATIVES = {"who", "whom", "that", "which"}
# Dependencies a pronoun's clause is looked for through (an infinitive, a conjoined verb, a small clause, a PP).
CLIMB = {"xcomp", "conj", "ccomp", "advcl", "prep", "pcomp", "dobj", "attr", "acomp", "oprd", "dative"}
# Dependencies inside one noun phrase ("the former Minister of Transportation Starovoit").
NOUN_PHRASE = {"compound", "appos", "flat", "prep", "pobj", "amod", "nmod", "det"}

PAIR_PHRASE = re.compile(r"\b(?:[Tt]he two|[Bb]oth) (?P<noun>countries|states|nations|sides)\b")
STATE_KINDS = {"state"}
SIDE_KINDS = {"state", "government body", "armed group", "organisation", "region", "bloc", "people"}


def clause_subject(token: Token) -> Token | None:
    """The subject of the clause `token` sits in (a relative "who" resolved to the noun it modifies)."""
    head = token.head
    for _ in range(12):
        subjects = [c for c in head.children if c.dep_ in SUBJECTS and c.i != token.i]
        if subjects and head.pos_ in ("VERB", "AUX"):
            subject = subjects[0]
            if subject.lower_ in RELATIVES and head.dep_ == "relcl":
                return head.head
            return subject
        if head.dep_ not in CLIMB or head.head.i == head.i:
            return None
        head = head.head
    return None


def denotes(mention_root: Token, phrase_head: Token) -> bool:
    """Whether a mention is (inside) the noun phrase headed by `phrase_head`."""
    token = mention_root
    for _ in range(6):
        if token.i == phrase_head.i:
            return True
        if token.dep_ not in NOUN_PHRASE or token.head.i == token.i:
            return False
        token = token.head
    return False


def persons_at(doc: Doc, phrase_head: Token | None, persons: list[Mention]) -> set[str]:
    if phrase_head is None:
        return set()
    hits = set()
    for mention in persons:
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        if span is not None and denotes(span.root, phrase_head):
            hits.add(mention.actor)
    return hits


def pronoun_mentions(doc: Doc, claim: Claim, claim_mentions: list[Mention]) -> list[Mention]:
    """Pronouns of `claim` bound to the person actor they must denote; unresolvable ones give nothing."""
    persons = [m for m in claim_mentions if m.kind == "person"]
    span = doc.char_span(claim.start, claim.end, alignment_mode="expand")
    if not persons or span is None:
        return []
    found = []
    for token in span:
        word = token.lower_
        if word not in PRONOUNS:
            continue
        before = [m for m in persons if m.end <= token.idx]
        candidates = {m.actor for m in before}
        if word in REFLEXIVES:
            bound = persons_at(doc, clause_subject(token), before)
            candidates = bound or candidates
        elif word in OBJECTS and token.dep_ != "poss":
            candidates -= persons_at(doc, clause_subject(token), before)
        if len(candidates) == 1:
            found.append(Mention(candidates.pop(), "person", token.text, token.idx, token.idx + len(token), "pronoun"))
    return found


def same_paragraph(text: str, earlier: Claim, later: Claim) -> bool:
    return "\n" not in text[earlier.end:later.start]


def pair_phrase_mentions(text: str, claims: list[Claim], per_claim: list[list[Mention]], i: int) -> list[Mention]:
    """"The two countries" / "both sides" in claim i: a mention each of the last two distinct states (sides)
    named before it in this claim or the earlier claims of its paragraph; nothing if fewer than two."""
    claim = claims[i]
    found = []
    for hit in PAIR_PHRASE.finditer(claim.text):
        start, end = claim.start + hit.start(), claim.start + hit.end()
        kinds = SIDE_KINDS if hit.group("noun") == "sides" else STATE_KINDS
        earlier = [m for m in per_claim[i] if m.end <= start]
        j = i - 1
        while j >= 0 and same_paragraph(text, claims[j], claims[j + 1]):
            earlier = per_claim[j] + earlier
            j -= 1
        actors: dict[str, str] = {}
        for mention in sorted(earlier, key=lambda m: m.start, reverse=True):
            if mention.kind in kinds and len(actors) < 2:
                actors.setdefault(mention.actor, mention.kind)
        if len(actors) == 2:
            found += [Mention(actor, kind, text[start:end], start, end, "phrase") for actor, kind in actors.items()]
    return found
