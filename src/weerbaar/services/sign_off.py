"""Review and sign-off of a round's assessment, scenario by scenario, and the round's
approval, which locks it.

Each scenario's assessment in a round moves draft → in session → concluded →
reviewed → approved (a scenario without a stored state is a draft). Sessions move it
to "in session" and "concluded" (:func:`set_state_in`, inside their own write); an
analyst reviews it (act "review"); someone who took no part in setting its scores
approves it (act "approve", four eyes: :func:`setters_of`). When every scored
scenario of the round is approved, the round can be approved as a whole; that locks
it (:mod:`weerbaar.services.round_locks`). A coordinator reopens a round or a
scenario (act "reopen") with a reason: a scenario goes back to draft, and the round
it is in, if approved, is unlocked with it; a round reopened on its own is unlocked,
while its scenarios stay approved (and locked) until each is reopened.

Every write is one transaction with its audit entry (entity ``assessment_states``
or ``round_approvals``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, delete, insert, select, update

from weerbaar.domain.access import Subject
from weerbaar.domain.audit import Change, canonical_json
from weerbaar.domain.entities.strategy import Round
from weerbaar.errors import ForbiddenError, Issue, LockedError, ValidationError, joined, said
from weerbaar.services.context import Context
from weerbaar.services.round_locks import (
    SCORE_ENTITIES,
    lock_refusal_in,
    locks_in,
    refusal_text,
)
from weerbaar.services.visibility import Visibility, visibility
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import (
    ASSESSMENT_STATUSES,
    assessment_states,
    audit_entries,
    entity_tables,
    expert_sessions,
    round_approvals,
    session_participants,
    session_scenarios,
)

__all__ = [
    "SETTER_SOURCES",
    "STATUSES",
    "Board",
    "BoardRow",
    "approve",
    "approve_round",
    "lock_refusal_in",
    "person_of",
    "reopen",
    "review",
    "set_state_in",
    "setters_of",
    "status_board",
    "status_label",
]

STATUSES = ASSESSMENT_STATUSES
DRAFT = "draft"

# What a session sets (the rest is set by review and approval).
SESSION_STATUSES = ("draft", "in_session", "concluded")
_SESSION_ACTIONS = {"draft": "draft", "in_session": "in-session", "concluded": "conclude"}


def status_label(status: str) -> str:
    """A status in words, to be said in the reader's language."""
    labels = {
        "draft": said("draft"),
        "in_session": said("in session"),
        "concluded": said("concluded"),
        "reviewed": said("reviewed"),
        "approved": said("approved"),
    }
    return labels[status]


def person_of(actor: str) -> str:
    """Who an audit trail's actor is: ``web:alice@10.0.0.1`` and ``api:alice@…`` are
    alice, the command line's ``cli:alice`` too; a name given with ``--user`` is
    itself."""
    via, colon, rest = actor.partition(":")
    if colon and via in ("web", "api"):
        name, at, _ = rest.rpartition("@")
        return name if at else rest
    if colon and via == "cli":
        return rest
    return actor


def _who(ctx: Context) -> str:
    return ctx.subject.username if ctx.subject is not None else person_of(ctx.actor)


# -- four eyes -------------------------------------------------------------------------

SetterSource = Callable[[Connection, str, str], set[str]]


def _score_writers(connection: Connection, round_key: str, scenario: str) -> set[str]:
    """Everyone the audit trail names as writing a score of the scenario in the round,
    or concluding its assessment."""
    prefix = f"{round_key}/{scenario}"
    c = audit_entries.c
    rows = connection.execute(
        select(c.actor).where(
            ((c.entity == "impact_scores") & c.key.startswith(prefix + "/", autoescape=True))
            | ((c.entity == "likelihood_scores") & (c.key == prefix))
            | ((c.entity == "assessment_states") & (c.key == prefix) & (c.action == "conclude"))
        )
    )
    return {person_of(actor) for actor in rows.scalars()}


