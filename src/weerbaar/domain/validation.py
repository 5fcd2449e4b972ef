"""Turning raw rows into records, and the rules a record must meet.

Pure: whatever the rules need to know about other records comes in through a
:class:`Lookup`, so the same checks run on a file being imported (records in the
file plus those in the database) and on a single edit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from weerbaar.domain.alerting_rules import level_problems
from weerbaar.domain.entities.scores import ImpactScore, LikelihoodScore
from weerbaar.domain.entities.signals import Source
from weerbaar.domain.entities.strategy import Organisation, Round, Scenario
from weerbaar.domain.enums import ScenarioKind
from weerbaar.domain.fields import FieldKind, FieldValueError, Value, coerce
from weerbaar.domain.infrastructure_rules import infrastructure_problems
from weerbaar.domain.portfolio_rules import portfolio_problems
from weerbaar.domain.register import EntitySpec
from weerbaar.domain.score_rules import criterion_kind, impact_problems, likelihood_problems
from weerbaar.domain.source_rules import source_problems
from weerbaar.errors import Issue, message_of, said


class Lookup(Protocol):
    def get(self, entity: str, key: str) -> Any | None:
        """The record of that entity with that key, or None."""


@dataclass(frozen=True, slots=True)
class Reference:
    """What the rules need from the reference data."""

    editions: frozenset[str]
    level_ranges: Mapping[str, tuple[int, int]]  # per level scale
    # edition → criterion code → kind ("quantity", "matrix" or "qualitative")
    criterion_kinds: Mapping[str, Mapping[str, str]]
    classifications: tuple[str, ...] = ("public",)
    capability_levels: tuple[str, ...] = ()


def parse_row(
    spec: EntitySpec, raw: Mapping[str, object], place: str
) -> tuple[Any | None, list[Issue]]:
    """Coerce every field of one raw row; return the record, or None and the issues."""
    issues: list[Issue] = []
    for name in raw:
        if name not in spec.field_names:
            issues.append(
                Issue(place, str(name), said("unknown column for %(entity)s", entity=spec.name))
            )
    values: dict[str, Value] = {}
    for field in spec.fields:
        if spec.identity and field.kind is FieldKind.KEY:
            continue
        try:
            values[field.name] = coerce(field, raw.get(field.name))
        except FieldValueError as exc:
            issues.append(Issue(place, field.name, message_of(exc)))
    if issues:
        return None, issues
    if spec.identity:
        derived = spec.derive_key(values)
        given = raw.get("key")
        if given not in (None, "") and given != derived:
            return None, [
                Issue(
                    place,
                    "key",
                    said(
                        "key %(given)s does not match its fields; it would be %(derived)s",
                        given=repr(given),
                        derived=repr(derived),
                    ),
                )
            ]
        values["key"] = derived
    return spec.build(values), []


def check_record(
    spec: EntitySpec, record: Any, lookup: Lookup, reference: Reference, place: str
) -> list[Issue]:
    """References resolve, and the entity's own rules hold."""
    issues = [Issue(place, f, reason) for f, reason in _dangling(spec, record, lookup)]
    issues += [Issue(place, f, reason) for f, reason in _rules(record, lookup, reference)]
    if record.classification not in reference.classifications:
        known = ", ".join(reference.classifications)
        issues.append(
            Issue(
                place,
                "classification",
                said(
                    "unknown classification %(classification)s; known: %(known)s",
                    classification=repr(record.classification),
                    known=known,
                ),
            )
        )
    return issues


def _dangling(spec: EntitySpec, record: Any, lookup: Lookup) -> list[tuple[str, str]]:
    out = []
    for field in spec.fields:
        if not field.is_reference:
            continue
        assert field.target is not None
        value = getattr(record, field.name)
        keys = value if field.kind is FieldKind.REFS else (value,) if value else ()
        for key in keys:
            if lookup.get(field.target, key) is None:
                out.append(
                    (
                        field.name,
                        said(
                            "unknown reference: no %(entity)s %(key)s",
                            entity=field.target,
                            key=repr(key),
                        ),
                    )
                )
    return out


def _rules(record: Any, lookup: Lookup, reference: Reference) -> list[tuple[str, str]]:
    portfolio = portfolio_problems(record, lookup, reference.capability_levels)
    if portfolio is not None:
        return portfolio
    levels = level_problems(record, reference.level_ranges)
    if levels is not None:
        return levels
    infrastructure = infrastructure_problems(record)
    if infrastructure is not None:
        return infrastructure
    match record:
        case Scenario():
            return _scenario_rules(record, lookup)
        case Round():
            if record.edition not in reference.editions:
                known = ", ".join(sorted(reference.editions))
                return [
                    (
                        "edition",
                        said(
                            "unknown edition %(edition)s; known: %(known)s",
                            edition=repr(record.edition),
                            known=known,
                        ),
                    )
                ]
        case Organisation():
            return _parent_rules(record, lookup)
        case Source():
            return source_problems(record)
        case ImpactScore():
            round_ = lookup.get("rounds", record.round)
            if round_ is None:
                return []
            kind = criterion_kind(reference.criterion_kinds, round_.edition, record.criterion)
            return impact_problems(record, kind, round_.edition)
        case LikelihoodScore():
            return likelihood_problems(record)
        case _ if hasattr(record, "ends_on") and hasattr(record, "starts_on"):
            if record.ends_on < record.starts_on:
                return [("ends_on", said("ends before it starts"))]
    return []


def _scenario_rules(record: Scenario, lookup: Lookup) -> list[tuple[str, str]]:
    out = []
    if record.actors and record.kind is not ScenarioKind.THREAT:
        out.append(("actors", said("only threat scenarios have actors")))
    if record.threat:
        threat = lookup.get("threats", record.threat)
        if threat is not None and threat.theme != record.theme:
            out.append(
                (
                    "threat",
                    said(
                        "threat %(threat)s belongs to theme %(belongs)s, not %(theme)s",
                        threat=repr(record.threat),
                        belongs=repr(threat.theme),
                        theme=repr(record.theme),
                    ),
                )
            )
    return out


def _parent_rules(record: Organisation, lookup: Lookup) -> list[tuple[str, str]]:
    seen = {record.key}
    parent = record.parent
    while parent:
        if parent in seen:
            return [("parent", said("parent chain loops back to %(key)s", key=repr(parent)))]
        seen.add(parent)
        found = lookup.get("organisations", parent)
        parent = found.parent if found is not None else None
    return []
