"""Where a session meets the assessment's steps (:mod:`weerbaar.services.sign_off`):
the scenarios it covers are in session once it starts scoring and concluded with it,
and nothing of an approved round (or scenario) changes through a session."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from weerbaar.errors import LockedError
from weerbaar.services.context import Context
from weerbaar.services.round_locks import lock_refusal_in
from weerbaar.services.sign_off import set_state_in


def refuse_if_any_locked(
    connection: Connection, *, round_key: str, scenarios: Iterable[str]
) -> None:
    """Refuse, naming the round, when the round or one of ``scenarios`` in it is
    approved."""
    for scenario in (None, *scenarios):
        refusal = lock_refusal_in(connection, round_key=round_key, scenario=scenario)
        if refusal is not None:
            raise LockedError(refusal, round_key=round_key, scenario=scenario)


def sessions_started_in(
    ctx: Context, connection: Connection, *, round_key: str, scenarios: Iterable[str]
) -> None:
    """The scenarios' assessments are in session."""
    for scenario in scenarios:
        set_state_in(ctx, connection, round_key=round_key, scenario=scenario, status="in_session")


def sessions_concluded_in(
    ctx: Context, connection: Connection, *, round_key: str, scenarios: Iterable[str]
) -> None:
    """The scenarios' assessments are concluded."""
    for scenario in scenarios:
        set_state_in(ctx, connection, round_key=round_key, scenario=scenario, status="concluded")
