"""The lock an approval puts on a round's assessment: one rule for every path.

A round approved as a whole (a row in ``round_approvals``) is locked; so is one
scenario's assessment in a round once it is approved (``assessment_states``). While
locked, no score of it is created, changed or deleted, the round's own record is not
edited or deleted, and no alert is flagged for the round. Reads stay open.

:mod:`weerbaar.services.records` (every page, API and CLI write, the cascade's
"store as scores", signal flags) and :mod:`weerbaar.services.transfer` (imports) ask
this module, so each path refuses alike, naming the round.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from weerbaar.domain.enums import AlertStatus
from weerbaar.errors import LockedError, said
from weerbaar.storage.tables import assessment_states, round_approvals

__all__ = [
    "SCORE_ENTITIES",
    "Locks",
    "lock_refusal_in",
    "locks_in",
    "refusal_text",
    "refuse_locked_write",
]

SCORE_ENTITIES = ("impact_scores", "likelihood_scores")


@dataclass(frozen=True, slots=True)
class Locks:
    """The rounds approved as a whole, and the (round, scenario) pairs approved."""

    rounds: frozenset[str]
    scenarios: frozenset[tuple[str, str]]

    def locked(self, round_key: str, scenario: str | None = None) -> tuple[str, str | None] | None:
        """(round, None) if the round is locked, (round, scenario) if only the
        scenario's assessment in it is; None if open."""
        if round_key in self.rounds:
            return (round_key, None)
        if scenario is not None and (round_key, scenario) in self.scenarios:
            return (round_key, scenario)
        return None

    def write_locked(
        self, entity_name: str, before: Any | None, after: Any | None
    ) -> tuple[str, str | None] | None:
        """What lock (as :meth:`locked`) refuses this write of a record, if any."""
        if entity_name in SCORE_ENTITIES:
            for record in (before, after):
                if record is not None:
                    found = self.locked(record.round, record.scenario)
                    if found is not None:
                        return found
        elif entity_name == "rounds":
            if before is not None:
                return self.locked(before.key)
        elif entity_name == "alerts" and after is not None and after.round is not None:
            flagged = after.status == AlertStatus.FLAGGED
            already = (
                before is not None
                and before.round == after.round
                and before.status == AlertStatus.FLAGGED
            )
            if flagged and not already:
                return self.locked(after.round)
        return None


def locks_in(connection: Connection) -> Locks:
    """The locks as they stand in this transaction."""
    rounds = frozenset(connection.execute(select(round_approvals.c.round)).scalars())
    approved = connection.execute(
        select(assessment_states.c.round, assessment_states.c.scenario).where(
            assessment_states.c.status == "approved"
        )
    )
    return Locks(rounds, frozenset((r, s) for r, s in approved))


def refusal_text(round_key: str, scenario: str | None) -> str:
    """Why a write to this locked round (or scenario in it) is refused."""
    if scenario is None:
        return said(
            "round %(round)s is approved and locked: a coordinator must reopen it before "
            "its assessment can change",
            round=repr(round_key),
        )
    return said(
        "scenario %(scenario)s is approved in round %(round)s and locked: a coordinator "
        "must reopen it before its scores can change",
        scenario=repr(scenario),
        round=repr(round_key),
    )


def lock_refusal_in(
    connection: Connection, *, round_key: str, scenario: str | None = None
) -> str | None:
    """Why writing the round's assessment (of ``scenario``, if given) is refused now:
    the round is approved, or the scenario's assessment in it is. None: it is open."""
    found = locks_in(connection).locked(round_key, scenario)
    return None if found is None else refusal_text(*found)


def refuse_locked_write(
    connection: Connection, entity_name: str, before: Any | None, after: Any | None
) -> None:
    """Raise :class:`LockedError` if a lock forbids this write of a record."""
    if entity_name not in (*SCORE_ENTITIES, "rounds", "alerts"):
        return
    found = locks_in(connection).write_locked(entity_name, before, after)
    if found is not None:
        raise LockedError(refusal_text(*found), round_key=found[0], scenario=found[1])
