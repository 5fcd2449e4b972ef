"""An expert's score read as the method reads a round's score: checked by the same
rules (a criterion of the round's catalogue, a class or a quantity on its scale, a
range around the expected value) and turned into classes by the same thresholds."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Connection

from weerbaar.domain.entities.scores import ImpactScore, LikelihoodScore
from weerbaar.domain.register import entity
from weerbaar.domain.sessions import LIKELIHOOD
from weerbaar.domain.validation import Lookup, check_record, parse_row
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.method.resolve import Resolved, resolve_impact, resolve_likelihood
from weerbaar.reference.method import editions, scales_for
from weerbaar.reference.validation import rule_reference
from weerbaar.storage.repository import Repository

IMPACT_FIELDS = (
    "expected",
    "lowest",
    "highest",
    "quantity",
    "quantity_low",
    "quantity_high",
    "duration",
    "duration_low",
    "duration_high",
)
LIKELIHOOD_FIELDS = (
    "expected",
    "lowest",
    "highest",
    "probability",
    "probability_low",
    "probability_high",
)


def fields_for(criterion: str) -> tuple[str, ...]:
    return LIKELIHOOD_FIELDS if criterion == LIKELIHOOD else IMPACT_FIELDS


def as_round_score(
    round_key: str, scenario: str, criterion: str, values: Mapping[str, object]
) -> dict[str, object]:
    """The raw round score these values would make (what a conclusion writes)."""
    raw: dict[str, object] = {"round": round_key, "scenario": scenario}
    if criterion != LIKELIHOOD:
        raw["criterion"] = criterion
    raw.update({name: values.get(name) for name in fields_for(criterion)})
    return raw


class Resolver:
    """Reads expert scores of one round's scenarios."""

    def __init__(self, connection: Connection, round_key: str) -> None:
        self._repo = Repository(connection)
        round_ = self._repo.require("rounds", round_key)
        self.round_key = round_key
        self._scales = scales_for(editions()[round_.edition])
        self._horizons: dict[str, float] = {}

    def checked(
        self, scenario: str, criterion: str, values: Mapping[str, object], lookup: Lookup
    ) -> ImpactScore | LikelihoodScore:
        """The values as a round score, or a validation error saying what is wrong."""
        spec = entity("likelihood_scores" if criterion == LIKELIHOOD else "impact_scores")
        record, issues = parse_row(
            spec, as_round_score(self.round_key, scenario, criterion, values), ""
        )
        if record is not None:
            issues = check_record(spec, record, lookup, rule_reference(), "")
        if record is not None and not issues and self.resolved(scenario, criterion, values) is None:
            issues = [Issue("", "expected", said("give a class or a number"))]
        if issues:
            raise ValidationError(issues, summary=said("score not saved"))
        assert isinstance(record, ImpactScore | LikelihoodScore)
        return record

    def resolved(
        self, scenario: str, criterion: str, values: Mapping[str, object]
    ) -> Resolved | None:
        """The classes of a stored expert score; None if it cannot be read (a score
        given under a catalogue the round no longer uses)."""
        spec = entity("likelihood_scores" if criterion == LIKELIHOOD else "impact_scores")
        record, issues = parse_row(
            spec, as_round_score(self.round_key, scenario, criterion, values), ""
        )
        if record is None or issues:
            return None
        try:
            return self._resolve(record)
        except (KeyError, ValueError):
            return None

    def _resolve(self, record: Any) -> Resolved:
        if isinstance(record, LikelihoodScore):
            if record.expected is None and record.probability is None:
                raise ValueError("empty")
            return resolve_likelihood(
                record,
                self._scales.likelihood,
                self._horizon(record.scenario),
                self._scales.classes.high_from,
            )
        if record.expected is None and record.quantity is None:
            raise ValueError("empty")
        return resolve_impact(record, self._scales.scale(record.criterion), self._scales.classes)

    def _horizon(self, scenario: str) -> float:
        if scenario not in self._horizons:
            self._horizons[scenario] = self._repo.require("scenarios", scenario).horizon_years
        return self._horizons[scenario]
