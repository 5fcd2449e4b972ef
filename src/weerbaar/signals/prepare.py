"""The parallel part of ingestion: per signal the fingerprint, the MinHash signature
and the model's theme and language. Runs in worker processes (local or Dask); the
order-dependent part (which report came first) runs afterwards in one place.

With ``ModelSpec.zero_shot`` the worker also encodes each signal with the optional
semantic layer (:mod:`weerbaar.signals.semantic`): the vector travels as float16
bytes, and a signal the model leaves without a theme gets a zero-shot one when its
cosine reaches the threshold.

A worker trains its model once from a :class:`ModelSpec` and keeps it: training is
deterministic, so every worker, local or remote, holds the same model, and nothing
but a small spec crosses the wire.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from weerbaar.signals.items import RawSignal
from weerbaar.signals.settings import ClassifierSettings, Labelled
from weerbaar.signals.text import normalise

# scikit-learn (the model) and datasketch with scipy (the signatures) load in the
# functions that use them: in the process that prepares signals, not in every command
# that imports the ingest service.
if TYPE_CHECKING:
    from weerbaar.signals.classify import Prediction, ThemeClassifier
    from weerbaar.signals.dedupe import Deduplicator

__all__ = ["ModelSpec", "Prepared", "ZeroShot", "model", "prepare_chunk"]


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
    """The signals of one chunk, prepared, in the order given."""
    from weerbaar.signals.dedupe import fingerprint

    if not chunk:
        return []
    predictions = model(spec).predict([s.text for s in chunk])
    embeddings: list[bytes | None] = [None] * len(chunk)
    if spec.zero_shot is not None:
        embeddings, predictions = _semantic(chunk, predictions, spec.zero_shot)
    signatures = _deduplicator()
    out = []
    for signal, prediction, embedding in zip(chunk, predictions, embeddings, strict=True):
        normalised = normalise(signal.text)
        out.append(
            Prepared(
                signal=signal,
                fingerprint=fingerprint(signal.text, normalised=normalised),
                signature=signatures.signature_bytes(signal.text, normalised=normalised),
                prediction=prediction,
                embedding=embedding,
            )
        )
    return out


def _semantic(
    chunk: Sequence[RawSignal], predictions: list[Prediction], zero_shot: ZeroShot
) -> tuple[list[bytes | None], list[Prediction]]:
    from weerbaar.signals.semantic import semantic_model, to_bytes

    semantic = semantic_model()
    vectors = semantic.encode([s.text for s in chunk])
    unthemed = [i for i, p in enumerate(predictions) if p.theme is None]
    if unthemed:
        found = semantic.zero_shot_vectors(vectors[unthemed], dict(zero_shot.descriptions))
        predictions = list(predictions)
        for i, (theme, cosine) in zip(unthemed, found, strict=True):
            if cosine >= zero_shot.min_cosine:
                predictions[i] = dataclasses.replace(
                    predictions[i], theme=theme, confidence=cosine, by_zero_shot=True
                )
    return [to_bytes(v) for v in vectors], predictions
