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
from weerbaar.domain.enums import MeasureKind, OrgKind, value_said
from weerbaar.domain.fields import KEY_PATTERN
from weerbaar.domain.tiering import RuleError, record_condition
from weerbaar.errors import message_of, said

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
            out.append(
                ("legislative_stage", said("a legislative item needs its legislative stage"))
            )
    else:
        for name in _LEGISLATIVE_FIELDS:
            if getattr(record, name) is not None:
                out.append(
                    (
                        name,
                        said(
                            "only legislative items have it, not a %(kind)s measure",
                            kind=value_said(record.kind),
                        ),
                    )
                )
    if record.starts_on and record.due_on and record.due_on < record.starts_on:
        out.append(
            (
                "due_on",
                said(
                    "due %(due)s before it starts on %(start)s",
                    due=record.due_on,
                    start=record.starts_on,
                ),
            )
        )
    return out


def _decision(record: Decision) -> Problems:
    proposed = record.proposed_tier
    if proposed is not None and proposed != record.tier and not (record.deviation or "").strip():
        return [
            (
                "deviation",
                said(
                    "the rules proposed %(proposed)s, the decision is %(tier)s: say why the "
                    "decision differs",
                    proposed=value_said(proposed),
                    tier=value_said(record.tier),
                ),
            )
        ]
    return []


def _concretisation(record: Concretisation, lookup: Lookup) -> Problems:
    out: Problems = []
    ministry = lookup.get("organisations", record.ministry)
    if ministry is not None and ministry.kind is not OrgKind.MINISTRY:
        out.append(
            (
                "ministry",
                said(
                    "%(key)s is a %(kind)s, not a ministry",
                    key=repr(record.ministry),
                    kind=value_said(ministry.kind),
                ),
            )
        )
    if record.decision:
        decision = lookup.get("decisions", record.decision)
        if decision is not None and decision.theme != record.theme:
            out.append(
                (
                    "decision",
                    said(
                        "decision %(decision)s is about theme %(about)s, not %(theme)s",
                        decision=repr(record.decision),
                        about=repr(decision.theme),
                        theme=repr(record.theme),
                    ),
                )
            )
    return out


def _milestone(record: Milestone, lookup: Lookup) -> Problems:
    if bool(record.measure) == bool(record.concretisation):
        return [("measure", said("a milestone belongs to one measure or one concretisation"))]
    if record.measure:
        measure = lookup.get("measures", record.measure)
        if measure is not None and measure.starts_on and record.due_on < measure.starts_on:
            return [
                (
                    "due_on",
                    said(
                        "due %(due)s, before its measure %(measure)s starts on %(start)s",
                        due=record.due_on,
                        measure=repr(record.measure),
                        start=measure.starts_on,
                    ),
                )
            ]
    return []


def _capability_need(record: CapabilityNeed, levels: tuple[str, ...]) -> Problems:
    known = ", ".join(levels)
    return [
        (
            name,
            said(
                "unknown capability level %(level)s; known: %(known)s",
                level=repr(getattr(record, name)),
                known=known,
            ),
        )
        for name in ("needed", "current")
        if getattr(record, name) not in levels
    ]


def _tier_rule(record: TierRule) -> Problems:
    if not KEY_PATTERN.fullmatch(record.name):
        return [
            (
                "name",
                said(
                    "bad rule name %(name)s: lower-case letters, digits, hyphens",
                    name=repr(record.name),
                ),
            )
        ]
    try:
        record_condition(record.name, record.conditions, record.match)
    except RuleError as exc:
        return [("conditions", message_of(exc))]
    return []
