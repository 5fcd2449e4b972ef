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
from markupsafe import Markup
from starlette.responses import Response

from weerbaar import i18n
from weerbaar.i18n import vocabulary
from weerbaar.web.language import switch_links


def _gettext(message: str) -> str:
    return i18n.translations(i18n.language()).gettext(message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return i18n.translations(i18n.language()).ngettext(singular, plural, n)


def _pgettext(context: str, message: str) -> str:
    return i18n.translations(i18n.language()).pgettext(context, message)


def _npgettext(context: str, singular: str, plural: str, n: int) -> str:
    return i18n.translations(i18n.language()).npgettext(context, singular, plural, n)


def named(item: Any, field: str = "name") -> Markup:
    """A reference item or record by name in the reader's language; an English reader
    also sees the official Dutch term beside it, marked as Dutch for screen readers."""
    own = str(getattr(item, field, "") or "")
    english = getattr(item, f"{field}_en", None)
    if i18n.language() == "en" and english and english != own:
        return Markup('{} <span lang="nl" class="dutch">({})</span>').format(english, own)
    return Markup("{}").format(own)


def as_written(name: object) -> Markup:
    """A name that is an identifier as well (a sector, a source): shown as written,
    marked so that translation tools and the language checks leave it alone."""
    return Markup('<span translate="no">{}</span>').format(name)


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
        named=named,
        with_dutch=i18n.with_dutch,
        translated=i18n.translated,
        localised=i18n.localised,
        singular=vocabulary.singular,
        entity_title=vocabulary.entity_title,
        action_label=vocabulary.action_label,
    )
    env.filters.update(
        tier_label=vocabulary.tier_label,
        value_label=vocabulary.value_label,
        as_written=as_written,
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
