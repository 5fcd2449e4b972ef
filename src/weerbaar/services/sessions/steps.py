"""Where a session meets the assessment's steps: the scenarios it covers are in
session once it starts scoring and concluded with it, and nothing of an approved
round (or scenario) changes."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection

from weerbaar.services.context import Context


def lock_refusal_in(
    connection: Connection, *, round_key: str, scenario: str | None = None
) -> str | None:
    """Why the round's (scenario's) assessment cannot change now; None if it can."""
    return None


def sessions_started_in(
    ctx: Context, connection: Connection, *, round_key: str, scenarios: Iterable[str]
) -> None:
    """The scenarios' assessments are in session."""


def sessions_concluded_in(
    ctx: Context, connection: Connection, *, round_key: str, scenarios: Iterable[str]
) -> None:
    """The scenarios' assessments are concluded."""
