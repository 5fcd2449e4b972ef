"""Signing in through an OpenID provider: the way there, and the way back.

The browser keeps the sign-in's state in a cookie while it is away, so that only the
browser that started a sign-in can finish it (an answer someone else started, sent
to a victim, is refused). That cookie is SameSite=Lax: the provider's answer is a
top-level navigation from another site, which a Strict cookie would not come with.
For the same reason the answer is a page that moves on by itself rather than a
redirect: a navigation that began at the provider would not carry the Strict session
cookie to the next page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from weerbaar import i18n
from weerbaar.errors import UnauthenticatedError
from weerbaar.services.single_sign_on import begin_sign_in, finish_sign_in
from weerbaar.web.auth import client_address, cookie_name, database, settings_of
from weerbaar.web.login import forget_cookie, login_page, open_session, safe_next
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

STATE_COOKIE = "weerbaar_sso_state"
STATE_COOKIE_SECONDS = 600  # as long as a sign-in under way lasts

ProviderKey = Annotated[str, Path(max_length=64)]


def _callback_address(request: Request, provider: str) -> str:
    return str(request.url_for("single_sign_on_callback", provider=provider))


@router.get("/login/sso/{provider}")
def start(
    request: Request,
    provider: ProviderKey,
    next: Annotated[str | None, Query(max_length=2000)] = None,
) -> Response:
    try:
        started = begin_sign_in(
            database(request),
            settings_of(request).single_sign_on,
            provider,
            redirect_uri=_callback_address(request, provider),
            next=safe_next(next),
            address=client_address(request),
        )
    except UnauthenticatedError as exc:
        return login_page(request, next, i18n.error_text(exc))
    response = RedirectResponse(started.url, status_code=303)
    response.set_cookie(
        cookie_name(request, STATE_COOKIE),
        started.state,
        httponly=True,
        samesite="lax",
        secure=request.app.state.secure_cookies,
        max_age=STATE_COOKIE_SECONDS,
    )
    return response


@router.get("/login/sso/{provider}/callback", name="single_sign_on_callback")
def callback(
    request: Request,
    provider: ProviderKey,
    code: Annotated[str, Query(max_length=4096)] = "",
    state: Annotated[str, Query(max_length=512)] = "",
    error: Annotated[str, Query(max_length=200)] = "",
) -> Response:
    db = database(request)
    try:
        done = finish_sign_in(
            db,
            settings_of(request).single_sign_on,
            provider,
            state=state,
            code=code,
            error=error,
            kept_state=request.cookies.get(cookie_name(request, STATE_COOKIE)),
            redirect_uri=_callback_address(request, provider),
            address=client_address(request),
        )
    except UnauthenticatedError as exc:
        refused = login_page(request, None, i18n.error_text(exc))
        forget_cookie(request, refused, STATE_COOKIE)
        return refused
    provider = done.provider.title
    # As after a password, except that the provider's own second factor counts.
    response = open_session(
        request,
        done.user,
        done.next,
        lambda target: render(
            request, "single_sign_on_done.html", {"target": target, "provider": provider}
        ),
        second_factor_done=done.second_factor_done,
    )
    forget_cookie(request, response, STATE_COOKIE)
    return response
