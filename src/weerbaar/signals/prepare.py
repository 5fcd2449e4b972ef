"""The parallel part of ingestion: per signal the fingerprint, the MinHash signature
and the model's theme and language. Runs in worker processes (local or Dask); the
order-dependent part (which report came first) runs afterwards in one place.

A worker trains its model once from a :class:`ModelSpec` and keeps it: training is
deterministic, so every worker, local or remote, holds the same model, and nothing
but a small spec crosses the wire.
"""

from __future__ import annotations

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


@dataclass(frozen=True, slots=True)
class Prepared:
    signal: RawSignal
    fingerprint: str
    signature: bytes  # MinHash values, for the near-duplicate index
    prediction: Prediction


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
    signatures = _deduplicator()
    out = []
    for signal, prediction in zip(chunk, predictions, strict=True):
        normalised = normalise(signal.text)
        out.append(
            Prepared(
                signal=signal,
                fingerprint=fingerprint(signal.text, normalised=normalised),
                signature=signatures.signature_bytes(signal.text, normalised=normalised),
                prediction=prediction,
            )
        )
    return out
