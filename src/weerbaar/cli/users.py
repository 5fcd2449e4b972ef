"""``weerbaar user …``: local accounts, their API tokens and their browser sessions."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.i18n import N_, _, ngettext
from weerbaar.services import accounts, api_tokens, web_sessions

user_app = typer.Typer(
    help=N_("Local accounts of the web app and API, their tokens and sessions."),
    no_args_is_help=True,
)


# A token's state (api_tokens.TokenState), in words.
_TOKEN_STATES = {"active": N_("active"), "expired": N_("expired"), "revoked": N_("revoked")}


def _token_state(value: str) -> str:
    found = _TOKEN_STATES.get(value)
    return _(found) if found else value


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help=N_("read the password from standard input"))
]


def _password(prompt: str, *, from_stdin: bool) -> str:
    """The first line of standard input, or typed twice at a hidden prompt."""
    if from_stdin:
        return typer.get_text_stream("stdin").readline().rstrip("\n")
    value: str = typer.prompt(
        prompt, hide_input=True, confirmation_prompt=_("Repeat it to confirm")
    )
    return value


@user_app.command("add", help=N_("Add a local account."))
def add(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help=N_("login name"))],
    role: Annotated[
        str,
        typer.Option(help=N_("viewer, analyst, ministry-officer, coordinator or administrator")),
    ],
    organisation: Annotated[str, typer.Option(help=N_("key of the user's organisation"))],
    clearance: Annotated[str, typer.Option(help=N_("public, dep-v, stg-c or stg-g"))] = "public",
    name: Annotated[str | None, typer.Option(help=N_("display name"))] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    password = _password(_("Password"), from_stdin=password_stdin)
    user = accounts.add_user(
        state(ctx).context(),
        username=username,
        password=password,
        role=role,
        organisation=organisation,
        clearance=clearance,
        display_name=name,
    )
    added = _(
        "added %(user)s (%(role)s, %(organisation)s, %(clearance)s)",
        user=user.username,
        role=user.role,
        organisation=user.organisation,
        clearance=user.clearance,
    )
    console().print(escape(added))


@user_app.command("passwd", help=N_("Set an account's password (ends its sessions)."))
def passwd(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help=N_("login name"))],
    password_stdin: PasswordStdin = False,
) -> None:
    password = _password(_("New password"), from_stdin=password_stdin)
    accounts.set_password(state(ctx).context(), username, password)
    console().print(escape(_("password of %(user)s changed", user=username)))


@user_app.command(
    "disable", help=N_("Disable an account (ends its sessions; its API tokens stop working).")
)
def disable(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help=N_("login name"))],
    enable: Annotated[bool, typer.Option("--enable", help=N_("enable it again instead"))] = False,
) -> None:
    accounts.set_disabled(state(ctx).context(), username, not enable)
    said = _("%(user)s enabled", user=username) if enable else _("%(user)s disabled", user=username)
    console().print(escape(said))


@user_app.command("list", help=N_("List the accounts."))
def list_(ctx: typer.Context) -> None:
    from rich.table import Table

    found = accounts.list_users(state(ctx).database())
    table = Table(title=escape(_("Accounts (%(count)s)", count=len(found))), title_justify="left")
    for column in (
        _("username"),
        _("name"),
        _("role"),
        _("organisation"),
        _("clearance"),
        _("disabled"),
    ):
        table.add_column(column)
    for u in found:
        table.add_row(
            escape(u.username),
            escape(u.display_name),
            u.role,
            u.organisation,
            u.clearance,
            _("yes") if u.disabled else "",
        )
    console().print(table)


@user_app.command("token", help=N_("Create an API token for an account (shown once)."))
def token(
    ctx: typer.Context,
    username: Annotated[str, typer.Argument(help=N_("login name"))],
    name: Annotated[str, typer.Option(help=N_("what the token is for"))] = "api",
    scope: Annotated[
        api_tokens.Scope, typer.Option(help=N_("read: reads only; write: reads and writes"))
    ] = api_tokens.Scope.READ,
    days: Annotated[
        int | None,
        typer.Option(min=1, help=N_("days it lasts (default: $WEERBAAR_TOKEN_DAYS, else 90)")),
    ] = None,
) -> None:
    st = state(ctx)
    made = api_tokens.create_token(
        st.context(), username, name, settings=st.settings.sign_in, scope=scope, days=days
    )
    made_for = _(
        "API token %(id)s (%(scope)s) of %(user)s, until %(until)s UTC; it is not shown again:",
        id=made.id,
        scope=scope.value,
        user=username,
        until=format(made.expires_at, "%Y-%m-%d %H:%M"),
    )
    console(stderr=True).print(escape(made_for))
    typer.echo(made.token)


@user_app.command(
    "token-list",
    help=N_("List API tokens: scope, expiry, state, and when and from where last used."),
)
def token_list(
    ctx: typer.Context,
    username: Annotated[
        str | None, typer.Argument(help=N_("login name (default: every account's)"))
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format", help=N_("table or json"))] = (
        OutputFormat.TABLE
    ),
) -> None:
    from weerbaar.web.presenters.account import as_json, tokens_answer

    ctx_ = state(ctx).context()
    found = api_tokens.list_tokens(ctx_, username)
    now = ctx_.clock()
    if fmt is not OutputFormat.TABLE:
        typer.echo(as_json(tokens_answer(found, now)))
        return
    from rich.table import Table

    table = Table(title=escape(_("API tokens (%(count)s)", count=len(found))), title_justify="left")
    for column in (
        _("id"),
        _("user"),
        _("name"),
        _("scope"),
        _("state"),
        _("expires"),
        _("last used"),
        _("from"),
    ):
        table.add_column(column)
    for t in found:
        table.add_row(
            t.id,
            t.username,
            escape(t.name),
            t.scope.value,
            _token_state(t.state(now)),
            f"{t.expires_at:%Y-%m-%d}",
            f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else _("never"),
            t.last_used_address or "",
        )
    console().print(table)


@user_app.command("token-revoke", help=N_("Revoke an API token: it stops working at once."))
def token_revoke(
    ctx: typer.Context,
    token: Annotated[
        str,
        typer.Argument(
            help=N_("the token's id (the part between wb_ and the next _), or the token")
        ),
    ],
) -> None:
    owner = api_tokens.revoke_token(state(ctx).context(), token)
    revoked = _(
        "API token %(id)s of %(user)s revoked", id=api_tokens.token_id_of(token), user=owner
    )
    console().print(escape(revoked))


@user_app.command(
    "sessions",
    help=N_("List the browser sessions that are signed in: from where, on what, since when."),
)
def sessions(
    ctx: typer.Context,
    username: Annotated[
        str | None, typer.Argument(help=N_("login name (default: every account's)"))
    ] = None,
) -> None:
    from rich.table import Table

    found = web_sessions.list_sessions(state(ctx).context(), username)
    table = Table(title=escape(_("Sessions (%(count)s)", count=len(found))), title_justify="left")
    for column in (_("id"), _("user"), _("started"), _("last request"), _("from"), _("device")):
        table.add_column(column, overflow="fold")
    for s in found:
        table.add_row(
            s.id,
            escape(s.username),
            f"{s.started_at:%Y-%m-%d %H:%M}",
            f"{s.last_seen_at:%Y-%m-%d %H:%M}",
            s.address,
            escape(s.device),
        )
    console().print(table)


@user_app.command(
    "session-end",
    help=N_("End a browser session (or all of an account's): its browser is signed out."),
)
def session_end(
    ctx: typer.Context,
    target: Annotated[str, typer.Argument(help=N_("a session's id, or with --all a login name"))],
    all_: Annotated[
        bool, typer.Option("--all", help=N_("end every session of the account TARGET"))
    ] = False,
) -> None:
    context = state(ctx).context()
    if all_:
        ended = web_sessions.end_sessions(context, username=target)
    else:
        ended = web_sessions.end_sessions(context, session_id=target)
    console().print(ngettext("%(num)d session ended", "%(num)d sessions ended", ended))


@user_app.command(
    "reset-factors",
    help=N_(
        "Remove an account's second factors and recovery codes (a lost phone) "
        "and end its sessions: it sets up a new one at its next sign-in."
    ),
)
def reset_factors(
    ctx: typer.Context, username: Annotated[str, typer.Argument(help=N_("login name"))]
) -> None:
    from weerbaar.services import second_factors

    removed = second_factors.reset_factors(state(ctx).context(), username)
    said = ngettext(
        "%(num)d second factor of %(user)s removed",
        "%(num)d second factors of %(user)s removed",
        removed,
        user=username,
    )
    console().print(escape(said))
