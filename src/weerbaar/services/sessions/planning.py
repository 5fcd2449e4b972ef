"""Planning a session: its scenarios, chair and experts, the invitations, and the
steps from planned to discussion (and back to scoring for another Delphi round)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, insert, select, update

from weerbaar.domain.access import Subject
from weerbaar.domain.fields import KEY_PATTERN
from weerbaar.domain.sessions import SessionStatus, transition_problem
from weerbaar.errors import (
    ConflictError,
    DuplicateError,
    ForbiddenError,
    Issue,
    NotFoundError,
    StepError,
    ValidationError,
    said,
)
from weerbaar.reference.sessions import elicitation
from weerbaar.services.account_events import recorded
from weerbaar.services.accounts import User, user_of
from weerbaar.services.context import Context
from weerbaar.services.notifications.outbox import PENDING
from weerbaar.services.sessions.invitation import invitation_text
from weerbaar.services.sessions.reading import (
    SessionView,
    session_row,
    view_of,
    visible_row,
)
from weerbaar.services.sessions.steps import refuse_if_any_locked, sessions_started_in
from weerbaar.services.visibility import need_to_know, visibility
from weerbaar.storage.tables import (
    expert_sessions,
    notifications,
    session_participants,
    session_scenarios,
    users,
)

# An address to send an invitation to, checked no further than its shape: the mail
# server is the one to say whether it exists.
_EMAIL = re.compile(r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")


def _refuse(message: str) -> ForbiddenError:
    return ForbiddenError(message)


def may_chair(subject: Subject | None) -> bool:
    return subject is None or subject.role.may("chair")


def _user(connection: Connection, username: str) -> User:
    row = connection.execute(select(users).where(users.c.username == username)).first()
    if row is None or row.disabled:
        raise ValidationError(
            [Issue("", "username", said("no active account %(user)s", user=repr(username)))],
            summary=said("session not saved"),
        )
    return user_of(row)


def _session_state(view: SessionView) -> dict[str, Any]:
    return {
        "key": view.key,
        "round": view.round,
        "title": view.title,
        "title_en": view.title_en,
        "held_on": view.held_on.isoformat(),
        "chair": view.chair,
        "status": view.status.value,
        "scoring_round": view.scoring_round,
        "scenarios": list(view.scenarios),
        "participants": [{"username": p.username, "weight": p.weight} for p in view.participants],
        "version": view.version,
    }


def require_chair(ctx: Context, view: SessionView) -> None:
    """Only the session's chair (or an administrator, or the local operator) runs it."""
    subject = ctx.subject
    if subject is None or subject.username == view.chair or subject.role.manages_accounts:
        return
    raise _refuse(said("only the chair of session %(session)s runs it", session=view.key))


