"""``/account``: one's own account, the browser sessions signed in with it (ended one
by one or all but this one) and its API tokens (made, with the secret shown once, and
revoked)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response

from weerbaar import i18n
from weerbaar.errors import Issue, ValidationError, said
from weerbaar.services import accounts, api_tokens, web_sessions
from weerbaar.services.api_tokens import NewToken, Scope
from weerbaar.web.auth import Caller, require_caller, settings_of
from weerbaar.web.context import context_of
from weerbaar.web.language import remember_language
from weerbaar.web.pages.common import Form, check_form, form_text, see_other
from weerbaar.web.step_up import require_recent
from weerbaar.web.templating import render

router = APIRouter(include_in_schema=False)

SessionId = Annotated[str, Path(max_length=16, pattern="^[0-9a-f]{16}$")]
TokenId = Annotated[str, Path(max_length=16, pattern="^[0-9a-f]{16}$")]


def _page(
    request: Request,
    caller: Caller,
    *,
    made: NewToken | None = None,
    problems: list[str] | None = None,
    notice: str | None = None,
    code: int = 200,
) -> Response:
    ctx = context_of(request, caller)
    now = ctx.clock()
    sign_in = settings_of(request).sign_in
    tokens = api_tokens.list_tokens(ctx, caller.user.username)
    return render(
        request,
        "account.html",
        {
            "caller": caller,
            "manages_accounts": caller.subject.role.manages_accounts,
            "chosen_language": caller.user.language or i18n.language(),
            "sessions": web_sessions.list_sessions(ctx, caller.user.username),
            "current": caller.session_id,
            "tokens": [(t, t.state(now)) for t in tokens],
            "made": made,
            "problems": problems or [],
            "notice": notice,
            "scopes": [s.value for s in Scope],
            "token_days": sign_in.token_days,
            "token_max_days": sign_in.token_max_days,
            "idle_minutes": int(sign_in.session_idle.total_seconds() // 60),
            "max_hours": int(sign_in.session_max.total_seconds() // 3600),
        },
        status_code=code,
    )


@router.get("/account")
def account(request: Request) -> Response:
    return _page(request, require_caller(request))


@router.post("/account/sessions/{session_id}/end")
def end_session(request: Request, session_id: SessionId, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    web_sessions.end_sessions(context_of(request, caller), session_id=session_id)
    return see_other("/login" if session_id == caller.session_id else "/account")


@router.post("/account/sessions/end-others")
def end_other_sessions(request: Request, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    ended = web_sessions.end_sessions(
        context_of(request, caller), username=caller.user.username, keep=caller.session_id
    )
    notice = i18n.ngettext("%(num)d other session ended", "%(num)d other sessions ended", ended)
    return _page(request, caller, notice=notice)


@router.post("/account/tokens")
def create_token(request: Request, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    require_recent(caller)
    scope_text = form_text(form, "scope")
    days_text = form_text(form, "days")
    problems = []
    if scope_text not in {s.value for s in Scope}:
        problems.append("scope: read or write")
    if days_text and not days_text.isdigit():
        problems.append("days: a whole number of days")
    if problems:
        return _page(request, caller, problems=problems, code=422)
    try:
        made = api_tokens.create_token(
            context_of(request, caller),
            caller.user.username,
            form_text(form, "name"),
            settings=settings_of(request).sign_in,
            scope=Scope(scope_text),
            days=int(days_text) if days_text else None,
        )
    except ValidationError as exc:
        return _page(request, caller, problems=[i18n.issue_text(i) for i in exc.issues], code=422)
    return _page(request, caller, made=made, code=201)


@router.post("/account/tokens/{token_id}/revoke")
def revoke_token(request: Request, token_id: TokenId, form: Form) -> Response:
    caller = require_caller(request)
    check_form(caller, form)
    api_tokens.revoke_token(context_of(request, caller), token_id)
    return _page(request, caller, notice=i18n.gettext("API token %(id)s revoked", id=token_id))


@router.post("/account/language")
def choose_language(request: Request, form: Form) -> Response:
    """The account's own language: kept on the account for its next sign-ins, and in
    this browser at once."""
    caller = require_caller(request)
    check_form(caller, form)
    chosen = i18n.supported(form_text(form, "language"))
    if chosen is None:
        raise ValidationError(
            [Issue("", "language", " / ".join(i18n.LANGUAGES))], summary=said("not saved")
        )
    accounts.set_language(context_of(request, caller), caller.user.username, chosen)
    response = see_other("/account")
    remember_language(request, response, chosen)
    return response
