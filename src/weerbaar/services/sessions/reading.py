"""What a reader may see of expert sessions: the sessions, the experts' scores under
the blind rule, and the disagreement per criterion.

A session is visible to whoever sees its round and every one of its scenarios (a
guest sees the scenarios of their own sessions); to anyone else it does not exist, and
says so as a missing one would.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from weerbaar.domain.access import Subject
from weerbaar.domain.classes import ClassScore
from weerbaar.domain.sessions import (
    LIKELIHOOD,
    Aggregate,
    ExpertClasses,
    SessionStatus,
    Spread,
    aggregate,
    may_see_scores,
    spread_of,
)
from weerbaar.errors import NotFoundError
from weerbaar.method.resolve import Resolved
from weerbaar.reference.sessions import elicitation
from weerbaar.services.sessions.resolving import Resolver
from weerbaar.services.visibility import Visibility, visibility
from weerbaar.storage.db import Database
from weerbaar.storage.tables import (
    expert_scores,
    expert_sessions,
    session_outcomes,
    session_participants,
    session_scenarios,
    session_submissions,
    users,
)

SCORE_FIELDS = (
    "expected",
    "lowest",
    "highest",
    "quantity",
    "quantity_low",
    "quantity_high",
    "duration",
    "duration_low",
    "duration_high",
    "probability",
    "probability_low",
    "probability_high",
)


@dataclass(frozen=True, slots=True)
class Participant:
    username: str
    display_name: str
    organisation: str
    weight: float
    invited: bool
    submitted: bool  # in the session's current scoring round


@dataclass(frozen=True, slots=True)
class SessionView:
    key: str
    round: str
    title: str
    title_en: str | None
    held_on: dt.date
    chair: str
    status: SessionStatus
    scoring_round: int
    scenarios: tuple[str, ...]
    participants: tuple[Participant, ...]
    rationale: str | None
    concluded_by: str | None
    concluded_at: dt.datetime | None
    version: int

    def is_chair(self, subject: Subject | None) -> bool:
        return subject is None or subject.username == self.chair

    def takes_part(self, username: str) -> bool:
        return any(p.username == username for p in self.participants)


@dataclass(frozen=True, slots=True)
class ExpertScoreView:
    session: str
    scenario: str
    criterion: str
    username: str
    scoring_round: int
    values: dict[str, Any]  # expected … probability_high, as given
    confidence: str | None
    rationale: str | None
    scored_at: dt.datetime
    resolved: Resolved | None  # the classes the method gives it

    @property
    def value(self) -> str:
        """What was given, read as one line: a class range or a number range."""
        v = self.values
        for mid, low, high in (
            ("expected", "lowest", "highest"),
            ("quantity", "quantity_low", "quantity_high"),
            ("probability", "probability_low", "probability_high"),
        ):
            if v.get(mid) is not None:
                shown = f"{v[mid]:g}" if isinstance(v[mid], float) else str(v[mid])
                parts = [_shown(v.get(low)), _shown(v.get(high))]
                if any(parts):
                    return f"{shown} ({parts[0] or shown} – {parts[1] or shown})"
                return shown
        return ""


def _shown(value: object) -> str:
    if value is None:
        return ""
    return f"{value:g}" if isinstance(value, float) else str(value)


@dataclass(frozen=True, slots=True)
class CriterionView:
    """One criterion of one scenario as the experts scored it in one scoring round."""

    scenario: str
    criterion: str
    scores: tuple[ExpertScoreView, ...]
    spread: Spread | None
    proposal: Aggregate | None
    lowest: ClassScore | None  # the hull of the experts' ranges
    highest: ClassScore | None


def session_row(connection: Connection, key: str) -> Any:
    row = connection.execute(select(expert_sessions).where(expert_sessions.c.key == key)).first()
    if row is None:
        raise NotFoundError("session", key)
    return row


def visible_row(connection: Connection, subject: Subject | None, key: str) -> Any:
    """The session's row if ``subject`` may see it; not found as a missing one if not."""
    row = connection.execute(select(expert_sessions).where(expert_sessions.c.key == key)).first()
    if row is None or not _sees(visibility(connection, subject), row, _scenarios(connection, key)):
        raise NotFoundError("session", key)
    return row


def _sees(seen: Visibility, row: Any, scenarios: tuple[str, ...]) -> bool:
    return seen.sees("rounds", row.round) and all(seen.sees("scenarios", s) for s in scenarios)


def _scenarios(connection: Connection, key: str) -> tuple[str, ...]:
    return tuple(
        connection.execute(
            select(session_scenarios.c.scenario)
            .where(session_scenarios.c.session == key)
            .order_by(session_scenarios.c.scenario)
        ).scalars()
    )


def view_of(connection: Connection, row: Any) -> SessionView:
    submitted = set(
        connection.execute(
            select(session_submissions.c.username).where(
                session_submissions.c.session == row.key,
                session_submissions.c.scoring_round == row.scoring_round,
            )
        ).scalars()
    )
    people = connection.execute(
        select(session_participants, users.c.display_name, users.c.organisation)
        .join(users, users.c.username == session_participants.c.username)
        .where(session_participants.c.session == row.key)
        .order_by(session_participants.c.username)
    ).all()
    return SessionView(
        key=row.key,
        round=row.round,
        title=row.title,
        title_en=row.title_en,
        held_on=row.held_on,
        chair=row.chair,
        status=SessionStatus(row.status),
        scoring_round=row.scoring_round,
        scenarios=_scenarios(connection, row.key),
        participants=tuple(
            Participant(
                p.username,
                p.display_name,
                p.organisation,
                p.weight,
                p.invited_at is not None,
                p.username in submitted,
            )
            for p in people
        ),
        rationale=row.rationale,
        concluded_by=row.concluded_by,
        concluded_at=row.concluded_at,
        version=row.version,
    )


