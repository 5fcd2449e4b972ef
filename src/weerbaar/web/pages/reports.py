"""``/reports``: the national risk profile of a round as a download, as ``weerbaar
report profile`` makes it: the public edition, or a numbered copy of a classified one
for a named recipient, in Dutch or English, as PDF, HTML or Markdown.

The form offers the rounds the reader may see and the editions up to their
clearance; what it refuses (a guest, a level above the clearance, a round hidden or
missing, alike) it says on the form again. The route is synchronous: the report is
made in the thread pool (see :mod:`weerbaar.web.risk_profile`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from fastapi import APIRouter, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.errors import (
    ForbiddenError,
    NotFoundError,
    RateLimitedError,
    ValidationError,
)
from weerbaar.reference.access import classification_levels
from weerbaar.reports.risk_profile import FORMATS, RECIPIENT_LENGTH
from weerbaar.services.risk_profile import edition_for
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.errors import status_of
from weerbaar.web.pages.common import Form, check_form, form_text
from weerbaar.web.pages.display import classification_label
from weerbaar.web.risk_profile import (
    FIELDS,
    Order,
    edition_levels,
    make_download,
    visible_rounds,
)
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

FORMAT_NAMES = {"pdf": "PDF", "html": "HTML", "md": "Markdown"}
Refusal = ValidationError | ForbiddenError | NotFoundError | RateLimitedError


def _form(
    request: Request,
    caller: Caller,
    *,
    values: Mapping[str, str] | None = None,
    problems: Sequence[str] = (),
    status: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    public = classification_levels().keys[0]
    edition_for(caller.subject, public)  # a guest makes no reports: refused as on the CLI
    rounds = visible_rounds(database(request), caller.subject)
    chosen = {
        "round": rounds[0].key if rounds else "",
        "classification": public,
        "lang": i18n.language(),
        "format": FORMATS[0],
        "recipient": caller.user.display_name,
        **{k: v for k, v in (values or {}).items() if v},
    }
    return render(
        request,
        "reports.html",
        {
            "caller": caller,
            "rounds": rounds,
            "levels": [(key, classification_label(key)) for key in edition_levels(caller.subject)],
            "public": public,
            "languages": [(code, i18n.NAMES[code]) for code in i18n.LANGUAGES],
            "formats": [(fmt, FORMAT_NAMES[fmt]) for fmt in FORMATS],
            "recipient_length": RECIPIENT_LENGTH,
            "chosen": chosen,
            "problems": problems,
        },
        status_code=status,
        headers=headers,
    )


def _problems(exc: Refusal) -> list[str]:
    if isinstance(exc, ValidationError):
        return [i18n.translated(issue.reason) for issue in exc.issues]
    return [i18n.error_text(exc)]


@router.get("/reports")
def reports_page(request: Request) -> Response:
    return _form(request, require_caller(request))


@router.post("/reports")
def make_report(request: Request, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    values = {name: form_text(form, name) for name in FIELDS}
    order = Order(
        round_key=values["round"] or None,
        level=values["classification"] or classification_levels().keys[0],
        language=values["lang"] or i18n.language(),
        fmt=values["format"] or FORMATS[0],
        recipient=values["recipient"] or None,
        organisation=values["organisation"] or None,
    )
    try:
        download = make_download(request, caller, order, place="form")
    except (ValidationError, ForbiddenError, NotFoundError, RateLimitedError) as exc:
        retry = {"Retry-After": str(exc.retry_after)} if isinstance(exc, RateLimitedError) else {}
        return _form(
            request,
            caller,
            values=values,
            problems=_problems(exc),
            status=status_of(exc),
            headers=retry,
        )
    return Response(download.content, media_type=download.media_type, headers=download.headers())
