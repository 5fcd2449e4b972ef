"""The chair's conclusion: per criterion an outcome with its reasoning, which becomes
the round's score with its provenance (the session, how many experts, how far apart),
and the experts' pooled ranges for the Monte Carlo."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, update

from weerbaar.domain.access import Subject
from weerbaar.domain.sessions import LIKELIHOOD, SessionStatus, transition_problem
from weerbaar.errors import Issue, StepError, ValidationError, said
from weerbaar.method.resolve import Resolved
from weerbaar.services.account_events import recorded
from weerbaar.services.context import Context
from weerbaar.services.lookup import VisibleLookup
from weerbaar.services.records import Create, Update, write_in
from weerbaar.services.sessions.planning import require_chair
from weerbaar.services.sessions.reading import (
    SCORE_FIELDS,
    CriterionView,
    SessionView,
    criteria_views,
    readable_scores,
    session_row,
    view_of,
    visible_row,
)
from weerbaar.services.sessions.resolving import Resolver, as_round_score, fields_for
from weerbaar.services.sessions.scoring import LIKELIHOOD_NAMES, score_values
from weerbaar.services.sessions.steps import refuse_if_any_locked, sessions_concluded_in
from weerbaar.services.visibility import visibility
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import (
    expert_scores,
    expert_sessions,
    session_outcomes,
    session_participants,
)


@dataclass(frozen=True, slots=True)
class Outcome:
    """The chair's outcome on one criterion: a class or number with its range, or,
    with no value, the proposed aggregate (median class, hull of the ranges)."""

    value: str | None = None
    low: str | None = None
    high: str | None = None
    duration: Mapping[str, object] | None = None
    rationale: str | None = None


def _criterion(name: str) -> str:
    name = name.strip()
    return LIKELIHOOD if name.lower() in LIKELIHOOD_NAMES else name


def conclude(
    ctx: Context,
    *,
    session: str,
    rationale: str,
    outcomes: Mapping[tuple[str, str], Outcome] | None = None,
) -> SessionView:
    """Conclude the session: each criterion the experts scored in the last scoring
    round (and each one the chair sets in ``outcomes``, keyed by scenario and
    criterion) becomes the round's score, with the chair's reasoning and the
    session's provenance in its note."""
    rationale = (rationale or "").strip()
    if not rationale:
        raise ValidationError(
            [Issue("", "rationale", said("say why: the outcome needs its reasoning"))],
            summary=said("session not concluded"),
        )
    chosen = {(s, _criterion(c)): o for (s, c), o in (outcomes or {}).items()}
    with ctx.db.transaction(write=True) as connection:
        view = view_of(connection, visible_row(connection, ctx.subject, session))
        require_chair(ctx, view)
        problem = transition_problem(view.status, SessionStatus.CONCLUDED)
        if problem is not None:
            raise StepError(problem)
        refuse_if_any_locked(connection, round_key=view.round, scenarios=view.scenarios)
        criteria = {
            (c.scenario, c.criterion): c
            for c in criteria_views(readable_scores(connection, None, view, view.scoring_round))
        }
        strange = [key for key in chosen if key[0] not in view.scenarios]
        if strange:
            raise ValidationError(
                [
                    Issue(
                        "",
                        "scenario",
                        said(
                            "scenario %(scenario)s is not one of session %(session)s's",
                            scenario=repr(s),
                            session=session,
                        ),
                    )
                    for s, _ in strange
                ],
                summary=said("session not concluded"),
            )
        resolver = Resolver(connection, view.round)
        lookup = VisibleLookup(Repository(connection), visibility(connection, ctx.subject))
        rows = []
        for key in sorted(set(criteria) | set(chosen)):
            rows.append(
                _outcome_row(
                    view, key, criteria.get(key), chosen.get(key), rationale, resolver, lookup
                )
            )
        if not rows:
            raise ValidationError(
                [Issue("", "scores", said("no expert has scored yet: nothing to conclude"))],
                summary=said("session not concluded"),
            )
        connection.execute(insert(session_outcomes), rows)
        write_in(ctx, connection, [_round_write(connection, view, row) for row in rows])
        now = ctx.clock()
        connection.execute(
            update(expert_sessions)
            .where(expert_sessions.c.key == session)
            .values(
                status=SessionStatus.CONCLUDED.value,
                rationale=rationale,
                concluded_by=ctx.actor[:128],
                concluded_at=now,
                version=view.version + 1,
            )
        )
        sessions_concluded_in(
            ctx, connection, round_key=view.round, scenarios=sorted({r["scenario"] for r in rows})
        )
        after = view_of(connection, session_row(connection, session))
        recorded(
            ctx,
            connection,
            "conclude",
            "expert_sessions",
            session,
            {"status": view.status.value, "version": view.version},
            {
                "status": after.status.value,
                "rationale": rationale,
                "outcomes": [
                    {k: v for k, v in row.items() if v is not None and k != "session"}
                    for row in rows
                ],
                "version": after.version,
            },
        )
        return after


