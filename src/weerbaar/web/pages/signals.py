"""The signals page: the signals the reader may see, newest first and filtered, with
the number of sources of each event and counts per theme and source; for those who
may write signals, an analyst's theme per signal and a file of signals taken in.

The trends and alerts pages live in :mod:`.signals_trends` and :mod:`.signals_alerts`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from weerbaar import i18n
from weerbaar.domain.enums import Language, SignalKind
from weerbaar.errors import FileFormatError, ValidationError
from weerbaar.services.horizon import label_signal
from weerbaar.services.signal_ingest import IngestReport
from weerbaar.services.signal_intake import take_in
from weerbaar.services.signal_views import (
    NO_THEME,
    SignalFilter,
    SignalTable,
    signal_table,
    visible_themes,
)
from weerbaar.signals.readers import KINDS, read
from weerbaar.web.auth import Caller, database, require_caller
from weerbaar.web.context import context_of, require_write
from weerbaar.web.pages.common import (
    Form,
    check_form,
    form_text,
    record_url,
    see_other,
)
from weerbaar.web.templating import render
from weerbaar.web.uploads import MAX_UPLOAD, refuse_large_request, too_large, upload_name

router = APIRouter(include_in_schema=False)
Errors = dict[str, list[str]]

PER_PAGE = 50
MAX_PAGE = 100_000
TEXT_LENGTH = 200
FILTERS = ("theme", "source", "language", "kind", "from", "to", "q")


def _add(errors: Errors, name: str, message: str) -> None:
    errors.setdefault(name, []).append(message)


def _date(values: Mapping[str, str], name: str, errors: Errors) -> dt.date | None:
    text = values.get(name, "")
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        _add(
            errors,
            name,
            i18n.gettext("give a date as YYYY-MM-DD, not %(text)s", text=repr(text[:40])),
        )
        return None


def parse_filter(
    values: Mapping[str, str], table_themes: Mapping[str, str]
) -> tuple[SignalFilter, Errors]:
    """The filter of the GET form; unknown choices are errors by their field."""
    errors: Errors = {}
    theme = values.get("theme") or None
    if theme is not None and theme != NO_THEME and theme not in table_themes:
        _add(errors, "theme", i18n.gettext("choose a theme from the list"))
        theme = None
    language = values.get("language") or None
    if language is not None and language not in {x.value for x in Language}:
        _add(errors, "language", i18n.gettext("choose a language from the list"))
        language = None
    kind = values.get("kind") or None
    if kind is not None and kind not in {x.value for x in SignalKind}:
        _add(errors, "kind", i18n.gettext("choose a kind from the list"))
        kind = None
    since = _date(values, "from", errors)
    until = _date(values, "to", errors)
    if since is not None and until is not None and since > until:
        _add(errors, "to", i18n.gettext("must not be before %(date)s", date=since))
    text = values.get("q") or None
    if text is not None and len(text) > TEXT_LENGTH:
        _add(errors, "q", i18n.gettext("at most %(count)s characters", count=TEXT_LENGTH))
        text = None
    chosen = SignalFilter(
        theme=theme,
        source=values.get("source") or None,
        language=language,
        kind=kind,
        since=since,
        until=until,
        text=text,
        first_only=values.get("first", "") == "1",
    )
    return chosen, errors


def _theme_label(signal: Any, themes: Mapping[str, str]) -> dict[str, Any]:
    if signal.theme is None:
        return {"name": None, "by": None}
    name = themes.get(signal.theme, signal.theme)
    by: str | None
    if str(signal.theme_by or "") == "analyst":
        by = i18n.gettext("analyst")
    elif signal.theme_confidence is not None:
        by = i18n.gettext("model %(confidence)s", confidence=format(signal.theme_confidence, ".2f"))
    else:
        by = str(signal.theme_by) if signal.theme_by else None
    return {"name": name, "by": by}


def _rows(table: SignalTable) -> list[dict[str, Any]]:
    return [
        {
            "key": r.signal.key,
            "date": r.signal.published_on.isoformat(),
            "title": r.signal.title,
            "href": record_url("signals", r.signal.key),
            "source": r.signal.source,
            "theme": r.signal.theme or "",
            "theme_label": _theme_label(r.signal, table.themes),
            "reports": r.reports,
            "language": str(r.signal.language),
            "repeat": r.signal.duplicate_of is not None,
        }
        for r in table.rows
    ]


def _query(values: Mapping[str, str], **extra: str) -> str:
    given = {k: v for k, v in values.items() if v and (k in FILTERS or k == "first")}
    given.update(extra)
    return urlencode(given)


def signals_page(
    request: Request,
    caller: Caller,
    values: dict[str, str],
    *,
    report: IngestReport | None = None,
    upload_errors: Errors | None = None,
    label_error: str | None = None,
    status: int = 200,
) -> Response:
    db = database(request)
    subject = caller.subject
    chosen, errors = parse_filter(values, visible_themes(db, subject))
    page_text = values.get("page") or "1"
    page = int(page_text) if page_text.isdigit() and 0 < len(page_text) < 7 else 0
    if not 1 <= page <= MAX_PAGE:
        _add(errors, "page", i18n.gettext("give a page number from 1"))
        page = 1
    table = signal_table(db, subject, chosen, page=page, per_page=PER_PAGE)
    if errors:
        status = 422
    may_write = subject.role.may_write("signals")
    here = f"/signals?{_query(values, page=str(page))}"
    return render(
        request,
        "signals.html",
        {
            "caller": caller,
            "values": values,
            "errors": errors,
            "no_theme": NO_THEME,
            "themes": table.themes,
            "sources": table.sources,
            "languages": [x.value for x in Language],
            "kinds": [x.value for x in SignalKind],
            "rows": _rows(table),
            "total": table.total,
            "page": table.page,
            "pages": table.pages,
            "previous": f"/signals?{_query(values, page=str(page - 1))}" if page > 1 else None,
            "following": f"/signals?{_query(values, page=str(page + 1))}"
            if page < table.pages
            else None,
            "by_theme": [
                {
                    "theme": key,
                    "name": table.themes.get(key, key) if key else i18n.gettext("no theme"),
                    "count": count,
                    "href": f"/signals?{_query(values, theme=key or NO_THEME)}",
                }
                for key, count in table.by_theme
            ],
            "top_sources": table.top_sources,
            "may_write": may_write,
            "here": here,
            "reader_kinds": KINDS,
            "max_upload_mb": MAX_UPLOAD // 1024 // 1024,
            "report": report,
            "upload_errors": upload_errors or {},
            "label_error": label_error,
        },
        status_code=status,
    )


def _get_values(request: Request) -> dict[str, str]:
    query = request.query_params
    values = {name: query.get(name, "").strip() for name in (*FILTERS, "page")}
    # The checkbox is on unless the form was sent without it.
    values["first"] = "1" if query.get("first") == "1" or "applied" not in query else ""
    values["applied"] = "1"
    return values


@router.get("/signals")
def signals_list(request: Request) -> Response:
    caller = require_caller(request)
    return signals_page(request, caller, _get_values(request))


def _back(form: FormData) -> str:
    """Where to go after a correction: a signals page, never elsewhere."""
    target = form_text(form, "next")
    ok = target.startswith("/signals") and not target.startswith("//") and "\\" not in target
    return target if ok else "/signals"


@router.post("/signals/{key}/label")
def label_form(request: Request, key: str, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    require_write(caller, "signals")
    theme = form_text(form, "theme") or None
    try:
        label_signal(context_of(request, caller), key, theme)
    except ValidationError as exc:
        message = "; ".join(i18n.translated(i.reason) for i in exc.issues) or i18n.error_text(exc)
        values = {"first": "1", "applied": "1"}
        return signals_page(request, caller, values, label_error=f"{key}: {message}", status=422)
    return see_other(f"{_back(form)}#signal-{key}")


@router.post("/signals/ingest", dependencies=[Depends(refuse_large_request)])
async def ingest_form(request: Request, form: Form) -> Response:
    try:
        return await _ingest(request, form)
    finally:
        await form.close()  # the uploaded file's temporary copy


async def _ingest(request: Request, form: FormData) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    require_write(caller, "signals")
    errors: Errors = {}
    upload = form.get("file")
    kind = form_text(form, "kind") or None
    if kind is not None and kind not in KINDS:
        _add(errors, "kind", i18n.gettext("choose one of %(choices)s", choices=", ".join(KINDS)))
    report: IngestReport | None = None
    if not isinstance(upload, UploadFile) or not (upload.filename or upload.size):
        _add(errors, "file", i18n.gettext("choose a file to upload"))
    elif not errors:
        data = await upload.read(MAX_UPLOAD + 1)
        if len(data) > MAX_UPLOAD:
            for issue in too_large(upload.size or len(data)).issues:
                _add(errors, "file", i18n.translated(issue.reason))
        else:
            try:
                items = read(data, upload_name(upload), kind=kind)
                report = await run_in_threadpool(take_in, context_of(request, caller), items)
            except FileFormatError as exc:
                _add(errors, "file", i18n.error_text(exc))
            except ValidationError as exc:
                for issue in exc.issues:
                    _add(errors, "file", i18n.translated(issue.reason))
    values = {"first": "1", "applied": "1"}
    return await run_in_threadpool(
        signals_page,
        request,
        caller,
        values,
        report=report,
        upload_errors=errors,
        status=422 if errors else 200,
    )
