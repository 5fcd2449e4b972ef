"""``weerbaar cascade``: how an outage of vital processes spreads through their
dependencies, what it costs, and which processes matter most."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.errors import Issue, ValidationError
from weerbaar.services.cascade_runs import cascade_of
from weerbaar.services.infrastructure.ranking import rank_processes
from weerbaar.services.infrastructure.runs import CascadeReport
from weerbaar.services.infrastructure.scores import write_scores

app = typer.Typer(
    no_args_is_help=True,
    help="Cascades through vital infrastructure: run one, rank processes by impact.",
)


class RankBy(StrEnum):
    PEOPLE_HOURS = "people_hours"
    TAKEN_DOWN = "taken_down"
    COST = "cost"


StrengthOption = Annotated[
    float,
    typer.Option(
        "--min-strength",
        help="a dependency passes an outage on when its strength is at least this "
        "(deterministic run; an ensemble draws every dependency with its strength)",
    ),
]


def _hours(value: float) -> str:
    return f"{value:,.1f}"


def _amount(value: float) -> str:
    """Short enough for a table column: 7.66 bn, 552.0 M, 12,300."""
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} bn"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.1f} M"
    return f"{value:,.0f}"


@app.command("run")
def run_command(
    ctx: typer.Context,
    targets: Annotated[
        list[str],
        typer.Argument(help="vital process keys or sectors knocked out", metavar="PROCESS"),
    ],
    hours: Annotated[float, typer.Option("--hours", help="how long they are out, hours")],
    at: Annotated[float, typer.Option("--at", help="hour the outage starts")] = 0.0,
    region: Annotated[
        str | None,
        typer.Option("--region", help="a sector's processes serving this region only"),
    ] = None,
    members: Annotated[
        int,
        typer.Option("--members", help="Monte Carlo members over every range (0: none)"),
    ] = 0,
    seed: Annotated[int | None, typer.Option("--seed", help="repeats an ensemble")] = None,
    min_strength: StrengthOption = 0.5,
    edition: Annotated[
        str | None,
        typer.Option(
            "--edition", help="criteria edition for the classes (default: newest round's)"
        ),
    ] = None,
    scenario: Annotated[
        str | None,
        typer.Option("--scenario", help="store the impact as this scenario's scores"),
    ] = None,
    round_key: Annotated[
        str | None, typer.Option("--round", help="the round to store the scores in")
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option("--plot", help="write the timeline to this .png, .svg or .pdf"),
    ] = None,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    """Run a cascade: the processes it takes down, when and for how long, the people
    and costs, and the impact classes on the assessment's criteria."""
    if (scenario is None) != (round_key is None):
        raise ValidationError(
            [Issue("--scenario", "scenario", "give --scenario and --round together")]
        )
    st = state(ctx)
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
        console().print(f"timeline written to {plot}")
    if written:
        console().print(
            f"stored {len(written)} impact scores of scenario {scenario} in round {round_key}: "
            + ", ".join(v.record.criterion for v in written)
        )


def _print(report: CascadeReport) -> None:
    out = console()
    ensemble = report.members > 0
    end = "nothing affected" if report.end is None else f"all back by hour {_hours(report.end)}"
    out.print(
        f"{len(report.affected)} processes affected, {report.taken_down} taken down by the "
        f"cascade; {report.people_hours:,.0f} person-hours, EUR {report.cost:,.0f}; {end}"
    )
    table = Table(title="Timeline (hours)")
    columns = ["process", "sector", "down", "back", "hours", "people", "EUR", "caused by"]
    columns += ["P(down)", "mean h"] if ensemble else []
    for column in columns:
        table.add_column(column, no_wrap=column in ("process", "caused by"))
    for a in report.affected:
        row = [
            escape(a.process),
            escape(a.sector),
            _hours(a.fails_at),
            _hours(a.recovers_at),
            _hours(a.hours),
            _amount(a.people),
            _amount(a.cost),
            a.cause or "[bold]start[/]",
        ]
        if ensemble:
            row += [f"{a.fail_probability or 0:.0%}", _hours(a.mean_hours or 0.0)]
        table.add_row(*row)
    out.print(table)
    impacts = Table(title=f"Impact on the criteria ({report.edition})")
    for column in ("criterion", "figure", "class", "P5–P95" if ensemble else ""):
        if column:
            impacts.add_column(column, overflow="fold")
    for i in report.impacts:
        figure = f"{_amount(i.quantity)} {i.unit}"
        if i.days is not None:
            figure += f" for {i.days:,.2f} days" + (f" ({i.process})" if i.process else "")
        row = [f"{i.code} {i.name}", escape(figure), i.expected]
        if ensemble:
            row.append(f"{i.lowest}–{i.highest}")
        impacts.add_row(*row)
    out.print(impacts)
    for i in report.impacts:
        out.print(f"  {i.code}: {escape(i.rule)}")
    if ensemble:
        spread = Table(title=f"{report.members} members, seed {report.seed}")
        for column in ("output", "P5", "P50", "P95"):
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


@app.command("rank")
def rank_command(
    ctx: typer.Context,
    hours: Annotated[
        float, typer.Option("--hours", help="each process's own outage, hours")
    ] = 24.0,
    by: Annotated[RankBy, typer.Option("--by", help="what to rank by")] = RankBy.PEOPLE_HOURS,
    limit: Annotated[int | None, typer.Option("--limit", help="only the first N")] = None,
    min_strength: StrengthOption = 0.5,
    fmt: Annotated[OutputFormat, typer.Option("--format")] = OutputFormat.TABLE,
) -> None:
    """Rank every vital process by what its own outage causes."""
    ranked = rank_processes(
        state(ctx).database(),
        hours=hours,
        by=by.value,
        limit=limit,
        min_strength=min_strength,
    )
    if fmt is not OutputFormat.TABLE:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.cascade import ranking_answer

        answer = ranking_answer(ranked, hours=hours, by=by.value, min_strength=min_strength)
        typer.echo(as_json(answer))
        return
    table = Table(title=f"Criticality: each process out for {hours:g} h, by {by.value}")
    for column in ("#", "process", "sector", "takes down", "person-hours", "EUR"):
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