def _outcome_row(
    view: SessionView,
    key: tuple[str, str],
    scored: CriterionView | None,
    chosen: Outcome | None,
    rationale: str,
    resolver: Resolver,
    lookup: VisibleLookup,
) -> dict[str, Any]:
    scenario, criterion = key
    experts = 0 if scored is None else len(scored.scores)
    spread = None if scored is None or scored.spread is None else scored.spread.classes
    if chosen is not None and chosen.value:
        values = score_values(criterion, chosen.value, chosen.low, chosen.high)
        if chosen.duration and criterion != LIKELIHOOD:
            values.update(chosen.duration)
        taken = False
    else:
        if scored is None or scored.proposal is None:
            raise ValidationError(
                [
                    Issue(
                        f"{scenario} {criterion}",
                        "value",
                        said("no expert scored it: give the outcome's class or number"),
                    )
                ],
                summary=said("session not concluded"),
            )
        proposal = scored.proposal
        values = {
            "expected": str(proposal.expected),
            "lowest": str(proposal.lowest),
            "highest": str(proposal.highest),
        }
        taken = True
    try:
        record = resolver.checked(scenario, criterion, values, lookup)
    except ValidationError as exc:
        raise ValidationError(
            [Issue(f"{scenario} {criterion}", issue.field, issue.reason) for issue in exc.issues],
            summary=said("session not concluded"),
        ) from exc
    stored = {name: getattr(record, name) for name in fields_for(criterion)}
    reason = ((chosen.rationale if chosen is not None else None) or "").strip() or rationale
    return {
        "session": view.key,
        "scenario": scenario,
        "criterion": criterion,
        **{name: stored.get(name) for name in SCORE_FIELDS},
        "rationale": reason,
        "experts": experts,
        "spread": spread,
        "aggregate": taken,
    }


def provenance(session: str, experts: int, spread: int | None, rationale: str) -> str:
    """The note a concluded score carries: where it came from and why."""
    if spread is None:
        return f"Expert session {session}: {rationale}"
    apart = "1 class" if spread == 1 else f"{spread} classes"
    return f"Expert session {session} ({experts} experts, {apart} apart): {rationale}"


def _round_write(connection: Connection, view: SessionView, row: dict[str, Any]) -> Create | Update:
    criterion = row["criterion"]
    values = {name: row.get(name) for name in fields_for(criterion)}
    raw = as_round_score(view.round, row["scenario"], criterion, values)
    raw["note"] = provenance(view.key, row["experts"], row["spread"], row["rationale"])
    if criterion == LIKELIHOOD:
        entity_name, key = "likelihood_scores", f"{view.round}/{row['scenario']}"
    else:
        entity_name, key = "impact_scores", f"{view.round}/{row['scenario']}/{criterion}"
    if Repository(connection).version(entity_name, key) is None:
        return Create(entity_name, raw)
    return Update(entity_name, key, raw)


def expert_distributions(
    connection: Connection, round_key: str
) -> dict[tuple[str, str], list[tuple[float, Resolved]]]:
    """For each scenario and criterion a concluded session of the round set: its
    experts' ranges of the last scoring round, each with the expert's weight — the
    linear opinion pool the Monte Carlo may draw from. Where several sessions set the
    same criterion, the last concluded one counts."""
    sessions = connection.execute(
        select(expert_sessions.c.key, expert_sessions.c.scoring_round)
        .where(
            expert_sessions.c.round == round_key,
            expert_sessions.c.status == SessionStatus.CONCLUDED.value,
        )
        .order_by(expert_sessions.c.concluded_at, expert_sessions.c.key)
    ).all()
    if not sessions:
        return {}
    resolver = Resolver(connection, round_key)
    pools: dict[tuple[str, str], list[tuple[float, Resolved]]] = {}
    for key, last in sessions:
        weights = dict(
            connection.execute(
                select(session_participants.c.username, session_participants.c.weight).where(
                    session_participants.c.session == key
                )
            ).all()
        )
        found: dict[tuple[str, str], list[tuple[float, Resolved]]] = defaultdict(list)
        for row in connection.execute(
            select(expert_scores)
            .where(expert_scores.c.session == key, expert_scores.c.scoring_round == last)
            .order_by(expert_scores.c.username)
        ).all():
            values = {name: getattr(row, name) for name in SCORE_FIELDS}
            resolved = resolver.resolved(row.scenario, row.criterion, values)
            if resolved is not None:
                found[(row.scenario, row.criterion)].append((weights[row.username], resolved))
        pools.update(found)
    return pools


def pooled_ranges(
    db: Database, *, round_key: str, subject: Subject | None = None
) -> dict[tuple[str, str], list[tuple[float, Resolved]]]:
    """:func:`expert_distributions` as ``subject`` may use them: only for scores of the
    round they see, so that a pool neither adds a hidden scenario to their assessment
    nor tells them one exists."""
    with db.transaction() as connection:
        seen = visibility(connection, subject)
        pools = expert_distributions(connection, round_key)
        repo = Repository(connection)
        kept = {}
        for (scenario, criterion), pool in pools.items():
            if criterion == LIKELIHOOD:
                entity_name, key = "likelihood_scores", f"{round_key}/{scenario}"
            else:
                entity_name, key = "impact_scores", f"{round_key}/{scenario}/{criterion}"
            if seen.sees(entity_name, key) and repo.version(entity_name, key) is not None:
                kept[(scenario, criterion)] = pool
        return kept
