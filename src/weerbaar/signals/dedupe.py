"""One event reported by many sources counts once, with all its sources.

Exact duplicates share the SHA-256 of their normalised text. Near duplicates (a
headline reworded, a source's tag line added) are found with MinHash over shingles
of five bytes of the normalised UTF-8 text (the values of ``datasketch``'s
``MinHash``, computed for a batch of texts at once) and locality-sensitive hashing
(``datasketch``'s banding): an item whose estimated Jaccard similarity to an earlier
one reaches the threshold joins that one's group.
Items are taken in the order given, so the first of a group is its representative
and the result does not depend on how the stream was chunked, as long as the order
is kept.
"""

from __future__ import annotations

import functools
import hashlib
from collections import OrderedDict
from collections.abc import Sequence
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
_BLOCK = 32  # texts signed together


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
    """The distinct 32-bit hashes of the text's shingles."""
    _, hashes = _shingles([normalised])
    return np.unique(hashes)


def _shingles(normalised: Sequence[str]) -> tuple[NDArray[np.intp], NDArray[np.uint32]]:
    """Per shingle of each text (with repeats): the index of its text and its 32-bit
    hash, computed for all shingles of all texts at once: a polynomial over the bytes,
    then the MurmurHash3 finaliser to spread them. A text shorter than a shingle is
    one shingle. A Python hash call per shingle cost more than everything else in a
    signature."""
    encoded = [f" {text} ".encode() for text in normalised]
    lengths = np.fromiter(map(len, encoded), dtype=np.intp, count=len(encoded))
    data = np.frombuffer(b"".join(encoded), dtype=np.uint8).astype(np.uint64)
    starts = np.zeros(len(encoded), dtype=np.intp)
    np.cumsum(lengths[:-1], out=starts[1:])
    text_of = np.repeat(np.arange(len(encoded), dtype=np.intp), lengths)
    texts: list[NDArray[np.intp]] = []
    hashes: list[NDArray[np.uint64]] = []
    h = np.zeros(len(data), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for width in range(1, SHINGLE + 1):
            h = h[: len(data) - width + 1] * np.uint64(257) + data[width - 1 :]
            if width < SHINGLE:
                positions = starts[lengths == width]
            else:
                positions = np.flatnonzero(text_of[: len(h)] == text_of[width - 1 :])
            texts.append(text_of[positions])
            hashes.append(h[positions])
        mixed = np.concatenate(hashes)
        mixed ^= mixed >> np.uint64(33)
        mixed *= np.uint64(0xFF51AFD7ED558CCD)
        mixed ^= mixed >> np.uint64(33)
        mixed *= np.uint64(0xC4CEB9FE1A85EC53)
        mixed ^= mixed >> np.uint64(33)
    return np.concatenate(texts), (mixed >> np.uint64(32)).astype(np.uint32)


def _fmix32(h: NDArray[np.uint32]) -> NDArray[np.uint32]:
    """The MurmurHash3 32-bit finaliser datasketch applies before its permutations."""
    h = h ^ (h >> np.uint32(16))
    h *= np.uint32(0x85EBCA6B)
    h ^= h >> np.uint32(13)
    h *= np.uint32(0xC2B2AE35)
    h ^= h >> np.uint32(16)
    return h


def _as_is(value: int) -> int:
    """The hash function of the MinHash: its inputs are hashes already."""
    return value


@functools.cache
def _banding(threshold: float, num_perm: int) -> tuple[int, int]:
    """datasketch's bands and rows per band for the threshold: the pair that keeps
    the sum of the false positive and false negative probabilities least."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return int(lsh.b), int(lsh.r)


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
        # The permutations every signature uses: generating them is the expensive
        # part of a MinHash.
        self._template = MinHash(num_perm=num_perm, seed=SEED, hashfunc=_as_is)
        self._window = window
        self._added = 0
        # The bands of the signature (as byte ranges) and per band the remembered keys
        # by that band's values: two texts that agree on a whole band are candidates.
        # The same banding as datasketch's MinHashLSH for the threshold, held in plain
        # dictionaries: its general storage layer cost more than the rest of adding.
        bands, rows = _banding(threshold, num_perm)
        width = self._template.hashvalues.dtype.itemsize * rows
        self._bands = [(i * width, (i + 1) * width) for i in range(bands)]
        # A bucket of one key (most of them) is the key itself, not a list: the
        # garbage collector passes over strings, tuples and dictionaries of them, but
        # went through hundreds of thousands of one-key lists many times a run.
        self._tables: list[dict[bytes, str | list[str]]] = [{} for _ in range(bands)]
        # Per remembered text: its digest, when it was added, its group's first key
        # and its bands.
        self._kept: OrderedDict[str, tuple[str, int, str, tuple[bytes, ...]]] = OrderedDict()
        self._exact: dict[str, str] = {}  # digest → the remembered key with that text

    def __len__(self) -> int:
        """Items added so far."""
        return self._added

    def signature_bytes(self, text: str, *, normalised: str | None = None) -> bytes:
        """The MinHash values of ``text`` as bytes, to send between processes."""
        return bytes(self.signatures([normalised or normalise(text)])[0].tobytes())

    def signature(self, text: str, *, normalised: str | None = None) -> MinHash:
        row = self.signatures([normalised or normalise(text)])[0]
        return LeanMinHash(seed=SEED, hashvalues=row, scheme=self._template.scheme)

    def signatures(self, normalised: Sequence[str]) -> NDArray[np.uint32]:
        """(len(normalised), num_perm): the MinHash values of each normalised text,
        for all texts at once. The same values as datasketch's ``MinHash`` (its
        "affine32" scheme: the finaliser, then ``a * h + b`` modulo 2**32 per
        permutation), without a Python call per shingle or per text."""
        a, b = (np.asarray(p, dtype=np.uint32) for p in self._template.permutations)
        out = np.empty((len(normalised), len(a)), dtype=np.uint32)
        # Blocks of texts keep the (shingles, permutations) product within the
        # cache, in one buffer: a fresh one per block cost more than the products.
        buffer = np.empty(0, dtype=np.uint32)
        for first in range(0, len(normalised), _BLOCK):
            block = normalised[first : first + _BLOCK]
            text_of, hashes = _shingles(block)
            order = np.argsort(text_of, kind="stable")
            if buffer.size < len(hashes) * len(a):
                buffer = np.empty(len(hashes) * len(a), dtype=np.uint32)
            permuted = buffer[: len(hashes) * len(a)].reshape(len(hashes), len(a))
            np.multiply(_fmix32(hashes[order])[:, None], a, out=permuted)
            np.add(permuted, b, out=permuted)
            # Every text has at least one shingle.
            starts = np.searchsorted(text_of[order], np.arange(len(block)))
            np.minimum.reduceat(permuted, starts, axis=0, out=out[first : first + len(block)])
        return out

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
        if key in self._kept:
            raise ValueError(f"{key} was added already")
        self._added += 1
        digest = digest or fingerprint(text)
        same = self._exact.get(digest)
        if same is not None:
            return Match(key, self._kept[same][2], exact=True)
        if signature is None:
            signature = self.signature_bytes(text)
        bands = tuple(signature[start:end] for start, end in self._bands)
        # The earliest group among the candidates: the first report of the event. A
        # bucket lists its keys in the order they came and forgets them in that order,
        # so its first key is its earliest.
        earliest = []
        for table, band in zip(self._tables, bands, strict=True):
            keys = table.get(band)
            if keys is None:
                table[band] = key
                continue
            if isinstance(keys, str):
                earliest.append(keys)
                table[band] = [keys, key]
            else:
                earliest.append(keys[0])
                keys.append(key)
        first = min((self._kept[k] for k in earliest), key=lambda kept: kept[1], default=None)
        group = key if first is None else first[2]
        self._kept[key] = (digest, self._added, group, bands)
        self._exact[digest] = key
        if len(self._kept) > self._window:
            old, (old_digest, _, _, old_bands) = self._kept.popitem(last=False)
            for table, band in zip(self._tables, old_bands, strict=True):
                keys = table[band]
                # The oldest remembered key is first in each of its buckets.
                if isinstance(keys, str):
                    del table[band]
                elif len(keys) == 2:
                    table[band] = keys[1]
                else:
                    del keys[0]
            if self._exact.get(old_digest) == old:
                del self._exact[old_digest]
        return None if first is None else Match(key, group, exact=False)

    def join(self, key: str, group: str) -> None:
        """Put the remembered ``key`` in ``group``: it was found to repeat that group's
        first report by other means (the semantic layer), so its own repeats do too."""
        if key in self._kept:
            digest, added, _, bands = self._kept[key]
            self._kept[key] = (digest, added, group, bands)

    def similarity(self, a: str, b: str) -> float:
        """Estimated Jaccard similarity of two texts' shingle sets."""
        return float(self.signature(a).jaccard(self.signature(b)))


def jaccard(a: str, b: str) -> float:
    """Exact Jaccard similarity of two texts' shingle sets (for tests and thresholds)."""
    left, right = shingle_hashes(normalise(a)), shingle_hashes(normalise(b))
    union = len(np.union1d(left, right))
    return len(np.intersect1d(left, right)) / union if union else 1.0
