"""Signing in and out of the web app."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Annotated
from urllib.parse import quote, urlparse

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from weerbaar import i18n
from weerbaar.config import SignInSettings
from weerbaar.errors import ForbiddenError, RateLimitedError, UnauthenticatedError, said
from weerbaar.services import second_factors
from weerbaar.services.accounts import User, authenticate
from weerbaar.services.web_sessions import (
    ENROL,
    FULL,
    SECOND_FACTOR,
    sign_out,
    start_session,
)
from weerbaar.web.auth import (
    SESSION_COOKIE,
    client_address,
    cookie_name,
    database,
    find_caller,
    settings_of,
)
from weerbaar.web.language import remember_language
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

# Before a session exists, the login form is protected by a double-submit token: the
# same random value in a cookie and in the form.
LOGIN_CSRF_COOKIE = "weerbaar_login_csrf"


def safe_next(target: str | None) -> str:
    """Only a path on this site: never an open redirect."""
    if not target:
        return "/"
    parsed = urlparse(target)
    if parsed.scheme or parsed.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


def forget_cookie(request: Request, response: Response, name: str) -> None:
    """Delete a cookie with the attributes it was set with: a browser keeps a
    __Host- cookie unless the deletion is Secure too."""
    secure = request.app.state.secure_cookies
    response.delete_cookie(
        cookie_name(request, name), httponly=True, samesite="strict", secure=secure
    )


@router.get("/login")
def login_form(
    request: Request, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    return login_page(request, next, None)


def login_page(request: Request, next: str | None, error: str | None) -> Response:
    """The form, with a new double-submit token, and a way in through each single
    sign-on provider; ``error`` comes from a failed try, never from the address, so a
    link cannot put words on the sign-in page."""
    token = secrets.token_urlsafe(32)
    providers = settings_of(request).single_sign_on.providers
    response = render(
        request,
        "login.html",
        {"csrf_token": token, "next": safe_next(next), "error": error, "providers": providers},
        status_code=401 if error else 200,
    )
    response.set_cookie(
        cookie_name(request, LOGIN_CSRF_COOKIE),
        token,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        max_age=3600,
    )
    return response


@router.post("/login")
def login(
    request: Request,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    expected = request.cookies.get(cookie_name(request, LOGIN_CSRF_COOKIE))
    if not expected or not secrets.compare_digest(expected, csrf_token):
        raise ForbiddenError(said("the sign-in form has expired; reload it"))
    db = database(request)
    try:
        user = authenticate(db, username.strip(), password, client_address(request))
    except (UnauthenticatedError, RateLimitedError) as exc:
        return refused(login_page(request, next, i18n.error_text(exc)), exc)
    response = open_session(
        request, user, next, lambda target: RedirectResponse(target, status_code=303)
    )
    forget_cookie(request, response, LOGIN_CSRF_COOKIE)
    return response


def refused(page: Response, exc: Exception) -> Response:
    """A sign-in step's page with its refusal; too many tries answer 429 with the
    time to wait."""
    if isinstance(exc, RateLimitedError):
        page.status_code = 429
        page.headers["Retry-After"] = str(exc.retry_after)
    return page


def set_session_cookie(
    request: Request, response: Response, cookie: str, sign_in: SignInSettings
) -> None:
    """Hand the browser its new session."""
    response.set_cookie(
        cookie_name(request, SESSION_COOKIE),
        cookie,
        httponly=True,
        samesite="strict",
        secure=request.app.state.secure_cookies,
        max_age=int(sign_in.session_max.total_seconds()),
    )


def open_session(
    request: Request,
    user: User,
    next: str | None,
    answer: Callable[[str], Response],
    *,
    second_factor_done: bool = False,
) -> Response:
    """Start the session a right password (or a provider's answer) earns: signed in
    fully, or still to give its second factor, or to set one up first, as the
    account needs; ``answer(target)`` is the response that sends the browser on, and
    gets the session's cookie and the account's own language."""
    db = database(request)
    sign_in = settings_of(request).sign_in
    if second_factor_done:
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
    target = safe_next(next)
    if landing:
        target = f"{landing}?next={quote(target)}"
    response = answer(target)
    set_session_cookie(request, response, session.cookie, sign_in)
    if user.language:
        remember_language(request, response, user.language)
    return response


@router.post("/logout")
def logout(request: Request, csrf_token: Annotated[str, Form(max_length=128)] = "") -> Response:
    caller = find_caller(request)
    if caller is not None and caller.csrf_token is not None:
        if not secrets.compare_digest(caller.csrf_token, csrf_token):
            raise ForbiddenError(said("the form has expired; reload it"))
        cookie = request.cookies.get(cookie_name(request, SESSION_COOKIE))
        if cookie:
            sign_out(database(request), cookie, actor=caller.actor)
    response = RedirectResponse("/login", status_code=303)
    forget_cookie(request, response, SESSION_COOKIE)
    return response
