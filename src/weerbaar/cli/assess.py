"""``weerbaar assess``, ``weerbaar score`` and ``weerbaar criteria``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Any

import typer
import yaml
from rich.markup import escape
from rich.table import Table

from weerbaar import i18n
from weerbaar.cli.render import OutputFormat, console
from weerbaar.cli.state import state
from weerbaar.errors import FileFormatError
from weerbaar.formats.tables import write_csv
from weerbaar.i18n import N_, _, ngettext
from weerbaar.method.classes import describe_position
from weerbaar.method.scales import MatrixScale, QuantityScale
from weerbaar.reference.method import editions, scales_for
from weerbaar.services.assessment import (
    RoundAssessment,
    ScenarioResult,
    assess_round,
    ranks_by_profile,
)
from weerbaar.services.scoring import record_score

RoundOption = Annotated[
    str | None, typer.Option("--round", help=N_("assessment round (default: the newest)"))
]
WeightsOption = Annotated[
    str,
    typer.Option(
        "--weights",
        help=N_(
            "weight set: equal, hierarchist, egalitarian, individualist, or a YAML/JSON "
            "file of weights per criterion code summing to 1"
        ),
    ),
]


def load_weights(value: str) -> str | dict[str, object]:
    path = Path(value)
    if path.suffix.lower() not in (".yaml", ".yml", ".json"):
        return value
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise FileFormatError(
            _("%(path)s: cannot read the weight set: %(error)s", path=path, error=exc)
        ) from exc
    if not isinstance(data, dict):
        raise FileFormatError(_("%(path)s: expected criterion codes with their weights", path=path))
    return {str(k): v for k, v in data.items()}


def _row(r: ScenarioResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "rank": r.rank,
        "scenario": r.scenario.key,
        "title": r.scenario.title,
        "theme": r.scenario.theme,
        "kind": r.scenario.kind.value,
        "impact": round(r.impact, 6),
        "impact_class": describe_position(r.impact_position),
        "impact_position": None if r.impact_position is None else round(r.impact_position, 4),
        "likelihood": str(r.likelihood.expected),
        "likelihood_range": f"{r.likelihood.lowest}–{r.likelihood.highest}",
        "impact_rank": r.impact_rank,
        "medal_rank": r.medal_rank,
        "criteria": {c.code: str(c.resolved.expected) for c in r.criteria},
    }
    if r.band is not None:
        row |= {
            "impact_p5": round(r.band.impact[0], 6),
            "impact_p50": round(r.band.impact[1], 6),
            "impact_p95": round(r.band.impact[2], 6),
            "likelihood_p5": r.band.likelihood[0],
            "likelihood_p50": r.band.likelihood[1],
            "likelihood_p95": r.band.likelihood[2],
            "top5": round(r.band.top5, 4),
            "top10": round(r.band.top10, 4),
            "mean_rank": round(r.band.mean_rank, 2),
        }
    return row


def _percent(share: float) -> str:
    return f"{i18n.format_number(share * 100, 0)}%"


def _print_table(result: RoundAssessment, by_profile: dict[str, dict[str, int]]) -> None:
    out = console()
    scales = result.scales
    name = "[bold]" + escape(result.round.name) + "[/]"
    out.print(
        _(
            "Round %(name)s (%(key)s), edition %(edition)s, weights: %(weights)s",
            name=name,
            key=result.round.key,
            edition=result.edition.key,
            weights=escape(i18n.localised(result.weights)),
        )
    )
    if not scales.official:
        note = _("Thresholds %(key)s: calibrated, not official.", key=scales.key)
        out.print(f"[yellow]{escape(note)}[/]")
    table = Table(title_justify="left")
    table.add_column(_("rank"))
    table.add_column(_("scenario"), no_wrap=True)
    for title in (_("impact"), _("class"), _("likelihood"), _("medal"), _("profiles")):
        table.add_column(title)
    if result.draws:
        for title in (_("impact P5–P95"), _("top 5"), _("top 10")):
            table.add_column(title)
    for r in result.results:
        cells = [
            str(r.rank),
            r.scenario.key,
            i18n.format_number(r.impact, 2),
            describe_position(r.impact_position),
            f"{r.likelihood.expected} ({r.likelihood.lowest}–{r.likelihood.highest})",
            str(r.medal_rank),
            _span(by_profile.get(r.scenario.key, {})),
        ]
        if r.band is not None:
            cells += [
                f"{i18n.format_number(r.band.impact[0], 2)}–"
                f"{i18n.format_number(r.band.impact[2], 2)}",
                _percent(r.band.top5),
                _percent(r.band.top10),
            ]
        table.add_row(*cells)
    out.print(table)
    if result.draws:
        out.print(
            escape(
                _(
                    "Monte Carlo: %(draws)s draws, seed %(seed)s "
                    "(repeat with --seed to get the same bands)",
                    draws=i18n.format_number(result.draws),
                    seed=result.seed,
                )
            )
        )
    if result.incomplete:
        out.print(
            "[yellow]" + escape(_("Not assessed, scores incomplete:")) + "[/] "
            f"{', '.join(result.incomplete)}"
        )
    if result.unscored:
        unscored = ngettext(
            "Not scored in this round: %(num)d scenario",
            "Not scored in this round: %(num)d scenarios",
            len(result.unscored),
        )
        out.print(f"[dim]{escape(unscored)}[/]")


def _span(ranks: dict[str, int]) -> str:
    if not ranks:
        return ""
    low, high = min(ranks.values()), max(ranks.values())
    return str(low) if low == high else f"{low}–{high}"


def assess(
    ctx: typer.Context,
    round_key: RoundOption = None,
    weights: WeightsOption = "equal",
    draws: Annotated[
        int,
        typer.Option(
            min=0, max=10_000_000, help=N_("Monte Carlo draws for uncertainty bands (0: none)")
        ),
    ] = 10_000,
    seed: Annotated[
        int | None, typer.Option(min=0, help=N_("seed, to repeat a run exactly"))
    ] = None,
    format: Annotated[OutputFormat, typer.Option("--format", "-f")] = OutputFormat.TABLE,
    pooled: Annotated[
        bool,
        typer.Option(
            help=N_(
                "draw the criteria that expert sessions concluded from the experts' pooled "
                "ranges (their disagreement widens the bands)"
            )
        ),
    ] = False,
) -> None:
    db = state(ctx).database()
    result = assess_round(
        db,
        round_key=round_key,
        weights=load_weights(weights),
        draws=draws,
        seed=seed,
        pooled=pooled,
    )
    by_profile = ranks_by_profile(db, round_key=result.round.key)
    if format is OutputFormat.JSON:
        from weerbaar.web.presenters import as_json  # pydantic models: only here
        from weerbaar.web.presenters.assessment import assessment_answer

        typer.echo(as_json(assessment_answer(result, by_profile)))
    elif format is OutputFormat.CSV:
        rows = [
            _row(r) | {"ranks_by_profile": by_profile.get(r.scenario.key, {})}
            for r in result.results
        ]
        flat = [
            {k: v for k, v in row.items() if k not in ("criteria", "ranks_by_profile")}
            | {f"rank {name}": rank for name, rank in row["ranks_by_profile"].items()}
            | {f"criterion {code}": cls for code, cls in row["criteria"].items()}
            for row in rows
        ]
        names = sorted(
            {k for row in flat for k in row},
            key=lambda k: (
                k.startswith("criterion"),
                list(flat[0]).index(k) if k in flat[0] else 99,
                k,
            ),
        )
        write_csv(sys.stdout, [names, *([row.get(k) for k in names] for row in flat)])
    else:
        _print_table(result, by_profile)


def score(
    ctx: typer.Context,
    scenario: Annotated[str, typer.Argument(help=N_("scenario key"))],
    criterion: Annotated[
        str, typer.Argument(help=N_("criterion code (e.g. 2.1), or 'likelihood'"))
    ],
    value: Annotated[
        str,
        typer.Argument(
            help=N_(
                "a class (C, Chigh) or a number (deaths, "
                "euros, people; a probability for likelihood)"
            )
        ),
    ],
    low: Annotated[str | None, typer.Option(help=N_("lowest class or number"))] = None,
    high: Annotated[str | None, typer.Option(help=N_("highest class or number"))] = None,
    duration: Annotated[float | None, typer.Option(help=N_("days (table criteria)"))] = None,
    duration_low: Annotated[float | None, typer.Option(help=N_("shortest duration, days"))] = None,
    duration_high: Annotated[float | None, typer.Option(help=N_("longest duration, days"))] = None,
    horizon_years: Annotated[
        float | None, typer.Option(help=N_("horizon of a probability (default: the scenario's)"))
    ] = None,
    note: Annotated[str | None, typer.Option(help=N_("why: sources, reasoning"))] = None,
    round_key: RoundOption = None,
    expect_version: Annotated[
        int | None, typer.Option(help=N_("refuse unless the stored score is still at this version"))
    ] = None,
) -> None:
    extra = {
        k: v
        for k, v in {
            "duration": duration,
            "duration_low": duration_low,
            "duration_high": duration_high,
            "horizon_years": horizon_years,
            "note": note,
        }.items()
        if v is not None
    }
    saved, resolved = record_score(
        state(ctx).context(),
        scenario=scenario,
        criterion=criterion,
        value=value,
        low=low,
        high=high,
        extra=extra,
        round_key=round_key,
        expected_version=expect_version,
    )
    out = console()
    out.print(
        escape(
            _("saved %(key)s (version %(version)s)", key=saved.record.key, version=saved.version)
        )
    )
    out.print(f"  {escape(i18n.translated(resolved.rule))}")
    if resolved.lowest != resolved.highest:
        span = _("range %(low)s–%(high)s", low=resolved.lowest, high=resolved.highest)
        out.print(f"  {escape(span)}")


def criteria(
    edition: Annotated[str, typer.Option(help=N_("edition key"))] = "gra-2019",
) -> None:
    found = editions().get(edition)
    if found is None:
        raise typer.BadParameter(
            _(
                "unknown edition %(edition)s; known: %(known)s",
                edition=repr(edition),
                known=", ".join(editions()),
            )
        )
    scales = scales_for(found)
    out = console()
    thresholds = _("thresholds: %(key)s", key=scales.key)
    if not scales.official:
        thresholds += " — " + _("calibrated, not official")
    out.print(f"[bold]{escape(found.name)}[/] ({found.key}); {escape(thresholds)}")
    table = Table(show_lines=False)
    for name in (_("code"), _("criterion"), _("kind"), "A", "B", "C", "D", "E"):
        table.add_column(name, overflow="fold")
    interests = {i.code: i for i in found.interests}
    current = None
    for c in found.criteria:
        if c.interest_code != current:
            current = c.interest_code
            interest = i18n.localised(interests[current])
            table.add_row("", f"[bold]{escape(interest)}[/]", "", *[""] * 5)
        scale = scales.scale(c.code)
        if isinstance(scale, QuantityScale):
            cells = [f"≥ {i18n.format_number(b, 0)}" for b in scale.bounds]
            kind = f"{scale.name} ({scale.unit})"
        elif isinstance(scale, MatrixScale):
            cells = [f"≥ {i18n.format_number(b, 0)}" for b in scale.rows]
            kind = f"{scale.name} ({scale.unit}) × {scale.duration_name}"
        else:
            cells = [""] * 5
            kind = _("qualitative")
        table.add_row(c.code, escape(i18n.localised(c)), escape(kind), *cells)
    out.print(table)