def _session_members(connection: Connection, round_key: str, scenario: str) -> set[str]:
    """The chairs and experts of the round's expert sessions that cover the scenario."""
    covering = (
        select(expert_sessions.c.key)
        .join(session_scenarios, session_scenarios.c.session == expert_sessions.c.key)
        .where(expert_sessions.c.round == round_key, session_scenarios.c.scenario == scenario)
    )
    chairs = connection.execute(
        select(expert_sessions.c.chair).where(expert_sessions.c.key.in_(covering))
    ).scalars()
    experts = connection.execute(
        select(session_participants.c.username).where(session_participants.c.session.in_(covering))
    ).scalars()
    return {*chairs, *experts}


# Where the people who set a scenario's scores in a round are found: each source
# answers with usernames; :func:`setters_of` is their union.
SETTER_SOURCES: tuple[SetterSource, ...] = (_score_writers, _session_members)


def setters_of(connection: Connection, *, round_key: str, scenario: str) -> set[str]:
    """The usernames of everyone who set or concluded the scenario's scores in the
    round: none of them may approve it."""
    found: set[str] = set()
    for source in SETTER_SOURCES:
        found |= source(connection, round_key, scenario)
    return found


# -- states ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _State:
    status: str
    changed_by: str | None = None
    changed_at: dt.datetime | None = None
    reason: str | None = None
    version: int = 0  # 0: no stored row (a draft)

    def as_json(self, round_key: str, scenario: str) -> str | None:
        if self.version == 0:
            return None
        return canonical_json(
            {
                "round": round_key,
                "scenario": scenario,
                "status": self.status,
                "reason": self.reason,
                "version": self.version,
            }
        )


def _states(connection: Connection, round_key: str) -> dict[str, _State]:
    c = assessment_states.c
    rows = connection.execute(select(assessment_states).where(c.round == round_key))
    return {
        row.scenario: _State(row.status, row.changed_by, row.changed_at, row.reason, row.version)
        for row in rows
    }


def _state(connection: Connection, round_key: str, scenario: str) -> _State:
    return _states(connection, round_key).get(scenario, _State(DRAFT))


def _put_state(
    ctx: Context,
    connection: Connection,
    *,
    round_key: str,
    scenario: str,
    status: str,
    action: str,
    reason: str | None = None,
) -> None:
    before = _state(connection, round_key, scenario)
    now = ctx.clock()
    after = _State(status, ctx.actor, now, reason, before.version + 1)
    values = {
        "status": status,
        "changed_by": ctx.actor,
        "changed_at": now,
        "reason": reason,
        "version": after.version,
    }
    c = assessment_states.c
    if before.version == 0:
        connection.execute(
            insert(assessment_states).values(round=round_key, scenario=scenario, **values)
        )
    else:
        connection.execute(
            update(assessment_states)
            .where((c.round == round_key) & (c.scenario == scenario))
            .values(**values)
        )
    _audit(
        ctx,
        connection,
        action=action,
        entity="assessment_states",
        key=f"{round_key}/{scenario}",
        before=before.as_json(round_key, scenario),
        after=after.as_json(round_key, scenario),
        note=reason,
    )


def _audit(
    ctx: Context,
    connection: Connection,
    *,
    action: str,
    entity: str,
    key: str,
    before: str | None,
    after: str | None,
    note: str | None = None,
) -> None:
    at = ctx.clock().astimezone(dt.UTC).isoformat(timespec="microseconds")
    audit_log.append(
        connection,
        [
            Change(
                at=at,
                actor=ctx.actor,
                action=action,
                entity=entity,
                key=key,
                before=before,
                after=after,
                note=note,
            )
        ],
    )


def set_state_in(
    ctx: Context, connection: Connection, *, round_key: str, scenario: str, status: str
) -> None:
    """Set the scenario's assessment in the round to ``status`` (draft, in_session or
    concluded), audited, inside the caller's write transaction. Refused while the
    round or the scenario is approved."""
    if status not in SESSION_STATUSES:
        raise ValueError(f"a session sets draft, in_session or concluded, not {status!r}")
    _refuse_locked(connection, round_key, scenario)
    _put_state(
        ctx,
        connection,
        round_key=round_key,
        scenario=scenario,
        status=status,
        action=_SESSION_ACTIONS[status],
    )


