"""The entities of the national register, as typed immutable records.

Each record class is a frozen dataclass; its fields carry a :class:`FieldSpec` in
their metadata, from which storage, file formats and the CLI are all driven, so an
entity is described once. :data:`ENTITIES` lists them in dependency order: a record
only refers to entities listed before it, or to its own entity (an organisation's
parent).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from weerbaar.domain.enums import (
    ActorKind,
    AlertKind,
    AlertStatus,
    BasicNeed,
    ConcretisationStatus,
    DependencyKind,
    Language,
    LegislativeStage,
    Level,
    MeasureKind,
    MeasureStatus,
    OrgKind,
    Phase,
    ReviewStep,
    RoundStatus,
    RuleMatch,
    ScenarioKind,
    SignalKind,
    ThemeSource,
    Tier,
    VitalCategory,
)
from weerbaar.domain.fields import FieldKind, FieldSpec, Value

_META = "weerbaar"


def _f(kind: FieldKind, help: str, *, required: bool = False, **kw: Any) -> Any:
    default = kw.get("default")
    spec_kw = {k: v for k, v in kw.items() if k != "default"}
    meta = {_META: (kind, help, required, spec_kw, default)}
    if kind is FieldKind.REFS:
        return field(default=(), metadata=meta)
    if required and default is None:
        return field(metadata=meta)
    return field(default=default, metadata=meta)


def key() -> Any:
    return _f(FieldKind.KEY, "unique key: lower-case letters, digits, hyphens", required=True)


def text(help: str, *, required: bool = False) -> Any:
    return _f(FieldKind.TEXT, help, required=required)


def date(help: str, *, required: bool = False) -> Any:
    return _f(FieldKind.DATE, help, required=required)


def moment(help: str, *, required: bool = False) -> Any:
    return _f(FieldKind.TIME, help, required=required)


def enum(e: type[StrEnum], help: str, *, required: bool = False) -> Any:
    return _f(FieldKind.ENUM, help, required=required, enum=e)


def ref(target: str, help: str, *, required: bool = False) -> Any:
    return _f(FieldKind.REF, help, required=required, target=target)


def refs(target: str, help: str) -> Any:
    return _f(FieldKind.REFS, help, target=target)


def number(help: str, *, minimum: float | None = None, maximum: float | None = None) -> Any:
    return _f(FieldKind.NUMBER, help, minimum=minimum, maximum=maximum)


def derived_key() -> Any:
    return _f(FieldKind.KEY, "derived from the identifying fields", required=True)


def integer(help: str, *, minimum: int, maximum: int, default: int | None = None) -> Any:
    return _f(FieldKind.INT, help, required=True, minimum=minimum, maximum=maximum, default=default)


_record = dataclass(frozen=True, slots=True, kw_only=True)

MARKING_FIELDS = ("classification", "owned_by", "shared_with")
"""Every record's need-to-know marking; see :mod:`weerbaar.domain.access`."""


@_record
class Marked:
    """What every record carries for need-to-know: how it is classified, which
    organisation owns it (none: the register's own, readable by anyone cleared for
    its level) and which organisations it is shared with."""

    classification: str = _f(
        FieldKind.TEXT,
        "classification level, e.g. public or dep-v",
        required=True,
        default="public",
    )
    owned_by: str | None = ref("organisations", "organisation that owns the record")
    shared_with: tuple[str, ...] = refs("organisations", "organisations it is shared with")


@_record
class Cycle(Marked):
    """A strategy cycle, e.g. the National Security Strategy 2019–2022."""

    key: str = key()
    name: str = text("name of the cycle", required=True)
    starts_on: dt.date = date("first day", required=True)
    ends_on: dt.date = date("last day", required=True)
    description: str | None = text("description")


@_record
class Round(Marked):
    """An assessment round inside a cycle; old rounds stay readable."""

    key: str = key()
    cycle: str = ref("cycles", "the strategy cycle", required=True)
    name: str = text("name of the round", required=True)
    held_on: dt.date = date("date of the round", required=True)
    edition: str = text("criteria catalogue edition, e.g. gra-2019", required=True)
    status: RoundStatus = enum(RoundStatus, "open or closed", required=True)


