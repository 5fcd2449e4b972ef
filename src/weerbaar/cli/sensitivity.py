"""``weerbaar sensitivity``: which criterion weights move the risk ranking."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.assess import RoundOption, WeightsOption, load_weights
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.i18n import N_, _

if TYPE_CHECKING:
    from weerbaar.services.sensitivity import SensitivityReport

SHOWN_SCENARIOS = 15


def _document(report: SensitivityReport) -> dict[str, object]:
    found = report.samples
    return {
        "round": report.assessment.round.key,
        "weights": report.assessment.weights.name,
        "spread": report.spread,
        "seed": found.seed,
        "evaluations": found.evaluations,
        "mean_rank_displacement": found.displacement_mean,
        "p95_rank_displacement": found.displacement_p95,
        "criteria": [
            {
                "criterion": w.criterion,
                "weight": w.weight,
                "total_order": w.total_order,
                "total_order_conf": w.total_order_conf,
                "first_order": w.first_order,
                "first_order_conf": w.first_order_conf,
            }
            for w in report.influences
        ],
        "ranks": [
            {"scenario": r.scenario, "rank": r.rank, "rank_p5": r.p5, "rank_p95": r.p95}
            for r in report.ranks
        ],
    }


def _print(report: SensitivityReport) -> None:
    out = console()
    found = report.samples
    assessment = report.assessment
    names = {c.code: i18n.localised(c) for c in assessment.edition.criteria}
    round_name = "[bold]" + escape(i18n.localised(assessment.round)) + "[/]"
    out.print(
        _(
            "Round %(name)s (%(key)s), weights %(weights)s, each weight varied by ±%(spread)s",
            name=round_name,
            key=assessment.round.key,
            weights=escape(i18n.localised(assessment.weights)),
            spread=format(report.spread, ".0%"),
        )
    )
    if not found.moves:
        out.print(escape(_("The ranking does not move over this range of weights.")))
        return
    moves = _(
        "Ranks move by %(mean)s places on average (P95 %(p95)s) over %(sets)s weight sets.",
        mean=_number(found.displacement_mean),
        p95=_number(found.displacement_p95),
        sets=i18n.format_number(found.evaluations, 0),
    )
    out.print(escape(moves))
    table = Table(title=escape(_("Which weights move the ranking (Sobol indices, ±95 % interval)")))
    for name in (_("criterion"), "", _("weight"), _("total effect"), _("alone")):
        table.add_column(name, overflow="fold")
    for w in report.influences:
        table.add_row(
            w.criterion,
            escape(names.get(w.criterion, "")),
            _number(w.weight, 3),
            f"{_number(w.total_order)} ± {_number(w.total_order_conf)}",
            f"{_number(w.first_order)} ± {_number(w.first_order_conf)}",
        )
    out.print(table)
    moving = sorted(report.ranks, key=lambda r: (-(r.p95 - r.p5), r.rank))[:SHOWN_SCENARIOS]
    moving = [r for r in moving if r.p95 > r.p5]
    if moving:
        ranks = Table(title=escape(_("Scenarios whose rank depends most on the weights")))
        for name in (_("scenario"), _("rank"), _("rank P5–P95")):
            ranks.add_column(name)
        for r in sorted(moving, key=lambda r: r.rank):
            ranks.add_row(r.scenario, str(r.rank), f"{r.p5:.0f}–{r.p95:.0f}")
        out.print(ranks)
    out.print(escape(_("seed %(seed)s (repeat with --seed)", seed=found.seed)))


def _number(value: float, digits: int = 2) -> str:
    """A figure in its reader's form: 2.34 / 2,34."""
    return i18n.format_number(value, digits)


def sensitivity(
    ctx: typer.Context,
    round_key: RoundOption = None,
    weights: WeightsOption = "equal",
    spread: Annotated[
        float,
        typer.Option(
            min=0.01, max=0.99, help=N_("how far each weight varies, as a fraction of itself")
        ),
    ] = 0.5,
    samples: Annotated[
        int,
        typer.Option(
            min=2, max=1 << 16, help=N_("base samples (a power of two; runs ×(criteria + 2))")
        ),
    ] = 512,
    seed: Annotated[
        int | None, typer.Option(min=0, help=N_("seed, to repeat a run exactly"))
    ] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.TABLE,
) -> None:
    # SALib, scipy and pandas load only when the analysis runs.
    from weerbaar.services.sensitivity import weight_sensitivity_report

    report = weight_sensitivity_report(
        state(ctx).database(),
        round_key=round_key,
        weights=load_weights(weights),
        samples=samples,
        spread=spread,
        seed=seed,
    )
    if format is OutputFormat.JSON:
        sys.stdout.write(json.dumps(_document(report), ensure_ascii=False, indent=2) + "\n")
    else:
        _print(report)
