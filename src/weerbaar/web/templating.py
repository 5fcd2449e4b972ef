"""Rendering a page: every template gets the caller (for the header), speaks the
request's language (Jinja's i18n extension over weerbaar's catalogues: ``{{ _("…") }}``
and ``{% trans %}``) and escapes everything by default."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import jinja2
from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from weerbaar import i18n
from weerbaar.web.language import switch_links


def _gettext(message: str) -> str:
    return i18n.translations(i18n.language()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(i18n.language()).ngettext(singular, plural, n)


def _pgettext(context: str, message: str) -> str:
    return i18n.translations(i18n.language()).pgettext(context, message)


def _npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return i18n.translations(i18n.language()).npgettext(context, singular, plural, n)


def make_templates(folder: Path) -> Jinja2Templates:
    """The page templates, with gettext that follows the request's language."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(folder),
        autoescape=jinja2.select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        _gettext, _ngettext, newstyle=True, pgettext=_pgettext, npgettext=_npgettext
    )
    env.globals.update(
        current_language=i18n.language,
        format_date=i18n.format_date,
        format_datetime=i18n.format_datetime,
        format_number=i18n.format_number,
    )
    return Jinja2Templates(env=env)


def render(
    request: Request,
    template: str,
    context: Mapping[str, Any],
    *,
    status_code: int = 200,
    headers: Mapping[str, str] | None = None,
) -> Response:
    templates: Jinja2Templates = request.app.state.templates
    response: Response = templates.TemplateResponse(
        request,
        template,
        {"caller": None, "language_links": switch_links(request), **context},
        status_code=status_code,
        headers=dict(headers or {}),
    )
    return response
