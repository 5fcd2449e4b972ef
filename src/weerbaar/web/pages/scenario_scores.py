"""Recording a score from a scenario's page: created or replaced in the round the page
showed, then back to the page, whose assessment (and the dashboard's diagram) now
includes it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.datastructures import FormData

from weerbaar import i18n
from weerbaar.domain.register import BY_NAME
from weerbaar.errors import Issue, LockedError, ValidationError
from weerbaar.services.context import Context
from weerbaar.services.records import get_record
from weerbaar.services.scoring import record_score
from weerbaar.web.auth import database, require_caller
from weerbaar.web.context import context_of
from weerbaar.web.pages.common import check_form, form_text, read_form, see_other
from weerbaar.web.pages.records import show_response
from weerbaar.web.pages.rounds import visible_rounds
from weerbaar.web.pages.scenario_assessment import (
    SCORE_EXTRAS,
    SCORE_FIELDS,
    assessment_section,
)

router = APIRouter(include_in_schema=False)


def _save(ctx: Context, key: str, values: dict[str, str], round_key: str | None) -> None:
    if round_key is None:
        raise ValidationError([Issue("", "round", i18n.gettext("there is no round to score in"))])
    if not values["criterion"] or not values["value"]:
        raise ValidationError(
            [Issue("", "value", i18n.gettext("choose a criterion and give a value"))]
        )
    record_score(
        ctx,
        scenario=key,
        criterion=values["criterion"],
        value=values["value"],
        low=values["low"] or None,
        high=values["high"] or None,
        extra={name: values[name] for name in SCORE_EXTRAS if values[name]},
        round_key=round_key,
    )


@router.post("/scenarios/{key}/scores")
def record(request: Request, key: str, form: Annotated[FormData, Depends(read_form)]) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    db = database(request)
    # Scoring a scenario the caller may not see must read as "no such scenario".
    found = get_record(db, entity_name="scenarios", key=key, subject=caller.subject)
    values = {name: form_text(form, name) for name in SCORE_FIELDS}
    # The round the page showed: the newest the caller may see.
    rounds = visible_rounds(db, caller.subject)
    try:
        _save(context_of(request, caller), key, values, rounds[-1].key if rounds else None)
    except (ValidationError, LockedError) as exc:
        # A locked round's refusal is said where the score was typed, as a bad value is.
        problems = (
            [i18n.issue_text(i) for i in exc.issues]
            if isinstance(exc, ValidationError)
            else [i18n.error_text(exc)]
        )
        section = assessment_section(request, caller, found.record, form=values, problems=problems)
        status = 422 if isinstance(exc, ValidationError) else 409
        return show_response(
            request, caller, BY_NAME["scenarios"], found, assessment=section, status=status
        )
    return see_other(f"/scenarios/{key}#assessment")
