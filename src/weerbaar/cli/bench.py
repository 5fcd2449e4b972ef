"""``weerbaar bench``: performance figures, each with the ratio to its baseline
measured in the same run."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from weerbaar.cli.dask_option import DaskOption, on_dask
from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.i18n import N_


class Load(StrEnum):
    AUTO = "auto"
    WRK = "wrk"
    PYTHON = "python"


app = typer.Typer(
    help=N_("Benchmarks that print their figures and the ratio to a baseline."),
    no_args_is_help=True,
)


@app.command(
    "assess",
    help=N_("Monte Carlo assessment: compiled kernel against plain NumPy, and Sobol indices."),
)
def bench_assess(
    scenarios: Annotated[int, typer.Option(min=1, help=N_("scenarios"))] = 1000,
    criteria: Annotated[int, typer.Option(min=1, help=N_("criteria per scenario"))] = 12,
    draws: Annotated[int, typer.Option(min=1, help=N_("Monte Carlo draws"))] = 100_000,
    seed: Annotated[int, typer.Option(min=0, help=N_("seed"))] = 0,
) -> None:
    from weerbaar.bench.assess import bench_assess as run

    report = run(scenarios=scenarios, criteria=criteria, draws=draws, seed=seed)
    console().print(report.format())


@app.command(
    "cascade",
    help=N_(
        "Cascade engine: one run against a BFS floor and the networkx "
        "reference, a Monte Carlo ensemble, the criticality ranking, and the "
        "same on a real power grid."
    ),
)
def bench_cascade(
    ctx: typer.Context,
    nodes: Annotated[
        int, typer.Option(min=2, help=N_("processes of the synthetic graph"))
    ] = 1_000_000,
    edges: Annotated[int, typer.Option(min=0, help=N_("dependencies"))] = 5_000_000,
    members: Annotated[int, typer.Option(min=1, help=N_("Monte Carlo members"))] = 100,
    hours: Annotated[float, typer.Option(min=0.0, help=N_("outage of the hub sources"))] = 168.0,
    rank_hours: Annotated[
        float, typer.Option(min=0.0, help=N_("outage of each source in the ranking"))
    ] = 24.0,
    seed: Annotated[int, typer.Option(min=0, help=N_("seed"))] = 0,
    grid: Annotated[
        str, typer.Option(help=N_("pandapower grid case to run as well, or 'none'"))
    ] = "case9241pegase",
    dask: DaskOption = None,
) -> None:
    from weerbaar.bench.cascade import bench_cascade as run

    address = dask or state(ctx).settings.dask_scheduler
    with on_dask(address) as executor:
        report = run(
            nodes=nodes,
            edges=edges,
            members=members,
            hours=hours,
            rank_hours=rank_hours,
            seed=seed,
            grid=None if grid.lower() == "none" else grid,
            executor=executor,
            scheduler=address or "",
        )
    console().print(report.format())


@app.command(
    "web",
    help=N_(
        "Web app and API under concurrent load: dashboard and API list call against GET /api/v1/me."
    ),
)
def bench_web(
    ctx: typer.Context,
    scenarios: Annotated[int, typer.Option(min=1, help=N_("scenarios in the register"))] = 1000,
    clients: Annotated[int, typer.Option(min=1, help=N_("concurrent clients"))] = 50,
    seconds: Annotated[float, typer.Option(min=0.1, help=N_("duration of each run"))] = 10.0,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help=N_(
                "database to fill and serve, e.g. a throw-away PostgreSQL database "
                "(default: a temporary SQLite file)"
            ),
        ),
    ] = None,
    workers: Annotated[
        int,
        typer.Option(min=0, max=64, help=N_("the server's worker processes (0: one per core)")),
    ] = 0,
    load: Annotated[
        Load,
        typer.Option(
            help=N_("load generator: wrk, python, or auto (wrk where it is installed)"),
            case_sensitive=False,
        ),
    ] = Load.AUTO,
) -> None:
    from weerbaar.bench.web import bench_web as run

    trail = state(ctx).settings.trail
    report = run(
        scenarios=scenarios,
        clients=clients,
        seconds=seconds,
        db_url=db,
        trail=trail,
        workers=workers,
        load=load.value,
    )
    console().print(report.format())


@app.command(
    "signals",
    help=N_(
        "Horizon scanning: signals per second end to end (parse, dedupe, "
        "classify, store) against parsing alone, and memory as the stream goes "
        "by."
    ),
)
def bench_signals(
    items: Annotated[int, typer.Option(min=1, help=N_("generated signals"))] = 100_000,
    workers: Annotated[int, typer.Option(min=1, help=N_("worker processes"))] = 2,
    seed: Annotated[int, typer.Option(min=0, help=N_("seed"))] = 0,
) -> None:
    from weerbaar.bench.signals import bench_signals as run

    report = run(items=items, workers=workers, seed=seed)
    console().print(report.format())


@app.command(
    "report",
    help=N_(
        "The national risk profile: the demo's four editions as PDF against the same "
        "as HTML, and a large register's classified edition with its peak memory."
    ),
)
def bench_report(
    scenarios: Annotated[
        int, typer.Option(min=1, help=N_("scenarios in the large register"))
    ] = 1000,
    seed: Annotated[int, typer.Option(min=0, help=N_("seed"))] = 0,
) -> None:
    from weerbaar.bench.report import bench_report as run

    report = run(scenarios=scenarios, seed=seed)
    console().print(report.format())