@_record
class Organisation(Marked):
    key: str = key()
    name: str = text("official (Dutch) name", required=True)
    name_en: str | None = text("English name")
    abbreviation: str | None = text("abbreviation, e.g. JenV")
    kind: OrgKind = enum(OrgKind, "kind of organisation", required=True)
    parent: str | None = ref("organisations", "parent organisation")
    country: str | None = text("ISO 3166 alpha-2 country code")
    description: str | None = text("description")


@_record
class Theme(Marked):
    """A national security issue and the tier of its approach."""

    key: str = key()
    name: str = text("Dutch name", required=True)
    name_en: str = text("English name", required=True)
    tier: Tier = enum(Tier, "current tier", required=True)
    lead: str | None = ref("organisations", "lead ministry")
    approach: str | None = text("what the approach consists of")
    description: str | None = text("description")


@_record
class Threat(Marked):
    """A risk category under a theme."""

    key: str = key()
    theme: str = ref("themes", "theme", required=True)
    name: str = text("Dutch name", required=True)
    name_en: str | None = text("English name")
    description: str | None = text("description")


@_record
class Actor(Marked):
    key: str = key()
    name: str = text("name", required=True)
    kind: ActorKind = enum(ActorKind, "state or non-state", required=True)
    country: str | None = text("ISO 3166 alpha-2 country code of a state actor")
    intent: Level = enum(Level, "assessed intent", required=True)
    capability: Level = enum(Level, "assessed capability", required=True)
    description: str | None = text("description")


@_record
class Scenario(Marked):
    key: str = key()
    title: str = text("title", required=True)
    kind: ScenarioKind = enum(ScenarioKind, "hazard (non-malicious) or threat", required=True)
    theme: str = ref("themes", "theme", required=True)
    threat: str | None = ref("threats", "risk category, of the same theme")
    narrative: str = text("what happens, where, how long", required=True)
    horizon_years: int = integer(
        "time horizon of the likelihood estimate, years", minimum=1, maximum=30, default=5
    )
    actors: tuple[str, ...] = refs("actors", "actors (threat scenarios only)")


@_record
class Capability(Marked):
    key: str = key()
    name: str = text("name", required=True)
    phase: Phase = enum(Phase, "link in the security chain", required=True)
    owner: str | None = ref("organisations", "owning organisation")
    description: str | None = text("description")


@_record
class Measure(Marked):
    key: str = key()
    title: str = text("title", required=True)
    kind: MeasureKind = enum(
        MeasureKind,
        "generic resilience measure, theme measure, legislative item or international commitment",
        required=True,
    )
    status: MeasureStatus = enum(MeasureStatus, "status", required=True)
    owner: str = ref("organisations", "owning organisation", required=True)
    partners: tuple[str, ...] = refs("organisations", "partner organisations")
    theme: str | None = ref("themes", "theme; empty for a generic measure")
    phase: Phase | None = enum(Phase, "link in the security chain")
    scenarios: tuple[str, ...] = refs("scenarios", "scenarios it addresses")
    capabilities: tuple[str, ...] = refs("capabilities", "capabilities it builds")
    starts_on: dt.date | None = date("start date")
    due_on: dt.date | None = date("due date")
    budget: float | None = number("budget, euros", minimum=0)
    practitioners_consulted: ReviewStep | None = enum(
        ReviewStep, "legislative items: practitioners' wishes weighed"
    )
    rule_of_law_review: ReviewStep | None = enum(
        ReviewStep, "legislative items: review against the principles of the rule of law"
    )
    legislative_stage: LegislativeStage | None = enum(
        LegislativeStage, "legislative items: stage in the legislative process"
    )
    description: str | None = text("description")


@_record
class Decision(Marked):
    """A tier decision, taken by people, with its rationale, kept beside the tier the
    rules proposed: a decision against the proposal says why."""

    key: str = key()
    theme: str = ref("themes", "theme decided on", required=True)
    tier: Tier = enum(Tier, "tier decided", required=True)
    cycle: str = ref("cycles", "strategy cycle", required=True)
    decided_on: dt.date = date("date of the decision", required=True)
    decided_by: str = text("who decided", required=True)
    lead: str | None = ref("organisations", "lead ministry")
    involved: tuple[str, ...] = refs("organisations", "organisations involved")
    rationale: str = text("answers to the strategy's two questions", required=True)
    proposed_tier: Tier | None = enum(Tier, "tier the rules proposed when deciding")
    proposal_rule: str | None = text("the rule that gave the proposal")
    proposal_reasons: str | None = text("the proposal's reasons, as shown when deciding")
    deviation: str | None = text("why the decision differs from the proposal")


