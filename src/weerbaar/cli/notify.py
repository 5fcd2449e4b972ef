"""``weerbaar notify``: where notifications of level changes go (e-mail, signed
webhooks), sending what is due, the log with its dead-letter list, and retrying."""

from __future__ import annotations

import datetime as dt
import time
from enum import StrEnum
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.errors import Issue, ValidationError, WeerbaarError, said
from weerbaar.i18n import N_, _
from weerbaar.services.notifications import channels as channel_service
from weerbaar.services.notifications import views
from weerbaar.services.notifications.delivery import DeliveryReport, deliver_due
from weerbaar.services.schedulers import NOTIFICATIONS, record_beat

app = typer.Typer(
    help=N_("Notifications of level changes: channels, delivery, the log and retries."),
    no_args_is_help=True,
)


class Language(StrEnum):
    NL = "nl"
    EN = "en"


LANGUAGE_HELP = "language of its e-mails: nl or en (default: the installation's, WEERBAAR_LANG)"


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


# A notification's status, in words.
_STATUSES = {"pending": N_("pending"), "sent": N_("sent"), "dead": N_("dead")}


def _status(value: str) -> str:
    found = _STATUSES.get(value)
    return _(found) if found else value


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@app.command(
    "channel-add",
    help=N_(
        "Send an organisation's notifications to an e-mail address or a "
        "webhook, in Dutch or English (a webhook's JSON is the same in either)."
    ),
)
def channel_add(
    ctx: typer.Context,
    organisation: Annotated[str, typer.Argument(help=N_("key of the organisation notified"))],
    email: Annotated[str | None, typer.Option("--email", help=N_("e-mail address"))] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help=N_("https:// URL that receives signed POSTs"))
    ] = None,
    language: Annotated[
        Language | None, typer.Option("--language", help=LANGUAGE_HELP, case_sensitive=False)
    ] = None,
) -> None:
    if (email is None) == (webhook is None):
        raise ValidationError(
            [Issue("", "channel", said("give either --email ADDRESS or --webhook URL"))],
            summary=said("channel not saved"),
        )
    kind, target = (
        (channel_service.EMAIL, email) if email is not None else (channel_service.WEBHOOK, webhook)
    )
    assert target is not None
    channel, secret = channel_service.add_channel(
        state(ctx).context(),
        organisation=organisation,
        kind=kind,
        target=target,
        language=None if language is None else language.value,
    )
    out = console()
    added = _(
        "channel %(id)s: %(kind)s %(target)s for %(organisation)s, language %(language)s",
        id=channel.id,
        kind=kind,
        target=target,
        organisation=organisation,
        language=channel.language,
    )
    out.print(escape(added))
    if secret is not None:
        heading = escape(_("Signing secret, shown only now:"))
        advice = _("store it with the receiver; it checks X-Weerbaar-Signature with it.")
        out.print(f"[bold yellow]{heading}[/] {escape(advice)}")
        # Printed bare, on a line of its own, so it can be copied or piped whole.
        typer.echo(secret)


@app.command("channels", help=N_("List the channels, removed ones too (never their secrets)."))
def channels(
    ctx: typer.Context,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help=N_("only this organisation's"))
    ] = None,
) -> None:
    found = channel_service.list_channels(state(ctx).database(), organisation=organisation)
    title = _("Notification channels (%(count)s)", count=len(found))
    table = Table(title=escape(title), title_justify="left")
    columns = (_("id"), _("organisation"), _("kind"), _("target"), _("language"), _("active"))
    for column in (*columns, _("created")):
        table.add_column(column, overflow="fold")
    removed = escape(_("removed"))
    for c in found:
        active = _("yes") if c.active else f"[dim]{removed}[/]"
        table.add_row(
            str(c.id),
            c.organisation,
            c.kind,
            escape(c.target),
            c.language,
            active,
            _when(c.created_at),
        )
    console().print(table)


@app.command(
    "channel-language", help=N_("Write a channel's e-mails in Dutch or English from now on.")
)
def channel_language(
    ctx: typer.Context,
    channel_id: Annotated[int, typer.Argument(help=N_("channel id"))],
    language: Annotated[
        Language, typer.Argument(help=N_("nl or en"), case_sensitive=False, show_default=False)
    ],
) -> None:
    channel = channel_service.set_channel_language(state(ctx).context(), channel_id, language.value)
    line = _(
        "channel %(id)s (%(kind)s %(target)s): language %(language)s",
        id=channel.id,
        kind=channel.kind,
        target=channel.target,
        language=channel.language,
    )
    console().print(escape(line))


