"""Security keys and passkeys in the browser: signing in with one as the second
factor, and adding one to an account. The browser's part is in
``static/security_key.js``: it reads the options from the form's ``data-options``,
asks the key, and sends its answer with the form."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.errors import RateLimitedError, UnauthenticatedError, ValidationError
from weerbaar.services import security_keys
from weerbaar.services.context import Context
from weerbaar.services.web_sessions import ENROL, FULL, SECOND_FACTOR
from weerbaar.web.auth import check_csrf, client_address, database
from weerbaar.web.login import refused, safe_next
from weerbaar.web.pages.common import see_other
from weerbaar.web.relying_party import relying_party
from weerbaar.web.second_factor import code_page, finish, session_at, setup_step
from weerbaar.web.step_up import require_recent

router = APIRouter(include_in_schema=False)

Token = Annotated[str, Form(max_length=128)]
Target = Annotated[str, Form(max_length=2000)]
# A key's answer is a few hundred bytes of JSON; attestation certificates make more.
Credential = Annotated[str, Form(max_length=20_000)]


@router.post("/login/second-factor/key")
def sign_in_with_key(
    request: Request, credential: Credential, csrf_token: Token = "", next: Target = "/"
) -> Response:
    caller = session_at(request, SECOND_FACTOR)
    check_csrf(caller, csrf_token)
    target = safe_next(next)
    try:
        security_keys.verify_key(
            database(request),
            caller.session_id or "",
            caller.user.username,
            credential,
            relying_party(request),
            client_address(request),
        )
    except (UnauthenticatedError, RateLimitedError) as exc:
        return refused(code_page(request, caller, target, i18n.error_text(exc)), exc)
    return finish(request, caller, "security key", see_other(target))


@router.post("/account/second-factor/key")
def add_key(
    request: Request,
    credential: Credential,
    csrf_token: Token = "",
    next: Target = "/",
    name: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    caller = session_at(request, ENROL, FULL)
    check_csrf(caller, csrf_token)
    if caller.stage == FULL:
        require_recent(caller)
    target = safe_next(next)
    ctx = Context(db=database(request), actor=caller.actor, subject=caller.subject)
    try:
        codes = security_keys.register_key(
            ctx, caller.session_id or "", caller.user, credential, relying_party(request), name
        )
    except (UnauthenticatedError, ValidationError) as exc:
        return setup_step(request, caller, target, error=i18n.error_text(exc), status=401)
    shown = setup_step(request, caller, target, codes=codes, key_added=True)
    return finish(request, caller, "security key added", shown) if caller.stage == ENROL else shown
