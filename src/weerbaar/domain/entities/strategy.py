"""The strategy register: organisations, cycles and rounds, themes and the threats,
actors and scenarios under them, capabilities, measures, tier decisions and their
concretisation."""

from __future__ import annotations

import datetime as dt

from weerbaar.domain.entities.base import (
    Marked,
    date,
    derived_key,
    english,
    enum,
    integer,
    key,
    number,
    record,
    ref,
    refs,
    text,
)
from weerbaar.domain.enums import (
    ActorKind,
    ConcretisationStatus,
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
    Tier,
)

__all__ = [
    "Actor",
    "Capability",
    "CapabilityNeed",
    "Concretisation",
    "Cycle",
    "Decision",
    "Measure",
    "Milestone",
    "Organisation",
    "Round",
    "Scenario",
    "Theme",
    "Threat",
    "TierRule",
]


@record
class Cycle(Marked):
    """A strategy cycle, e.g. the National Security Strategy 2019–2022."""

    key: str = key()
    name: str = text("name of the cycle", required=True)
    name_en: str | None = english("name")
    starts_on: dt.date = date("first day", required=True)
    ends_on: dt.date = date("last day", required=True)
    description: str | None = text("description")
    description_en: str | None = english("description")


@record
class Round(Marked):
    """An assessment round inside a cycle; old rounds stay readable."""

    key: str = key()
    cycle: str = ref("cycles", "the strategy cycle", required=True)
    name: str = text("name of the round", required=True)
    name_en: str | None = english("name")
    held_on: dt.date = date("date of the round", required=True)
    edition: str = text("criteria catalogue edition, e.g. gra-2019", required=True)
    status: RoundStatus = enum(RoundStatus, "open or closed", required=True)


@record
class Organisation(Marked):
    key: str = key()
    name: str = text("official (Dutch) name", required=True)
    name_en: str | None = text("English name")
    abbreviation: str | None = text("abbreviation, e.g. JenV")
    kind: OrgKind = enum(OrgKind, "kind of organisation", required=True)
    parent: str | None = ref("organisations", "parent organisation")
    country: str | None = text("ISO 3166 alpha-2 country code")
    description: str | None = text("description")
    description_en: str | None = english("description")


@record
class Theme(Marked):
    """A national security issue and the tier of its approach."""

    key: str = key()
    name: str = text("Dutch name", required=True)
    name_en: str = text("English name", required=True)
    tier: Tier = enum(Tier, "current tier", required=True)
    lead: str | None = ref("organisations", "lead ministry")
    approach: str | None = text("what the approach consists of")
    approach_en: str | None = english("approach")
    description: str | None = text("description")
    description_en: str | None = english("description")


@record
class Threat(Marked):
    """A risk category under a theme."""

    key: str = key()
    theme: str = ref("themes", "theme", required=True)
    name: str = text("Dutch name", required=True)
    name_en: str | None = text("English name")
    description: str | None = text("description")
    description_en: str | None = english("description")


@record
class Actor(Marked):
    key: str = key()
    name: str = text("name", required=True)
    name_en: str | None = english("name")
    kind: ActorKind = enum(ActorKind, "state or non-state", required=True)
    country: str | None = text("ISO 3166 alpha-2 country code of a state actor")
    intent: Level = enum(Level, "assessed intent", required=True)
    capability: Level = enum(Level, "assessed capability", required=True)
    description: str | None = text("description")
    description_en: str | None = english("description")
    synonyms: str | None = text("other names, separated by semicolons")
    sponsor: str | None = text("suspected state sponsor")
    target_sectors: str | None = text("sectors it targets, separated by semicolons")
    victims: str | None = text("suspected victims, separated by semicolons")
    references: str | None = text("external references (web addresses), one per line")
    external_id: str | None = text("its UUID in a MISP galaxy or ATT&CK")


