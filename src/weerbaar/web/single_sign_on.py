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
from urllib.parse import quote

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import RedirectResponse, Response

from weerbaar.errors import UnauthenticatedError
from weerbaar.services import second_factors
from weerbaar.services.single_sign_on import begin_sign_in, finish_sign_in
from weerbaar.services.web_sessions import ENROL, FULL, SECOND_FACTOR, start_session
from weerbaar.web.auth import client_address, cookie_name, database, settings_of
from weerbaar.web.login import forget_cookie, login_page, safe_next, set_session_cookie
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
        return login_page(request, next, str(exc))
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
        refused = login_page(request, None, str(exc))
        forget_cookie(request, refused, STATE_COOKIE)
        return refused
    sign_in = settings_of(request).sign_in
    user = done.user
    # As after a password, except that the provider's own second factor counts.
    if done.second_factor_done:
        stage, landing = FULL, ""
    elif second_factors.has_factor(db, user.username):
        stage, landing = SECOND_FACTOR, "/login/second-factor"
    elif second_factors.required(user, sign_in):
        stage, landing = ENROL, "/account/second-factor"
    else:
        stage, landing = FULL, ""
    session = start_session(
        db,
        user,
        address=client_address(request),
        device=request.headers.get("user-agent", ""),
        settings=sign_in,
        stage=stage,
    )
    target = safe_next(done.next)
    if landing:
        target = f"{landing}?next={quote(target)}"
    response = render(
        request, "single_sign_on_done.html", {"target": target, "provider": done.provider.title}
    )
    set_session_cookie(request, response, session.cookie, sign_in)
    forget_cookie(request, response, STATE_COOKIE)
    return response
