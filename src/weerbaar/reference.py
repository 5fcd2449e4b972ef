"""Load and check the reference data shipped in ``weerbaar/data``.

Files are validated with pydantic once and turned into the domain's frozen types;
a broken data file is a packaging fault and fails loudly with the file named.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import cache
from importlib import resources
from itertools import pairwise
from types import MappingProxyType
from typing import Any, Literal, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from weerbaar.cascade.impact import ImpactMeasure, ImpactRule, Over
from weerbaar.domain.access import ClassificationLevel, Levels, Role
from weerbaar.domain.alerting import AdviceMatrix, Level, LevelScale, ScopeKind
from weerbaar.domain.capabilities import CapabilityLevel, CapabilityScale
from weerbaar.domain.catalogue import Criterion, Edition, Interest
from weerbaar.domain.register import BY_NAME
from weerbaar.domain.tiering import RuleError, RuleSet, parse_rule_set
from weerbaar.domain.validation import Reference
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
from weerbaar.signals.classify import ClassifierSettings, Labelled
from weerbaar.signals.semantic import SemanticSettings
from weerbaar.signals.trends import DetectionSettings


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _Named(_Strict):
    code: str
    name: str
    name_en: str


class _EditionFile(_Strict):
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


class _LevelFile(_Strict):
    level: int
    name: str
    name_en: str
    meaning: str


class _AdviceFile(_Strict):
    severities: list[str] = Field(min_length=1)
    likelihoods: list[str] = Field(min_length=1)
    cells: list[list[int]]


class _ScaleFile(_Strict):
    name: str
    name_en: str
    scope: ScopeKind
    standard_measures: bool
    theme: str | None
    verified: bool
    source: str
    levels: list[_LevelFile] = Field(min_length=2)
    advice: _AdviceFile | None = None


class _LevelsFile(_Strict):
    source: str
    scales: dict[str, _ScaleFile] = Field(min_length=1)


class _ClassificationFile(_Strict):
    key: str
    name: str
    name_en: str


class _ClassificationsFile(_Strict):
    source: str
    levels: list[_ClassificationFile] = Field(min_length=1)


class _CapabilityLevelFile(_Strict):
    key: str
    name: str
    name_en: str
    meaning: str


class _CapabilityScaleFile(_Strict):
    source: str
    verified: bool
    levels: list[_CapabilityLevelFile] = Field(min_length=2)


class _RoleFile(_Strict):
    name: str
    name_en: str
    writes: list[str]
    manages_accounts: bool = False


class _RolesFile(_Strict):
    source: str
    roles: dict[str, _RoleFile] = Field(min_length=1)


def _load(path: str) -> Any:
    return yaml.safe_load(resources.files("weerbaar.data").joinpath(path).read_text("utf-8"))


_M = TypeVar("_M", bound=BaseModel)


def _checked(model: type[_M], path: str) -> _M:
    try:
        return model.model_validate(_load(path))
    except ValidationError as exc:
        raise ConfigError(f"reference data file weerbaar/data/{path} is invalid:\n{exc}") from exc


@cache
def editions() -> dict[str, Edition]:
    """Every criteria catalogue edition shipped, by key."""
    files: dict[str, _EditionFile] = {}
    folder = resources.files("weerbaar.data").joinpath("criteria")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if item.name.endswith(".yaml"):
            data = _checked(_EditionFile, f"criteria/{item.name}")
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


@cache
def classification_levels() -> Levels:
    """The classification levels records carry, lowest first."""
    data = _checked(_ClassificationsFile, "access/classifications.yaml")
    keys = [lv.key for lv in data.levels]
    if len(set(keys)) != len(keys):
        raise ConfigError("weerbaar/data/access/classifications.yaml: level keys repeat")
    return Levels(tuple(ClassificationLevel(lv.key, lv.name, lv.name_en) for lv in data.levels))


@cache
def capability_scale() -> CapabilityScale:
    """The scale capabilities are rated on, lowest first."""
    data = _checked(_CapabilityScaleFile, "capabilities/scale.yaml")
    keys = [lv.key for lv in data.levels]
    if len(set(keys)) != len(keys):
        raise ConfigError("weerbaar/data/capabilities/scale.yaml: level keys repeat")
    return CapabilityScale(
        tuple(CapabilityLevel(lv.key, lv.name, lv.name_en, lv.meaning) for lv in data.levels)
    )


@cache
def roles() -> dict[str, Role]:
    """The roles users can have, by key, with what each may write."""
    data = _checked(_RolesFile, "access/roles.yaml")
    for key, role in data.roles.items():
        unknown = [e for e in role.writes if e != "*" and e not in BY_NAME]
        if unknown:
            raise ConfigError(f"weerbaar/data/access/roles.yaml: role {key!r} names {unknown}")
    return {
        key: Role(key, r.name, r.name_en, frozenset(r.writes), r.manages_accounts)
        for key, r in data.roles.items()
    }


@cache
def level_scales() -> dict[str, LevelScale]:
    """The scales threat levels are set on, by key."""
    data = _checked(_LevelsFile, "levels.yaml")
    return {key: _scale(key, spec) for key, spec in data.scales.items()}


def _scale(key: str, spec: _ScaleFile) -> LevelScale:
    where = f"weerbaar/data/levels.yaml: scale {key!r}"
    ranks = [lv.level for lv in spec.levels]
    if ranks != list(range(ranks[0], ranks[0] + len(ranks))):
        raise ConfigError(f"{where}: levels must be numbered upwards without gaps, got {ranks}")
    advice = None
    if spec.advice is not None:
        cells = spec.advice.cells
        shape_ok = len(cells) == len(spec.advice.severities) and all(
            len(row) == len(spec.advice.likelihoods) for row in cells
        )
        if not shape_ok:
            raise ConfigError(f"{where}: advice cells must be severities × likelihoods")
        if any(c not in ranks for row in cells for c in row):
            raise ConfigError(f"{where}: advice cells name levels outside the scale")
        advice = AdviceMatrix(
            tuple(spec.advice.severities),
            tuple(spec.advice.likelihoods),
            tuple(tuple(row) for row in cells),
        )
    return LevelScale(
        key=key,
        name=spec.name,
        name_en=spec.name_en,
        scope=spec.scope,
        levels=tuple(Level(lv.level, lv.name, lv.name_en, lv.meaning) for lv in spec.levels),
        standard_measures=spec.standard_measures,
        theme=spec.theme,
        verified=spec.verified,
        source=spec.source,
        advice=advice,
    )


@cache
def rule_reference() -> Reference:
    """What the register's validation rules need from the reference data."""
    kinds = {
        key: {c.code: _kind(scales_sets()[e.scales].criteria[c.code]) for c in e.criteria}
        for key, e in editions().items()
    }
    return Reference(
        editions=frozenset(editions()),
        level_ranges={key: scale.range for key, scale in level_scales().items()},
        criterion_kinds=kinds,
        classifications=classification_levels().keys,
        capability_levels=capability_scale().keys,
    )


