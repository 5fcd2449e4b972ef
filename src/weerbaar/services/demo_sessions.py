"""The demo profile's expert session (``data/demo/sessions.yaml``), played through the
same use cases a real session goes through: the accounts, the plan, each expert's
scores and submission, the discussion, the conclusion and the review. Illustrative,
not official.

Loading again changes nothing once the session is there.
"""

from __future__ import annotations

import datetime as dt
from importlib import resources
from typing import Any

import yaml
from sqlalchemy import select

from weerbaar.domain.sessions import SessionStatus
from weerbaar.services import sessions
from weerbaar.services.accounts import add_user_without_password, get_user
from weerbaar.services.context import Context
from weerbaar.services.sign_off import review
from weerbaar.storage.tables import expert_sessions, users

SESSIONS_FILE = "demo/sessions.yaml"


def _as(ctx: Context, username: str) -> Context:
    user = get_user(ctx.db, username)
    return Context(db=ctx.db, actor=username, clock=ctx.clock, subject=user.subject())


def _accounts(ctx: Context, accounts: list[dict[str, Any]]) -> None:
    with ctx.db.transaction(write=True) as connection:
        known = set(connection.execute(select(users.c.username)).scalars())
        for account in accounts:
            if account["username"] in known:
                continue
            add_user_without_password(
                ctx,
                connection,
                username=account["username"],
                display_name=account["display_name"],
                role=account["role"],
                organisation=account["organisation"],
                clearance=account["clearance"],
                note="demo profile: illustrative account, cannot sign in",
            )


def _score_args(item: list[Any]) -> dict[str, Any]:
    value, low, high, confidence, rationale = item
    return {
        "value": str(value),
        "low": str(low),
        "high": str(high),
        "confidence": confidence,
        "rationale": rationale,
    }


def load_demo_sessions(ctx: Context) -> bool:
    """Play the demo session through, unless it is there already; whether it was."""
    text = resources.files("weerbaar.data").joinpath(SESSIONS_FILE).read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    plan = data["session"]
    with ctx.db.transaction() as connection:
        found = connection.execute(
            select(expert_sessions.c.key).where(expert_sessions.c.key == plan["key"])
        ).first()
    if found is not None:
        return False
    _accounts(ctx, data["accounts"])
    chair = _as(ctx, plan["chair"])
    key = plan["key"]
    sessions.create_session(
        chair,
        key=key,
        round_key=plan["round"],
        title=plan["title"],
        title_en=plan["title_en"],
        held_on=dt.date.fromisoformat(str(plan["held_on"])),
        scenarios=plan["scenarios"],
    )
    for expert in plan["experts"]:
        sessions.add_participant(chair, session=key, username=expert)
    sessions.advance(chair, session=key, to=SessionStatus.SCORING)
    (scenario,) = plan["scenarios"]
    for expert, scores in plan["scores"].items():
        them = _as(ctx, expert)
        for criterion, item in scores.items():
            sessions.score(
                them, session=key, scenario=scenario, criterion=criterion, **_score_args(item)
            )
        sessions.submit(them, session=key)
    sessions.advance(chair, session=key, to=SessionStatus.DISCUSSION)
    outcomes = {
        (scenario, criterion): sessions.Outcome(
            value=str(value), low=str(low), high=str(high), rationale=rationale
        )
        for criterion, (value, low, high, rationale) in plan["outcomes"].items()
    }
    sessions.conclude(
        chair, session=key, rationale=" ".join(plan["rationale"].split()), outcomes=outcomes
    )
    # Reviewed by the analysts' network: the round waits for the steering group.
    review(_as(ctx, plan["reviewed_by"]), round_key=plan["round"], scenario=scenario)
    return True
