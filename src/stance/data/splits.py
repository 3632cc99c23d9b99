"""Splitting a data set that has no parts of its own (or not the ones needed) by a hash of a key: the same
key always falls in the same part, on every machine, whatever the order of the rows."""
from __future__ import annotations

import hashlib


def hash_split(key: str, parts: tuple[tuple[str, int], ...]) -> str:
    """The part `key` falls in: SHA-256 of the key mod 100, against each part's cumulative upper bound, e.g.
    (("train", 80), ("dev", 90), ("test", 100)) for 80 / 10 / 10. Callers normalise the key themselves."""
    bucket = int(hashlib.sha256(key.encode("utf-8")).hexdigest(), 16) % 100
    return next(name for name, upper in parts if bucket < upper)