def get_session(db: Database, *, subject: Subject | None, key: str) -> SessionView:
    with db.transaction() as connection:
        return view_of(connection, visible_row(connection, subject, key))


def list_sessions(
    db: Database, *, subject: Subject | None, round_key: str | None = None
) -> list[SessionView]:
    """The sessions ``subject`` may see (of one round, if given), newest first."""
    with db.transaction() as connection:
        seen = visibility(connection, subject)
        query = select(expert_sessions).order_by(
            expert_sessions.c.held_on.desc(), expert_sessions.c.key
        )
        if round_key is not None:
            query = query.where(expert_sessions.c.round == round_key)
        return [
            view_of(connection, row)
            for row in connection.execute(query).all()
            if _sees(seen, row, _scenarios(connection, row.key))
        ]


def _reader(subject: Subject | None) -> str | None:
    return None if subject is None else subject.username


def readable_scores(
    connection: Connection, subject: Subject | None, session: SessionView, scoring_round: int
) -> list[ExpertScoreView]:
    """The scores of one scoring round that ``subject`` may see: their own always,
    the others' as the blind rule allows."""
    reader = _reader(subject)
    submitted = set(
        connection.execute(
            select(session_submissions.c.username, session_submissions.c.scoring_round).where(
                session_submissions.c.session == session.key
            )
        ).all()
    )
    open_to_reader = may_see_scores(
        reader=reader,
        chair=session.chair,
        participants=[p.username for p in session.participants],
        status=session.status,
        current_round=session.scoring_round,
        scoring_round=scoring_round,
        submitted=submitted,
    )
    query = select(expert_scores).where(
        expert_scores.c.session == session.key, expert_scores.c.scoring_round == scoring_round
    )
    if not open_to_reader:
        if reader is None or not session.takes_part(reader):
            return []
        query = query.where(expert_scores.c.username == reader)
    rows = connection.execute(
        query.order_by(
            expert_scores.c.scenario, expert_scores.c.criterion, expert_scores.c.username
        )
    ).all()
    resolver = Resolver(connection, session.round)
    return [_score_view(row, resolver) for row in rows]


def _score_view(row: Any, resolver: Resolver) -> ExpertScoreView:
    values = {name: getattr(row, name) for name in SCORE_FIELDS}
    return ExpertScoreView(
        session=row.session,
        scenario=row.scenario,
        criterion=row.criterion,
        username=row.username,
        scoring_round=row.scoring_round,
        values=values,
        confidence=row.confidence,
        rationale=row.rationale,
        scored_at=row.scored_at,
        resolved=resolver.resolved(row.scenario, row.criterion, values),
    )


def scores_of(
    db: Database, *, subject: Subject | None, session: str, scoring_round: int | None = None
) -> list[ExpertScoreView]:
    """The experts' scores of one scoring round (default: the current) as ``subject``
    may see them."""
    with db.transaction() as connection:
        view = view_of(connection, visible_row(connection, subject, session))
        return readable_scores(connection, subject, view, scoring_round or view.scoring_round)


def criteria_views(scores: list[ExpertScoreView]) -> list[CriterionView]:
    """Per scenario and criterion: the scores, their spread (flagged from the
    threshold in the reference data), the proposed aggregate and the hull."""
    flag_from = elicitation().flag_spread_classes
    grouped: dict[tuple[str, str], list[ExpertScoreView]] = defaultdict(list)
    for s in scores:
        grouped[(s.scenario, s.criterion)].append(s)
    out = []
    for (scenario, criterion), group in sorted(grouped.items(), key=_criterion_order):
        classes = [
            ExpertClasses(s.username, s.resolved.lowest, s.resolved.expected, s.resolved.highest)
            for s in group
            if s.resolved is not None
        ]
        proposal = aggregate(classes)
        out.append(
            CriterionView(
                scenario,
                criterion,
                tuple(group),
                spread_of(classes, flag_from=flag_from),
                proposal,
                None if proposal is None else proposal.lowest,
                None if proposal is None else proposal.highest,
            )
        )
    return out


def _criterion_order(item: tuple[tuple[str, str], object]) -> tuple[str, int, tuple[int, ...]]:
    scenario, criterion = item[0]
    if criterion == LIKELIHOOD:
        return (scenario, 1, ())
    parts = tuple(int(p) if p.isdigit() else 0 for p in criterion.split("."))
    return (scenario, 0, parts)


def disagreement(
    db: Database, *, subject: Subject | None, session: str, scoring_round: int | None = None
) -> list[CriterionView]:
    """The disagreement view of one scoring round as ``subject`` may see it: an expert
    who has not yet submitted sees only their own scores there."""
    return criteria_views(
        scores_of(db, subject=subject, session=session, scoring_round=scoring_round)
    )


def outcome_rows(connection: Connection, session: str) -> list[Any]:
    return list(
        connection.execute(
            select(session_outcomes)
            .where(session_outcomes.c.session == session)
            .order_by(session_outcomes.c.scenario, session_outcomes.c.criterion)
        ).all()
    )
