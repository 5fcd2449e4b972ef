"""Which language a request is answered in, and the page's language switch.

``?lang=nl`` or ``?lang=en`` chooses for this browser (kept in a cookie for a year);
else the cookie; else the browser's ``Accept-Language``; else the installation's
default (``WEERBAAR_LANG``, Dutch). Signing in sets the cookie to the account's own
choice, when it has made one. Answers say which they chose (``Content-Language``) and
what they vary on, so a cache never hands a Dutch page to an English reader.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from fastapi import Request
from starlette.responses import Response

from weerbaar import i18n
from weerbaar.config import Settings

LANGUAGE_COOKIE = "weerbaar_lang"
COOKIE_SECONDS = 365 * 24 * 3600


def chosen_language(request: Request, default: str) -> tuple[str, bool]:
    """The request's language, and whether ``?lang=`` chose it (to be remembered)."""
    asked = i18n.supported(request.query_params.get("lang"))
    if asked:
        return asked, True
    kept = i18n.supported(request.cookies.get(LANGUAGE_COOKIE))
    if kept:
        return kept, False
    header = request.headers.get("accept-language", "")
    return (i18n.from_accept_language(header) if header else None) or default, False


def remember_language(request: Request, response: Response, language: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE,
        language,
        max_age=COOKIE_SECONDS,
        httponly=True,
        samesite="lax",
        secure=request.app.state.secure_cookies,
    )


def switch_links(request: Request) -> list[tuple[str, str, str, bool]]:
    """(code, name, address, current) per language: this page in that language. The
    address keeps the path alone: a query could carry words someone put in a link."""
    current = i18n.language()
    return [
        (code, i18n.NAMES[code], f"{request.url.path}?{urlencode({'lang': code})}", code == current)
        for code in i18n.LANGUAGES
    ]


def language_middleware(
    settings: Settings,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    async def choose(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        language, asked = chosen_language(request, settings.language)
        token = i18n.set_language(language)
        try:
            response = await call_next(request)
        finally:
            i18n.reset_language(token)
        response.headers.setdefault("Content-Language", language)
        response.headers.append("Vary", "Accept-Language, Cookie")
        if asked:
            remember_language(request, response, language)
        return response

    return choose
