"""The parallel part of ingestion: per signal the fingerprint, the MinHash signature
and the model's theme and language. Runs in worker processes (local or Dask); the
order-dependent part (which report came first) runs afterwards in one place.

With ``ModelSpec.zero_shot`` the worker also encodes each signal with the optional
semantic layer (:mod:`weerbaar.signals.semantic`): the vector travels as float16
bytes, and a signal the model leaves without a theme gets a zero-shot one when its
cosine reaches the threshold. :func:`prepare_sparingly` encodes only the latter;
:func:`encode_texts` the others, once the ingest finds they need a vector.

A worker trains its model once from a :class:`ModelSpec` and keeps it: training is
deterministic, so every worker, local or remote, holds the same model, and nothing
but a small spec crosses the wire.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from weerbaar.signals.items import RawSignal
from weerbaar.signals.prediction import Prediction
from weerbaar.signals.settings import ClassifierSettings, Labelled
from weerbaar.signals.text import clean, fold

# scikit-learn (the model) and datasketch with scipy (the signatures) load in the
# functions that use them: in the process that prepares signals, not in every command
# that imports the ingest service.
if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from weerbaar.signals.classify import ThemeClassifier
    from weerbaar.signals.dedupe import Deduplicator

__all__ = [
    "ModelSpec",
    "Prepared",
    "PreparedTexts",
    "ZeroShot",
    "encode_texts",
    "model",
    "prepare_chunk",
    "prepare_sparingly",
    "prepare_texts",
]


@dataclass(frozen=True, slots=True)
class ZeroShot:
    """What a signal the model leaves without a theme is compared with: per theme key
    the text that describes it, and the cosine a zero-shot theme needs."""

    descriptions: tuple[tuple[str, str], ...]  # (theme key, text to compare with)
    min_cosine: float


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Everything a model is trained from: the settings, the shipped labelled texts
    and the analysts' corrections; with ``zero_shot``, also what the semantic layer
    needs (each signal then gets its sentence vector too)."""

    settings: ClassifierSettings
    examples: tuple[Labelled, ...]
    zero_shot: ZeroShot | None = None

    def __reduce__(self) -> tuple[Any, ...]:
        # A spec goes with every chunk to a worker: its examples as plain tuples pickle
        # ten times faster than as dataclasses.
        plain = tuple((e.text, e.theme, e.language) for e in self.examples)
        return _spec, (self.settings, plain, self.zero_shot)


def _spec(
    settings: ClassifierSettings,
    examples: tuple[tuple[str, str, str], ...],
    zero_shot: ZeroShot | None,
) -> ModelSpec:
    return ModelSpec(settings, tuple(Labelled(*e) for e in examples), zero_shot)


@dataclass(frozen=True, slots=True)
class Prepared:
    signal: RawSignal
    fingerprint: str
    signature: bytes  # MinHash values, for the near-duplicate index
    prediction: Prediction
    embedding: bytes | None = None  # float16 unit vector, with ModelSpec.zero_shot


@functools.lru_cache(maxsize=2)
def model(spec: ModelSpec) -> ThemeClassifier:
    from weerbaar.signals.classify import ThemeClassifier

    return ThemeClassifier.train(spec.examples, spec.settings)


@functools.lru_cache(maxsize=1)
def _deduplicator() -> Deduplicator:
    from weerbaar.signals.dedupe import Deduplicator

    return Deduplicator()


def prepare_chunk(chunk: Sequence[RawSignal], spec: ModelSpec) -> list[Prepared]:
    """The signals of one chunk, prepared, in the order given; with
    ``spec.zero_shot``, each with its vector."""
    prepared = prepare_sparingly(chunk, spec)
    missing = [i for i, p in enumerate(prepared) if p.embedding is None]
    if spec.zero_shot is None or not missing:
        return prepared
    vectors = encode_texts([chunk[i].text for i in missing])
    for i, vector in zip(missing, vectors, strict=True):
        prepared[i] = dataclasses.replace(prepared[i], embedding=vector)
    return prepared


