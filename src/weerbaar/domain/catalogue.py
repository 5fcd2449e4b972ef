"""Reference data of the method: national security interests and impact criteria per
edition. Loaded from package data by :mod:`weerbaar.reference.method`; here only their
shape."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Interest:
    code: str
    name: str
    name_en: str


@dataclass(frozen=True, slots=True)
class Criterion:
    code: str
    name: str
    name_en: str

    @property
    def interest_code(self) -> str:
        return self.code.split(".", 1)[0]


@dataclass(frozen=True, slots=True)
class Edition:
    """The criteria catalogue of one edition of the national risk assessment."""

    key: str
    name: str
    source: str
    verified: str
    scales: str  # the key of the class thresholds it is scored with
    interests: tuple[Interest, ...]
    criteria: tuple[Criterion, ...]

    def criterion(self, code: str) -> Criterion | None:
        return next((c for c in self.criteria if c.code == code), None)
