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
from weerbaar.services.notifications import channels as channel_service
from weerbaar.services.notifications import views
from weerbaar.services.notifications.delivery import DeliveryReport, deliver_due

app = typer.Typer(
    help="Notifications of level changes: channels, delivery, the log and retries.",
    no_args_is_help=True,
)


class Status(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DEAD = "dead"


def _when(value: dt.datetime | None) -> str:
    return "" if value is None else value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@app.command("channel-add")
def channel_add(
    ctx: typer.Context,
    organisation: Annotated[str, typer.Argument(help="key of the organisation notified")],
    email: Annotated[str | None, typer.Option("--email", help="e-mail address")] = None,
    webhook: Annotated[
        str | None, typer.Option("--webhook", help="https:// URL that receives signed POSTs")
    ] = None,
) -> None:
    """Send an organisation's notifications to an e-mail address or a webhook."""
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
        state(ctx).context(), organisation=organisation, kind=kind, target=target
    )
    out = console()
    out.print(f"channel {channel.id}: {kind} {escape(target)} for {organisation}")
    if secret is not None:
        out.print(
            "[bold yellow]Signing secret, shown only now:[/] store it with the receiver; "
            "it checks X-Weerbaar-Signature with it."
        )
        # Printed bare, on a line of its own, so it can be copied or piped whole.
        typer.echo(secret)


@app.command("channels")
def channels(
    ctx: typer.Context,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help="only this organisation's")
    ] = None,
) -> None:
    """List the channels, removed ones too (never their secrets)."""
    found = channel_service.list_channels(state(ctx).database(), organisation=organisation)
    table = Table(title=f"notification channels ({len(found)})", title_justify="left")
    for column in ("id", "organisation", "kind", "target", "active", "created"):
        table.add_column(column, overflow="fold")
    for c in found:
        active = "yes" if c.active else "[dim]removed[/]"
        table.add_row(
            str(c.id), c.organisation, c.kind, escape(c.target), active, _when(c.created_at)
        )
    console().print(table)


@app.command("channel-remove")
def channel_remove(
    ctx: typer.Context, channel_id: Annotated[int, typer.Argument(help="channel id")]
) -> None:
    """Stop using a channel (it stays in the log; its secret is erased)."""
    channel = channel_service.remove_channel(state(ctx).context(), channel_id)
    console().print(f"channel {channel.id} ({channel.kind} {escape(channel.target)}) removed")


def _report_line(report: DeliveryReport) -> str:
    return f"sent {report.sent}, failed {report.failed} (tried again later), dead {report.dead}"


@app.command("deliver")
def deliver(
    ctx: typer.Context,
    loop: Annotated[
        bool, typer.Option("--loop", help="keep delivering until interrupted (Ctrl-C)")
    ] = False,
    interval: Annotated[
        float, typer.Option("--interval", min=0.1, help="seconds between rounds with --loop")
    ] = 30.0,
) -> None:
    """Send the notifications that are due. Settings: WEERBAAR_SMTP_HOST, _PORT,
    _FROM, _STARTTLS, _USER, _PASSWORD; WEERBAAR_NOTIFY_ATTEMPTS (before a
    notification is dead), _BACKOFF (seconds, doubling), _TIMEOUT (seconds)."""
    st = state(ctx)
    settings = st.settings.delivery
    db = st.database()
    out = console()
    if not loop:
        out.print(_report_line(deliver_due(db, settings=settings)))
        return
    out.print(f"delivering every {interval:g} s; Ctrl-C stops")
    try:
        while True:
            try:
                report = deliver_due(db, settings=settings)
            # A database that is away for a moment must not end a long-running loop.
            except WeerbaarError as exc:
                console(stderr=True).print(f"[red]round failed:[/] {escape(i18n.error_text(exc))}")
            else:
                if report != DeliveryReport():
                    out.print(f"{_when(dt.datetime.now(dt.UTC))}: {_report_line(report)}")
            time.sleep(interval)
    except KeyboardInterrupt:
        out.print("stopped")


@app.command("list")
def list_(
    ctx: typer.Context,
    status: Annotated[
        Status | None, typer.Option("--status", help="only these (dead: the dead-letter list)")
    ] = None,
    change: Annotated[
        str | None, typer.Option("--change", help="only those of this threat picture")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="at most this many")] = 200,
) -> None:
    """The notifications, newest first, with their status and attempts."""
    found = views.list_notifications(
        state(ctx).database(),
        subject=None,
        status=None if status is None else status.value,
        change=change,
        limit=limit,
    )
    table = Table(title=f"notifications ({len(found)})", title_justify="left")
    for column in ("id", "status", "tries", "organisation", "to", "change", "when", "last error"):
        table.add_column(column, overflow="fold")
    for n in found:
        shown = {"sent": "green", "dead": "bold red"}.get(n.status)
        status_cell = f"[{shown}]{n.status}[/]" if shown else n.status
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


@app.command("retry")
def retry(
    ctx: typer.Context,
    notification_id: Annotated[int, typer.Argument(help="notification id")],
) -> None:
    """Put a dead notification back in the queue, due now (run `notify deliver`)."""
    notification = views.retry(state(ctx).context(), notification_id)
    console().print(
        f"notification {notification.id} ({notification.kind} {escape(notification.target)}) "
        "is pending again"
    )