def prepare_sparingly(chunk: Sequence[RawSignal], spec: ModelSpec) -> list[Prepared]:
    """:func:`prepare_chunk`, but with ``spec.zero_shot`` only the signals the model
    leaves without a theme are encoded (for their zero-shot theme): encoding is most
    of the work, and a repeat of an earlier report by its bytes needs no vector. The
    ingest asks :func:`encode_texts` for the others' once it knows which need one."""
    return prepare_texts([s.text for s in chunk], spec).rows(chunk)


@dataclass(frozen=True, slots=True)
class PreparedTexts:
    """What :func:`prepare_texts` makes of a chunk's texts, column by column: a worker
    sends it back in a few pickled objects, where a list of :class:`Prepared` (each
    with its signal again) took longer to pickle and unpickle than to prepare."""

    fingerprints: list[str]
    signatures: bytes  # the rows of MinHash values, one after the other
    predictions: list[tuple[str | None, float, str, str, bool]]  # Prediction's fields
    embeddings: list[bytes | None]

    def rows(self, chunk: Sequence[RawSignal]) -> list[Prepared]:
        """Each of ``chunk``'s signals (the ones whose texts these are) prepared."""
        width = len(self.signatures) // len(chunk) if chunk else 0
        return [
            Prepared(
                signal=signal,
                fingerprint=fingerprint,
                signature=self.signatures[i * width : (i + 1) * width],
                prediction=Prediction(*prediction),
                embedding=embedding,
            )
            for i, (signal, fingerprint, prediction, embedding) in enumerate(
                zip(chunk, self.fingerprints, self.predictions, self.embeddings, strict=True)
            )
        ]


def prepare_texts(texts: Sequence[str], spec: ModelSpec) -> PreparedTexts:
    """:func:`prepare_sparingly` of the signals with these texts: what a worker is
    given (the texts pickle faster than the signals) and sends back."""
    from weerbaar.signals.dedupe import fingerprint

    if not texts:
        return PreparedTexts([], b"", [], [])
    cleaned = [clean(t) for t in texts]
    predictions = model(spec).predict(cleaned, cleaned=True)
    embeddings: list[bytes | None] = [None] * len(texts)
    if spec.zero_shot is not None:
        embeddings, predictions = _semantic(texts, predictions, spec.zero_shot)
    normalised = [fold(c) for c in cleaned]
    return PreparedTexts(
        fingerprints=[
            fingerprint(text, normalised=folded)
            for text, folded in zip(texts, normalised, strict=True)
        ],
        signatures=_deduplicator().signatures(normalised).tobytes(),
        predictions=[
            (p.theme, p.confidence, p.best, p.language, p.by_zero_shot) for p in predictions
        ],
        embeddings=embeddings,
    )


def _semantic(
    texts: Sequence[str], predictions: list[Prediction], zero_shot: ZeroShot
) -> tuple[list[bytes | None], list[Prediction]]:
    """Zero-shot themes for the signals the model left without one, and their
    vectors."""
    from weerbaar.signals.semantic import semantic_model, to_bytes

    unthemed = [i for i, p in enumerate(predictions) if p.theme is None]
    embeddings: list[bytes | None] = [None] * len(texts)
    if not unthemed:
        return embeddings, predictions
    vectors = _encode([texts[i] for i in unthemed])
    found = semantic_model().zero_shot_vectors(vectors, dict(zero_shot.descriptions))
    predictions = list(predictions)
    for i, vector, (theme, cosine) in zip(unthemed, vectors, found, strict=True):
        embeddings[i] = to_bytes(vector)
        if cosine >= zero_shot.min_cosine:
            predictions[i] = dataclasses.replace(
                predictions[i], theme=theme, confidence=cosine, by_zero_shot=True
            )
    return embeddings, predictions


def encode_texts(texts: Sequence[str]) -> list[bytes]:
    """Each text's vector from the semantic layer, as float16 bytes."""
    from weerbaar.signals.semantic import to_bytes

    return [to_bytes(vector) for vector in _encode(texts)] if texts else []


def _encode(texts: Sequence[str]) -> NDArray[np.float32]:
    """(len(texts), 512) vectors; a text given more than once is encoded once."""
    from weerbaar.signals.semantic import semantic_model

    distinct = {text: row for row, text in enumerate(dict.fromkeys(texts))}
    return semantic_model().encode(list(distinct))[[distinct[text] for text in texts]]
