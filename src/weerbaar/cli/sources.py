"""``weerbaar source status`` and ``weerbaar signals poll``: the sources that are polled
for signals, how their polls went, and a poll by hand or in a loop."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.errors import WeerbaarError
from weerbaar.i18n import N_, _

__all__ = ["FAILED_POLL_CODE", "add_commands", "poll"]

FAILED_POLL_CODE = 7  # as for an input whose content cannot be read


def _when(moment: dt.datetime | None) -> str:
    return "—" if moment is None else moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def status(
    ctx: typer.Context,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    from weerbaar.services.source_polling import source_states_of

    rows = source_states_of(state(ctx).context())
    if fmt is not OutputFormat.TABLE:
        typer.echo(
            json.dumps(
                [
                    {
                        "source": source.key,
                        "kind": str(source.kind),
                        "healthy": polled is None or polled.healthy,
                        "last_poll": polled and polled.last_poll and polled.last_poll.isoformat(),
                        "last_success": polled
                        and polled.last_success
                        and polled.last_success.isoformat(),
                        "last_error": polled and polled.last_error,
                        "failures": polled.failures if polled else 0,
                        "next_poll": polled and polled.next_poll and polled.next_poll.isoformat(),
                        "items_taken": polled.items_taken if polled else 0,
                    }
                    for source, polled in rows
                ],
                indent=2,
            )
        )
        return
    table = Table(
        *(
            escape(_(h))
            for h in (
                N_("source"),
                N_("kind"),
                N_("health"),
                N_("last poll"),
                N_("next poll"),
                N_("signals"),
                N_("last error"),
            )
        )
    )
    for source, polled in rows:
        if polled is None:
            health = escape(_("not polled yet"))
        elif polled.healthy:
            health = f"[green]{escape(_('healthy'))}[/]"
        else:
            health = f"[red]{escape(_('unhealthy (%(count)s failures)', count=polled.failures))}[/]"
        table.add_row(
            escape(source.key),
            escape(str(source.kind)),
            health,
            _when(polled.last_poll if polled else None),
            _when(polled.next_poll if polled else None),
            i18n.format_number(polled.items_taken if polled else 0),
            escape((polled.last_error or "") if polled else ""),
        )
    console().print(table)


def add_commands(app: typer.Typer) -> None:
    """The polling state, added to ``weerbaar source``."""
    app.command(
        "status",
        help=N_("How each source's polls went: health, last and next poll, signals, last error."),
    )(status)


def poll(
    ctx: typer.Context,
    source: Annotated[
        str | None, typer.Option("--source", help=N_("only this source (due or not)"))
    ] = None,
    loop: Annotated[
        bool, typer.Option("--loop", help=N_("keep polling what is due until interrupted"))
    ] = False,
    interval: Annotated[
        float,
        typer.Option("--interval", min=1, help=N_("seconds between looks with --loop")),
    ] = 60.0,
) -> None:
    from weerbaar.services.schedulers import SOURCE_POLLING, record_beat
    from weerbaar.services.source_polling import describe, poll_due

    st = state(ctx)
    st.database()
    out = console()

    def one_round() -> bool:
        outcomes = poll_due(
            st.context(),
            secrets=st.settings.source_secrets,
            only=source,
            force=source is not None and not loop,
        )
        for outcome in outcomes:
            line = escape(describe(outcome))
            out.print(f"[red]{line}[/]" if outcome.report is None else line)
        if not outcomes and not loop:
            out.print(escape(_("no source is due")))
        return all(o.report is not None for o in outcomes)

    if not loop:
        if not one_round():
            raise typer.Exit(FAILED_POLL_CODE)
        return
    seconds = format(interval, "g")
    out.print(escape(_("polling every %(seconds)s s; Ctrl-C stops", seconds=seconds)))
    try:
        while True:
            try:
                one_round()
                if source is None:  # one source polled is not the polling of them all
                    record_beat(st.database(), SOURCE_POLLING, interval)
            # A database that is away for a moment must not end a long-running loop.
            except WeerbaarError as exc:
                failed = escape(_("round failed:"))
                console(stderr=True).print(f"[red]{failed}[/] {escape(i18n.error_text(exc))}")
            time.sleep(interval)
    except KeyboardInterrupt:
        out.print(escape(_("stopped")))