def _kind(scale: CriterionScale) -> str:
    if isinstance(scale, QuantityScale):
        return "quantity"
    if isinstance(scale, MatrixScale):
        return "matrix"
    return "qualitative"


class _Quantity(_Strict):
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


class _CriterionScaleFile(_Strict):
    kind: Literal["quantity", "matrix", "qualitative"]
    quantity: _Quantity | None = None
    duration: _Quantity | None = None
    bounds: dict[str, float] | None = None
    rows: dict[str, float] | None = None
    columns: dict[str, float] | None = None
    table: dict[str, list[str]] | None = None


class _ClassesFile(_Strict):
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


class _LikelihoodFile(_Strict):
    horizon_years: float = Field(gt=0)
    hazard_bounds: dict[str, float]
    threat_descriptors: dict[str, str]
    actor_matrix: dict[str, dict[str, str]]


class _ScalesFile(_Strict):
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
    folder = resources.files("weerbaar.data").joinpath("scales")
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        path = f"scales/{item.name}"
        data = _checked(_ScalesFile, path)
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
    return scales_sets()[edition.scales]


class _ProfileFile(_Strict):
    name: str
    description: str
    per: Literal["criterion", "interest"]
    weights: dict[str, float] | None = None


class _ProfilesFile(_Strict):
    source: str
    verified: bool
    profiles: dict[str, _ProfileFile]


@cache
def profiles() -> dict[str, Profile]:
    """The preference profiles (weight sets) shipped, by key."""
    data = _checked(_ProfilesFile, "weights/profiles.yaml")
    out = {}
    for key, spec in data.profiles.items():
        if spec.per == "interest" and not spec.weights:
            raise ConfigError(f"weights/profiles.yaml: profile {key!r} has no weights")
        if spec.weights and abs(sum(spec.weights.values()) - 1.0) > 1e-9:
            raise ConfigError(f"weights/profiles.yaml: profile {key!r} does not sum to 1")
        out[key] = Profile(
            key, spec.name, spec.description, spec.weights if spec.per == "interest" else None
        )
    return out


@cache
def default_tier_rules() -> RuleSet:
    """The rule set that proposes tiers for a cycle without rules of its own."""
    path = "tiering/default.yaml"
    data = _load(path)
    if not isinstance(data, dict):
        raise ConfigError(f"reference data file weerbaar/data/{path} is not a rule set")
    try:
        return parse_rule_set(data)
    except RuleError as exc:
        raise ConfigError(f"reference data file weerbaar/data/{path} is invalid: {exc}") from exc