@_record
class Concretisation(Marked):
    """How a lead ministry concretises a strengthened approach: goals, measures,
    partners and milestones. Not yet concretised while it lacks goals or measures."""

    key: str = key()
    theme: str = ref("themes", "theme with a strengthened approach", required=True)
    ministry: str = ref("organisations", "lead ministry responsible", required=True)
    cycle: str = ref("cycles", "strategy cycle", required=True)
    decision: str | None = ref("decisions", "the tier decision it follows from")
    goals: str | None = text("goals")
    measures: tuple[str, ...] = refs("measures", "measures")
    partners: tuple[str, ...] = refs(
        "organisations", "partners: municipalities, civil society, businesses, international"
    )
    status: ConcretisationStatus = enum(ConcretisationStatus, "status", required=True)
    note: str | None = text("note")


@_record
class Milestone(Marked):
    """A dated step of a measure or of a concretisation record."""

    key: str = key()
    title: str = text("title", required=True)
    measure: str | None = ref("measures", "the measure it belongs to")
    concretisation: str | None = ref("concretisations", "the concretisation it belongs to")
    due_on: dt.date = date("due date", required=True)
    done_on: dt.date | None = date("date reached")
    note: str | None = text("note")


@_record
class CapabilityNeed(Marked):
    """Capability analysis: how well a capability a scenario needs exists, on the
    capability scale (reference data); the shortfall is the gap."""

    key: str = derived_key()
    scenario: str = ref("scenarios", "scenario", required=True)
    capability: str = ref("capabilities", "capability needed", required=True)
    needed: str = text("level needed, on the capability scale", required=True)
    current: str = text("level that exists now, on the capability scale", required=True)
    note: str | None = text("evidence: exercises, evaluations, inspections")


@_record
class TierRule(Marked):
    """One rule of a cycle's tier proposals; a cycle without rules uses the default set
    (reference data). Rules are tried by position; the first that holds proposes."""

    key: str = derived_key()
    cycle: str = ref("cycles", "strategy cycle", required=True)
    name: str = text("rule name: lower-case letters, digits, hyphens", required=True)
    position: int = integer("order of evaluation", minimum=1, maximum=999)
    tier: Tier = enum(Tier, "tier proposed when the rule holds", required=True)
    question: int = integer(
        "the strategy's question it answers: 1 comprehensive approach, 2 still effective",
        minimum=1,
        maximum=2,
    )
    match: RuleMatch = enum(RuleMatch, "any or all of the conditions", required=True)
    conditions: str = text(
        "conditions separated by ';', e.g. risk_quantile >= 0.75; threat_level >= substantial",
        required=True,
    )
    reason: str = text("plain-language reason shown with the proposal", required=True)


@_record
class ThreatPicture(Marked):
    """A dated threat assessment with a level on one scale. Pictures are the history of
    a scope's level: written by a level change, never edited after."""

    key: str = key()
    title: str = text("title", required=True)
    system: str = text("level scale, e.g. dtn, atb or cyber", required=True)
    level: int = integer("level on the scale", minimum=1, maximum=9)
    issued_on: dt.date = date("date issued", required=True)
    effective_at: dt.datetime | None = moment("when the level took effect")
    previous_level: int | None = _f(
        FieldKind.INT, "the scope's level before this picture", minimum=1, maximum=9
    )
    theme: str | None = ref("themes", "theme")
    sector: str | None = text("sector (for sector scales)")
    region: str | None = text("region, for a level that holds for part of the country")
    site: str | None = text("site or object, for advice per object")
    issuer: str | None = ref("organisations", "issuing organisation")
    summary: str | None = text("summary")
    rationale: str | None = text("why the level changed; required for a change")
    sources: str | None = text("sources")


