"""The actor registry: canonical actors from config and one compiled, case-sensitive, longest-match matcher.

Every alias, metonym and adjective (plus the adjective's plural) is a surface form of one actor. All
surface forms and the `not_actors` phrases go into a single trie-shaped regex, so a document is scanned
once; at each position the longest form wins, and whole words only ("US" never matches inside "USSR",
and never the pronoun "us"). Hyphens and apostrophes separate words: "Moscow-Baku" gives two matches
and "Russia's" gives "Russia" (the possessive "'s" stays outside the span, as in the gold files).
A name (alias or metonym, not an adjective) followed by a place noun ("Moscow region", "Kyiv Oblast")
names a territory, not the actor: it blocks like a `not_actors` phrase.
"""
from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any

from omegaconf import DictConfig, OmegaConf

KINDS = ("state", "person", "government body", "armed group", "organisation", "party", "media", "region", "bloc",
         "people")
PLACE_NOUNS = ("region", "oblast", "province", "krai", "governorate", "district")
PLACE_NOUN_AFTER = re.compile(r"[ \t]+(?i:" + "|".join(PLACE_NOUNS) + r")\b")


class RegistryError(ValueError):
    """A registry in config that cannot be used (unknown kind, empty alias, one alias for two actors)."""


@dataclass(frozen=True)
class Actor:
    name: str  # canonical
    kind: str


@dataclass(frozen=True)
class Match:
    """A registry hit; `actor` is None for a `not_actors` phrase (it blocks, but is no mention)."""

    start: int
    end: int
    actor: Actor | None


def config_dict(cfg: Any) -> dict:
    """A plain dict from a DictConfig, a config dataclass or a mapping."""
    if isinstance(cfg, DictConfig):
        return OmegaConf.to_container(cfg, resolve=True)
    if is_dataclass(cfg):
        return asdict(cfg)
    return dict(cfg)


def plural(adjective: str) -> str | None:
    """Plural of a demonym used as a noun ("Afghan" -> "Afghans"); None where English has none ("Turkish")."""
    if adjective.endswith(("s", "sh", "ch", "x", "z", "ese")):
        return None
    return adjective + "s"


def capitalised(form: str) -> str | None:
    """A lower-case alias also matches at the start of a sentence ("axis of ..." -> "Axis of ...")."""
    return form[0].upper() + form[1:] if form[:1].islower() else None


def trie_pattern(words: Iterable[str]) -> str:
    """A regex matching any of `words`, longest first at each position (greedy trie, no backtracking blow-up)."""
    trie: dict = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # end of a word

    def emit(node: dict) -> str:
        children = sorted((char, child) for char, child in node.items() if char)
        if not children:
            return ""
        alternatives = [re.escape(char) + emit(child) for char, child in children]
        body = alternatives[0] if len(alternatives) == 1 else "(?:" + "|".join(alternatives) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: try the longer word, fall back to this one

    return emit(trie)


class ActorRegistry:
    """Canonical actors and their surface forms; `scan` finds them in text."""

    def __init__(self, registry: Mapping[str, Mapping[str, Any]], not_actors: Iterable[str] = ()):
        self.actors: dict[str, Actor] = {}
        self._surface: dict[str, Actor | None] = {}  # explicit forms first; None marks a not-actor phrase
        self._names: set[str] = set()  # forms that name the actor (not adjectives): "X region" is a place
        generated: dict[str, Actor] = {}
        for name, entry in registry.items():
            if not isinstance(entry, Mapping):
                raise RegistryError(f"actor {name!r}: expected {{kind: ..., aliases: [...]}}, got {entry!r}")
            kind = entry.get("kind")
            if kind not in KINDS:
                raise RegistryError(f"actor {name!r}: kind {kind!r} is not one of {', '.join(KINDS)}")
            actor = self.actors[name] = Actor(name, kind)
            adjectives = list(entry.get("adjectives") or [])
            names = [*(entry.get("aliases") or []), *(entry.get("metonyms") or [])]
            for form in [*names, *adjectives]:
                self._add(form, actor)
            self._names.update(form.strip() for form in names)
            self._names.update(filter(None, map(capitalised, names)))
            for form in [*map(plural, adjectives), *map(capitalised, names + adjectives)]:
                if form:
                    generated.setdefault(form, actor)
        for form, actor in generated.items():
            self._surface.setdefault(form, actor)  # a form someone wrote out beats a generated one
        for phrase in not_actors:
            self._surface.setdefault(phrase, None)  # an alias also listed as not-actor is an actor
        self._folded = self._casefold_index()
        self._regex = re.compile(r"(?<!\w)(?:" + trie_pattern(self._surface) + r")(?!\w)")

    @classmethod
    def from_config(cls, actors_cfg: Any) -> ActorRegistry:
        cfg = config_dict(actors_cfg)
        return cls(cfg.get("registry") or {}, cfg.get("not_actors") or [])

    def _add(self, form: str, actor: Actor) -> None:
        form = form.strip()
        if not form:
            raise RegistryError(f"actor {actor.name!r}: empty alias")
        other = self._surface.get(form)
        if other is not None and other != actor:
            raise RegistryError(f"alias {form!r} is given to two actors: {other.name!r} and {actor.name!r}")
        self._surface[form] = actor

    def _casefold_index(self) -> dict[str, Actor | None]:
        """Case-insensitive lookup for NER spans; a key shared by two actors maps to None (ambiguous)."""
        index: dict[str, Actor | None] = {}
        for form, actor in self._surface.items():
            if actor is None:
                continue
            key = form.casefold()
            index[key] = actor if index.get(key, actor) == actor else None
        return index

    def __len__(self) -> int:
        return len(self.actors)

    def __contains__(self, name: object) -> bool:
        return name in self.actors

    def surface_forms(self) -> dict[str, str | None]:
        """Every matched form -> canonical name (None: a not-actor phrase)."""
        return {form: actor.name if actor else None for form, actor in self._surface.items()}

    def lookup(self, surface: str) -> Actor | None:
        """The actor whose surface form equals `surface` ignoring case; None if unknown or ambiguous."""
        return self._folded.get(surface.strip().casefold())

    def is_not_actor(self, surface: str) -> bool:
        return surface in self._surface and self._surface[surface] is None

    def scan(self, text: str) -> list[Match]:
        """Leftmost-longest, non-overlapping hits of actors and not-actor phrases, in text order."""
        return [Match(hit.start(), hit.end(), None if self._names_place(hit, text) else self._surface[hit.group()])
                for hit in self._regex.finditer(text)]

    def _names_place(self, hit: re.Match, text: str) -> bool:
        """A name right before a place noun ("Moscow region") is the territory, not the actor."""
        return hit.group() in self._names and PLACE_NOUN_AFTER.match(text, hit.end()) is not None
