"""``/accounts``: administrators see every account, sign one out everywhere, or
remove its second factors (a lost phone or key). Both acts ask for the password or a
second factor again when it was last given a few minutes ago, and are audited."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.errors import ForbiddenError, said
from weerbaar.services import second_factors, web_sessions
from weerbaar.services.account_overview import account_overview
from weerbaar.web.auth import Caller, require_caller
from weerbaar.web.context import context_of
from weerbaar.web.limits import Key
from weerbaar.web.pages.common import Form, check_form
from weerbaar.web.step_up import require_recent
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

Username = Annotated[Key, Path()]


def _administrator(request: Request) -> Caller:
    caller = require_caller(request)
    if not caller.subject.role.manages_accounts:
        raise ForbiddenError(said("only an administrator manages accounts"))
    return caller


def _page(request: Request, caller: Caller, notice: str | None = None) -> Response:
    return render(
        request,
        "accounts_admin.html",
        {
            "caller": caller,
            "lines": account_overview(context_of(request, caller)),
            "notice": notice,
        },
    )


@router.get("/accounts")
def accounts(request: Request) -> Response:
    return _page(request, _administrator(request))


@router.post("/accounts/{username}/end-sessions")
def end_sessions(request: Request, username: Username, form: Form) -> Response:
    caller = _administrator(request)
    check_form(caller, form)
    require_recent(caller)
    ended = web_sessions.end_sessions(
        context_of(request, caller), username=username, keep=caller.session_id
    )
    notice = i18n.ngettext(
        "%(name)s: %(num)d session ended", "%(name)s: %(num)d sessions ended", ended, name=username
    )
    return _page(request, caller, notice)


@router.post("/accounts/{username}/reset-factors")
def reset_factors(request: Request, username: Username, form: Form) -> Response:
    caller = _administrator(request)
    check_form(caller, form)
    require_recent(caller)
    removed = second_factors.reset_factors(context_of(request, caller), username)
    notice = i18n.ngettext(
        "%(name)s: %(num)d second factor removed and its sessions ended; it sets up a new "
        "one at its next sign-in",
        "%(name)s: %(num)d second factors removed and its sessions ended; it sets up a new "
        "one at its next sign-in",
        removed,
        name=username,
    )
    return _page(request, caller, notice)