@_record
class AlertMeasure(Marked):
    """A measure agreed in advance: taken by an organisation, in a sector (every scope
    of the scale when blank), from a level up."""

    key: str = key()
    title: str = text("what is done", required=True)
    scale: str = text("level scale, e.g. atb", required=True)
    sector: str | None = text("sector it is agreed for (blank: every scope of the scale)")
    from_level: int = integer("lowest level at which it applies", minimum=1, maximum=9)
    organisation: str = ref("organisations", "organisation that takes it", required=True)
    description: str | None = text("description")


@_record
class LevelState(Marked):
    """The current level of one scope, and the picture that set it."""

    key: str = key()
    scale: str = text("level scale", required=True)
    sector: str | None = text("sector")
    region: str | None = text("region")
    site: str | None = text("site or object")
    level: int = integer("current level", minimum=1, maximum=9)
    # Optional only so that a reader not cleared for the picture still sees the level.
    picture: str | None = ref("threat_pictures", "picture that set it")
    since: dt.datetime = moment("in force since", required=True)
    theme: str | None = ref("themes", "theme")


@_record
class Activation(Marked):
    """A pre-agreed measure in force for a scope from one level change to another."""

    key: str = key()
    measure: str = ref("alert_measures", "pre-agreed measure", required=True)
    state: str = ref("level_states", "scope", required=True)
    # Optional only so that those who take the measure see it in force even when the
    # picture behind the change is classified above their clearance.
    activated_by: str | None = ref("threat_pictures", "change that switched it on")
    since: dt.datetime = moment("active since", required=True)
    ended_by: str | None = ref("threat_pictures", "change that switched it off")
    until: dt.datetime | None = moment("active until (blank: still active)")


@_record
class VitalProcess(Marked):
    """A process of the national list of vital processes, nationwide or for one region,
    with what its outage costs: the people it serves and the money per hour."""

    key: str = key()
    name: str = text("name", required=True)
    sector: str = text("sector", required=True)
    category: VitalCategory = enum(VitalCategory, "category A or B", required=True)
    operator: str | None = ref("organisations", "operating organisation")
    region: str | None = text("region it serves (blank: the whole country)")
    people_served: float | None = number("people who depend on it", minimum=0)
    basic_need: BasicNeed | None = enum(
        BasicNeed, "its outage leaves people without basic necessities (criterion 2.3)"
    )
    restart_hours: float | None = number("hours to restart once its supplies are back", minimum=0)
    restart_hours_high: float | None = number("longest restart, hours", minimum=0)
    cost_per_hour: float | None = number("cost of its outage per hour, EUR", minimum=0)
    description: str | None = text("description")


@_record
class Dependency(Marked):
    """One vital process needing another: the dependent fails when the supplier has been
    down longer than the dependent's buffer, after the lag the effect takes to arrive."""

    key: str = derived_key()
    supplier: str = ref("vital_processes", "the process supplied from", required=True)
    dependent: str = ref("vital_processes", "the process that needs it", required=True)
    kind: DependencyKind = enum(DependencyKind, "what is supplied", required=True)
    strength: float | None = number(
        "probability that losing the supply takes the dependent down (blank: 1)",
        minimum=0.01,
        maximum=1,
    )
    lag_hours: float | None = number("hours before the effect arrives (blank: 0)", minimum=0)
    lag_hours_high: float | None = number("longest lag, hours", minimum=0)
    buffer_hours: float | None = number(
        "hours the dependent bridges without it: stock, backup (blank: 0)", minimum=0
    )
    buffer_hours_high: float | None = number("longest buffer, hours", minimum=0)
    note: str | None = text("why: sources, reasoning")


@_record
class Expertise(Marked):
    """An organisation that holds knowledge of a vital process."""

    key: str = derived_key()
    process: str = ref("vital_processes", "vital process", required=True)
    organisation: str = ref("organisations", "organisation with the knowledge", required=True)
    topic: str = text("what it knows: design, dependencies, recovery, …", required=True)
    contact: str | None = text("how to reach the experts")


