"""``weerbaar levels``: threat levels per scope, setting one (which switches the
measures agreed for it and notifies those who take them), the measures in force,
the history and its timeline plot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.domain.alerting import Level, LevelError, Scope, picture_time
from weerbaar.domain.fields import FieldKind, FieldSpec, FieldValueError, coerce
from weerbaar.errors import Issue, ValidationError, message_of
from weerbaar.i18n import N_, _, ngettext
from weerbaar.reference.alerting import level_scales
from weerbaar.services.level_views import levels_view, timelines
from weerbaar.services.levels import LevelRequest, rebuild_levels, resolve_target, set_level
from weerbaar.services.notifications.delivery import deliver_due

app = typer.Typer(
    help=N_("Threat levels, the measures agreed per level, and who is notified of a change."),
    no_args_is_help=True,
)

ScaleOption = Annotated[str | None, typer.Option("--scale", help=N_("only this level scale"))]
FormatOption = Annotated[OutputFormat, typer.Option("--format")]


def _when(value: dt.datetime) -> str:
    """A moment as its reader writes it: 4 dec 2026 14:30 UTC / 4 Dec 2026 14:30 UTC."""
    moment = value.astimezone(dt.UTC) if value.tzinfo else value
    return f"{i18n.format_date(moment.date(), 'medium')} {moment:%H:%M} UTC"


def _level(level: Level) -> str:
    """A level with its number, in its reader's words: 3 Matige dreiging; in English
    with the official Dutch name beside it, 3 Moderate threat (Matige dreiging)."""
    return level.label if i18n.language() == "en" else f"{level.rank} {level.name}"


def _where(sector: str | None, region: str | None, site: str | None) -> str:
    return " / ".join(x for x in (sector, region, site) if x) or _("national")


def _scope(scope: Scope) -> str:
    return f"{scope.scale}: {_where(scope.sector, scope.region, scope.site)}"


@app.command(
    "show",
    help=N_("The current level of every scope, since when, and how many measures it has in force."),
)
def show(
    ctx: typer.Context, scale: ScaleOption = None, fmt: FormatOption = OutputFormat.TABLE
) -> None:
    view = levels_view(state(ctx).database(), scale=scale)
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.levels import levels_answer

        typer.echo(as_json(levels_answer(view)))
        return
    table = Table(title=_("Threat levels"))
    for column in (_("scale"), _("where"), _("level"), _("since"), _("measures"), _("set by")):
        table.add_column(column, overflow="fold")
    for s in view.scopes:
        level = escape(f"{s.state.level} {i18n.localised(s.scale.level(s.state.level))}")
        if s.raised:
            level = f"[bold red]{level} ↑[/]"
        table.add_row(
            s.scale.key,
            escape(_where(s.scope.sector, s.scope.region, s.scope.site)),
            level,
            _when(s.state.since),
            str(len(s.active)),
            s.state.picture or "—",
        )
    console().print(table)


@app.command(
    "set",
    help=N_(
        "Set a level: the picture is recorded, the measures agreed for it "
        "switch on or off, and each organisation that takes them is notified."
    ),
)
def set_command(
    ctx: typer.Context,
    target: Annotated[
        str,
        typer.Argument(
            help=N_(
                "a scale (dtn, cyber), a theme with a national scale, a sector, or a "
                "site (with --scale bb)"
            ),
            metavar="THEME|SECTOR",
        ),
    ],
    level: Annotated[str, typer.Argument(help=N_("the level: its number or its name"))],
    rationale: Annotated[
        str | None, typer.Option("--rationale", help=N_("why; required for a change"))
    ] = None,
    scale: Annotated[
        str | None, typer.Option("--scale", help=N_("the scale, when the target is ambiguous"))
    ] = None,
    region: Annotated[str | None, typer.Option("--region", help=N_("part of the country"))] = None,
    site: Annotated[str | None, typer.Option("--site", help=N_("object or site"))] = None,
    at: Annotated[
        str | None,
        typer.Option("--at", help=N_("when it takes effect (ISO 8601; default now)")),
    ] = None,
    summary: Annotated[str | None, typer.Option("--summary")] = None,
    sources: Annotated[str | None, typer.Option("--sources")] = None,
    classification: Annotated[
        str, typer.Option("--classification", help=N_("marking of the picture (the reasons)"))
    ] = "public",
    level_classification: Annotated[
        str | None,
        typer.Option(
            "--level-classification",
            help=N_("marking of the level itself (default: the scope keeps its own)"),
        ),
    ] = None,
    deliver: Annotated[
        bool, typer.Option("--deliver/--no-deliver", help=N_("send the notifications now"))
    ] = True,
) -> None:
    st = state(ctx)
    found = resolve_target(st.database(), target, scale=scale)
    change = set_level(
        st.context(),
        LevelRequest(
            scale=found.scale,
            sector=found.sector,
            region=region,
            site=site or found.site,
            level=level,
            rationale=rationale,
            at=_moment(at) if at else None,
            summary=summary,
            sources=sources,
            classification=classification,
            level_classification=level_classification,
        ),
    )
    spec = level_scales()[found.scale]
    t = change.transition
    out = console()
    before = _("no level") if t.before is None else _level(spec.level(t.before))
    out.print(
        f"[bold]{escape(_scope(t.scope))}[/]: {escape(before)} → "
        f"[bold]{escape(_level(spec.level(t.after)))}[/] ({change.picture.key})"
    )
    switched_on, switched_off = _("on"), _("off")
    width = max(len(switched_on), len(switched_off))
    for m in t.activate:
        label = switched_on.ljust(width)
        out.print(f"  [green]{label}[/] {escape(m.title)} [dim]({m.organisation})[/]")
    for key in t.deactivate:
        out.print(f"  [yellow]{switched_off.ljust(width)}[/] {key}")
    out.print(
        ngettext("%(num)d notification queued", "%(num)d notifications queued", change.notices)
    )
    if deliver and change.notices:
        report = deliver_due(st.database(), settings=st.settings.delivery)
        out.print(
            _(
                "sent %(sent)s, failed %(failed)s (retried later: `weerbaar notify deliver`), "
                "dead %(dead)s",
                sent=report.sent,
                failed=report.failed,
                dead=report.dead,
            )
        )


def _moment(text: str) -> dt.datetime:
    try:
        value = coerce(FieldSpec("at", FieldKind.TIME, True), text)
    except FieldValueError as exc:
        raise ValidationError(
            [Issue("--at", "at", message_of(exc))], summary=_("level not set")
        ) from exc
    assert isinstance(value, dt.datetime)
    return value


@app.command(
    "active",
    help=N_("The pre-agreed measures in force: where, since when, taken by whom, and why."),
)
def active(
    ctx: typer.Context,
    scale: ScaleOption = None,
    organisation: Annotated[
        str | None, typer.Option("--organisation", help=N_("only this organisation's"))
    ] = None,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    view = levels_view(state(ctx).database(), scale=scale)
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.levels import measures_answer

        typer.echo(as_json(measures_answer(view, organisation=organisation)))
        return
    items = [
        a for a in view.active if organisation is None or a.measure.organisation == organisation
    ]
    table = Table(title=_("Measures in force (%(count)s)", count=len(items)))
    for column in (_("measure"), _("organisation"), _("where"), _("since"), _("why")):
        table.add_column(column, overflow="fold")
    for a in items:
        why = (a.picture.rationale or a.picture.title) if a.picture else None
        table.add_row(
            escape(a.measure.title),
            a.measure.organisation,
            escape(_scope(a.scope)),
            _when(a.activation.since),
            escape(why or "—"),
        )
    console().print(table)


@app.command(
    "history", help=N_("Threat pictures, newest first: every level ever set, with its rationale.")
)
def history(
    ctx: typer.Context,
    scale: ScaleOption = None,
    limit: Annotated[int, typer.Option("--limit", min=1)] = 50,
    fmt: FormatOption = OutputFormat.TABLE,
) -> None:
    view = levels_view(state(ctx).database(), scale=scale)
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.levels import history_answer

        typer.echo(as_json(history_answer(view, limit=limit)))
        return
    table = Table(title=_("Threat pictures"))
    for column in (_("when"), _("scale"), _("where"), _("level"), _("title")):
        table.add_column(column, overflow="fold")
    for p in view.history[:limit]:
        at = _when(picture_time(p.issued_on, p.effective_at))
        where = _where(p.sector, p.region, p.site)
        before = p.previous_level
        level = f"{before} → {p.level}" if before is not None else str(p.level)
        table.add_row(at, p.system, escape(where), level, escape(p.title))
    console().print(table)


@app.command(
    "timeline",
    help=N_("Plot the levels over time per scope, with the measures that were in force."),
)
def timeline(
    ctx: typer.Context,
    output: Annotated[
        Path, typer.Option("-o", "--output", help=N_("file to write: .png, .svg or .pdf"))
    ],
    scale: ScaleOption = None,
    sector: Annotated[str | None, typer.Option("--sector", help=N_("only this sector"))] = None,
    since: Annotated[
        str | None, typer.Option("--since", help=N_("start of the plot (YYYY-MM-DD)"))
    ] = None,
) -> None:
    from weerbaar.reports.levels_timeline import write_timeline  # matplotlib: only here

    now = dt.datetime.now(dt.UTC)
    start = _moment(since) if since else None
    if start is not None and start >= now:
        raise ValidationError([Issue("--since", "since", _("the plot must start in the past"))])
    found = timelines(state(ctx).database(), scale=scale, sector=sector)
    try:
        written = write_timeline(found, output, until=now, since=start)
    except ValueError as exc:
        raise ValidationError([Issue("--output", "output", str(exc))]) from exc
    console().print(
        escape(
            ngettext(
                "%(num)d scope plotted to %(path)s",
                "%(num)d scopes plotted to %(path)s",
                len(found),
                path=written,
            )
        )
    )


@app.command(
    "advise", help=N_("The level of measures advised for an object (severity × likelihood).")
)
def advise(
    severity: Annotated[str, typer.Option("--severity", help=N_("how bad an attack would be"))],
    likelihood: Annotated[str, typer.Option("--likelihood", help=N_("how likely it is"))],
    scale: Annotated[str, typer.Option("--scale", help=N_("a scale with an advice matrix"))] = "bb",
) -> None:
    spec = level_scales().get(scale)
    if spec is None or spec.advice is None:
        with_advice = ", ".join(k for k, s in level_scales().items() if s.advice) or _("none")
        raise ValidationError(
            [
                Issue(
                    "--scale",
                    "scale",
                    _(
                        "%(scale)s has no advice matrix; scales with one: %(scales)s",
                        scale=repr(scale),
                        scales=with_advice,
                    ),
                )
            ]
        )
    try:
        rank = spec.advice.advise(severity, likelihood)
    except LevelError as exc:
        raise ValidationError([Issue(f"--{exc.field}", exc.field, exc.message)]) from exc
    level = spec.level(rank)
    console().print(
        f"{escape(i18n.localised(spec))}: [bold]{escape(_level(level))}[/] — "
        f"{escape(i18n.localised(level, 'meaning'))}"
    )
    if not spec.verified:
        note = _("The matrix is illustrative: see weerbaar/data/levels.yaml.")
        console().print(f"[dim]{escape(note)}[/]")


@app.command(
    "rebuild",
    help=N_(
        "Give scopes whose pictures were imported without a level change their "
        "current level and the measures their history switched on."
    ),
)
def rebuild(ctx: typer.Context) -> None:
    count = rebuild_levels(state(ctx).context())
    console().print(ngettext("%(num)d scope given a level", "%(num)d scopes given a level", count))
