"""The second step of signing in, and setting up a second factor.

``/login/second-factor`` asks a session whose password was right for its code (from
the authenticator app, or a recovery code). ``/account/second-factor`` sets up an
authenticator app: a session that must have one and has none reaches only this
page (and signing out) until it has; a signed-in one may add another. Both work on
sessions that are not signed in fully, so they find the caller themselves.
"""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.errors import RateLimitedError, UnauthenticatedError, said
from weerbaar.services import second_factors, security_keys
from weerbaar.services.accounts import authenticate
from weerbaar.services.context import Context
from weerbaar.services.web_sessions import ENROL, FULL, SECOND_FACTOR, SessionInfo, finish_sign_in
from weerbaar.web.auth import (
    Caller,
    check_csrf,
    client_address,
    database,
    find_caller,
    settings_of,
)
from weerbaar.web.login import refused, safe_next, set_session_cookie
from weerbaar.web.pages.common import see_other
from weerbaar.web.relying_party import relying_party
from weerbaar.web.step_up import is_recent
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

Next = Annotated[str | None, Query(max_length=2000)]
Code = Annotated[str, Form(max_length=64)]
Token = Annotated[str, Form(max_length=128)]
Target = Annotated[str, Form(max_length=2000)]


def session_at(request: Request, *stages: str) -> Caller:
    """The caller behind a browser session at one of ``stages``; else sign in again."""
    caller = find_caller(request)
    if caller is None or caller.session_id is None or caller.stage not in stages:
        raise UnauthenticatedError(said("sign in first"))
    return caller


def finish(request: Request, caller: Caller, how: str, response: Response) -> Response:
    """Sign the session in fully; ``response`` hands the browser its new cookie."""
    info = SessionInfo(caller.user, caller.csrf_token or "", caller.session_id or "", caller.stage)
    cookie = finish_sign_in(database(request), info, actor=caller.actor, how=how)
    set_session_cookie(request, response, cookie, settings_of(request).sign_in)
    return response


@router.get("/login/second-factor")
def code_form(request: Request, next: Next = None) -> Response:
    caller = session_at(request, SECOND_FACTOR)
    return code_page(request, caller, safe_next(next), None)


def code_page(request: Request, caller: Caller, target: str, error: str | None) -> Response:
    db = database(request)
    kinds = second_factors.factor_kinds(db, caller.user.username)
    key_options = (
        security_keys.authentication_options(
            db, caller.session_id or "", caller.user.username, relying_party(request)
        )
        if security_keys.WEBAUTHN in kinds
        else None
    )
    return render(
        request,
        "second_factor.html",
        {
            "caller": None,
            "pending": caller,
            "next": target,
            "error": error,
            "has_app": second_factors.TOTP in kinds,
            "key_options": key_options,
        },
        status_code=401 if error else 200,
    )


@router.post("/login/second-factor")
def give_code(request: Request, code: Code, csrf_token: Token = "", next: Target = "/") -> Response:
    caller = session_at(request, SECOND_FACTOR)
    check_csrf(caller, csrf_token)
    target = safe_next(next)
    try:
        how = second_factors.verify(
            database(request), caller.user.username, code, client_address(request)
        )
    except (UnauthenticatedError, RateLimitedError) as exc:
        return refused(code_page(request, caller, target, i18n.error_text(exc)), exc)
    return finish(request, caller, how, see_other(target))


def _context(request: Request, caller: Caller) -> Context:
    return Context(db=database(request), actor=caller.actor, subject=caller.subject)


@router.get("/account/second-factor")
def setup_page(request: Request, next: Next = None) -> Response:
    caller = session_at(request, ENROL, FULL)
    return setup_step(request, caller, safe_next(next))


@router.post("/account/second-factor/begin")
def begin(
    request: Request,
    csrf_token: Token = "",
    next: Target = "/",
    password: Annotated[str, Form(max_length=1024)] = "",
) -> Response:
    caller = session_at(request, ENROL, FULL)
    check_csrf(caller, csrf_token)
    if caller.stage == FULL:
        # Whoever holds a signed-in browser must not add an app of their own unseen:
        # the password again (wrong ones count like any failed sign-in).
        authenticate(database(request), caller.user.username, password, client_address(request))
    enrolment = second_factors.begin_totp(_context(request, caller), caller.user)
    return setup_step(request, caller, safe_next(next), enrolment=enrolment)


def setup_step(
    request: Request,
    caller: Caller,
    target: str,
    *,
    enrolment: second_factors.Enrolment | None = None,
    codes: list[str] | None = None,
    error: str | None = None,
    status: int = 200,
    key_added: bool = False,
) -> Response:
    """The set-up page: what the account has, and the next step (an app's QR code and
    code field, or the recovery codes just made, shown once)."""
    db = database(request)
    username = caller.user.username
    qr = segno.make(enrolment.uri, error="m").svg_data_uri(scale=5) if enrolment else None
    signed_in = caller.stage == FULL or codes or key_added
    # A key can be added by one who must set up a factor, or who proved it recently.
    may_add_key = caller.stage == ENROL or is_recent(caller)
    key_options = (
        security_keys.registration_options(
            db, caller.session_id or "", caller.user, relying_party(request)
        )
        if may_add_key and not enrolment and not codes and caller.session_id
        else None
    )
    return render(
        request,
        "second_factor_setup.html",
        {
            "caller": caller if signed_in else None,
            "pending": caller,
            "must": caller.stage == ENROL and not key_added,
            "kinds": second_factors.factor_kinds(db, username),
            "keys": security_keys.list_keys(db, username),
            "codes_left": second_factors.recovery_codes_left(db, username),
            "next": target,
            "enrolment": enrolment,
            "qr": qr,
            "codes": codes,
            "key_added": key_added,
            "key_options": key_options,
            "error": error,
        },
        status_code=status,
    )


@router.post("/account/second-factor/confirm")
def confirm(request: Request, code: Code, csrf_token: Token = "", next: Target = "/") -> Response:
    caller = session_at(request, ENROL, FULL)
    check_csrf(caller, csrf_token)
    target = safe_next(next)
    try:
        codes = second_factors.confirm_totp(_context(request, caller), caller.user, code)
    except UnauthenticatedError as exc:
        error = i18n.gettext(
            "%(problem)s. Start again, and give the code the app shows now.",
            problem=i18n.error_text(exc),
        )
        return setup_step(request, caller, target, error=error, status=401)
    shown = setup_step(request, caller, target, codes=codes)
    return finish(request, caller, "enrolled", shown) if caller.stage == ENROL else shown