@_record
class Signal(Marked):
    """A horizon-scanning item: one report of an event by one source. Repeats of an
    event by other sources point at its first report, so the event counts once with
    all its sources."""

    key: str = key()
    title: str = text("title", required=True)
    published_on: dt.date = date("date published", required=True)
    source: str = text("source", required=True)
    url: str | None = text("address")
    language: Language = enum(Language, "language", required=True)
    theme: str | None = ref("themes", "theme")
    summary: str | None = text("summary")
    kind: SignalKind | None = enum(SignalKind, "news, report, campaign or indicator (blank: news)")
    external_id: str | None = text("the source's own id: feed guid, STIX or MISP id")
    fingerprint: str | None = text("SHA-256 of the normalised text; equal for exact repeats")
    duplicate_of: str | None = ref("signals", "the first report of the same event")
    theme_by: ThemeSource | None = enum(ThemeSource, "who set the theme: model or analyst")
    theme_confidence: float | None = number(
        "the model's probability of the theme", minimum=0, maximum=1
    )
    actors: tuple[str, ...] = refs("actors", "actors it names")
    scenarios: tuple[str, ...] = refs("scenarios", "scenarios it bears on")


@_record
class Alert(Marked):
    """A theme whose signals grow, or signals that fit no theme: with the evidence and
    the scenarios to reassess."""

    key: str = key()
    kind: AlertKind = enum(AlertKind, "growing theme or possible new threat", required=True)
    title: str = text("what was found", required=True)
    theme: str | None = ref("themes", "the growing theme")
    since: dt.date = date("the signals rose from", required=True)
    detected_on: dt.date = date("raised on", required=True)
    status: AlertStatus = enum(AlertStatus, "open, flagged or dismissed", required=True)
    signals: tuple[str, ...] = refs("signals", "the signals behind it")
    scenarios: tuple[str, ...] = refs("scenarios", "scenarios to reassess")
    round: str | None = ref("rounds", "the round its scenarios are flagged for")
    note: str | None = text("the analyst's note")


@_record
class ImpactScore(Marked):
    """One scenario's score on one impact criterion in one round: a class (with
    lowest and highest) or a quantity (with low and high, and a duration for
    criteria read off a table)."""

    key: str = derived_key()
    round: str = ref("rounds", "assessment round", required=True)
    scenario: str = ref("scenarios", "scenario", required=True)
    criterion: str = text("criterion code of the round's edition, e.g. 2.1", required=True)
    expected: str | None = text("expected class (EV), e.g. C or Chigh")
    lowest: str | None = text("lowest class (LL); default the expected class")
    highest: str | None = text("highest class (UL); default the expected class")
    quantity: float | None = number("expected quantity, in the criterion's unit", minimum=0)
    quantity_low: float | None = number("lowest quantity", minimum=0)
    quantity_high: float | None = number("highest quantity", minimum=0)
    duration: float | None = number("expected duration (table criteria), days", minimum=0)
    duration_low: float | None = number("shortest duration, days", minimum=0)
    duration_high: float | None = number("longest duration, days", minimum=0)
    note: str | None = text("why this score: sources, reasoning")


@_record
class LikelihoodScore(Marked):
    """One scenario's likelihood in one round: a probability over a horizon (hazards),
    or a class (threats: how concrete the indications of intent and capability are)."""

    key: str = derived_key()
    round: str = ref("rounds", "assessment round", required=True)
    scenario: str = ref("scenarios", "scenario", required=True)
    expected: str | None = text("expected class, e.g. C or Chigh")
    lowest: str | None = text("lowest class; default the expected class")
    highest: str | None = text("highest class; default the expected class")
    probability: float | None = number(
        "probability of occurring within horizon_years", minimum=0, maximum=1
    )
    probability_low: float | None = number("lowest probability", minimum=0, maximum=1)
    probability_high: float | None = number("highest probability", minimum=0, maximum=1)
    horizon_years: float | None = number(
        "horizon of the probabilities, years (default: the scenario's)", minimum=0.01, maximum=100
    )
    note: str | None = text("why this score: sources, reasoning")


