"""Every plot speaks the language it is drawn in: titles, axes, legends, hover texts
and notes in Dutch under ``speaking("nl")`` and in English under ``speaking("en")``,
and the names of themes, scenarios, scales and levels as their reader reads them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import numpy as np
import pytest
from matplotlib.figure import Figure
from matplotlib.text import Text

from tests.helpers import seed_scored_round
from weerbaar import i18n
from weerbaar.domain.alerting import (
    ActiveSpan,
    Level,
    LevelScale,
    Scope,
    ScopeKind,
    ScopeTimeline,
    Step,
)
from weerbaar.domain.portfolio import Portfolio
from weerbaar.reports.cascade_timeline import MAX_BARS, Bar, cascade_figure
from weerbaar.reports.diagram_static import build_figure
from weerbaar.reports.levels_timeline import timeline_figure, write_timeline
from weerbaar.reports.portfolio_plot import (
    PortfolioMatrix,
    build_heatmap,
    portfolio_matrix,
    render_portfolio,
)
from weerbaar.reports.round_diagram import risk_diagram
from weerbaar.reports.signal_trends import Panel, trends_figure
from weerbaar.services.context import Context
from weerbaar.services.records import update_record

START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)


def texts(fig: Figure) -> set[str]:
    """Every text drawn, once the figure is laid out (so tick labels are made)."""
    fig.canvas.draw()
    found = {t.get_text() for t in fig.findobj(Text) if isinstance(t, Text)}
    for ax in fig.axes:
        found.add(ax.xaxis.get_major_formatter().get_offset())
    return found


def joined(fig: Figure) -> str:
    return "\n".join(sorted(texts(fig)))


# -- cascade timeline ---------------------------------------------------------------


def _cascade(bars: int = 2) -> Figure:
    return cascade_figure(
        [Bar(f"Process {i}", "water", i, i + 10, i == 0) for i in range(bars)], title="T"
    )


def test_the_cascade_timeline_speaks_dutch_and_english() -> None:
    with i18n.speaking("nl"):
        dutch = texts(_cascade())
        longer = joined(_cascade(MAX_BARS + 1))
    with i18n.speaking("en"):
        english = texts(_cascade())
    assert {"uren vanaf het begin van de verstoring", "verstoord"} <= dutch
    assert "(eerste 200 van 201)" in longer
    assert {"hours from the start of the disruption", "disrupted"} <= english
    assert not {"hours from the start of the disruption", "disrupted"} & dutch
    with i18n.speaking("nl"):
        assert "niets getroffen" in texts(cascade_figure([], title="T"))
    with i18n.speaking("en"):
        assert "nothing affected" in texts(cascade_figure([], title="T"))


# -- signal trends --------------------------------------------------------------------


def _trends() -> Figure:
    days = [dt.date(2024, 1, 1) + dt.timedelta(days=7 * i) for i in range(40)]
    values = np.arange(40, dtype=np.float64)
    return trends_figure(
        [Panel("Cyber", days, values, values / 2, growing_since=dt.date(2024, 3, 4))],
        period_days=7,
    )


def test_signal_trends_speak_dutch_and_english_down_to_the_months() -> None:
    with i18n.speaking("nl"):
        dutch = joined(_trends())
        empty_nl = texts(trends_figure([]))
    with i18n.speaking("en"):
        english = joined(_trends())
        empty_en = texts(trends_figure([]))
    for word in ("gebeurtenissen", "berichten", "groeiend sinds 4 mrt 2024"):
        assert word in dutch
    for word in ("events", "reports", "growing since 4 Mar 2024"):
        assert word in english
    assert not re.search(r"\b(events|reports|growing)\b", dutch)
    # The months on the time axis: Dutch abbreviations, English ones in English.
    assert re.search(r"\b(mrt|mei|okt)\b", dutch) and not re.search(r"\b(Mar|May|Oct)\b", dutch)
    assert re.search(r"\b(Mar|May|Oct)\b", english)
    assert "Geen signalen in deze periode" in empty_nl
    assert "No signals in this period" in empty_en


# -- threat levels --------------------------------------------------------------------

SCALE = LevelScale(
    key="atb",
    name="Alerteringssysteem Terrorismebestrijding",
    name_en="Counterterrorism Alert System",
    scope=ScopeKind.SECTOR,
    levels=(Level(1, "Basis", "Standard", ""), Level(2, "Lichte dreiging", "Low threat", "")),
    standard_measures=True,
    theme=None,
    verified=True,
    source="test",
)
NATIONAL_SCALE = LevelScale(
    key="dtn",
    name="Dreigingsniveau",
    name_en="Threat level",
    scope=ScopeKind.NATIONAL,
    levels=(Level(1, "Minimaal", "Minimal", ""), Level(2, "Beperkt", "Limited", "")),
    standard_measures=False,
    theme=None,
    verified=True,
    source="test",
)


def _levels() -> list[ScopeTimeline]:
    rail = ScopeTimeline(
        scope=Scope("atb", sector="Rail"),
        scale=SCALE,
        steps=(Step(START, 1, "p1"), Step(START + dt.timedelta(days=40), 2, "p2")),
        spans=tuple(ActiveSpan(f"m{i}", f"Measure {i}", "Police", START, None) for i in range(10)),
    )
    country = ScopeTimeline(
        scope=Scope("dtn"), scale=NATIONAL_SCALE, steps=(Step(START, 1, "p3"),), spans=()
    )
    return [rail, country]


def test_the_level_timeline_speaks_dutch_and_english(tmp_path: Path) -> None:
    until = START + dt.timedelta(days=120)
    with i18n.speaking("nl"):
        dutch = joined(timeline_figure(_levels(), until=until))
        svg = write_timeline(_levels(), tmp_path / "levels.svg", until=until).read_text("utf-8")
        empty = texts(timeline_figure([], until=until))
    with i18n.speaking("en"):
        english = joined(timeline_figure(_levels(), until=until))
    for word in (
        "Dreigingsniveaus en geldende maatregelen",
        "atb: Rail — Alerteringssysteem Terrorismebestrijding",
        "dtn: landelijk — Dreigingsniveau",
        "1 Basis",
        "↑ 2 Lichte dreiging",
        "+2 meer",
        "geen geldende maatregelen",
    ):
        assert word in dutch, word
        assert word in svg, word
    for word in (
        "Threat levels and measures in force",
        "atb: Rail — Counterterrorism Alert System",
        "dtn: national — Threat level",
        "1 Standard",
        "↑ 2 Low threat",
        "+2 more",
        "no measures in force",
    ):
        assert word in english, word
        assert word not in dutch, word
    assert "Geen dreigingsniveaus vastgelegd" in empty


# -- portfolio matrix -----------------------------------------------------------------


@dataclass(frozen=True)
class _Record:
    key: str
    title: str
    title_en: str | None


@dataclass(frozen=True)
class _Coverage:
    scenario: _Record
    rank: int | None


@dataclass(frozen=True)
class _Portfolio:
    coverage: tuple[_Coverage, ...]
    ministries: tuple[str, ...]
    matrix: tuple[tuple[int, ...], ...]

    def cell(self, scenario: str, ministry: str) -> tuple[_Record, ...]:
        del scenario, ministry
        return (
            _Record("m1", "Dijkversterking", "Dike reinforcement"),
            _Record("m2", "Evacuatieplan", "Evacuation plan"),
        )


PORTFOLIO = cast(
    Portfolio,
    _Portfolio(
        coverage=(_Coverage(_Record("lek", "Doorbraak Lekdijk", "Lek dike breach"), 1),),
        ministries=("min-ienw",),
        matrix=((2,),),
    ),
)


def _matrix() -> PortfolioMatrix:
    return portfolio_matrix(PORTFOLIO, label=lambda key: key.upper())


def test_the_portfolio_matrix_speaks_dutch_and_english(tmp_path: Path) -> None:
    with i18n.speaking("nl"):
        dutch = _matrix()
        dutch_figure = build_heatmap(dutch).to_json()
        page = render_portfolio(dutch, tmp_path / "matrix.html").read_text("utf-8")
    with i18n.speaking("en"):
        english = _matrix()
        english_figure = build_heatmap(english).to_json()
    assert dutch.title == "Risico's tegenover inzet" and english.title == "Risks against effort"
    assert dutch.rows == ("1. Doorbraak Lekdijk",) and english.rows == ("1. Lek dike breach",)
    assert dutch.measures[0][0] == ("Dijkversterking", "Evacuatieplan")
    assert english.measures[0][0] == ("Dike reinforcement", "Evacuation plan")
    assert "2 maatregelen" in dutch_figure and '"maatregelen"' in dutch_figure
    assert "2 measures" in english_figure and '"measures"' in english_figure
    assert "measures" not in dutch_figure
    assert '<html lang="nl">' in page
    with i18n.speaking("nl"):
        image = render_portfolio(_matrix(), tmp_path / "matrix.png").read_bytes()
    assert image[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_portfolio_png_labels_its_colour_bar_in_the_language() -> None:
    from weerbaar.reports import portfolio_plot

    drawn: list[str] = []
    original = Figure.colorbar

    def spy(self: Figure, *args: object, **kwargs: object) -> object:
        drawn.append(str(kwargs.get("label")))
        return original(self, *args, **kwargs)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Figure, "colorbar", spy)
        with i18n.speaking("nl"):
            portfolio_plot._render_png(_matrix())
        with i18n.speaking("en"):
            portfolio_plot._render_png(_matrix())
    assert drawn == ["maatregelen", "measures"]


# -- the national risk diagram --------------------------------------------------------


def test_the_risk_diagram_speaks_dutch_and_english(ctx: Context) -> None:
    seed_scored_round(ctx)
    update_record(
        ctx,
        entity_name="scenarios",
        key="lek-dike",
        changes={"title": "Doorbraak Lekdijk", "title_en": "Lek dike breach"},
    )
    with i18n.speaking("nl"):
        dutch = risk_diagram(ctx.db)
        dutch_drawn = joined(build_figure(dutch))
    with i18n.speaking("en"):
        english = risk_diagram(ctx.db)
        english_drawn = joined(build_figure(english))
    assert dutch.title == "Nationaal risicodiagram"
    assert english.title == "National risk diagram"
    assert dutch.subtitle.startswith("Ronde ") and "editie" in dutch.subtitle
    assert english.subtitle.startswith("Round ") and "edition" in english.subtitle
    assert dutch.notes[0].startswith("Gewichten: ")
    assert english.notes[0].startswith("Weights: ")
    (dike_nl,) = [p for p in dutch.points if p.key == "lek-dike"]
    (dike_en,) = [p for p in english.points if p.key == "lek-dike"]
    assert (dike_nl.label, dike_nl.theme) == ("Doorbraak Lekdijk", "Overstromingen")
    assert (dike_en.label, dike_en.theme) == ("Lek dike breach", "Floods")
    assert {"scenario", "waarschijnlijkheid", "rang"} <= set(dike_nl.hover)
    assert {"scenario", "likelihood", "rank"} <= set(dike_en.hover)
    assert "medaillemethode" in dike_nl.hover["rang"]
    assert "Nationaal risicodiagram" in dutch_drawn and "Overstromingen" in dutch_drawn
    assert "National risk diagram" in english_drawn and "Floods" in english_drawn
    assert "National risk diagram" not in dutch_drawn


def test_the_illustrative_mark_is_in_the_language(ctx: Context) -> None:
    seed_scored_round(ctx)
    # Marked whenever its class thresholds are not official; marked here either way,
    # since it is the mark's language that is tested.
    with i18n.speaking("nl"):
        diagram = dataclasses.replace(risk_diagram(ctx.db), illustrative=True)
        drawn = joined(build_figure(diagram))
        plain = joined(build_figure(dataclasses.replace(diagram, illustrative=False)))
    assert "ILLUSTRATIEVE GEGEVENS" in drawn and "ILLUSTRATIVE DATA" not in drawn
    assert "ILLUSTRATIEVE GEGEVENS" not in plain