# -- the acts --------------------------------------------------------------------------


def _require_act(ctx: Context, act: str) -> None:
    if ctx.subject is None or ctx.subject.role.may(act):
        return  # the local operator may every act
    refusals = {
        "review": said("your role may not review assessments"),
        "approve": said("your role may not approve assessments"),
        "reopen": said("your role may not reopen assessments"),
    }
    raise ForbiddenError(refusals[act])


def _seen_round(connection: Connection, seen: Visibility, round_key: str) -> Round:
    seen.require("rounds", round_key)
    found: Round = Repository(connection).require("rounds", round_key)
    return found


def _seen_scenario(connection: Connection, seen: Visibility, scenario: str) -> None:
    seen.require("scenarios", scenario)
    Repository(connection).require("scenarios", scenario)


def _refuse_locked(connection: Connection, round_key: str, scenario: str | None) -> None:
    found = locks_in(connection).locked(round_key, scenario)
    if found is not None:
        raise LockedError(refusal_text(*found), round_key=found[0], scenario=found[1])


def _wrong_status(round_key: str, scenario: str, status: str, needed: str) -> ValidationError:
    return ValidationError(
        [
            Issue(
                "",
                "status",
                said(
                    "scenario %(scenario)s is %(status)s in round %(round)s; this needs it "
                    "%(needed)s",
                    scenario=repr(scenario),
                    status=status_label(status),
                    round=repr(round_key),
                    needed=status_label(needed),
                ),
            )
        ],
        summary=said("assessment state not changed"),
    )


def review(ctx: Context, *, round_key: str, scenario: str) -> None:
    """Mark the scenario's concluded assessment in the round as reviewed."""
    _require_act(ctx, "review")
    with ctx.db.transaction(write=True) as connection:
        seen = visibility(connection, ctx.subject)
        _seen_round(connection, seen, round_key)
        _seen_scenario(connection, seen, scenario)
        _refuse_locked(connection, round_key, scenario)
        current = _state(connection, round_key, scenario)
        if current.status != "concluded":
            raise _wrong_status(round_key, scenario, current.status, "concluded")
        _put_state(
            ctx,
            connection,
            round_key=round_key,
            scenario=scenario,
            status="reviewed",
            action="review",
        )


def _four_eyes_refusal(who: str, round_key: str, scenario: str) -> ForbiddenError:
    return ForbiddenError(
        said(
            "%(who)s set or concluded scores of scenario %(scenario)s in round %(round)s, "
            "so may not approve them: approval needs a second person (four eyes)",
            who=who,
            scenario=repr(scenario),
            round=repr(round_key),
        )
    )


def approve(ctx: Context, *, round_key: str, scenario: str) -> None:
    """Approve the scenario's reviewed assessment in the round: by someone who did not
    set or conclude its scores. The approved scenario's scores are locked."""
    _require_act(ctx, "approve")
    with ctx.db.transaction(write=True) as connection:
        seen = visibility(connection, ctx.subject)
        _seen_round(connection, seen, round_key)
        _seen_scenario(connection, seen, scenario)
        _refuse_locked(connection, round_key, scenario)
        current = _state(connection, round_key, scenario)
        if current.status != "reviewed":
            raise _wrong_status(round_key, scenario, current.status, "reviewed")
        who = _who(ctx)
        if who in setters_of(connection, round_key=round_key, scenario=scenario):
            raise _four_eyes_refusal(who, round_key, scenario)
        _put_state(
            ctx,
            connection,
            round_key=round_key,
            scenario=scenario,
            status="approved",
            action="approve",
        )


def _scored(connection: Connection, round_key: str) -> set[str]:
    """The scenarios with at least one score in the round."""
    found: set[str] = set()
    for name in SCORE_ENTITIES:
        table = entity_tables[name]
        found |= set(
            connection.execute(
                select(table.c.scenario).where(table.c.round == round_key).distinct()
            ).scalars()
        )
    return found