@dataclass(frozen=True, slots=True)
class EntitySpec:
    """One entity of the register: its names, record class and field descriptions."""

    name: str  # plural, as in files and the CLI: "scenarios"
    singular: str
    record: type[Any]
    label_field: str  # the field people recognise a record by
    fields: tuple[FieldSpec, ...]
    # Fields whose values, joined by "/", make the key (scores: round/scenario/criterion);
    # empty for entities whose key people choose.
    identity: tuple[str, ...] = ()
    # The one use case that writes its records, for entities that must stay in step
    # with others (a level, its picture and the measures it switched); None: any.
    written_by: str | None = None

    def derive_key(self, values: Mapping[str, Value]) -> str:
        return "/".join(str(values[name]) for name in self.identity)

    def field(self, name: str) -> FieldSpec:
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)

    @property
    def list_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.kind is FieldKind.REFS)

    @property
    def scalar_fields(self) -> tuple[FieldSpec, ...]:
        return tuple(f for f in self.fields if f.kind is not FieldKind.REFS)

    def build(self, values: Mapping[str, Value]) -> Any:
        return self.record(**values)


def _specs(cls: type[Any]) -> tuple[FieldSpec, ...]:
    out = []
    # The marking comes last in files and tables, after the entity's own fields.
    for f in sorted(dataclasses.fields(cls), key=lambda f: f.name in MARKING_FIELDS):
        kind, help, required, kw, default = f.metadata[_META]
        out.append(FieldSpec(f.name, kind, required, help, default=default, **kw))
    return tuple(out)


def _entity(
    name: str,
    singular: str,
    cls: type[Any],
    label: str,
    identity: tuple[str, ...] = (),
    *,
    written_by: str | None = None,
) -> EntitySpec:
    return EntitySpec(name, singular, cls, label, _specs(cls), identity, written_by)


_LEVELS = "a level change (`weerbaar levels set`, the levels page or POST /api/v1/levels)"


ENTITIES: tuple[EntitySpec, ...] = (
    _entity("organisations", "organisation", Organisation, "name"),
    _entity("cycles", "cycle", Cycle, "name"),
    _entity("rounds", "round", Round, "name"),
    _entity("themes", "theme", Theme, "name"),
    _entity("threats", "threat", Threat, "name"),
    _entity("actors", "actor", Actor, "name"),
    _entity("scenarios", "scenario", Scenario, "title"),
    _entity("capabilities", "capability", Capability, "name"),
    _entity("measures", "measure", Measure, "title"),
    _entity("decisions", "decision", Decision, "theme"),
    _entity("concretisations", "concretisation", Concretisation, "theme"),
    _entity("milestones", "milestone", Milestone, "title"),
    _entity(
        "capability_needs", "capability need", CapabilityNeed, "needed", ("scenario", "capability")
    ),
    _entity("tier_rules", "tier rule", TierRule, "name", ("cycle", "name")),
    _entity("threat_pictures", "threat picture", ThreatPicture, "title", written_by=_LEVELS),
    _entity("alert_measures", "pre-agreed measure", AlertMeasure, "title"),
    _entity("level_states", "level state", LevelState, "key", written_by=_LEVELS),
    _entity("activations", "measure activation", Activation, "measure", written_by=_LEVELS),
    _entity("vital_processes", "vital process", VitalProcess, "name"),
    _entity("dependencies", "dependency", Dependency, "kind", ("supplier", "dependent")),
    _entity("expertise", "expertise", Expertise, "topic", ("process", "organisation")),
    _entity("signals", "signal", Signal, "title"),
    _entity("alerts", "alert", Alert, "title"),
    _entity(
        "impact_scores", "impact score", ImpactScore, "expected", ("round", "scenario", "criterion")
    ),
    _entity(
        "likelihood_scores", "likelihood score", LikelihoodScore, "expected", ("round", "scenario")
    ),
)

BY_NAME: dict[str, EntitySpec] = {e.name: e for e in ENTITIES}


def entity(name: str) -> EntitySpec:
    try:
        return BY_NAME[name]
    except KeyError:
        known = ", ".join(BY_NAME)
        raise KeyError(f"unknown entity {name!r}; known: {known}") from None


def values_of(record: Any) -> dict[str, Value]:
    fields = sorted(dataclasses.fields(record), key=lambda f: f.name in MARKING_FIELDS)
    return {f.name: getattr(record, f.name) for f in fields}
