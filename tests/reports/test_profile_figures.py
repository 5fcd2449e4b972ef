"""The risk profile report's figures: drawn from the demo profile as the reader may
see it, in the reader's language, as SVG fit to inline several to a page."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from tests.helpers import trail_config
from weerbaar import i18n
from weerbaar.domain.access import Subject
from weerbaar.domain.entities.strategy import Scenario
from weerbaar.errors import ValidationError
from weerbaar.reference.access import roles
from weerbaar.reports import profile_figures as profile_figures_module
from weerbaar.reports._svg import inline_svg, inlined
from weerbaar.reports.profile_figures import (
    TREND_BARS,
    ProfileFigures,
    _panel,
    profile_figures,
)
from weerbaar.reports.round_diagram import assessed_diagram, theme_names
from weerbaar.services.assessment import assess_round
from weerbaar.services.horizon import ThemeTrend
from weerbaar.services.public_summary import citizen
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository

ROUND = "gra-2019"
# Threat levels of the demo run from 2018 to 2022, its signals are of 2026.
SINCE = dt.datetime(2018, 1, 1, tzinfo=dt.UTC)
UNTIL = dt.datetime(2026, 12, 31, tzinfo=dt.UTC)
# Marked state secret, owned by the AIVD and shared with the NCTV.
HIDDEN = "dissident-assassination"
SVG = "{http://www.w3.org/2000/svg}"

ANALYST = Subject("analyst-nctv", roles()["analyst"], "nctv", "stg-g")


@pytest.fixture(scope="module")
def demo(
    sqlite_demo_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Database]:
    """A copy of the demo register, read (never written) by every test here."""
    path = tmp_path_factory.mktemp("profile-figures") / "register.db"
    shutil.copyfile(sqlite_demo_template, path)
    database = Database(f"sqlite:///{path}", trail=trail_config())
    yield database
    database.dispose()


def _figures(db: Database, reader: Subject, lang: str, previous: str | None) -> ProfileFigures:
    with i18n.speaking(lang):
        current = assess_round(db, round_key=ROUND, draws=200, seed=1, subject=reader)
        earlier = assess_round(db, round_key=previous, subject=reader) if previous else None
        return profile_figures(
            db, reader, current=current, earlier=earlier, since=SINCE, until=UNTIL
        )


@pytest.fixture(scope="module")
def analyst(demo: Database) -> ProfileFigures:
    # The demo has one round; compared with itself, the comparison is still drawn.
    return _figures(demo, ANALYST, "en", ROUND)


@pytest.fixture(scope="module")
def public(demo: Database) -> ProfileFigures:
    return _figures(demo, citizen(), "en", None)


@pytest.fixture(scope="module")
def public_nl(demo: Database) -> ProfileFigures:
    return _figures(demo, citizen(), "nl", None)


def _all(figures: ProfileFigures) -> list[str]:
    shown = [figures.diagram, figures.portfolio, figures.levels, *figures.trends.values()]
    return [svg for svg in shown if svg is not None]


def _words(svg: str) -> str:
    """All the text of the SVG, parsed as XML (so it must be well formed)."""
    return " ".join(" ".join(ET.fromstring(svg).itertext()).split())


def _ids(svg: str) -> list[str]:
    return [e.attrib["id"] for e in ET.fromstring(svg).iter() if "id" in e.attrib]


def _hidden_title(db: Database) -> str:
    with db.transaction() as connection:
        scenario: Scenario = Repository(connection).require("scenarios", HIDDEN)
    assert scenario.classification != "public"
    assert scenario.title_en
    return scenario.title_en[:20]  # labels are shortened; the start is always there


# -- what is drawn, for whom ---------------------------------------------------------


@pytest.mark.parametrize("reader", ["analyst", "public"])
def test_every_figure_is_drawn(reader: str, request: pytest.FixtureRequest) -> None:
    figures: ProfileFigures = request.getfixturevalue(reader)
    assert "National risk diagram" in _words(figures.diagram)
    assert figures.portfolio is not None
    assert "Risks against effort" in _words(figures.portfolio)
    assert figures.levels is not None
    assert "Threat levels and measures in force" in _words(figures.levels)
    assert figures.trends
    for theme, svg in figures.trends.items():
        assert re.fullmatch(r"[a-z0-9-]+", theme)
        assert "events" in _words(svg)


def test_a_scenario_the_citizen_may_not_see_is_in_no_figure_of_theirs(
    demo: Database, analyst: ProfileFigures, public: ProfileFigures
) -> None:
    title = _hidden_title(demo)
    assert title in _words(analyst.diagram)
    assert analyst.portfolio is not None
    assert title in _words(analyst.portfolio)
    for svg in _all(public):
        assert title not in _words(svg)
        assert HIDDEN not in svg  # not even as an element id


def test_the_diagram_compares_with_the_previous_round_only_when_given(
    analyst: ProfileFigures, public: ProfileFigures
) -> None:
    assert "compared with" in _words(analyst.diagram)
    assert "compared with" not in _words(public.diagram)


def test_the_figures_speak_the_current_language(
    public: ProfileFigures, public_nl: ProfileFigures
) -> None:
    pairs = [
        (public.diagram, public_nl.diagram, "Likelihood"),
        (public.diagram, public_nl.diagram, "Aggregated impact"),
        (public.levels, public_nl.levels, "Threat levels and measures in force"),
        (public.portfolio, public_nl.portfolio, "measures"),
    ]
    theme = next(iter(public.trends))
    pairs.append((public.trends[theme], public_nl.trends[theme], "events"))
    for english, dutch, word in pairs:
        assert english is not None and dutch is not None
        with i18n.speaking("nl"):
            translated = i18n.gettext(word)
        assert translated != word
        assert word in _words(english)
        assert translated in _words(dutch)
        assert word not in _words(dutch).split(" ")  # as a whole word
    assert "Waarschijnlijkheid" in _words(public_nl.diagram)


# -- fit to inline -------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["analyst", "public"])
def test_each_svg_is_an_element_that_scales_with_its_box(
    reader: str, request: pytest.FixtureRequest
) -> None:
    for svg in _all(request.getfixturevalue(reader)):
        assert svg.startswith("<svg ")
        assert "<?xml" not in svg
        assert "<!DOCTYPE" not in svg
        assert "<metadata" not in svg
        root = ET.fromstring(svg)
        assert root.tag == f"{SVG}svg"
        assert root.attrib["width"] == "100%"
        assert "height" not in root.attrib
        assert len(root.attrib["viewBox"].split()) == 4


@pytest.mark.parametrize("reader", ["analyst", "public"])
def test_ids_are_unique_across_the_figures_of_one_page(
    reader: str, request: pytest.FixtureRequest
) -> None:
    shown = _all(request.getfixturevalue(reader))
    ids = [i for svg in shown for i in _ids(svg)]
    assert len(ids) == len(set(ids))
    assert len(ET.fromstring(shown[0]).attrib["id"]) > 0
    for svg in shown:
        # Every reference points into its own figure.
        own = set(_ids(svg))
        refs = re.findall(r'url\(#([^)]+)\)|href="#([^"]+)"', svg)
        assert refs
        for url, href in refs:
            assert (url or href) in own


def test_text_stays_text(public: ProfileFigures) -> None:
    before = mpl.rcParams["svg.fonttype"]
    for svg in _all(public):
        assert "<text" in svg
        assert 'id="DejaVuSans' not in svg and "-DejaVuSans" not in svg  # no glyph paths
    assert mpl.rcParams["svg.fonttype"] == before


def test_the_heatmap_is_drawn_in_vectors(analyst: ProfileFigures) -> None:
    assert analyst.portfolio is not None
    svg = ET.fromstring(analyst.portfolio)
    assert not list(svg.iter(f"{SVG}image"))  # no raster image inside the figure
    assert list(svg.iter(f"{SVG}path"))


def test_a_diagram_of_many_risks_draws_the_highest_and_says_so(demo: Database) -> None:
    with i18n.speaking("en"):
        current = assess_round(demo, round_key=ROUND, subject=ANALYST)
        themes = theme_names(demo, ANALYST)
        capped = assessed_diagram(current, current, themes, most=3)
        whole = assessed_diagram(current, current, themes)
    top = [r.scenario.key for r in current.results[:3]]
    assert [p.key for p in capped.points] == top
    assert sorted(p.key for p in capped.previous) == sorted(top)
    assert f"The 3 highest risks of {len(current.results)} are drawn." in capped.notes
    assert len(whole.points) == len(current.results) > 3
    assert not any("highest risks of" in note for note in whole.notes)


def test_the_heatmap_of_many_risks_shows_the_highest_and_says_so(
    demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(profile_figures_module, "FIGURE_SCENARIOS", 3)
    figures = _figures(demo, ANALYST, "en", None)
    assert figures.portfolio is not None
    words = _words(figures.portfolio)
    assert re.search(r"the 3 highest risks of \d+", words)
    assert "3. " in words and "4. " not in words  # rows are labelled with their rank


def test_the_period_must_have_a_length(demo: Database) -> None:
    current = assess_round(demo, round_key=ROUND, subject=citizen())
    with pytest.raises(ValidationError):
        profile_figures(demo, citizen(), current=current, earlier=None, since=UNTIL, until=SINCE)


# -- the helpers ---------------------------------------------------------------------


def _small_figure() -> Figure:
    fig = Figure(figsize=(3, 2))
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.plot([0, 1], [0, 1], gid="same")
    ax.plot([1, 0], [0, 1], gid="same")
    ax.set_title("Ünïcode & <title>")
    return fig


def test_an_id_given_twice_is_numbered_and_references_follow_their_element() -> None:
    svg = inline_svg(_small_figure(), prefix="one")
    ids = _ids(svg)
    assert len(ids) == len(set(ids))
    assert {"one-same", "one-same-2"} <= set(ids)
    assert all(i == "one" or i.startswith("one-") for i in ids)
    clips = re.findall(r"url\(#([^)]+)\)", svg)
    assert clips and set(clips) <= set(ids)
    assert "Ünïcode & <title>" in _words(svg)
    assert '<style type="text/css">#one *{' in svg  # matplotlib's rule kept to the figure


def test_two_figures_with_other_prefixes_share_no_id() -> None:
    first, second = inline_svg(_small_figure(), prefix="a"), inline_svg(_small_figure(), prefix="b")
    assert not set(_ids(first)) & set(_ids(second))


def test_inlined_drops_the_prolog_and_fixed_size() -> None:
    raw = (
        '<?xml version="1.0" encoding="utf-8" standalone="no"?>\n'
        '<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN"\n'
        '  "http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
        '<svg xmlns:xlink="http://www.w3.org/1999/xlink" width="100pt" height="50pt" '
        'viewBox="0 0 100 50" xmlns="http://www.w3.org/2000/svg" version="1.1">\n'
        '<metadata><x/></metadata><defs><path id="m1" d="M 0 0"/></defs>'
        '<use xlink:href="#m1"/></svg>\n'
    )
    assert inlined(raw, prefix="x y") == (
        '<svg id="x_y" width="100%" xmlns:xlink="http://www.w3.org/1999/xlink" '
        'viewBox="0 0 100 50" xmlns="http://www.w3.org/2000/svg" version="1.1">\n'
        '<defs><path id="x_y-m1" d="M 0 0"/></defs><use xlink:href="#x_y-m1"/></svg>'
    )


def test_a_long_trend_is_drawn_in_fewer_wider_bars() -> None:
    days = 1000
    volume = np.ones(days)
    trend = ThemeTrend("cyber", "Cyber", dt.date(2024, 1, 1), 1, volume, volume * 2, None)
    panel, period_days = _panel(trend)
    assert len(panel.volume) <= TREND_BARS
    assert period_days == 9
    assert panel.volume.sum() == days
    assert panel.weight.sum() == 2 * days
    assert panel.days[1] == dt.date(2024, 1, 10)
    short = ThemeTrend("cyber", "Cyber", dt.date(2024, 1, 1), 1, volume[:30], volume[:30], None)
    assert _panel(short)[0].volume is short.volume
