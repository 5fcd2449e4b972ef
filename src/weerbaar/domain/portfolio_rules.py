"""The rules records of the measures portfolio and the tier decisions must meet.

Pure, like :mod:`weerbaar.domain.validation` (which calls in here): what they need of
other records comes through its lookup.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from weerbaar.domain.entities.strategy import (
    CapabilityNeed,
    Concretisation,
    Decision,
    Measure,
    Milestone,
    TierRule,
)
from weerbaar.domain.enums import MeasureKind, OrgKind
from weerbaar.domain.fields import KEY_PATTERN
from weerbaar.domain.tiering import RuleError, parse_conditions

Problems = list[tuple[str, str]]

_LEGISLATIVE_FIELDS = ("practitioners_consulted", "rule_of_law_review", "legislative_stage")


if TYPE_CHECKING:  # validation imports this module: only its type is needed here
    from weerbaar.domain.validation import Lookup


def portfolio_problems(
    record: object, lookup: Lookup, capability_levels: tuple[str, ...]
) -> Problems | None:
    """The problems of a portfolio record; None for a record of another entity."""
    match record:
        case Measure():
            return _measure(record)
        case Decision():
            return _decision(record)
        case Concretisation():
            return _concretisation(record, lookup)
        case Milestone():
            return _milestone(record, lookup)
        case CapabilityNeed():
            return _capability_need(record, capability_levels)
        case TierRule():
            return _tier_rule(record)
    return None


def _measure(record: Measure) -> Problems:
    out: Problems = []
    if record.kind is MeasureKind.LEGISLATIVE:
        if record.legislative_stage is None:
            out.append(("legislative_stage", "a legislative item needs its legislative stage"))
    else:
        for name in _LEGISLATIVE_FIELDS:
            if getattr(record, name) is not None:
                out.append((name, f"only legislative items have it, not a {record.kind} measure"))
    if record.starts_on and record.due_on and record.due_on < record.starts_on:
        out.append(("due_on", f"due {record.due_on} before it starts on {record.starts_on}"))
    return out


def _decision(record: Decision) -> Problems:
    differs = record.proposed_tier is not None and record.proposed_tier != record.tier
    if differs and not (record.deviation or "").strip():
        return [
            (
                "deviation",
                f"the rules proposed {record.proposed_tier}, the decision is {record.tier}:"
                " say why the decision differs",
            )
        ]
    return []


def _concretisation(record: Concretisation, lookup: Lookup) -> Problems:
    out: Problems = []
    ministry = lookup.get("organisations", record.ministry)
    if ministry is not None and ministry.kind is not OrgKind.MINISTRY:
        out.append(("ministry", f"{record.ministry!r} is a {ministry.kind}, not a ministry"))
    if record.decision:
        decision = lookup.get("decisions", record.decision)
        if decision is not None and decision.theme != record.theme:
            out.append(
                (
                    "decision",
                    f"decision {record.decision!r} is about theme {decision.theme!r}, "
                    f"not {record.theme!r}",
                )
            )
    return out


def _milestone(record: Milestone, lookup: Lookup) -> Problems:
    if bool(record.measure) == bool(record.concretisation):
        return [("measure", "a milestone belongs to one measure or one concretisation")]
    if record.measure:
        measure = lookup.get("measures", record.measure)
        if measure is not None and measure.starts_on and record.due_on < measure.starts_on:
            return [
                (
                    "due_on",
                    f"due {record.due_on}, before its measure {record.measure!r} starts "
                    f"on {measure.starts_on}",
                )
            ]
    return []


def _capability_need(record: CapabilityNeed, levels: tuple[str, ...]) -> Problems:
    known = ", ".join(levels)
    return [
        (name, f"unknown capability level {getattr(record, name)!r}; known: {known}")
        for name in ("needed", "current")
        if getattr(record, name) not in levels
    ]


def _tier_rule(record: TierRule) -> Problems:
    if not KEY_PATTERN.fullmatch(record.name):
        return [("name", f"bad rule name {record.name!r}: lower-case letters, digits, hyphens")]
    try:
        parse_conditions(record.name, record.conditions)
    except RuleError as exc:
        return [("conditions", str(exc))]
    return []