def _named(keys: list[str], seen: Visibility) -> str:
    """The scenarios the reader may see, by key; the rest only as "other scenarios"."""
    shown = [repr(k) for k in sorted(keys) if seen.sees("scenarios", k)]
    if len(shown) < len(keys):
        shown.append(said("other scenarios"))
    return joined(shown, ", ")


def approve_round(ctx: Context, *, round_key: str) -> None:
    """Approve the round as a whole, once every scenario scored in it is approved (and
    none of them has scores set by the approver): the round is locked."""
    _require_act(ctx, "approve")
    with ctx.db.transaction(write=True) as connection:
        seen = visibility(connection, ctx.subject)
        _seen_round(connection, seen, round_key)
        _refuse_locked(connection, round_key, None)
        scored = _scored(connection, round_key)
        if not scored:
            raise ValidationError(
                [
                    Issue(
                        "",
                        "round",
                        said("round %(round)s has no scores to approve", round=repr(round_key)),
                    )
                ],
                summary=said("round not approved"),
            )
        states = _states(connection, round_key)
        waiting = [s for s in scored if states.get(s, _State(DRAFT)).status != "approved"]
        if waiting:
            raise ValidationError(
                [
                    Issue(
                        "",
                        "status",
                        said(
                            "not approved yet in round %(round)s: %(scenarios)s",
                            round=repr(round_key),
                            scenarios=_named(waiting, seen),
                        ),
                    )
                ],
                summary=said("round not approved"),
            )
        who = _who(ctx)
        theirs = [
            s for s in scored if who in setters_of(connection, round_key=round_key, scenario=s)
        ]
        if theirs:
            raise ForbiddenError(
                said(
                    "%(who)s set or concluded scores of %(scenarios)s in round %(round)s, so "
                    "may not approve it: approval needs a second person (four eyes)",
                    who=who,
                    scenarios=_named(theirs, seen),
                    round=repr(round_key),
                )
            )
        now = ctx.clock()
        connection.execute(
            insert(round_approvals).values(round=round_key, approved_by=ctx.actor, approved_at=now)
        )
        _audit(
            ctx,
            connection,
            action="approve",
            entity="round_approvals",
            key=round_key,
            before=None,
            after=_approval_json(round_key, ctx.actor, now, sorted(scored)),
        )


def _approval_json(
    round_key: str, by: str, at: dt.datetime, scenarios: list[str] | None = None
) -> str:
    plain: dict[str, Any] = {
        "round": round_key,
        "approved_by": by,
        "approved_at": at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }
    if scenarios is not None:
        plain["scenarios"] = scenarios
    return canonical_json(plain)


def _unlock_round(ctx: Context, connection: Connection, round_key: str, reason: str) -> bool:
    row = connection.execute(
        select(round_approvals).where(round_approvals.c.round == round_key)
    ).first()
    if row is None:
        return False
    connection.execute(delete(round_approvals).where(round_approvals.c.round == round_key))
    _audit(
        ctx,
        connection,
        action="reopen",
        entity="round_approvals",
        key=round_key,
        before=_approval_json(round_key, row.approved_by, row.approved_at),
        after=None,
        note=reason,
    )
    return True


