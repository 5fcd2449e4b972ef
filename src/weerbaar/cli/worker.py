"""``weerbaar worker``: notification delivery and source polling in a process of their
own, beside ``weerbaar serve --notify-interval 0 --poll-interval 0``; and ``weerbaar
schedulers``: where each background scheduler last ran, and forgetting a retired one."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import signal
from collections.abc import Coroutine
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.config import Settings
from weerbaar.errors import ConfigError
from weerbaar.i18n import N_, _
from weerbaar.services import schedulers
from weerbaar.services.context import utc_now
from weerbaar.storage.db import Database

__all__ = ["app", "worker"]

WORKER_HELP = N_(
    "Deliver notifications and poll sources in this process until stopped (SIGTERM or "
    "Ctrl-C), for `weerbaar serve --notify-interval 0 --poll-interval 0` beside it."
)

app = typer.Typer(
    help=N_("The background schedulers: where each last ran, and forgetting a retired one."),
    no_args_is_help=True,
)


def worker(
    ctx: typer.Context,
    notify_interval: Annotated[
        float,
        typer.Option(
            min=0, help=N_("seconds between rounds of delivering due notifications (0: never)")
        ),
    ] = 30.0,
    poll_interval: Annotated[
        float,
        typer.Option(
            min=0, help=N_("seconds between looks for sources due to be polled (0: never)")
        ),
    ] = 60.0,
) -> None:
    if not notify_interval and not poll_interval:
        raise ConfigError(
            _(
                "--notify-interval and --poll-interval are both 0: the worker would do "
                "nothing; leave one of them on"
            )
        )
    st = state(ctx)
    db = st.database()
    db.keys()  # without the audit trail's key no signal could be taken in: say so at start
    out = console()
    out.print(
        escape(
            _(
                "weerbaar worker: notifications every %(notify)s s, sources every %(poll)s s "
                "(0: off); SIGTERM or Ctrl-C stops",
                notify=format(notify_interval, "g"),
                poll=format(poll_interval, "g"),
            )
        )
    )
    asyncio.run(_run(db, st.settings, notify_interval, poll_interval))
    out.print(escape(_("stopped")))


async def _run(db: Database, settings: Settings, notify: float, poll: float) -> None:
    """Both loops until SIGTERM or SIGINT; a round under way is finished first (its
    thread is waited for as the event loop closes), so nothing is left half done."""
    loops: list[Coroutine[Any, Any, None]] = []
    if notify:
        loops.append(schedulers.deliver_notifications(db, settings.delivery, notify))
    if poll:
        loops.append(schedulers.poll_sources(db, settings.source_secrets, poll))
    stop = asyncio.Event()
    running = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        running.add_signal_handler(signum, stop.set)
    tasks = [asyncio.create_task(loop) for loop in loops]
    await stop.wait()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


@app.command(
    "list",
    help=N_(
        "Each scheduler that has run: where (host:process), every how many seconds, its "
        "last completed round, and whether that is recent enough for readiness."
    ),
)
def list_(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    found = schedulers.beats(state(ctx).database())
    now = utc_now()
    if fmt is not OutputFormat.TABLE:
        plain = [
            {
                "name": beat.name,
                "holder": beat.holder,
                "interval_seconds": beat.interval_seconds,
                "beat_at": beat.beat_at.isoformat(),
                "fresh": beat.fresh(now),
            }
            for beat in found
        ]
        typer.echo(json.dumps(plain, indent=2))
        return
    if not found:
        console().print(escape(_("no scheduler has run yet")))
        return
    table = Table(
        *(
            escape(_(h))
            for h in (N_("scheduler"), N_("holder"), N_("every"), N_("last round"), N_("state"))
        )
    )
    for beat in found:
        if beat.fresh(now):
            recent = _("recent")
            shown = f"[green]{escape(recent)}[/]"
        else:
            stale = _("stale since %(when)s", when=_when(beat.stale_after))
            shown = f"[red]{escape(stale)}[/]"
        table.add_row(
            escape(beat.name),
            escape(beat.holder),
            escape(_("%(seconds)s s", seconds=format(beat.interval_seconds, "g"))),
            _when(beat.beat_at),
            shown,
        )
    console().print(table)


@app.command(
    "forget",
    help=N_(
        "Forget a scheduler that no longer runs anywhere, so that readiness stops "
        "waiting for it (audited); it comes back if it runs again."
    ),
)
def forget(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help=N_("the scheduler, as `schedulers list` names it"))],
) -> None:
    beat = schedulers.forget(state(ctx).context(), name)
    console().print(
        escape(
            _(
                "forgot scheduler %(name)s (last round %(when)s on %(holder)s)",
                name=beat.name,
                when=_when(beat.beat_at),
                holder=beat.holder,
            )
        )
    )
