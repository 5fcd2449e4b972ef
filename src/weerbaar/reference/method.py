"""The method's reference data: the criteria catalogue editions
(``weerbaar/data/criteria/``), the class thresholds they are scored on
(``weerbaar/data/scales/``) and the preference profiles (``weerbaar/data/weights/``)."""

from __future__ import annotations

from functools import cache
from itertools import pairwise
from typing import Literal

from pydantic import Field, field_validator

from weerbaar.domain.catalogue import Criterion, Edition, Interest
from weerbaar.errors import ConfigError
from weerbaar.method.classes import ClassScheme
from weerbaar.method.scales import (
    CriterionScale,
    LikelihoodScale,
    MatrixScale,
    QualitativeScale,
    QuantityScale,
    Scales,
)
from weerbaar.method.weights import Profile
from weerbaar.reference._loader import Strict, checked, yaml_files

__all__ = ["editions", "profiles", "scales_for", "scales_sets"]


class _Named(Strict):
    code: str
    name: str
    name_en: str


class _EditionFile(Strict):
    edition: str
    name: str
    source: str
    verified: str | bool
    scales: str
    criteria_from: str | None = None
    interests: list[_Named] = Field(default_factory=list)
    criteria: list[_Named] = Field(default_factory=list)

    @field_validator("criteria")
    @classmethod
    def _unique(cls, value: list[_Named]) -> list[_Named]:
        codes = [c.code for c in value]
        if len(set(codes)) != len(codes):
            raise ValueError("criterion codes repeat")
        return value


@cache
def editions() -> dict[str, Edition]:
    """Every criteria catalogue edition shipped, by key."""
    files: dict[str, _EditionFile] = {}
    for _, path in yaml_files("criteria"):
        data = checked(_EditionFile, path)
        files[data.edition] = data
    out: dict[str, Edition] = {}
    for key, data in files.items():
        source = files[data.criteria_from] if data.criteria_from else data
        if not source.criteria or not source.interests:
            raise ConfigError(f"edition {key!r} lists no criteria or interests")
        if data.scales not in scales_sets():
            raise ConfigError(f"edition {key!r} names unknown scales {data.scales!r}")
        missing = [
            c.code for c in source.criteria if c.code not in scales_sets()[data.scales].criteria
        ]
        if missing:
            raise ConfigError(f"scales {data.scales!r} lack criteria {missing} of {key!r}")
        out[key] = Edition(
            key=key,
            name=data.name,
            source=data.source,
            verified=str(data.verified),
            scales=data.scales,
            interests=tuple(Interest(i.code, i.name, i.name_en) for i in source.interests),
            criteria=tuple(Criterion(c.code, c.name, c.name_en) for c in source.criteria),
        )
    return out


class _Quantity(Strict):
    name: str
    unit: str


_LETTERS = ("A", "B", "C", "D", "E")


def _ascending(bounds: dict[str, float], what: str) -> tuple[float, ...]:
    if list(bounds) != list(_LETTERS):
        raise ValueError(f"{what} must give A, B, C, D and E in that order")
    values = tuple(float(v) for v in bounds.values())
    if any(b <= a for a, b in pairwise(values)):
        raise ValueError(f"{what} must rise from A to E")
    return values


class _CriterionScaleFile(Strict):
    kind: Literal["quantity", "matrix", "qualitative"]
    quantity: _Quantity | None = None
    duration: _Quantity | None = None
    bounds: dict[str, float] | None = None
    rows: dict[str, float] | None = None
    columns: dict[str, float] | None = None
    table: dict[str, list[str]] | None = None


class _ClassesFile(Strict):
    values: dict[str, float]
    high_offset: float
    high_from: float = Field(gt=0, lt=1)
    impact_labels: dict[str, dict[str, str]]
    likelihood_labels: dict[str, dict[str, str]]

    @field_validator("values")
    @classmethod
    def _all_classes(cls, value: dict[str, float]) -> dict[str, float]:
        if list(value) != ["X", *_LETTERS]:
            raise ValueError("class values must be given for X, A, B, C, D, E in that order")
        return value


class _LikelihoodFile(Strict):
    horizon_years: float = Field(gt=0)
    hazard_bounds: dict[str, float]
    threat_descriptors: dict[str, str]
    actor_matrix: dict[str, dict[str, str]]