def reopen(ctx: Context, *, round_key: str, scenario: str | None = None, reason: str) -> None:
    """Reopen the round (unlocked; its approved scenarios stay approved) or one
    scenario's assessment in it (back to draft, and the round unlocked with it), for
    the reason given, which the audit trail keeps."""
    reason = reason.strip()
    if not reason:
        raise ValidationError(
            [Issue("", "reason", said("say why it is reopened: a reason is required"))],
            summary=said("nothing reopened"),
        )
    _require_act(ctx, "reopen")
    with ctx.db.transaction(write=True) as connection:
        seen = visibility(connection, ctx.subject)
        _seen_round(connection, seen, round_key)
        if scenario is None:
            if not _unlock_round(ctx, connection, round_key, reason):
                raise ValidationError(
                    [
                        Issue(
                            "",
                            "round",
                            said(
                                "round %(round)s is not approved: there is nothing to reopen",
                                round=repr(round_key),
                            ),
                        )
                    ],
                    summary=said("nothing reopened"),
                )
            return
        _seen_scenario(connection, seen, scenario)
        current = _state(connection, round_key, scenario)
        if current.status == DRAFT:
            raise ValidationError(
                [
                    Issue(
                        "",
                        "status",
                        said(
                            "scenario %(scenario)s is a draft in round %(round)s: there is "
                            "nothing to reopen",
                            scenario=repr(scenario),
                            round=repr(round_key),
                        ),
                    )
                ],
                summary=said("nothing reopened"),
            )
        _unlock_round(ctx, connection, round_key, reason)
        _put_state(
            ctx,
            connection,
            round_key=round_key,
            scenario=scenario,
            status=DRAFT,
            action="reopen",
            reason=reason,
        )


# -- the status board ------------------------------------------------------------------


def _waits_for(status: str, round_locked: bool) -> str:
    match status:
        case "draft":
            return said("scores, from an expert session")
        case "in_session":
            return said("the session's conclusion")
        case "concluded":
            return said("review")
        case "reviewed":
            return said("approval by someone who did not set its scores")
        case _:
            return said("nothing: locked") if round_locked else said("the round's approval")


@dataclass(frozen=True, slots=True)
class BoardRow:
    scenario: Any  # the Scenario record, as the reader may see it
    status: str
    waits_for: str
    scored: bool
    changed_by: str | None  # who changed its state last (a username, or the operator)
    changed_at: dt.datetime | None
    reason: str | None  # a reopening's
    set_by_reader: bool  # the reader set or concluded its scores: may not approve it

    @property
    def status_text(self) -> str:
        return status_label(self.status)


@dataclass(frozen=True, slots=True)
class Board:
    round: Round
    approved_by: str | None
    approved_at: dt.datetime | None
    rows: list[BoardRow]

    @property
    def locked(self) -> bool:
        return self.approved_by is not None

    @property
    def ready(self) -> bool:
        """Every scored scenario the reader sees is approved, and the round is not yet."""
        scored = [r for r in self.rows if r.scored]
        return not self.locked and bool(scored) and all(r.status == "approved" for r in scored)


def status_board(db: Database, subject: Subject | None, round_key: str) -> Board:
    """Per scenario of the round that ``subject`` may see (scored in it, or with a
    state): its state, what it waits for, and who changed it last. A round they may not
    see answers as one that does not exist."""
    with db.transaction() as connection:
        seen = visibility(connection, subject)
        round_ = seen.redact("rounds", _seen_round(connection, seen, round_key))
        states = _states(connection, round_key)
        scored = _scored(connection, round_key)
        keys = sorted(k for k in scored | set(states) if seen.sees("scenarios", k))
        scenarios = {
            s.key: seen.redact("scenarios", s)
            for s in Repository(connection).fetch("scenarios", keys=keys)
        }
        approval = connection.execute(
            select(round_approvals).where(round_approvals.c.round == round_key)
        ).first()
        locked = approval is not None
        rows = []
        for key in keys:
            state = states.get(key, _State(DRAFT))
            mine = subject is not None and subject.username in setters_of(
                connection, round_key=round_key, scenario=key
            )
            rows.append(
                BoardRow(
                    scenario=scenarios[key],
                    status=state.status,
                    waits_for=_waits_for(state.status, locked),
                    scored=key in scored,
                    changed_by=None if state.changed_by is None else person_of(state.changed_by),
                    changed_at=state.changed_at,
                    reason=state.reason,
                    set_by_reader=mine,
                )
            )
        return Board(
            round=round_,
            approved_by=None if approval is None else person_of(approval.approved_by),
            approved_at=None if approval is None else approval.approved_at,
            rows=rows,
        )
