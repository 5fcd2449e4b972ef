"""The parallel part of ingestion: per signal the fingerprint, the MinHash signature
and the model's theme and language. Runs in worker processes (local or Dask); the
order-dependent part (which report came first) runs afterwards in one place.

With ``ModelSpec.semantic`` the worker also encodes each signal with the optional
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

from weerbaar.signals.classify import ClassifierSettings, Labelled, Prediction, ThemeClassifier
from weerbaar.signals.dedupe import Deduplicator, fingerprint
from weerbaar.signals.items import RawSignal
from weerbaar.signals.text import normalise

__all__ = ["ModelSpec", "Prepared", "model", "prepare_chunk"]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """Everything a model is trained from: the settings, the shipped labelled texts
    and the analysts' corrections."""

    settings: ClassifierSettings
    examples: tuple[Labelled, ...]
    semantic: bool = False  # also the sentence vector and, where needed, a zero-shot theme
    # (theme key, text to compare with) for zero-shot; empty: the shipped themes' texts
    descriptions: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Prepared:
    signal: RawSignal
    fingerprint: str
    signature: bytes  # MinHash values, for the near-duplicate index
    prediction: Prediction
    embedding: bytes | None = None  # float16 unit vector, with ModelSpec.semantic


@functools.lru_cache(maxsize=2)
def model(spec: ModelSpec) -> ThemeClassifier:
    return ThemeClassifier.train(spec.examples, spec.settings)


@functools.lru_cache(maxsize=1)
def _deduplicator() -> Deduplicator:
    return Deduplicator()


def prepare_chunk(chunk: Sequence[RawSignal], spec: ModelSpec) -> list[Prepared]:
    """The signals of one chunk, prepared, in the order given."""
    if not chunk:
        return []
    predictions = model(spec).predict([s.text for s in chunk])
    embeddings: list[bytes | None] = [None] * len(chunk)
    if spec.semantic:
        embeddings, predictions = _semantic(chunk, predictions, spec)
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
    chunk: Sequence[RawSignal], predictions: list[Prediction], spec: ModelSpec
) -> tuple[list[bytes | None], list[Prediction]]:
    from weerbaar.reference import semantic_settings, theme_descriptions
    from weerbaar.signals.semantic import describe_themes, semantic_model, to_bytes

    semantic = semantic_model()
    vectors = semantic.encode([s.text for s in chunk])
    descriptions = dict(spec.descriptions) or describe_themes(
        ((t, t, None) for t in model(spec).themes), theme_descriptions()
    )
    unthemed = [i for i, p in enumerate(predictions) if p.theme is None]
    if unthemed:
        threshold = semantic_settings().zero_shot_min
        found = semantic.zero_shot_vectors(vectors[unthemed], descriptions)
        predictions = list(predictions)
        for i, (theme, cosine) in zip(unthemed, found, strict=True):
            if cosine >= threshold:
                predictions[i] = dataclasses.replace(
                    predictions[i], theme=theme, confidence=cosine, by_zero_shot=True
                )
    return [to_bytes(v) for v in vectors], predictions