def create_session(
    ctx: Context,
    *,
    key: str,
    round_key: str,
    title: str,
    held_on: dt.date,
    chair: str | None = None,
    scenarios: Sequence[str],
    title_en: str | None = None,
) -> SessionView:
    """A planned session of ``round_key`` on ``scenarios``, chaired by ``chair``
    (default: whoever plans it)."""
    if not may_chair(ctx.subject):
        raise _refuse(said("your role does not chair expert sessions"))
    chair = chair or (ctx.subject.username if ctx.subject is not None else None)
    issues = []
    if not KEY_PATTERN.fullmatch(key):
        issues.append(
            Issue("", "key", said("lower-case letters, digits and hyphens, starting with a letter"))
        )
    if not title.strip():
        issues.append(Issue("", "title", said("required")))
    if not scenarios:
        issues.append(Issue("", "scenarios", said("name at least one scenario")))
    if chair is None:
        issues.append(Issue("", "chair", said("name the chair")))
    if issues:
        raise ValidationError(issues, summary=said("session not saved"))
    assert chair is not None
    with ctx.db.transaction(write=True) as connection:
        seen = visibility(connection, ctx.subject)
        seen.require("rounds", round_key)
        for scenario in scenarios:
            seen.require("scenarios", scenario)
        refuse_if_any_locked(connection, round_key=round_key, scenarios=scenarios)
        chair_user = _user(connection, chair)
        if not chair_user.subject().role.may("chair"):
            raise ValidationError(
                [Issue("", "chair", said("%(user)s's role does not chair sessions", user=chair))],
                summary=said("session not saved"),
            )
        _require_sight(connection, chair_user, round_key, scenarios, "chair")
        found = connection.execute(
            select(expert_sessions.c.key).where(expert_sessions.c.key == key)
        )
        if found.first() is not None:
            raise DuplicateError("session", key)
        now = ctx.clock()
        connection.execute(
            insert(expert_sessions).values(
                key=key,
                round=round_key,
                title=title.strip(),
                title_en=(title_en or "").strip() or None,
                held_on=held_on,
                chair=chair,
                status=SessionStatus.PLANNED.value,
                scoring_round=1,
                rationale=None,
                created_by=ctx.actor[:128],
                created_at=now,
                concluded_by=None,
                concluded_at=None,
                version=1,
            )
        )
        connection.execute(
            insert(session_scenarios), [{"session": key, "scenario": s} for s in set(scenarios)]
        )
        view = view_of(connection, session_row(connection, key))
        recorded(ctx, connection, "create", "expert_sessions", key, None, _session_state(view))
        return view


def _require_sight(
    connection: Connection,
    user: User,
    round_key: str,
    scenarios: Sequence[str],
    field: str,
) -> None:
    """The chair and every expert must be cleared for what the session covers: the
    session must not show anyone a scenario outside their need-to-know."""
    seen = need_to_know(connection, user.subject())
    if seen.sees("rounds", round_key) and all(seen.sees("scenarios", s) for s in scenarios):
        return
    raise ValidationError(
        [
            Issue(
                "",
                field,
                said(
                    "%(user)s is not cleared for every scenario of the session",
                    user=user.username,
                ),
            )
        ],
        summary=said("session not saved"),
    )


def _locked(ctx: Context, connection: Connection, key: str) -> SessionView:
    """The session for a write by its chair: locked against concurrent writers (the
    write transaction holds the audit head), visible to the writer, not concluded and
    not in an approved round."""
    view = view_of(connection, visible_row(connection, ctx.subject, key))
    require_chair(ctx, view)
    refuse_if_any_locked(connection, round_key=view.round, scenarios=view.scenarios)
    return view


def add_participant(
    ctx: Context,
    *,
    session: str,
    username: str,
    weight: float | None = None,
    email: str | None = None,
    language: str | None = None,
) -> SessionView:
    """Add an expert; with an e-mail address, an invitation goes out through the
    notification outbox in the expert's language."""
    if weight is not None and not weight > 0:
        raise ValidationError(
            [Issue("", "weight", said("a weight is a number above 0"))],
            summary=said("session not saved"),
        )
    email = (email or "").strip() or None
    if email is not None and not _EMAIL.fullmatch(email):
        raise ValidationError(
            [Issue("", "email", said("not an e-mail address"))], summary=said("session not saved")
        )
    with ctx.db.transaction(write=True) as connection:
        view = _locked(ctx, connection, session)
        if view.status is SessionStatus.CONCLUDED:
            raise StepError(said("session %(session)s is concluded", session=session))
        if username == view.chair:
            raise ValidationError(
                [
                    Issue(
                        "",
                        "username",
                        said("the chair watches the scores arrive and does not score"),
                    )
                ],
                summary=said("session not saved"),
            )
        if view.takes_part(username):
            raise DuplicateError("participant", username)
        expert = _user(connection, username)
        _require_sight(connection, expert, view.round, view.scenarios, "username")
        now = ctx.clock()
        connection.execute(
            insert(session_participants).values(
                session=session,
                username=username,
                weight=weight if weight is not None else elicitation().default_weight,
                email=email,
                invited_at=now if email is not None else None,
            )
        )
        if email is not None:
            _invite(connection, view, expert, email, language, now)
        after = view_of(connection, session_row(connection, session))
        recorded(
            ctx,
            connection,
            "add-expert",
            "expert_sessions",
            session,
            _session_state(view),
            _session_state(after),
        )
        return after


