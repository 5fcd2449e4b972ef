"""``weerbaar diagram``: the national risk diagram as PNG, SVG or interactive HTML."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from weerbaar.cli.assess import RoundOption, WeightsOption, load_weights
from weerbaar.cli.render import console
from weerbaar.cli.state import state
from weerbaar.errors import FileFormatError, said
from weerbaar.i18n import N_, _, ngettext
from weerbaar.reports.diagram import render_html, render_static
from weerbaar.reports.round_diagram import risk_diagram


def diagram(
    ctx: typer.Context,
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help=N_("file to write: .png, .svg or .html (interactive)")),
    ],
    round_key: RoundOption = None,
    compare: Annotated[
        str | None,
        typer.Option(
            "--compare", help=N_("an earlier round: draw each scenario's move with an arrow")
        ),
    ] = None,
    weights: WeightsOption = "equal",
    draws: Annotated[
        int,
        typer.Option(
            min=0,
            max=1_000_000,
            help=N_("Monte Carlo draws for P5–P95 ranges (0: the scores' own LL–UL ranges)"),
        ),
    ] = 0,
    seed: Annotated[int | None, typer.Option(min=0, help=N_("seed"))] = None,
) -> None:
    suffix = output.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg", "html"):
        raise FileFormatError(said("%(output)s: write a .png, .svg or .html file", output=output))
    picture = risk_diagram(
        state(ctx).database(),
        round_key=round_key,
        compare=compare,
        weights=load_weights(weights),
        draws=draws,
        seed=seed,
    )
    if suffix == "html":
        render_html(picture, output)
    else:
        render_static(picture, output, fmt="png" if suffix == "png" else "svg")
    what = ngettext("%(num)d scenario", "%(num)d scenarios", len(picture.points))
    if picture.unplaced:
        what += ", " + _("%(count)s without impact", count=len(picture.unplaced))
    console().print(escape(_("wrote %(path)s (%(what)s)", path=output, what=what)))
