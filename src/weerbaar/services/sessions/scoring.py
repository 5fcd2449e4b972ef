"""An expert's own scores in a session, and their submission.

An expert scores while the session is scoring and until they submit for the current
scoring round; then their scores of that round are final, and the others' become
visible to them (:func:`weerbaar.domain.sessions.may_see_scores`).
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy import Connection, delete, func, insert, select

from weerbaar.domain.classes import ClassScore, ClassSyntaxError
from weerbaar.domain.sessions import LIKELIHOOD, Confidence, SessionStatus
from weerbaar.errors import ForbiddenError, Issue, StepError, ValidationError, said
from weerbaar.services.account_events import recorded
from weerbaar.services.context import Context
from weerbaar.services.lookup import VisibleLookup
from weerbaar.services.sessions.reading import SessionView, view_of, visible_row
from weerbaar.services.sessions.resolving import Resolver, fields_for
from weerbaar.services.sessions.steps import refuse_if_any_locked
from weerbaar.services.visibility import visibility
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import expert_scores, session_submissions

LIKELIHOOD_NAMES = ("l", "likelihood", "kans")
MAX_RATIONALE = 4000


def _expert(ctx: Context, given: str | None) -> str:
    """Whose score this is: the signed-in user's own; the local operator names the
    expert they act for."""
    if ctx.subject is not None:
        if given is not None and given != ctx.subject.username:
            raise ForbiddenError(said("an expert scores for themselves only"))
        return ctx.subject.username
    if not given:
        raise ValidationError(
            [Issue("", "expert", said("name the expert who scores"))],
            summary=said("score not saved"),
        )
    return given


def _open_for(connection: Connection, view: SessionView, expert: str) -> None:
    if not view.takes_part(expert):
        raise ForbiddenError(
            said("%(user)s takes no part in session %(session)s", user=expert, session=view.key)
        )
    if view.status is not SessionStatus.SCORING:
        raise StepError(
            said(
                "session %(session)s is not scoring now (it is %(status)s)",
                session=view.key,
                status=view.status.value,
            )
        )
    done = connection.execute(
        select(session_submissions.c.username).where(
            session_submissions.c.session == view.key,
            session_submissions.c.username == expert,
            session_submissions.c.scoring_round == view.scoring_round,
        )
    ).first()
    if done is not None:
        raise StepError(
            said(
                "you submitted your scores of round %(round)s; they are final",
                round=view.scoring_round,
            )
        )
    refuse_if_any_locked(connection, round_key=view.round, scenarios=view.scenarios)


def score_values(
    criterion: str, value: str, low: str | None, high: str | None
) -> dict[str, object]:
    """A class (C, Chigh) or a number, with its range, as the score's fields."""
    try:
        ClassScore.parse(value.strip())
    except ClassSyntaxError:
        name = "probability" if criterion == LIKELIHOOD else "quantity"
        return {name: value, f"{name}_low": low, f"{name}_high": high}
    return {"expected": value.strip(), "lowest": low, "highest": high}


def score(
    ctx: Context,
    *,
    session: str,
    scenario: str,
    criterion: str,
    value: str,
    low: str | None = None,
    high: str | None = None,
    duration: Mapping[str, object] | None = None,
    confidence: str | None = None,
    rationale: str | None = None,
    expert: str | None = None,
) -> None:
    """Record (or replace) the expert's score on one criterion (or the likelihood:
    "likelihood", "kans" or "L") of one of the session's scenarios."""
    who = _expert(ctx, expert)
    criterion = criterion.strip()
    if criterion.lower() in LIKELIHOOD_NAMES:
        criterion = LIKELIHOOD
    issues = []
    if not value or not value.strip():
        issues.append(Issue("", "value", said("required")))
    if confidence is not None and confidence not in {c.value for c in Confidence}:
        issues.append(
            Issue(
                "",
                "confidence",
                said("one of %(known)s", known=", ".join(c.value for c in Confidence)),
            )
        )
    rationale = (rationale or "").strip() or None
    if rationale is not None and len(rationale) > MAX_RATIONALE:
        issues.append(
            Issue("", "rationale", said("at most %(count)s characters", count=MAX_RATIONALE))
        )
    if issues:
        raise ValidationError(issues, summary=said("score not saved"))
    values = score_values(criterion, value, low, high)
    if duration and criterion != LIKELIHOOD:
        values.update(duration)
    with ctx.db.transaction(write=True) as connection:
        view = view_of(connection, visible_row(connection, ctx.subject, session))
        _open_for(connection, view, who)
        if scenario not in view.scenarios:
            raise ValidationError(
                [
                    Issue(
                        "",
                        "scenario",
                        said(
                            "scenario %(scenario)s is not one of session %(session)s's",
                            scenario=repr(scenario),
                            session=session,
                        ),
                    )
                ],
                summary=said("score not saved"),
            )
        resolver = Resolver(connection, view.round)
        lookup = VisibleLookup(Repository(connection), visibility(connection, None))
        record = resolver.checked(scenario, criterion, values, lookup)
        stored = {name: getattr(record, name) for name in fields_for(criterion)}
        where = (
            expert_scores.c.session == session,
            expert_scores.c.scenario == scenario,
            expert_scores.c.criterion == criterion,
            expert_scores.c.username == who,
            expert_scores.c.scoring_round == view.scoring_round,
        )
        before = connection.execute(select(expert_scores).where(*where)).first()
        connection.execute(delete(expert_scores).where(*where))
        row = {
            "session": session,
            "scenario": scenario,
            "criterion": criterion,
            "username": who,
            "scoring_round": view.scoring_round,
            **stored,
            "confidence": confidence,
            "rationale": rationale,
            "scored_at": ctx.clock(),
        }
        connection.execute(insert(expert_scores).values(**row))
        key = f"{session}/{scenario}/{criterion}/{who}/{view.scoring_round}"
        recorded(
            ctx,
            connection,
            "score",
            "expert_scores",
            key,
            None if before is None else _plain(dict(before._mapping)),
            _plain(row),
        )


def _plain(row: Mapping[str, object]) -> dict[str, object]:
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}


def submit(ctx: Context, *, session: str, expert: str | None = None) -> SessionView:
    """The expert's scores of the current scoring round are final; from now on they
    see the other experts' scores of it."""
    who = _expert(ctx, expert)
    with ctx.db.transaction(write=True) as connection:
        view = view_of(connection, visible_row(connection, ctx.subject, session))
        _open_for(connection, view, who)
        given = connection.execute(
            select(func.count()).where(
                expert_scores.c.session == session,
                expert_scores.c.username == who,
                expert_scores.c.scoring_round == view.scoring_round,
            )
        ).scalar_one()
        if not given:
            raise ValidationError(
                [Issue("", "scores", said("score at least one criterion before submitting"))],
                summary=said("nothing submitted"),
            )
        connection.execute(
            insert(session_submissions).values(
                session=session,
                username=who,
                scoring_round=view.scoring_round,
                submitted_at=ctx.clock(),
            )
        )
        recorded(
            ctx,
            connection,
            "submit",
            "expert_scores",
            f"{session}/{who}/{view.scoring_round}",
            None,
            {"session": session, "expert": who, "round": view.scoring_round, "scores": given},
        )
        return view_of(connection, visible_row(connection, ctx.subject, session))
