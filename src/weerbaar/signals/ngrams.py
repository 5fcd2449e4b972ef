"""Character n-grams within word boundaries, as 64-bit hashes, for a batch of texts
at once.

The n-grams are those of scikit-learn's ``analyzer="char_wb"``: each word padded
with one space either side, every substring of ``n_min`` to ``n_max`` characters
within it, and a padded word shorter than ``n_min`` once as a whole. Instead of a
Python string per n-gram and a dictionary look-up per string (most of the time it
took to classify a signal), the texts' code points go into one array and every
n-gram's hash is computed for all positions at once: a polynomial over the code
points, then the MurmurHash3 64-bit finaliser to spread it. At 64 bits two of the
tens of thousands of n-grams a model knows sharing a hash is a one-in-billions
event, so a sorted array of hashes serves as the vocabulary.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray
from scipy.sparse import csr_matrix

__all__ = ["Vocabulary", "count_matrix", "ngram_hashes", "string_hash"]

_BASE = np.uint64(0x100000001B3)  # odd: multiplication by it is a bijection mod 2**64
_LENGTH = np.uint64(0x9E3779B97F4A7C15)  # length salt, so "ab" and "\0ab" differ


def _finalise(h: NDArray[np.uint64], n: int) -> NDArray[np.uint64]:
    h = h ^ (np.uint64(n) * _LENGTH)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xFF51AFD7ED558CCD)
    h ^= h >> np.uint64(33)
    h *= np.uint64(0xC4CEB9FE1A85EC53)
    h ^= h >> np.uint64(33)
    return h


def string_hash(text: str) -> int:
    """The hash :func:`ngram_hashes` gives the n-gram ``text``."""
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    h = np.zeros(1, dtype=np.uint64)
    with np.errstate(over="ignore"):
        for point in points:
            h = h * _BASE + point
        return int(_finalise(h, len(points))[0])


def ngram_hashes(
    texts: Sequence[str], n_min: int, n_max: int
) -> tuple[NDArray[np.intp], NDArray[np.uint64]]:
    """Per n-gram occurrence in ``texts`` (lower-cased, split on whitespace): the
    index of its text and its hash, as two arrays of equal length."""
    words_per_text: list[int] = []
    words: list[str] = []
    for text in texts:
        split = text.lower().split()
        words_per_text.append(len(split))
        words += split
    if not words:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.uint64)
    padded = np.fromiter(map(len, words), dtype=np.intp, count=len(words)) + 2
    joined = " " + "  ".join(words) + " "
    points = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    word_of = np.repeat(np.arange(len(words), dtype=np.intp), padded)
    starts = np.zeros(len(words), dtype=np.intp)
    np.cumsum(padded[:-1], out=starts[1:])
    text_of_word = np.repeat(np.arange(len(texts), dtype=np.intp), words_per_text)
    docs: list[NDArray[np.intp]] = []
    hashes: list[NDArray[np.uint64]] = []
    h = np.zeros(len(points), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for n in range(1, n_max + 1):
            # h[i] is now the polynomial of the n code points from position i.
            h = h[: len(points) - n + 1] * _BASE + points[n - 1 :]
            if n < n_min:
                # A padded word shorter than n_min counts once, whole.
                whole = starts[padded == n]
                positions = whole
            else:
                inside = word_of[: len(h)] == word_of[n - 1 :]
                positions = np.flatnonzero(inside)
            if len(positions):
                docs.append(text_of_word[word_of[positions]])
                hashes.append(_finalise(h[positions], n))
    if not hashes:
        return np.zeros(0, dtype=np.intp), np.zeros(0, dtype=np.uint64)
    return np.concatenate(docs), np.concatenate(hashes)


class Vocabulary:
    """The n-grams a model knows, as sorted hashes; column ``i`` is ``hashes[i]``.

    A look-up goes through a table of where each run of hashes with the same top
    bits starts: with eight times as many runs as hashes, a run holds one hash or
    none, and a batch of look-ups costs a few gathers instead of a binary search
    each (which took longer than the rest of reading a text).
    """

    def __init__(self, hashes: NDArray[np.uint64]) -> None:
        self.hashes = np.sort(np.asarray(hashes, dtype=np.uint64))
        self._shift = np.uint64(64 - max(8, int(len(self.hashes) * 8).bit_length()))
        top = (self.hashes >> self._shift).astype(np.intp)
        runs = 1 << (64 - int(self._shift))
        self._starts = np.searchsorted(top, np.arange(runs + 1)).astype(np.int32)
        self._longest = int(np.diff(self._starts).max(initial=0))

    def __len__(self) -> int:
        return len(self.hashes)

    def columns(self, hashes: NDArray[np.uint64]) -> tuple[NDArray[np.intp], NDArray[np.bool_]]:
        """Each hash's column, and which hashes the vocabulary holds at all."""
        top = (hashes >> self._shift).astype(np.intp)
        first, end = self._starts[top].astype(np.intp), self._starts[top + 1]
        found = np.zeros(len(hashes), dtype=np.intp)
        known = np.zeros(len(hashes), dtype=np.bool_)
        last = max(len(self.hashes) - 1, 0)
        for step in range(self._longest):
            column = first + step
            hit = (column < end) & (self.hashes[np.minimum(column, last)] == hashes)
            found[hit] = column[hit]
            known |= hit
        return found, known


def count_matrix(
    docs: NDArray[np.intp], columns: NDArray[np.intp], rows: int, width: int
) -> csr_matrix:
    """The number of times each column occurs in each row, duplicates summed."""
    ones = np.ones(len(docs), dtype=np.float64)
    return csr_matrix((ones, (docs, columns)), shape=(rows, width))
