"""``weerbaar cascade``: how an outage of vital processes spreads through their
dependencies, what it costs, and which processes matter most."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.dask_option import DaskOption, on_dask
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.errors import Issue, ValidationError
from weerbaar.i18n import N_, _
from weerbaar.reference.method import editions
from weerbaar.services.cascade_runs import cascade_of
from weerbaar.services.infrastructure.ranking import rank_processes
from weerbaar.services.infrastructure.runs import CascadeReport
from weerbaar.services.infrastructure.scores import write_scores

app = typer.Typer(
    no_args_is_help=True,
    help=N_("Cascades through vital infrastructure: run one, rank processes by impact."),
)


class RankBy(StrEnum):
    PEOPLE_HOURS = "people_hours"
    TAKEN_DOWN = "taken_down"
    COST = "cost"


StrengthOption = Annotated[
    float,
    typer.Option(
        "--min-strength",
        help=N_(
            "a dependency passes an outage on when its strength is at least this "
            "(deterministic run; an ensemble draws every dependency with its strength)"
        ),
    ),
]


def _hours(value: float) -> str:
    return i18n.format_number(value, 1)


def _amount(value: float) -> str:
    """Short enough for a table column: 7.66 bn, 552.0 M, 12,300 (7,66 mld in Dutch)."""
    if abs(value) >= 1e9:
        return _("%(amount)s bn", amount=i18n.format_number(value / 1e9, 2))
    if abs(value) >= 1e6:
        return _("%(amount)s M", amount=i18n.format_number(value / 1e6, 1))
    return i18n.format_number(value, 0)


def _criterion_names(edition: str) -> dict[str, str]:
    found = editions().get(edition)
    return {} if found is None else {c.code: i18n.localised(c) for c in found.criteria}


@app.command(
    "run",
    help=N_(
        "Run a cascade: the processes it takes down, when and for how long, the"
        " people and costs, and the impact classes on the assessment's "
        "criteria."
    ),
)
def run_command(
    ctx: typer.Context,
    targets: Annotated[
        list[str],
        typer.Argument(help=N_("vital process keys or sectors knocked out"), metavar="PROCESS"),
    ],
    hours: Annotated[float, typer.Option("--hours", help=N_("how long they are out, hours"))],
    at: Annotated[float, typer.Option("--at", help=N_("hour the outage starts"))] = 0.0,
    region: Annotated[
        str | None,
        typer.Option("--region", help=N_("a sector's processes serving this region only")),
    ] = None,
    members: Annotated[
        int,
        typer.Option("--members", help=N_("Monte Carlo members over every range (0: none)")),
    ] = 0,
    seed: Annotated[int | None, typer.Option("--seed", help=N_("repeats an ensemble"))] = None,
    min_strength: StrengthOption = 0.5,
    edition: Annotated[
        str | None,
        typer.Option(
            "--edition", help=N_("criteria edition for the classes (default: newest round's)")
        ),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help=N_("store the impact as this scenario's scores")),
    ] = None,
    round_key: Annotated[
        str | None, typer.Option("--round", help=N_("the round to store the scores in"))
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help=N_("write the timeline to this .png, .svg or .pdf")),
    ] = None,
    dask: DaskOption = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    if (scenario is None) != (round_key is None):
        raise ValidationError(
            [Issue("--scenario", "scenario", _("give --scenario and --round together"))]
        )
    st = state(ctx)
    # Only an ensemble has work to share out: a plain run never waits for a scheduler.
    address = (dask or st.settings.dask_scheduler) if members else None
    with on_dask(address) as executor:
        report = cascade_of(
            st.database(),
            targets=targets,
            hours=hours,
            at=at,
            region=region,
            members=members,
            seed=seed,
            min_strength=min_strength,
            edition=edition,
            round_key=round_key,
            executor=executor,
        )
    if plot is not None:
        _plot(report, plot)
    written = []
    if scenario is not None and round_key is not None:
        written = write_scores(st.context(), report, scenario=scenario, round_key=round_key)
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.cascade import cascade_answer

        typer.echo(as_json(cascade_answer(report)))
        return
    _print(report)
    if plot is not None:
        console().print(escape(_("timeline written to %(path)s", path=plot)))
    if written:
        stored = _(
            "stored %(count)s impact scores of scenario %(scenario)s in round %(round)s: "
            "%(criteria)s",
            count=len(written),
            scenario=scenario,
            round=round_key,
            criteria=", ".join(v.record.criterion for v in written),
        )
        console().print(escape(stored))


def _print(report: CascadeReport) -> None:
    out = console()
    ensemble = report.members > 0
    end = (
        _("nothing affected")
        if report.end is None
        else _("all back by hour %(hour)s", hour=_hours(report.end))
    )
    summary = _(
        "%(affected)s processes affected, %(down)s taken down by the cascade; "
        "%(hours)s person-hours, EUR %(cost)s; %(end)s",
        affected=len(report.affected),
        down=report.taken_down,
        hours=i18n.format_number(report.people_hours, 0),
        cost=i18n.format_number(report.cost, 0),
        end=end,
    )
    out.print(escape(summary))
    table = Table(title=escape(_("Timeline (hours)")))
    process, caused_by = _("process"), _("caused by")
    columns = [process, _("sector"), _("down"), _("back"), _("hours"), _("people"), "EUR"]
    columns += [caused_by]
    columns += [_("P(down)"), _("mean h")] if ensemble else []
    for column in columns:
        table.add_column(escape(column), no_wrap=column in (process, caused_by))
    start = "[bold]" + escape(_("start")) + "[/]"
    for a in report.affected:
        row = [
            escape(a.process),
            escape(a.sector),
            _hours(a.fails_at),
            _hours(a.recovers_at),
            _hours(a.hours),
            _amount(a.people),
            _amount(a.cost),
            a.cause or start,
        ]
        if ensemble:
            share = i18n.format_number((a.fail_probability or 0) * 100, 0)
            row += [f"{share}%", _hours(a.mean_hours or 0.0)]
        table.add_row(*row)
    out.print(table)
    impacts = Table(title=escape(_("Impact on the criteria (%(edition)s)", edition=report.edition)))
    for column in (_("criterion"), _("figure"), _("class"), "P5–P95" if ensemble else ""):
        if column:
            impacts.add_column(column, overflow="fold")
    names = _criterion_names(report.edition)
    for i in report.impacts:
        figure = f"{_amount(i.quantity)} {i.unit}"
        if i.days is not None:
            figure += " " + _("for %(days)s days", days=i18n.format_number(i.days, 2))
            figure += f" ({i.process})" if i.process else ""
        row = [f"{i.code} {escape(names.get(i.code, i.name))}", escape(figure), i.expected]
        if ensemble:
            row.append(f"{i.lowest}–{i.highest}")
        impacts.add_row(*row)
    out.print(impacts)
    for i in report.impacts:
        out.print(f"  {i.code}: {escape(i18n.translated(i.rule))}")
    if ensemble:
        spread = Table(
            title=_("%(members)s members, seed %(seed)s", members=report.members, seed=report.seed)
        )
        for column in (_("output"), "P5", "P50", "P95"):
            spread.add_column(column)
        for d in report.distributions:
            spread.add_row(d.name, _amount(d.p5), _amount(d.p50), _amount(d.p95))
        out.print(spread)


def _plot(report: CascadeReport, path: Path) -> None:
    from weerbaar.reports.cascade_timeline import Bar, write_cascade  # matplotlib: only here

    bars = [
        Bar(a.name, a.sector, a.fails_at, a.recovers_at, a.cause is None) for a in report.affected
    ]
    starts = ", ".join(s.process for s in report.starts)
    try:
        write_cascade(path, bars, title=f"Cascade from {starts}")
    except ValueError as exc:
        raise ValidationError([Issue("--plot", "plot", str(exc))]) from exc


@app.command("rank", help=N_("Rank every vital process by what its own outage causes."))
def rank_command(
    ctx: typer.Context,
    hours: Annotated[
        float, typer.Option("--hours", help=N_("each process's own outage, hours"))
    ] = 24.0,
    by: Annotated[RankBy, typer.Option("--by", help=N_("what to rank by"))] = RankBy.PEOPLE_HOURS,
    limit: Annotated[int | None, typer.Option("--limit", help=N_("only the first N"))] = None,
    min_strength: StrengthOption = 0.5,
    dask: DaskOption = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    st = state(ctx)
    with on_dask(dask or st.settings.dask_scheduler) as executor:
        ranked = rank_processes(
            st.database(),
            hours=hours,
            by=by.value,
            limit=limit,
            min_strength=min_strength,
            executor=executor,
        )
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.cascade import ranking_answer

        answer = ranking_answer(ranked, hours=hours, by=by.value, min_strength=min_strength)
        typer.echo(as_json(answer))
        return
    title = _(
        "Criticality: each process out for %(hours)s h, by %(by)s",
        hours=i18n.format_number(hours),
        by=by.value,
    )
    table = Table(title=escape(title))
    for column in ("#", _("process"), _("sector"), _("takes down"), _("person-hours"), "EUR"):
        table.add_column(column, overflow="fold")
    for r in ranked:
        table.add_row(
            str(r.rank),
            escape(r.process),
            escape(r.sector),
            str(r.taken_down),
            _amount(r.people_hours),
            _amount(r.cost),
        )
    console().print(table)
