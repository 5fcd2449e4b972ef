"""The threat-level timeline: what is drawn, and how it is written."""

from __future__ import annotations

import datetime as dt
import io
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PolyCollection
from matplotlib.dates import date2num as _date2num
from matplotlib.figure import Figure
from matplotlib.image import imread
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from weerbaar.domain.alerting import (
    ActiveSpan,
    Level,
    LevelScale,
    Scope,
    ScopeKind,
    ScopeTimeline,
    Step,
)
from weerbaar.reports.levels_timeline import (
    MAX_MEASURE_ROWS,
    NO_DATA,
    timeline_figure,
    timeline_png,
    write_timeline,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
SVG = "{http://www.w3.org/2000/svg}"
START = dt.datetime(2024, 1, 1, tzinfo=dt.UTC)
UNTIL = START + dt.timedelta(days=200)


def day(n: float) -> dt.datetime:
    return START + dt.timedelta(days=n)


def scale(key: str, *names: str, kind: ScopeKind = ScopeKind.SECTOR) -> LevelScale:
    return LevelScale(
        key=key,
        name=f"{key.upper()} (nl)",
        name_en=f"{key.upper()} scale",
        scope=kind,
        levels=tuple(Level(i + 1, f"nl-{n}", n, "") for i, n in enumerate(names)),
        standard_measures=True,
        theme=None,
        verified=True,
        source="test",
    )


DTN = scale("dtn", "Minimal", "Limited", "Significant", "Substantial", "Critical")
ATB = scale("atb", "Standard", "Low threat", "Moderate threat", "High threat")


def num(moment: dt.datetime) -> float:
    """A time as the day number matplotlib plots it at."""
    return float(_date2num(moment))  # type: ignore[no-untyped-call]


def xs(line: Line2D) -> list[float]:
    return [float(v) for v in np.asarray(line.get_xdata(), dtype=float)]


def ys(line: Line2D) -> list[float]:
    return [float(v) for v in np.asarray(line.get_ydata(), dtype=float)]


def span(
    key: str, since: float, until: float | None, *, title: str = "", org: str = "Police"
) -> ActiveSpan:
    return ActiveSpan(
        key, title or f"Measure {key}", org, day(since), None if until is None else day(until)
    )


def timeline(
    steps: list[tuple[float, int]],
    spans: tuple[ActiveSpan, ...] = (),
    *,
    level_scale: LevelScale = DTN,
    sector: str | None = None,
) -> ScopeTimeline:
    return ScopeTimeline(
        scope=Scope(level_scale.key, sector=sector),
        scale=level_scale,
        steps=tuple(Step(day(d), level, f"pic-{i}") for i, (d, level) in enumerate(steps)),
        spans=spans,
    )


NATIONAL = timeline([(0, 3), (40, 4), (90, 2), (120, 5)])
AVIATION = timeline(
    [(10, 1), (50, 3)],
    (
        span("guards", 55, None, title="Extra guards at the terminals", org="Marechaussee"),
        span("checks", 60, 100, title="Random baggage checks", org="Schiphol"),
    ),
    level_scale=ATB,
    sector="Aviation",
)


def level_line(fig: Figure, scope: Scope) -> Line2D:
    found = [
        line for ax in fig.axes for line in ax.get_lines() if line.get_gid() == f"level-{scope.key}"
    ]
    assert len(found) == 1
    return found[0]


def axes_of(fig: Figure, line: Line2D) -> Axes:
    ax = line.axes
    assert isinstance(ax, Axes)
    return ax


def bars(fig: Figure, scope: Scope, measure: str) -> list[Rectangle]:
    gid = f"measure-{scope.key}-{measure}"
    return [
        p for ax in fig.axes for p in ax.patches if isinstance(p, Rectangle) and p.get_gid() == gid
    ]


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(Text) if isinstance(t, Text)]


def svg_texts(path: Path) -> str:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return "\n".join("".join(t.itertext()) for t in root.iter(f"{SVG}text"))


# -- what is drawn ----------------------------------------------------------------------


def test_level_line_follows_the_steps_and_runs_on_to_until() -> None:
    fig = timeline_figure([NATIONAL, AVIATION], until=UNTIL)
    line = level_line(fig, NATIONAL.scope)
    assert line.get_drawstyle() == "steps-post"
    expected_x = [num(day(d)) for d in (0, 40, 90, 120)] + [num(UNTIL)]
    assert xs(line) == pytest.approx(expected_x)
    assert ys(line) == [3, 4, 2, 5, 5]
    aviation = level_line(fig, AVIATION.scope)
    assert ys(aviation) == [1, 3, 3]
    assert xs(aviation)[-1] == pytest.approx(num(UNTIL))


