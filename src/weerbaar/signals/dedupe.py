"""One event reported by many sources counts once, with all its sources.

Exact duplicates share the SHA-256 of their normalised text. Near duplicates (a
headline reworded, a source's tag line added) are found with MinHash over character
shingles and locality-sensitive hashing (``datasketch``): an item whose estimated
Jaccard similarity to an earlier one reaches the threshold joins that one's group.
Items are taken in the order given, so the first of a group is its representative
and the result does not depend on how the stream was chunked, as long as the order
is kept.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

from weerbaar.signals.text import normalise

__all__ = ["Deduplicator", "Match", "fingerprint", "jaccard"]

SHINGLE = 5  # characters: robust to Dutch inflection and compounding of a word or two
NUM_PERM = 64
THRESHOLD = 0.6
SEED = 1  # fixed: signatures must agree between processes and runs


def fingerprint(text: str) -> str:
    """SHA-256 of the normalised text: equal for exact duplicates."""
    return hashlib.sha256(normalise(text).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Match:
    """``key`` repeats ``of``, exactly or nearly."""

    key: str
    of: str
    exact: bool


def _shingles(text: str) -> list[bytes]:
    padded = f" {normalise(text)} "
    if len(padded) <= SHINGLE:
        return [padded.encode("utf-8")]
    return list({padded[i : i + SHINGLE].encode("utf-8") for i in range(len(padded) - SHINGLE + 1)})


class Deduplicator:
    """Remembers what it has seen; :meth:`add` says whether an item repeats one."""

    def __init__(self, *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold}")
        self._num_perm = num_perm
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._exact: dict[str, str] = {}
        self._group: dict[str, str] = {}  # every key → its group's first key
        self._order: dict[str, int] = {}  # group representatives in the order seen
        # One template whose permutations every signature copies: generating them is
        # the expensive part of a MinHash.
        self._template = MinHash(num_perm=num_perm, seed=SEED)

    def __len__(self) -> int:
        return len(self._group)

    def signature_bytes(self, text: str) -> bytes:
        """The MinHash values of ``text`` as bytes, to send between processes."""
        return bytes(np.asarray(self.signature(text).hashvalues).tobytes())

    def signature(self, text: str) -> MinHash:
        minhash = self._template.copy()
        minhash.update_batch(_shingles(text))
        return minhash

    def add(
        self,
        key: str,
        text: str,
        *,
        digest: str | None = None,
        signature: bytes | None = None,
    ) -> Match | None:
        """Remember ``key``; return the earlier item it repeats, if any. ``digest`` and
        ``signature`` (the bytes of :meth:`signature_bytes`), when computed elsewhere,
        save computing them again."""
        digest = digest or fingerprint(text)
        same = self._exact.get(digest)
        if same is not None:
            first = self._group[same]
            self._group[key] = first
            return Match(key, first, exact=True)
        self._exact[digest] = key
        minhash = (
            self.signature(text)
            if signature is None
            else LeanMinHash(
                seed=SEED,
                hashvalues=np.frombuffer(signature, dtype=self._template.hashvalues.dtype),
                scheme=self._template.scheme,
            )
        )
        found = self._lsh.query(minhash)
        self._lsh.insert(key, minhash)
        if found:
            # The earliest representative among the candidates, by insertion order.
            of = min((self._group[k] for k in found), key=self._order.__getitem__)
            self._group[key] = of
            return Match(key, of, exact=False)
        self._group[key] = key
        self._order[key] = len(self._order)
        return None

    def similarity(self, a: str, b: str) -> float:
        """Estimated Jaccard similarity of two texts' shingle sets."""
        return float(self.signature(a).jaccard(self.signature(b)))


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (for tests and thresholds)."""
    left, right = set(_shingles(a)), set(_shingles(b))
    return len(left & right) / len(left | right) if left | right else 1.0
