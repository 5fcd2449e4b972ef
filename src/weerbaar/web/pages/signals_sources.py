"""The sources page: each source the reader may see with the health of its polls; for
those who may write sources, a poll now."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.services.source_polling import describe, poll_due, source_states_of
from weerbaar.web.auth import Caller, require_caller
from weerbaar.web.context import context_of, require_write
from weerbaar.web.pages.common import Form, check_form, record_url
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)


def _moment(value: Any) -> str:
    return "—" if value is None else i18n.format_datetime(value)


def sources_page(
    request: Request, caller: Caller, *, polled: dict[str, Any] | None = None
) -> Response:
    rows = []
    for source, state in source_states_of(context_of(request, caller)):
        health = "new" if state is None else "healthy" if state.healthy else "unhealthy"
        rows.append(
            {
                "key": source.key,
                "name": source.name,
                "href": record_url("sources", source.key),
                "kind": str(source.kind),
                "health": health,
                "failures": state.failures if state else 0,
                "last_poll": _moment(state.last_poll if state else None),
                "next_poll": _moment(state.next_poll if state else None),
                "items": i18n.format_number(state.items_taken if state else 0),
                "error": (state.last_error or "") if state else "",
            }
        )
    return render(
        request,
        "signals_sources.html",
        {
            "caller": caller,
            "rows": rows,
            "may_poll": caller.subject.role.may_write("sources"),
            "polled": polled,
        },
    )


@router.get("/signals/sources")
def sources_list(request: Request) -> Response:
    return sources_page(request, require_caller(request))


@router.post("/signals/sources/{key}/poll")
def poll_form(request: Request, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    require_write(caller, "sources")
    settings = request.app.state.settings
    outcomes = poll_due(
        context_of(request, caller), secrets=settings.source_secrets, only=key, force=True
    )
    if not outcomes:
        return sources_page(request, caller)
    outcome = outcomes[0]
    polled = {"line": describe(outcome), "error": outcome.report is None}
    return sources_page(request, caller, polled=polled)
