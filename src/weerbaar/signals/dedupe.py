"""One event reported by many sources counts once, with all its sources.

Exact duplicates share the SHA-256 of their normalised text. Near duplicates (a
headline reworded, a source's tag line added) are found with MinHash over shingles
of five bytes of the normalised UTF-8 text and locality-sensitive hashing
(``datasketch``): an item whose estimated
Jaccard similarity to an earlier one reaches the threshold joins that one's group.
Items are taken in the order given, so the first of a group is its representative
and the result does not depend on how the stream was chunked, as long as the order
is kept.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH
from numpy.typing import NDArray

from weerbaar.signals.text import normalise

__all__ = ["Deduplicator", "Match", "fingerprint", "jaccard", "shingle_hashes"]

SHINGLE = 5  # bytes: robust to Dutch inflection and compounding of a word or two
NUM_PERM = 64
THRESHOLD = 0.6
SEED = 1  # fixed: signatures must agree between processes and runs
WINDOW = 20_000  # distinct texts remembered: days of a busy stream


def fingerprint(text: str, *, normalised: str | None = None) -> str:
    """SHA-256 of the normalised text: equal for exact duplicates."""
    return hashlib.sha256((normalised or normalise(text)).encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class Match:
    """``key`` repeats ``of``, exactly or nearly."""

    key: str
    of: str
    exact: bool


def shingle_hashes(normalised: str) -> NDArray[np.uint32]:
    """The distinct 32-bit hashes of the text's shingles, computed for all shingles at
    once: a polynomial over the bytes, then the MurmurHash3 finaliser to spread them.
    A Python hash call per shingle cost more than everything else in a signature."""
    data = np.frombuffer(f" {normalised} ".encode(), dtype=np.uint8).astype(np.uint64)
    width = min(SHINGLE, len(data))
    h = np.zeros(len(data) - width + 1, dtype=np.uint64)
    for k in range(width):
        h = h * np.uint64(257) + data[k : k + len(h)]
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return np.unique((h >> np.uint64(32)).astype(np.uint32))


def _as_is(value: int) -> int:
    """The hash function of the MinHash: its inputs are hashes already."""
    return value


class Deduplicator:
    """Remembers the last ``window`` distinct texts it was given; :meth:`add` says
    whether an item repeats one of them. Older texts are forgotten, so memory stays
    bounded however long the stream: a repeat is expected within days of the event,
    not after tens of thousands of other events."""

    def __init__(
        self, *, threshold: float = THRESHOLD, num_perm: int = NUM_PERM, window: int = WINDOW
    ) -> None:
        if not 0.0 < threshold <= 1.0:
            raise ValueError(f"threshold must be in (0, 1], not {threshold}")
        if window < 1:
            raise ValueError(f"window must be at least 1, not {window}")
        self._lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
        self._window = window
        self._added = 0
        # Per remembered text: its digest, when it was added, and its group's first key.
        self._kept: OrderedDict[str, tuple[str, int, str]] = OrderedDict()
        self._exact: dict[str, str] = {}  # digest → the remembered key with that text
        # One template whose permutations every signature copies: generating them is
        # the expensive part of a MinHash.
        self._template = MinHash(num_perm=num_perm, seed=SEED, hashfunc=_as_is)

    def __len__(self) -> int:
        """Items added so far."""
        return self._added

    def signature_bytes(self, text: str, *, normalised: str | None = None) -> bytes:
        """The MinHash values of ``text`` as bytes, to send between processes."""
        signature = self.signature(text, normalised=normalised)
        return bytes(np.asarray(signature.hashvalues).tobytes())

    def signature(self, text: str, *, normalised: str | None = None) -> MinHash:
        minhash = self._template.copy()
        minhash.update_batch(shingle_hashes(normalised or normalise(text)).tolist())
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
        self._added += 1
        digest = digest or fingerprint(text)
        same = self._exact.get(digest)
        if same is not None:
            return Match(key, self._kept[same][2], exact=True)
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
        # The earliest group among the candidates: the first report of the event.
        first = min((self._kept[k] for k in found), key=lambda kept: kept[1], default=None)
        group = key if first is None else first[2]
        self._lsh.insert(key, minhash)
        self._kept[key] = (digest, self._added, group)
        self._exact[digest] = key
        if len(self._kept) > self._window:
            old, (old_digest, _, _) = self._kept.popitem(last=False)
            self._lsh.remove(old)
            if self._exact.get(old_digest) == old:
                del self._exact[old_digest]
        return None if first is None else Match(key, group, exact=False)

    def join(self, key: str, group: str) -> None:
        """Put the remembered ``key`` in ``group``: it was found to repeat that group's
        first report by other means (the semantic layer), so its own repeats do too."""
        if key in self._kept:
            digest, added, _ = self._kept[key]
            self._kept[key] = (digest, added, group)

    def similarity(self, a: str, b: str) -> float:
        """Estimated Jaccard similarity of two texts' shingle sets."""
        return float(self.signature(a).jaccard(self.signature(b)))


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (for tests and thresholds)."""
    left, right = shingle_hashes(normalise(a)), shingle_hashes(normalise(b))
    union = len(np.union1d(left, right))
    return len(np.intersect1d(left, right)) / union if union else 1.0
