"""``/account/confirm``: the password, an app's code or a security key again, before a
sensitive act (``web.step_up``)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.errors import RateLimitedError, UnauthenticatedError
from weerbaar.services import second_factors, security_keys
from weerbaar.services.accounts import authenticate
from weerbaar.services.web_sessions import SessionInfo, confirm_identity
from weerbaar.web.auth import Caller, check_csrf, client_address, database, require_caller
from weerbaar.web.login import refused, safe_next
from weerbaar.web.pages.common import see_other
from weerbaar.web.relying_party import relying_party
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)


def _page(request: Request, caller: Caller, target: str, error: str | None = None) -> Response:
    db = database(request)
    kinds = second_factors.factor_kinds(db, caller.user.username)
    options = (
        security_keys.authentication_options(
            db, caller.session_id or "", caller.user.username, relying_party(request)
        )
        if security_keys.WEBAUTHN in kinds and caller.session_id
        else None
    )
    return render(
        request,
        "confirm.html",
        {
            "caller": caller,
            "next": target,
            "error": error,
            "has_app": second_factors.TOTP in kinds,
            "key_options": options,
        },
        status_code=401 if error else 200,
    )


@router.get("/account/confirm")
def confirm_page(
    request: Request, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    caller = require_caller(request)
    return _page(request, caller, safe_next(next))


@router.post("/account/confirm")
def confirm(
    request: Request,
    csrf_token: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/account",
    password: Annotated[str, Form(max_length=1024)] = "",
    code: Annotated[str, Form(max_length=64)] = "",
    credential: Annotated[str, Form(max_length=20_000)] = "",
) -> Response:
    caller = require_caller(request)
    check_csrf(caller, csrf_token)
    target = safe_next(next)
    db = database(request)
    address = client_address(request)
    try:
        if credential:
            security_keys.verify_key(
                db,
                caller.session_id or "",
                caller.user.username,
                credential,
                relying_party(request),
                address,
            )
            how = "security key"
        elif code:
            how = second_factors.verify(db, caller.user.username, code, address)
        else:
            authenticate(db, caller.user.username, password, address)
            how = "password"
    except (UnauthenticatedError, RateLimitedError) as exc:
        return refused(_page(request, caller, target, i18n.error_text(exc)), exc)
    session = SessionInfo(caller.user, caller.csrf_token or "", caller.session_id or "")
    confirm_identity(db, session, actor=caller.actor, how=how)
    return see_other(target)