def _invite(
    connection: Connection,
    view: SessionView,
    expert: User,
    email: str,
    language: str | None,
    now: dt.datetime,
) -> None:
    chair = _user(connection, view.chair)
    subject, text = invitation_text(
        view, expert=expert, chair=chair, language=language or expert.language or "nl"
    )
    body = json.dumps(
        {
            "kind": "session-invitation",
            "session": view.key,
            "held_on": view.held_on.isoformat(),
            "expert": expert.username,
        },
        sort_keys=True,
        separators=(",", ":"),
    )
    connection.execute(
        insert(notifications).values(
            channel_id=None,
            organisation=expert.organisation,
            change=view.key,
            kind="email",
            target=email,
            subject=subject,
            body=body,
            text=text,
            language=language or expert.language or "nl",
            status=PENDING,
            attempts=0,
            next_attempt_at=now,
            last_error=None,
            created_at=now,
            sent_at=None,
        )
    )


def set_weight(ctx: Context, *, session: str, username: str, weight: float) -> SessionView:
    """The expert's weight in the pooled distribution."""
    if not weight > 0:
        raise ValidationError(
            [Issue("", "weight", said("a weight is a number above 0"))],
            summary=said("session not saved"),
        )
    with ctx.db.transaction(write=True) as connection:
        view = _locked(ctx, connection, session)
        if not view.takes_part(username):
            raise NotFoundError("participant", username)
        connection.execute(
            update(session_participants)
            .where(
                session_participants.c.session == session,
                session_participants.c.username == username,
            )
            .values(weight=weight)
        )
        after = view_of(connection, session_row(connection, session))
        recorded(
            ctx,
            connection,
            "weigh-expert",
            "expert_sessions",
            session,
            _session_state(view),
            _session_state(after),
        )
        return after


def advance(
    ctx: Context,
    *,
    session: str,
    to: SessionStatus,
    expected_version: int | None = None,
) -> SessionView:
    """Move the session on: planned → scoring → discussion; from discussion back to
    scoring opens the next scoring round (Delphi). Concluding is :func:`conclude`."""
    if to is SessionStatus.CONCLUDED:
        raise ValidationError(
            [Issue("", "status", said("a session is concluded with its outcome"))],
            summary=said("session not saved"),
        )
    with ctx.db.transaction(write=True) as connection:
        view = _locked(ctx, connection, session)
        if expected_version is not None and expected_version != view.version:
            raise ConflictError("session", session, expected_version, view.version)
        problem = transition_problem(view.status, to)
        if problem is not None:
            raise StepError(problem)
        if to is SessionStatus.SCORING and not view.participants:
            raise ValidationError(
                [Issue("", "participants", said("add the experts before scoring starts"))],
                summary=said("session not saved"),
            )
        next_round = view.scoring_round + (1 if view.status is SessionStatus.DISCUSSION else 0)
        connection.execute(
            update(expert_sessions)
            .where(expert_sessions.c.key == session)
            .values(status=to.value, scoring_round=next_round, version=view.version + 1)
        )
        if view.status is SessionStatus.PLANNED:
            sessions_started_in(ctx, connection, round_key=view.round, scenarios=view.scenarios)
        after = view_of(connection, session_row(connection, session))
        action = "open-round" if next_round > view.scoring_round else to.value
        recorded(
            ctx,
            connection,
            action,
            "expert_sessions",
            session,
            _session_state(view),
            _session_state(after),
        )
        return after