@app.command(
    "channel-remove", help=N_("Stop using a channel (it stays in the log; its secret is erased).")
)
def channel_remove(
    ctx: typer.Context, channel_id: Annotated[int, typer.Argument(help=N_("channel id"))]
) -> None:
    channel = channel_service.remove_channel(state(ctx).context(), channel_id)
    line = _(
        "channel %(id)s (%(kind)s %(target)s) removed",
        id=channel.id,
        kind=channel.kind,
        target=channel.target,
    )
    console().print(escape(line))


def _report_line(report: DeliveryReport) -> str:
    return _(
        "sent %(sent)s, failed %(failed)s (tried again later), dead %(dead)s",
        sent=report.sent,
        failed=report.failed,
        dead=report.dead,
    )


@app.command(
    "deliver",
    help=N_(
        "Send the notifications that are due. Settings: WEERBAAR_SMTP_HOST, "
        "_PORT, _FROM, _STARTTLS, _USER, _PASSWORD; WEERBAAR_NOTIFY_ATTEMPTS "
        "(before a notification is dead), _BACKOFF (seconds, doubling), "
        "_TIMEOUT (seconds)."
    ),
)
def deliver(
    ctx: typer.Context,
    loop: Annotated[
        bool, typer.Option("--loop", help=N_("keep delivering until interrupted (Ctrl-C)"))
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help=N_("seconds between rounds with --loop"))
    ] = 30.0,
) -> None:
    st = state(ctx)
    settings = st.settings.delivery
    db = st.database()
    out = console()
    if not loop:
        out.print(_report_line(deliver_due(db, settings=settings)))
        return
    seconds = format(interval, "g")
    out.print(escape(_("delivering every %(seconds)s s; Ctrl-C stops", seconds=seconds)))
    try:
        while True:
            try:
                report = deliver_due(db, settings=settings)
                record_beat(db, NOTIFICATIONS, interval)
            # A database that is away for a moment must not end a long-running loop.
            except WeerbaarError as exc:
                failed = escape(_("round failed:"))
                console(stderr=True).print(f"[red]{failed}[/] {escape(i18n.error_text(exc))}")
            else:
                if report != DeliveryReport():
                    moment = _when(dt.datetime.now(dt.UTC))
                    out.print(escape(f"{moment}: {_report_line(report)}"))
            time.sleep(interval)
    except KeyboardInterrupt:
        out.print(escape(_("stopped")))


@app.command("list", help=N_("The notifications, newest first, with their status and attempts."))
def list_(
    ctx: typer.Context,
    status: Annotated[
        Status | None, typer.Option("--status", help=N_("only these (dead: the dead-letter list)"))
    ] = None,
    change: Annotated[
        str | None, typer.Option("--change", help=N_("only those of this threat picture"))
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help=N_("at most this many"))] = 200,
) -> None:
    found = views.list_notifications(
        state(ctx).database(),
        subject=None,
        status=None if status is None else status.value,
        change=change,
        limit=limit,
    )
    table = Table(
        title=escape(_("Notifications (%(count)s)", count=len(found))), title_justify="left"
    )
    for column in (
        _("id"),
        _("status"),
        _("tries"),
        _("organisation"),
        _("to"),
        _("change"),
        _("when"),
        _("last error"),
    ):
        table.add_column(column, overflow="fold")
    for n in found:
        shown = {"sent": "green", "dead": "bold red"}.get(n.status)
        status_text = escape(_status(n.status))
        status_cell = f"[{shown}]{status_text}[/]" if shown else status_text
        when = _when(n.sent_at) if n.status == "sent" else _when(n.next_attempt_at)
        table.add_row(
            str(n.id),
            status_cell,
            str(n.attempts),
            n.organisation,
            f"{n.kind} {escape(n.target)}",
            n.change,
            when,
            escape(n.last_error or ""),
        )
    console().print(table)


@app.command(
    "retry", help=N_("Put a dead notification back in the queue, due now (run `notify deliver`).")
)
def retry(
    ctx: typer.Context,
    notification_id: Annotated[int, typer.Argument(help=N_("notification id"))],
) -> None:
    notification = views.retry(state(ctx).context(), notification_id)
    line = _(
        "notification %(id)s (%(kind)s %(target)s) is pending again",
        id=notification.id,
        kind=notification.kind,
        target=notification.target,
    )
    console().print(escape(line))
