"""``weerbaar signals``: take signals in, see their trends, raise and handle alerts,
correct a theme."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli import sources
from weerbaar.cli.dask_option import DaskOption
from weerbaar.cli.helptext import Lazy
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.domain.access import Marking
from weerbaar.errors import Issue, ValidationError
from weerbaar.i18n import N_, _
from weerbaar.i18n.vocabulary import value_label
from weerbaar.services.executors import batch_executor
from weerbaar.services.horizon import detect_alerts, flag_alert, label_signal, theme_trends
from weerbaar.services.records import list_records
from weerbaar.services.signal_ingest import CHUNK, IngestReport
from weerbaar.services.signal_intake import take_in
from weerbaar.services.signal_sources import open_inputs
from weerbaar.signals.readers import KINDS

app = typer.Typer(
    no_args_is_help=True,
    help=N_("Horizon scanning: signals in, growing themes and possible new threats out."),
)

app.command(
    "poll",
    help=N_(
        "Poll the sources that are due (TAXII collections, MISP feeds, web feeds) for new "
        "signals; --source polls one now, --loop keeps polling."
    ),
)(sources.poll)

DateOption = Annotated[str | None, typer.Option(help=N_("YYYY-MM-DD"))]


def _date(text: str | None, option: str) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ValidationError(
            [Issue(option, "", _("not a date (YYYY-MM-DD): %(text)s", text=repr(text)))]
        ) from None


@app.command(
    "ingest",
    help=N_(
        "Take signals in: feeds (RSS, Atom), JSON, JSON Lines, CSV, STIX 2.1 "
        "bundles and MISP events. Bad items are listed with their reasons; the "
        "rest goes in."
    ),
)
def ingest_command(
    ctx: typer.Context,
    places: Annotated[
        list[str],
        typer.Argument(help=N_("files, folders or http(s) addresses"), metavar="PATH|URL"),
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            help=Lazy(
                f"{', '.join(KINDS)} (default: from the content)",
                lambda: _("%(kinds)s (default: from the content)", kinds=", ".join(KINDS)),
            ),
        ),
    ] = None,
    source: Annotated[
        str | None, typer.Option("--source", help=N_("the source's name (default: from the input)"))
    ] = None,
    classification: Annotated[
        str, typer.Option("--classification", help=N_("marking of what comes in"))
    ] = "public",
    owner: Annotated[
        str | None, typer.Option("--owner", help=N_("owning organisation (classified input)"))
    ] = None,
    workers: Annotated[
        int | None, typer.Option("--workers", help=N_("local worker processes (default: cores)"))
    ] = None,
    dask: DaskOption = None,
    chunk: Annotated[int, typer.Option("--chunk", help=N_("signals per batch"))] = CHUNK,
    alerts: Annotated[
        bool, typer.Option("--alerts/--no-alerts", help=N_("raise alerts afterwards"))
    ] = True,
    semantic: Annotated[
        bool,
        typer.Option(
            "--semantic",
            help=N_(
                "also the semantic layer: zero-shot themes and Dutch/English repeats "
                "(needs weerbaar[semantic])"
            ),
        ),
    ] = False,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    if kind is not None and kind not in KINDS:
        raise ValidationError(
            [
                Issue(
                    "--kind",
                    "",
                    _("one of %(kinds)s, not %(kind)s", kinds=", ".join(KINDS), kind=repr(kind)),
                )
            ]
        )
    if workers is not None and workers < 1:
        raise ValidationError([Issue("--workers", "", _("at least 1"))])
    if chunk < 1:
        raise ValidationError([Issue("--chunk", "", _("at least 1"))])
    st = state(ctx)
    st.database()
    marking = Marking(classification, owner)
    err = console(stderr=True)
    with (
        err.status(escape(_("taking signals in …"))) as status,
        batch_executor(address=dask or st.settings.dask_scheduler, workers=workers) as executor,
    ):
        report = take_in(
            st.context(),
            open_inputs(places, kind=kind, source=source),
            executor=executor,
            marking=marking,
            chunk=chunk,
            progress=lambda done: status.update(
                escape(_("taking signals in … %(count)s read", count=i18n.format_number(done)))
            ),
            semantic=semantic,
        )
    raised = detect_alerts(st.context()) if alerts and report.created else []
    if fmt is not OutputFormat.TABLE:
        typer.echo(json.dumps(_report_json(report, [v.record.key for v in raised]), indent=2))
        return
    _print_report(report)
    word = escape(_("alert"))
    for versioned in raised:
        console().print(f"[bold]{word}[/] {versioned.record.key}: {escape(versioned.record.title)}")


def _report_json(report: IngestReport, alerts: list[str]) -> dict[str, object]:
    return {
        "read": report.read,
        "created": report.created,
        "already_in": report.already_in,
        "exact_repeats": report.exact_repeats,
        "near_repeats": report.near_repeats,
        "cross_language_repeats": report.cross_language_repeats,
        "unthemed": report.unthemed,
        "themes": dict(report.themes),
        "rejected": report.rejected,
        "rejections": [{"place": r.origin, "reason": r.reason} for r in report.rejections],
        "actors_created": report.actors_created,
        "actors_known": report.actors_known,
        "alerts": alerts,
    }


def _print_report(report: IngestReport) -> None:
    out = console()
    number = i18n.format_number
    out.print(
        escape(
            _(
                "%(read)s signals read: %(created)s new, %(already)s already in; "
                "%(exact)s exact and %(near)s near repeats of an earlier report; "
                "%(unthemed)s fit no theme; %(rejected)s skipped",
                read=number(report.read),
                created=number(report.created),
                already=number(report.already_in),
                exact=number(report.exact_repeats),
                near=number(report.near_repeats),
                unthemed=number(report.unthemed),
                rejected=number(report.rejected),
            )
        )
    )
    if report.themes:
        counted = ", ".join(f"{t} {number(n)}" for t, n in report.themes.most_common())
        out.print(escape(_("themes: %(themes)s", themes=counted)))
    if report.actors_created or report.actors_known:
        out.print(
            escape(
                _(
                    "actors: %(new)s new (%(names)s), %(known)s known",
                    new=len(report.actors_created),
                    names=", ".join(report.actors_created),
                    known=len(report.actors_known),
                )
            )
        )
    if report.rejections:
        table = Table(title=escape(_("Skipped (%(count)s)", count=number(report.rejected))))
        table.add_column(_("where"), overflow="fold")
        table.add_column(_("why"), overflow="fold")
        for item in report.rejections[:50]:
            table.add_row(escape(item.origin), escape(item.reason))
        out.print(table)
        if report.rejected > 50:
            more = _(
                "… and %(count)s more (--format json lists them)",
                count=number(report.rejected - 50),
            )
            out.print(escape(more))


@app.command(
    "trends",
    help=N_(
        "Signal volume per theme (default: the 120 days up to the newest "
        "signal), and which themes are growing since when."
    ),
)
def trends_command(
    ctx: typer.Context,
    since: DateOption = None,
    until: DateOption = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help=N_("write the trends to .png, .svg or .pdf"))
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    trends = theme_trends(
        state(ctx).database(), since=_date(since, "--since"), until=_date(until, "--until")
    )
    if plot is not None:
        from weerbaar.reports.signal_trends import Panel, write_trends  # matplotlib: only here

        panels = [
            Panel(t.name, [t.day(i) for i in range(len(t.volume))], t.volume, t.weight, t.since)
            for t in trends
            if t.volume.any()
        ]
        try:
            write_trends(plot, panels, period_days=trends[0].period_days if trends else 1)
        except ValueError as exc:
            raise ValidationError([Issue("--plot", "plot", str(exc))]) from exc
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.trends import trends_answer

        typer.echo(as_json(trends_answer(trends)))
        return
    title = _("Signals per theme")
    if trends:
        title += " " + _("(%(day)s on)", day=i18n.format_date(trends[0].start))
    themes = {
        t.key: i18n.localised(t) for t in list_records(state(ctx).database(), entity_name="themes")
    }
    table = Table(title=escape(title))
    for column in (_("theme"), _("events"), _("reports"), _("last 7 days"), _("growing since")):
        table.add_column(column)
    for t in trends:
        table.add_row(
            escape(themes.get(t.theme, t.name)),
            i18n.format_number(float(t.volume.sum()), 0),
            i18n.format_number(float(t.weight.sum()), 0),
            i18n.format_number(float(t.volume[-7:].sum()), 0),
            f"[bold]{i18n.format_date(t.since)}[/]" if t.since else "",
        )
    console().print(table)
    if plot is not None:
        console().print(escape(_("trends written to %(path)s", path=plot)))


@app.command(
    "alerts",
    help=N_(
        "Growing themes and possible new threats, with their evidence and the "
        "scenarios to reassess."
    ),
)
def alerts_command(
    ctx: typer.Context,
    detect: Annotated[bool, typer.Option("--detect", help=N_("look for new alerts first"))] = False,
    status: Annotated[
        str | None, typer.Option("--status", help=N_("open, flagged or dismissed"))
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    st = state(ctx)
    if detect:
        for versioned in detect_alerts(st.context()):
            console(stderr=True).print(_("raised %(key)s", key=versioned.record.key))
    alerts = list_records(
        st.database(), entity_name="alerts", where={"status": status} if status else None
    )
    alerts.sort(key=lambda a: (a.detected_on, a.key), reverse=True)
    if fmt is not OutputFormat.TABLE:
        rows = [
            {
                "key": a.key,
                "kind": str(a.kind),
                "title": a.title,
                "theme": a.theme,
                "since": a.since.isoformat(),
                "detected_on": a.detected_on.isoformat(),
                "status": str(a.status),
                "signals": list(a.signals),
                "scenarios": list(a.scenarios),
                "round": a.round,
            }
            for a in alerts
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title=_("Alerts"))
    columns = (_("alert"), _("since"), _("status"), _("what"), _("signals"), _("scenarios"))
    for column in columns:
        table.add_column(column, overflow="fold")
    for a in alerts:
        table.add_row(
            a.key,
            i18n.format_date(a.since),
            value_label(a.status) + (f" → {a.round}" if a.round else ""),
            escape(a.title),
            str(len(a.signals)),
            ", ".join(a.scenarios[:5]) + (" …" if len(a.scenarios) > 5 else ""),
        )
    console().print(table)


@app.command(
    "flag", help=N_("Flag an alert's scenarios for reassessment in a round, or dismiss it.")
)
def flag_command(
    ctx: typer.Context,
    alert: Annotated[str, typer.Argument(help=N_("the alert's key"))],
    round_key: Annotated[
        str | None, typer.Option("--round", help=N_("reassess its scenarios in this round"))
    ] = None,
    scenarios: Annotated[
        list[str] | None,
        typer.Option("--scenario", help=N_("the scenarios to reassess (default: the alert's)")),
    ] = None,
    dismiss: Annotated[bool, typer.Option("--dismiss", help=N_("nothing to reassess"))] = False,
    note: Annotated[str | None, typer.Option("--note", help=N_("why"))] = None,
) -> None:
    saved = flag_alert(
        state(ctx).context(),
        alert,
        round_key=round_key,
        scenarios=scenarios,
        dismiss=dismiss,
        note=note,
    )
    record = saved.record
    if record.round:
        what = _(
            "flagged for %(round)s: %(scenarios)s",
            round=record.round,
            scenarios=", ".join(record.scenarios) or _("no scenarios"),
        )
    else:
        what = _("dismissed")
    console().print(escape(f"{record.key} {what}"))


@app.command("label", help=N_("Correct a signal's theme; the next model learns from it."))
def label_command(
    ctx: typer.Context,
    signal: Annotated[str, typer.Argument(help=N_("the signal's key"))],
    theme: Annotated[str, typer.Argument(help=N_("the right theme's key, or 'none'"))],
) -> None:
    saved = label_signal(state(ctx).context(), signal, None if theme == "none" else theme)
    console().print(
        escape(
            _(
                "%(key)s: theme %(theme)s (by an analyst)",
                key=saved.record.key,
                theme=saved.record.theme or _("none"),
            )
        )
    )
