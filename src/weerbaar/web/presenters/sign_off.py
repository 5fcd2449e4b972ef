"""A round's status board as it is handed out: the model of the API's
``/rounds/{round}/status`` and of ``weerbaar round status --format json``."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from weerbaar import i18n
from weerbaar.services.sign_off import Board


class ScenarioState(BaseModel):
    scenario: str
    title: str
    status: str = Field(description="draft, in_session, concluded, reviewed or approved")
    waits_for: str = Field(description="what it waits for, in the reader's language")
    scored: bool = Field(description="whether it has scores in the round")
    changed_by: str | None = Field(description="who changed its state last")
    changed_at: dt.datetime | None
    reason: str | None = Field(description="why it was reopened, if it was")
    set_by_reader: bool = Field(
        description="the reader set or concluded its scores, so may not approve it"
    )


class RoundStatus(BaseModel):
    round: str
    name: str
    locked: bool = Field(description="approved as a whole: no change until reopened")
    approved_by: str | None
    approved_at: dt.datetime | None
    ready: bool = Field(description="every scored scenario approved: the round can be approved")
    scenarios: list[ScenarioState]


def board_answer(board: Board) -> RoundStatus:
    return RoundStatus(
        round=board.round.key,
        name=board.round.name,
        locked=board.locked,
        approved_by=board.approved_by,
        approved_at=board.approved_at,
        ready=board.ready,
        scenarios=[
            ScenarioState(
                scenario=row.scenario.key,
                title=i18n.localised(row.scenario, "title"),
                status=row.status,
                waits_for=i18n.translated(row.waits_for),
                scored=row.scored,
                changed_by=row.changed_by,
                changed_at=row.changed_at,
                reason=row.reason,
                set_by_reader=row.set_by_reader,
            )
            for row in board.rows
        ],
    )
