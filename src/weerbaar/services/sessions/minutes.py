"""The minutes of a session: who took part (by organisation), and per scenario and
criterion how far the experts lay apart, the outcome and its reasoning. The minutes
name no expert's own score: the spread, not who said what, is on record.

They exist once the session is concluded; before that only its chair (and the local
operator) may read them as a draft, since the spread would otherwise tell experts
still scoring what the others think.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from weerbaar.domain.access import Subject
from weerbaar.domain.catalogue import Criterion
from weerbaar.domain.entities.strategy import Round, Scenario
from weerbaar.domain.sessions import LIKELIHOOD, SessionStatus
from weerbaar.errors import NotFoundError
from weerbaar.reference.method import editions
from weerbaar.services.sessions.reading import (
    SessionView,
    criteria_views,
    outcome_rows,
    readable_scores,
    view_of,
    visible_row,
)
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import users


@dataclass(frozen=True, slots=True)
class Person:
    name: str
    organisation: str  # the organisation's name, as the register writes it
    organisation_en: str | None


@dataclass(frozen=True, slots=True)
class CriterionMinutes:
    code: str  # a catalogue code, or "likelihood"
    criterion: Criterion | None  # None for the likelihood
    experts: int
    spread: int | None  # whole classes between the lowest and highest expected class
    flagged: bool
    range_seen: str  # the experts' expected classes, lowest to highest: "B – D"
    outcome: str  # "C (B – D)", or the number given
    aggregate: bool  # the chair took the proposed aggregate
    rationale: str


@dataclass(frozen=True, slots=True)
class ScenarioMinutes:
    scenario: Scenario
    criteria: tuple[CriterionMinutes, ...]


@dataclass(frozen=True, slots=True)
class Minutes:
    session: SessionView
    round: Round
    chair: Person
    participants: tuple[Person, ...]
    scenarios: tuple[ScenarioMinutes, ...]
    scoring_rounds: int
    concluded_at: dt.datetime | None
    draft: bool  # not yet concluded: read by the chair only


def minutes(db: Database, *, subject: Subject | None, session: str) -> Minutes:
    """The session's minutes as ``subject`` may read them."""
    with db.transaction() as connection:
        view = view_of(connection, visible_row(connection, subject, session))
        concluded = view.status is SessionStatus.CONCLUDED
        if not concluded and not view.is_chair(subject):
            # Not yet minuted: as absent as a session the reader may not see.
            raise NotFoundError("session", session)
        repo = Repository(connection)
        round_ = repo.require("rounds", view.round)
        edition = editions().get(round_.edition)
        people = {
            row.username: row
            for row in connection.execute(
                select(users.c.username, users.c.display_name, users.c.organisation).where(
                    users.c.username.in_([view.chair, *(p.username for p in view.participants)])
                )
            ).all()
        }
        orgs = {o.key: o for o in repo.fetch("organisations")}

        def person(username: str) -> Person:
            row = people[username]
            org = orgs.get(row.organisation)
            return Person(
                row.display_name,
                org.name if org is not None else row.organisation,
                None if org is None else org.name_en,
            )

        views = {
            (c.scenario, c.criterion): c
            for c in criteria_views(readable_scores(connection, None, view, view.scoring_round))
        }
        outcomes = {(r.scenario, r.criterion): r for r in outcome_rows(connection, session)}
        scenarios = []
        for key in view.scenarios:
            scenario = repo.require("scenarios", key)
            rows = []
            for cell in sorted(set(views) | set(outcomes)):
                if cell[0] != key:
                    continue
                seen, outcome = views.get(cell), outcomes.get(cell)
                spread = None if seen is None else seen.spread
                rows.append(
                    CriterionMinutes(
                        code=cell[1],
                        criterion=None
                        if cell[1] == LIKELIHOOD or edition is None
                        else edition.criterion(cell[1]),
                        experts=0 if seen is None else len(seen.scores),
                        spread=None if spread is None else spread.classes,
                        flagged=spread is not None and spread.flagged,
                        range_seen=""
                        if spread is None
                        else _range(str(spread.lowest_expected), str(spread.highest_expected)),
                        outcome="" if outcome is None else _outcome(outcome),
                        aggregate=bool(outcome is not None and outcome.aggregate),
                        rationale="" if outcome is None else outcome.rationale,
                    )
                )
            rows.sort(key=lambda r: (r.code == LIKELIHOOD, _code_order(r.code)))
            scenarios.append(ScenarioMinutes(scenario, tuple(rows)))
        return Minutes(
            session=view,
            round=round_,
            chair=person(view.chair),
            participants=tuple(person(p.username) for p in view.participants),
            scenarios=tuple(scenarios),
            scoring_rounds=view.scoring_round,
            concluded_at=view.concluded_at,
            draft=not concluded,
        )


def _code_order(code: str) -> tuple[int, ...]:
    return tuple(int(p) if p.isdigit() else 0 for p in code.split("."))


def _range(low: str, high: str) -> str:
    return low if low == high else f"{low} – {high}"


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _outcome(row: object) -> str:
    for mid, low, high in (
        ("expected", "lowest", "highest"),
        ("quantity", "quantity_low", "quantity_high"),
        ("probability", "probability_low", "probability_high"),
    ):
        value = getattr(row, mid)
        if value is None:
            continue
        shown = value if isinstance(value, str) else _number(value)
        lo, hi = getattr(row, low), getattr(row, high)
        if lo is None and hi is None:
            return shown
        lo_s = shown if lo is None else lo if isinstance(lo, str) else _number(lo)
        hi_s = shown if hi is None else hi if isinstance(hi, str) else _number(hi)
        return f"{shown} ({_range(lo_s, hi_s)})"
    return ""