class _ScalesFile(Strict):
    scales: str
    name: str
    official: bool
    notice: str
    source: str
    verified: bool
    classes: _ClassesFile
    likelihood: _LikelihoodFile
    criteria: dict[str, _CriterionScaleFile]


def _criterion_scale(code: str, spec: _CriterionScaleFile, high_from: float) -> CriterionScale:
    if spec.kind == "qualitative":
        return QualitativeScale(code)
    if spec.quantity is None:
        raise ValueError(f"criterion {code}: a {spec.kind} scale needs 'quantity'")
    if spec.kind == "quantity":
        if spec.bounds is None:
            raise ValueError(f"criterion {code}: a quantity scale needs 'bounds'")
        return QuantityScale(
            code,
            spec.quantity.name,
            spec.quantity.unit,
            _ascending(spec.bounds, f"criterion {code} bounds"),
            high_from,
        )
    if spec.duration is None or spec.rows is None or spec.columns is None or spec.table is None:
        raise ValueError(f"criterion {code}: a matrix needs duration, rows, columns, table")
    columns = tuple((label, float(bound)) for label, bound in spec.columns.items())
    if columns[0][1] != 0 or any(b[1] <= a[1] for a, b in pairwise(columns)):
        raise ValueError(f"criterion {code}: columns must start at 0 and rise")
    if list(spec.table) != list(_LETTERS):
        raise ValueError(f"criterion {code}: the table needs rows A to E")
    for row in spec.table.values():
        if len(row) != len(columns) or any(cell not in ("X", *_LETTERS) for cell in row):
            raise ValueError(f"criterion {code}: every table row needs one class per column")
    return MatrixScale(
        code,
        spec.quantity.name,
        spec.quantity.unit,
        spec.duration.name,
        spec.duration.unit,
        _ascending(spec.rows, f"criterion {code} rows"),
        columns,
        tuple(tuple(r) for r in spec.table.values()),
    )


@cache
def scales_sets() -> dict[str, Scales]:
    """Every set of class thresholds shipped, by key."""
    out: dict[str, Scales] = {}
    for _, path in yaml_files("scales"):
        data = checked(_ScalesFile, path)
        try:
            classes = data.classes
            hazard = _ascending(data.likelihood.hazard_bounds, "hazard_bounds")
            criteria = {
                code: _criterion_scale(code, spec, classes.high_from)
                for code, spec in data.criteria.items()
            }
        except ValueError as exc:
            raise ConfigError(f"reference data file weerbaar/data/{path}: {exc}") from exc
        out[data.scales] = Scales(
            key=data.scales,
            name=data.name,
            official=data.official,
            notice=" ".join(data.notice.split()),
            source=data.source,
            classes=ClassScheme(
                classes.values,
                classes.high_offset,
                classes.high_from,
                classes.impact_labels,
                classes.likelihood_labels,
            ),
            likelihood=LikelihoodScale(
                data.likelihood.horizon_years,
                hazard,
                data.likelihood.threat_descriptors,
                data.likelihood.actor_matrix,
                classes.high_from,
            ),
            criteria=criteria,
        )
    return out


def scales_for(edition: Edition) -> Scales:
    """The class thresholds ``edition`` is scored on."""
    return scales_sets()[edition.scales]


class _ProfileFile(Strict):
    name: str
    name_en: str
    description: str
    description_en: str
    per: Literal["criterion", "interest"]
    weights: dict[str, float] | None = None


class _ProfilesFile(Strict):
    source: str
    verified: bool
    profiles: dict[str, _ProfileFile]


@cache
def profiles() -> dict[str, Profile]:
    """The preference profiles (weight sets) shipped, by key."""
    data = checked(_ProfilesFile, "weights/profiles.yaml")
    out = {}
    for key, spec in data.profiles.items():
        if spec.per == "interest" and not spec.weights:
            raise ConfigError(f"weights/profiles.yaml: profile {key!r} has no weights")
        if spec.weights and abs(sum(spec.weights.values()) - 1.0) > 1e-9:
            raise ConfigError(f"weights/profiles.yaml: profile {key!r} does not sum to 1")
        out[key] = Profile(
            key,
            spec.name,
            spec.description,
            spec.weights if spec.per == "interest" else None,
            spec.name_en,
            spec.description_en,
        )
    return out