@cache
def threat_level_names() -> Mapping[str, tuple[tuple[int, str], ...]]:
    """Per level scale, its levels as (number, English name), lowest first:
    what the tier rules resolve a named level (``threat_level >= substantial``) in."""
    # Read-only, because the one cached mapping is shared by every caller.
    return MappingProxyType(
        {
            key: tuple((lv.rank, lv.name_en) for lv in scale.levels)
            for key, scale in level_scales().items()
        }
    )


class _CascadeImpactRule(_Strict):
    code: str
    measure: ImpactMeasure
    over: Over


class _CascadeImpactFile(_Strict):
    source: str
    verified: bool
    criteria: list[_CascadeImpactRule] = Field(min_length=1)


@cache
def cascade_impact_rules() -> tuple[ImpactRule, ...]:
    """Which impact criteria a cascade run scores, and from what."""
    data = _checked(_CascadeImpactFile, "cascade/impact.yaml")
    codes = [rule.code for rule in data.criteria]
    if len(set(codes)) != len(codes):
        raise ConfigError("weerbaar/data/cascade/impact.yaml names a criterion twice")
    return tuple(ImpactRule(r.code, r.measure, r.over) for r in data.criteria)


_S = TypeVar("_S")


def _settings(model: type[_M], path: str, build: Callable[..., _S]) -> _S:
    """A settings file's values (all but its source and verified flag) as ``build``'s
    arguments; the domain type's own checks name the file when they fail."""
    data = _checked(model, path)
    try:
        return build(**data.model_dump(exclude={"source", "verified"}))
    except ValueError as exc:
        raise ConfigError(f"weerbaar/data/{path}: {exc}") from exc


class _DetectionFile(_Strict):
    source: str
    verified: bool
    period_days: int
    baseline_periods: int
    min_baseline_periods: int
    k: float
    h: float
    min_signals: float
    new_window_days: int
    similarity: float
    min_group: int
    min_sources: int


@cache
def detection_settings() -> DetectionSettings:
    """How growth of a theme's signals is detected."""
    return _settings(_DetectionFile, "signals/detection.yaml", DetectionSettings)


class _ClassifierFile(_Strict):
    source: str
    verified: bool
    ngram_min: int
    ngram_max: int
    max_features: int
    c: float
    min_confidence: float


@cache
def classifier_settings() -> ClassifierSettings:
    """How the default theme classifier is built."""
    return _settings(_ClassifierFile, "signals/classifier.yaml", ClassifierSettings)


class _Texts(_Strict):
    nl: list[str] = Field(min_length=1)
    en: list[str] = Field(min_length=1)


class _LabelledFile(_Strict):
    theme: str
    train: _Texts
    heldout: _Texts


@cache
def labelled_signals() -> dict[str, tuple[Labelled, ...]]:
    """The shipped labelled texts: ``{"train": …, "heldout": …}``."""
    out: dict[str, list[Labelled]] = {"train": [], "heldout": []}
    folder = resources.files("weerbaar.data").joinpath("signals", "labelled")
    seen: dict[str, str] = {}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".yaml"):
            continue
        path = f"signals/labelled/{item.name}"
        data = _checked(_LabelledFile, path)
        if data.theme != item.name.removesuffix(".yaml"):
            raise ConfigError(f"weerbaar/data/{path}: theme {data.theme!r} is not its name")
        for split in ("train", "heldout"):
            texts: _Texts = getattr(data, split)
            for language in ("nl", "en"):
                for text in getattr(texts, language):
                    folded = " ".join(text.casefold().split())
                    if folded in seen:
                        raise ConfigError(
                            f"weerbaar/data/{path}: {text[:60]!r} is also in {seen[folded]}"
                        )
                    seen[folded] = path
                    out[split].append(Labelled(text, data.theme, language))
    return {split: tuple(rows) for split, rows in out.items()}


class _SemanticFile(_Strict):
    source: str
    verified: bool
    zero_shot_min: float
    same_event_min: float
    same_event_days: int
    window: int


@cache
def semantic_settings() -> SemanticSettings:
    """The thresholds of the optional semantic layer."""
    return _settings(_SemanticFile, "signals/semantic.yaml", SemanticSettings)


class _Sentences(_Strict):
    nl: str = Field(min_length=1)
    en: str = Field(min_length=1)


class _DescriptionsFile(_Strict):
    source: str
    themes: dict[str, _Sentences]


@cache
def theme_descriptions() -> Mapping[str, tuple[str, str]]:
    """Per theme key its Dutch and English sentences for zero-shot themes."""
    data = _checked(_DescriptionsFile, "signals/theme_descriptions.yaml")
    return MappingProxyType({k: (v.nl.strip(), v.en.strip()) for k, v in data.themes.items()})