@record
class Scenario(Marked):
    key: str = key()
    title: str = text("title", required=True)
    title_en: str | None = english("title")
    kind: ScenarioKind = enum(ScenarioKind, "hazard (non-malicious) or threat", required=True)
    theme: str = ref("themes", "theme", required=True)
    threat: str | None = ref("threats", "risk category, of the same theme")
    narrative: str = text("what happens, where, how long", required=True)
    narrative_en: str | None = english("narrative")
    horizon_years: int = integer(
        "time horizon of the likelihood estimate, years", minimum=1, maximum=30, default=5
    )
    actors: tuple[str, ...] = refs("actors", "actors (threat scenarios only)")


@record
class Capability(Marked):
    key: str = key()
    name: str = text("name", required=True)
    name_en: str | None = english("name")
    phase: Phase = enum(Phase, "link in the security chain", required=True)
    owner: str | None = ref("organisations", "owning organisation")
    description: str | None = text("description")
    description_en: str | None = english("description")


@record
class Measure(Marked):
    key: str = key()
    title: str = text("title", required=True)
    title_en: str | None = english("title")
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
    description_en: str | None = english("description")


@record
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
    rationale_en: str | None = english("rationale")
    proposed_tier: Tier | None = enum(Tier, "tier the rules proposed when deciding")
    proposal_rule: str | None = text("the rule that gave the proposal")
    proposal_reasons: str | None = text("the proposal's reasons, as shown when deciding")
    deviation: str | None = text("why the decision differs from the proposal")


@record
class Concretisation(Marked):
    """How a lead ministry concretises a strengthened approach: goals, measures,
    partners and milestones. Not yet concretised while it lacks goals or measures."""

    key: str = key()
    theme: str = ref("themes", "theme with a strengthened approach", required=True)
    ministry: str = ref("organisations", "lead ministry responsible", required=True)
    cycle: str = ref("cycles", "strategy cycle", required=True)
    decision: str | None = ref("decisions", "the tier decision it follows from")
    goals: str | None = text("goals")
    goals_en: str | None = english("goals")
    measures: tuple[str, ...] = refs("measures", "measures")
    partners: tuple[str, ...] = refs(
        "organisations", "partners: municipalities, civil society, businesses, international"
    )
    status: ConcretisationStatus = enum(ConcretisationStatus, "status", required=True)
    note: str | None = text("note")
    note_en: str | None = english("note")


@record
class Milestone(Marked):
    """A dated step of a measure or of a concretisation record."""

    key: str = key()
    title: str = text("title", required=True)
    title_en: str | None = english("title")
    measure: str | None = ref("measures", "the measure it belongs to")
    concretisation: str | None = ref("concretisations", "the concretisation it belongs to")
    due_on: dt.date = date("due date", required=True)
    done_on: dt.date | None = date("date reached")
    note: str | None = text("note")
    note_en: str | None = english("note")


@record
class CapabilityNeed(Marked):
    """Capability analysis: how well a capability a scenario needs exists, on the
    capability scale (reference data); the shortfall is the gap."""

    key: str = derived_key()
    scenario: str = ref("scenarios", "scenario", required=True)
    capability: str = ref("capabilities", "capability needed", required=True)
    needed: str = text("level needed, on the capability scale", required=True)
    current: str = text("level that exists now, on the capability scale", required=True)
    note: str | None = text("evidence: exercises, evaluations, inspections")
    note_en: str | None = english("note")


@record
class TierRule(Marked):
    """One rule of a cycle's tier proposals; a cycle without rules uses the default set
    (reference data). Rules are tried by position; the first that holds proposes."""

    key: str = derived_key()
    cycle: str = ref("cycles", "strategy cycle", required=True)
    name: str = text("rule name: lower-case letters, digits, hyphens", required=True)
    position: int = integer("order of evaluation", minimum=1, maximum=999)
    tier: Tier = enum(Tier, "tier proposed when the rule holds", required=True)
    question: int = integer(
        "the step it answers: 0 national attention, 1 comprehensive approach, 2 still effective",
        minimum=0,
        maximum=2,
    )
    match: RuleMatch | None = enum(
        RuleMatch, "older rules only: any or all of conditions separated by ';'"
    )
    conditions: str = text(
        "a condition, e.g. any(risk_class >= 6, threat_level >= substantial); "
        "combine with all(…), any(…), not(…)",
        required=True,
    )
    reason: str = text("plain-language reason shown with the proposal", required=True)