def test_level_axis_shows_the_whole_scale_by_english_name() -> None:
    fig = timeline_figure([AVIATION], until=UNTIL)
    ax = axes_of(fig, level_line(fig, AVIATION.scope))
    assert [t.get_text() for t in ax.get_yticklabels()] == [
        "1 Standard",
        "2 Low threat",
        "3 Moderate threat",
        "4 High threat",
    ]
    low, high = ax.get_ylim()
    assert low < 1 and high > 4
    assert ax.get_title(loc="left") == "atb: Aviation — ATB scale"


def test_raises_are_annotated_and_lowerings_are_not() -> None:
    fig = timeline_figure([NATIONAL], until=UNTIL)
    drawn = texts(fig)
    assert "↑ 4 Substantial" in drawn and "↑ 5 Critical" in drawn
    assert not any(t.startswith("↑ 2") for t in drawn)  # 4 → 2 is a lowering
    assert not any(t.startswith("↑ 3") for t in drawn)  # the first level raises nothing


def test_colours_darken_with_the_level_and_match_across_scales() -> None:
    rising = timeline([(0, 1), (10, 2), (20, 3), (30, 4), (40, 5)])
    top_of_four = timeline([(0, 4)], level_scale=ATB, sector="Ports")
    fig = timeline_figure([rising, top_of_four], until=UNTIL)

    def fills(scope: Scope) -> list[tuple[float, ...]]:
        ax = axes_of(fig, level_line(fig, scope))
        return [
            tuple(float(v) for v in np.asarray(c.get_facecolor())[0])
            for c in ax.collections
            if isinstance(c, PolyCollection)
        ]

    def lightness(rgba: tuple[float, ...]) -> float:
        r, g, b = rgba[:3]
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    shades = [lightness(c) for c in fills(rising.scope)]
    assert len(shades) == 5
    assert shades == sorted(shades, reverse=True) and len(set(shades)) == 5
    # The top of a four-level scale alarms as much as the top of a five-level one.
    assert fills(top_of_four.scope)[0] == fills(rising.scope)[-1]


def test_measures_are_bars_to_their_end_or_to_until_while_active() -> None:
    fig = timeline_figure([AVIATION], until=UNTIL)
    (active,) = bars(fig, AVIATION.scope, "guards")
    assert active.get_x() == pytest.approx(num(day(55)))
    assert active.get_x() + active.get_width() == pytest.approx(num(UNTIL))
    (ended,) = bars(fig, AVIATION.scope, "checks")
    assert ended.get_x() + ended.get_width() == pytest.approx(num(day(100)))
    labels = texts(fig)
    assert "Extra guards at the terminals (Marechaussee)" in labels
    # The bars have axes of their own: none lies over the level line.
    assert active.axes is not axes_of(fig, level_line(fig, AVIATION.scope))


def test_a_measure_active_twice_keeps_one_row() -> None:
    again = timeline(
        [(0, 2)], (span("m", 10, 20), span("m", 50, None)), level_scale=ATB, sector="Rail"
    )
    fig = timeline_figure([again], until=UNTIL)
    drawn = bars(fig, again.scope, "m")
    assert len(drawn) == 2
    assert {b.get_y() for b in drawn} == {drawn[0].get_y()}


def test_measure_rows_are_capped_with_a_count_of_the_rest() -> None:
    many = tuple(
        span(
            f"m{i:02}",
            i,
            None if i % 2 else i + 5,
            title=f"Measure {i} with a title long enough to need shortening before it fits",
        )
        for i in range(12)
    )
    crowded = timeline([(0, 2)], many, level_scale=ATB, sector="Energy")
    fig = timeline_figure([crowded], until=UNTIL)
    measure_ax = next(ax for ax in fig.axes if any(p.get_gid() for p in ax.patches))
    labels = [t.get_text() for t in measure_ax.get_yticklabels()]
    assert len(labels) == MAX_MEASURE_ROWS + 1
    assert labels[-1] == "+4 more"
    assert all(len(label) <= 60 and "…" in label for label in labels[:-1])
    # The six still in force are all kept; two of the ended ones fill the rows left.
    kept = {p.get_gid() for p in measure_ax.patches}
    assert {f"measure-{crowded.scope.key}-m{i:02}" for i in range(1, 12, 2)} <= kept


def test_since_clips_the_time_axis() -> None:
    since = day(60)
    fig = timeline_figure([NATIONAL, AVIATION], until=UNTIL, since=since)
    for ax in fig.axes:
        assert ax.get_xlim() == pytest.approx((num(since), num(UNTIL)))
    # The level in force at the start is still drawn, from before it.
    assert ys(level_line(fig, NATIONAL.scope))[:2] == [3, 4]


def test_without_since_the_axis_starts_before_the_first_change() -> None:
    fig = timeline_figure([NATIONAL, AVIATION], until=UNTIL)
    left, right = fig.axes[0].get_xlim()
    assert left < num(day(0)) and right == pytest.approx(num(UNTIL))
    assert all(ax.get_xlim() == (left, right) for ax in fig.axes)


def test_changes_after_until_are_left_out() -> None:
    fig = timeline_figure([NATIONAL], until=day(100))
    assert ys(level_line(fig, NATIONAL.scope)) == [3, 4, 2, 2]


def test_times_without_a_zone_are_read_as_utc() -> None:
    bare = timeline([(0, 2)])
    naive = ScopeTimeline(
        bare.scope, bare.scale, (Step(dt.datetime(2024, 1, 1), 2, "p"),), bare.spans
    )
    fig = timeline_figure([naive], until=dt.datetime(2024, 3, 1))
    assert xs(level_line(fig, naive.scope))[0] == pytest.approx(num(START))


def test_since_must_come_before_until() -> None:
    with pytest.raises(ValueError, match="before"):
        timeline_figure([NATIONAL], until=UNTIL, since=UNTIL)


def test_empty_input_says_so() -> None:
    fig = timeline_figure([], until=UNTIL)
    assert NO_DATA in texts(fig)
    assert imread(io.BytesIO(timeline_png([], until=UNTIL))).shape[0] > 0


def test_many_scopes_stay_readable() -> None:
    scopes = [
        timeline([(0, 1 + i % 4), (30 + i, 1 + (i + 1) % 4)], level_scale=ATB, sector=f"S{i:02}")
        for i in range(30)
    ]
    few = timeline_figure(scopes[:2], until=UNTIL).get_size_inches()
    fig = timeline_figure(scopes, until=UNTIL)
    width, height = fig.get_size_inches()
    assert width == few[0]
    assert height > 10 * few[1]  # the rows keep their height: the figure grows
    assert len(fig.axes) == 60
    titles = {ax.get_title(loc="left") for ax in fig.axes}
    assert {f"atb: S{i:02} — ATB scale" for i in range(30)} <= titles
    image = imread(io.BytesIO(timeline_png(scopes, until=UNTIL)))
    assert image.shape[0] == pytest.approx(height * 150, abs=1)


# -- how it is written ------------------------------------------------------------------


def test_png_bytes_decode_to_the_figure_aspect() -> None:
    data = timeline_png([NATIONAL, AVIATION], until=UNTIL)
    assert data[:8] == PNG_SIGNATURE
    image = imread(io.BytesIO(data))
    width, height = timeline_figure([NATIONAL, AVIATION], until=UNTIL).get_size_inches()
    assert image.shape[1] == round(width * 150)
    assert image.shape[0] / image.shape[1] == pytest.approx(height / width, rel=0.01)


def test_svg_keeps_its_words_as_text(tmp_path: Path) -> None:
    before = mpl.rcParams["svg.fonttype"]
    path = write_timeline([NATIONAL, AVIATION], tmp_path / "levels.svg", until=UNTIL)
    found = svg_texts(path)
    for word in (
        NATIONAL.scope.label,
        AVIATION.scope.label,
        "4 Substantial",
        "2 Low threat",
        "Extra guards at the terminals",
        "Random baggage checks",
    ):
        assert word in found
    assert mpl.rcParams["svg.fonttype"] == before  # the setting is only borrowed


def test_empty_svg_says_so(tmp_path: Path) -> None:
    assert NO_DATA in svg_texts(write_timeline([], tmp_path / "none.svg", until=UNTIL))


@pytest.mark.parametrize(("suffix", "magic"), [(".png", PNG_SIGNATURE), (".PDF", b"%PDF")])
def test_writes_by_suffix(tmp_path: Path, suffix: str, magic: bytes) -> None:
    path = write_timeline([NATIONAL], tmp_path / f"levels{suffix}", until=UNTIL)
    assert path == tmp_path / f"levels{suffix}"
    assert path.read_bytes().startswith(magic)
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]


@pytest.mark.parametrize("name", ["levels.txt", "levels"])
def test_other_suffixes_are_refused(tmp_path: Path, name: str) -> None:
    with pytest.raises(ValueError, match=r"\.png, \.svg, \.pdf") as caught:
        write_timeline([NATIONAL], tmp_path / name, until=UNTIL)
    assert (".txt" in str(caught.value)) == (name == "levels.txt")
    assert list(tmp_path.iterdir()) == []


def test_a_failed_render_leaves_the_old_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "levels.png"
    path.write_bytes(b"the old picture")

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("renderer died")

    monkeypatch.setattr(Figure, "savefig", broken)
    with pytest.raises(RuntimeError, match="renderer died"):
        write_timeline([NATIONAL], path, until=UNTIL)
    assert path.read_bytes() == b"the old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["levels.png"]


def test_a_failed_rename_leaves_no_temporary_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "levels.svg"
    path.write_bytes(b"the old picture")

    def broken(*args: object, **kwargs: object) -> None:
        raise OSError("disk gone")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="disk gone"):
        write_timeline([NATIONAL], path, until=UNTIL)
    assert path.read_bytes() == b"the old picture"
    assert [p.name for p in tmp_path.iterdir()] == ["levels.svg"]
