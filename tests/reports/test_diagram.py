"""The national risk diagram: data rules, and the PNG, SVG and HTML it is drawn as."""

from __future__ import annotations

import json
import math
import re
import struct
import tempfile
import threading
import xml.etree.ElementTree as ET
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest

from tests.reports.synthetic import THEMES, points, previous_round
from weerbaar import i18n
from weerbaar.reports._bands import band_polygons
from weerbaar.reports._scene import build_scene, dodge
from weerbaar.reports.diagram import (
    ClassAxis,
    ColourBands,
    DiagramPoint,
    RiskDiagram,
    impact_axis,
    impact_position,
    likelihood_axis,
    render_html,
    render_static,
)
from weerbaar.reports.diagram_static import build_figure, label_gid

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def point(key: str, impact: float = 3.0, likelihood: float = 3.0, **extra: Any) -> DiagramPoint:
    return DiagramPoint(
        key=key, label=f"label {key}", theme="T", impact=impact, likelihood=likelihood, **extra
    )


def diagram_65(**extra: Any) -> RiskDiagram:
    return RiskDiagram(
        title="National risk diagram",
        subtitle="Round 2025 · weight set: equal",
        points=points(65),
        unplaced=("S90 Quiet scenario", "S91 Other quiet one"),
        illustrative=True,
        **extra,
    )


def comparison() -> RiskDiagram:
    current = points(30, ranges=False)
    return RiskDiagram(
        title="Changes",
        subtitle="Round 2025 compared with 2022",
        points=current,
        previous=previous_round(current),
        previous_name="RbRa 2022",
    )


# ---------------------------------------------------------------- the rules


@pytest.mark.parametrize(
    ("value", "position"),
    [(1, 1.0), (3, 2.0), (9, 3.0), (27, 4.0), (81, 5.0), (math.sqrt(3), 1.5), (1 / 3, 0.0)],
)
def test_impact_position_known_answers(value: float, position: float) -> None:
    assert impact_position(value) == pytest.approx(position)


def test_impact_zero_has_no_position() -> None:
    assert impact_position(0) is None


@pytest.mark.parametrize("value", [-1.0, math.nan, math.inf])
def test_impact_position_refuses_nonsense(value: float) -> None:
    with pytest.raises(ValueError, match="aggregated impact"):
        impact_position(value)


def test_points_are_checked() -> None:
    with pytest.raises(ValueError, match="lower end is above"):
        point("a", impact_range=(3.5, 2.0))
    with pytest.raises(ValueError, match="finite"):
        point("a", impact=math.nan)
    with pytest.raises(ValueError, match="more than once"):
        RiskDiagram(title="t", subtitle="", points=[point("a"), point("a")])
    with pytest.raises(ValueError, match="theme order"):
        RiskDiagram(title="t", subtitle="", points=[point("a")], themes=["Other"])
    with pytest.raises(ValueError, match="one label per class"):
        ClassAxis(title="x", note="", labels=("a", "b"))


def test_hover_is_frozen() -> None:
    source = {"Owner": "JenV"}
    p = point("a", hover=source)
    source["Owner"] = "changed"
    assert p.hover["Owner"] == "JenV"


def test_axis_describes_classes() -> None:
    axis = likelihood_axis()
    assert axis.describe(3.0) == "C moderately likely (3.00)"
    assert axis.letter_at(3.5) == "C"  # "C high" keeps its letter on the boundary
    assert axis.letter_at(3.6) == "D"
    assert axis.describe_range((2.0, 4.0)) == "B–D (2.00–4.00)"
    assert impact_axis().label_at(5.4) == "catastrophic"


def test_bands_tile_the_plot() -> None:
    for bands in (ColourBands(), ColourBands(likelihood_weight=1, impact_weight=3)):
        polygons = band_polygons(bands, likelihood_axis(), impact_axis())
        area = sum(
            abs(sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(p, p[1:] + p[:1], strict=True)))
            / 2
            for _, p in polygons
        )
        assert area == pytest.approx(25.0)
        assert [c for c, _ in polygons] == list(bands.colours)


def test_coincident_points_are_spread_and_lone_ones_stay() -> None:
    offsets = dodge([(3.0, 3.0, 3.0, 3.0), (3.0, 3.0, 3.0, 3.0), (3.0, 5.0, 5.0, 5.0)])
    assert offsets[0] == -offsets[1] != 0
    assert offsets[2] == 0


def test_comparison_scene() -> None:
    scene = build_scene(comparison())
    kinds = {p.point.key: p.kind for p in scene.placed}
    assert {k for k, v in kinds.items() if v == "previous"} == {"OLD1", "OLD2", "OLD3", "OLD4"}
    assert {"S28", "S29", "S30"} <= {k for k, v in kinds.items() if v == "new"}
    shifted = {s.key for s in scene.shifts}
    assert shifted and not shifted & {"S28", "S29", "S30", "OLD1"}
    unchanged = [p for p in scene.placed if any("Unchanged since" in h for h in p.hover)]
    assert unchanged and not {p.point.key for p in unchanged} & shifted


def test_points_beyond_the_axis_are_drawn_at_its_edge_and_said_so() -> None:
    scene = build_scene(
        RiskDiagram(title="t", subtitle="", points=[point("low", impact=-0.4), point("ok")])
    )
    low = next(p for p in scene.placed if p.point.key == "low")
    assert low.y > 0.5 and low.outside == "↓" and low.text.endswith("↓")
    assert any("low ↓" in note for note in scene.footnotes)


# ---------------------------------------------------------------- the files


@pytest.fixture(scope="module")
def drawn(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("diagram")
    d, c = diagram_65(), comparison()
    return {
        "png": render_static(d, folder / "d.png", fmt="png"),
        "svg": render_static(d, folder / "d.svg", fmt="svg"),
        "html": render_html(d, folder / "d.html"),
        "compare.html": render_html(c, folder / "c.html"),
        "compare.svg": render_static(c, folder / "c.svg", fmt="svg"),
    }


def test_png_is_a_png_of_the_size_asked(drawn: dict[str, Path]) -> None:
    data = drawn["png"].read_bytes()
    assert data[:8] == PNG_SIGNATURE
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1800, 1350)  # 12 × 9 in at 150 dpi
    assert [p.name for p in drawn["png"].parent.iterdir() if p.name.endswith(".tmp")] == []


def svg_texts(path: Path) -> tuple[ET.Element, str]:
    """The parsed SVG, and every text drawn in it (matplotlib writes text as paths,
    each preceded by a comment holding the text)."""
    root = ET.parse(
        path, parser=ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    ).getroot()
    comments = [e.text or "" for e in root.iter() if not isinstance(e.tag, str)]
    return root, "\n".join(comments)


def test_svg_parses_and_shows_every_label(drawn: dict[str, Path]) -> None:
    root, texts = svg_texts(drawn["svg"])
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    ids = {e.get("id") for e in root.iter()}
    for p in points(65):
        assert p.label in texts
        assert label_gid(p.key) in ids
    for theme in ("CBRN", "Infectieziekten"):
        assert theme in texts
    assert "ILLUSTRATIVE DATA" in texts


def test_unplaced_scenarios_are_listed(drawn: dict[str, Path]) -> None:
    _, texts = svg_texts(drawn["svg"])
    assert "S90 Quiet scenario" in texts and "S91 Other quiet one" in texts
    assert "Colour bands illustrative" in texts
    page = drawn["html"].read_text("utf-8")
    assert "S90 Quiet scenario" in page and "Colour bands illustrative" in page


def embedded_plotly(page: str) -> tuple[str, str]:
    """(the embedded plotly.js, the page without it)."""
    match = re.search(r"<script[^>]*>(/\*\*\s*\* plotly\.js v.*?)</script>", page, re.S)
    assert match, "plotly.js is not embedded"
    return match.group(1), page[: match.start(1)] + page[match.end(1) :]


def test_html_is_self_contained(drawn: dict[str, Path]) -> None:
    page = drawn["html"].read_text("utf-8")
    library, rest = embedded_plotly(page)
    assert len(library) > 1_000_000
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=", rest)
    assert "cdn.plot.ly" not in rest
    # The library itself names one address: the default for map data, unused here.
    for found in re.finditer(r"cdn\.plot\.ly", library):
        assert "topojsonURL" in library[found.start() - 80 : found.start()]
    assert "<title>National risk diagram</title>" in page


def test_html_names_every_scenario_and_shows_its_details(drawn: dict[str, Path]) -> None:
    page = drawn["html"].read_text("utf-8")
    for p in points(65):
        assert f'"label:{p.key}"' in page
        assert json.dumps(f"{p.key} — {p.label}")[1:-1] in page  # as plotly escapes it
    assert "Owner: Ministry 3" in page
    assert "Aggregated impact: " in page and "Likelihood: " in page and ", range " in page
    assert all(json.dumps(f"Theme: {theme}")[1:-1] in page for theme in THEMES)


def test_html_comparison_has_the_arrows(drawn: dict[str, Path]) -> None:
    page = drawn["compare.html"].read_text("utf-8")
    scene = build_scene(comparison())
    assert scene.shifts
    for shift in scene.shifts:
        assert f'"shift:{shift.key}"' in page
    assert page.count('"shift:') == len(scene.shifts)
    assert "Only in RbRa 2022 (faded)" in page and "Shift since RbRa 2022" in page
    assert '"label:OLD1"' in page


def test_svg_comparison_has_the_arrows(drawn: dict[str, Path]) -> None:
    root, texts = svg_texts(drawn["compare.svg"])
    ids = {e.get("id") for e in root.iter()}
    for shift in build_scene(comparison()).shifts:
        assert f"shift-{shift.key}" in ids
    assert "Retired scenario 1" in texts and "New in this round (ring)" in texts


def test_labels_do_not_overlap_in_65_points() -> None:
    fig = build_figure(diagram_65())
    renderer = fig.canvas.get_renderer()  # type: ignore[attr-defined]
    ax = fig.axes[0]
    labels = [t for t in ax.texts if (t.get_gid() or "").startswith("label-")]
    assert len(labels) == 65
    boxes = [t.get_window_extent(renderer) for t in labels]
    frame = ax.get_window_extent(renderer)
    tolerance = 1.0  # px² of shared area
    for a, b in combinations(boxes, 2):
        shared_w = min(a.x1, b.x1) - max(a.x0, b.x0)
        shared_h = min(a.y1, b.y1) - max(a.y0, b.y0)
        assert shared_w <= 0 or shared_h <= 0 or shared_w * shared_h <= tolerance
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1
    # No label covers the centre of a marker.
    centres = [
        ax.transData.transform(offset)
        for collection in ax.collections
        for offset in collection.get_offsets()  # type: ignore[union-attr]
    ]
    for box in boxes:
        assert not any(box.x0 < x < box.x1 and box.y0 < y < box.y1 for x, y in centres)


def test_class_labels_come_from_the_caller(tmp_path: Path) -> None:
    dutch = RiskDiagram(
        title="Risicodiagram",
        subtitle="",
        points=[point("a")],
        impact_axis=impact_axis(
            ("beperkt", "aanzienlijk", "ernstig", "zeer ernstig", "catastrofaal"),
            title="Geaggregeerde impact",
        ),
        likelihood_axis=likelihood_axis(
            (
                "zeer onwaarschijnlijk",
                "onwaarschijnlijk",
                "mogelijk",
                "waarschijnlijk",
                "zeer waarschijnlijk",
            ),
            title="Waarschijnlijkheid",
        ),
        bands=ColourBands(smooth=True),
    )
    _, texts = svg_texts(render_static(dutch, tmp_path / "nl.svg", fmt="svg"))
    assert (
        "catastrofaal" in texts and "zeer waarschijnlijk" in texts and "Waarschijnlijkheid" in texts
    )
    page = render_html(dutch, tmp_path / "nl.html").read_text("utf-8")
    assert "zeer ernstig" in page and '"type":"heatmap"' in page


def test_a_diagram_with_nothing_to_place(tmp_path: Path) -> None:
    empty = RiskDiagram(title="Nothing", subtitle="", points=[], unplaced=["S1 Quiet"])
    _, texts = svg_texts(render_static(empty, tmp_path / "e.svg", fmt="svg"))
    assert "S1 Quiet" in texts
    assert "S1 Quiet" in render_html(empty, tmp_path / "e.html").read_text("utf-8")


def test_writes_replace_the_file_atomically(tmp_path: Path) -> None:
    target = tmp_path / "d.png"
    target.write_bytes(b"old")
    target.chmod(0o640)
    small = RiskDiagram(title="t", subtitle="", points=[point("a")])
    with pytest.raises(ValueError, match="format"):
        render_static(small, target, fmt="gif")  # type: ignore[arg-type]
    assert target.read_bytes() == b"old"
    render_static(small, target)
    assert target.read_bytes()[:8] == PNG_SIGNATURE
    assert target.stat().st_mode & 0o777 == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.png"]


def test_renders_in_parallel_threads(tmp_path: Path) -> None:
    errors: list[BaseException] = []

    def draw(n: int) -> None:
        try:
            d = RiskDiagram(title=f"t{n}", subtitle="", points=points(8, seed=n))
            render_static(d, tmp_path / f"{n}.png")
        except BaseException as exc:  # collected, re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=draw, args=(n,)) for n in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert all((tmp_path / f"{n}.png").read_bytes()[:8] == PNG_SIGNATURE for n in range(3))


def test_the_diagram_speaks_the_readers_language() -> None:
    diagram = comparison()
    with i18n.speaking("nl"):
        scene = build_scene(diagram)
        html = render_html(diagram, Path(tempfile.mkdtemp()) / "nl.html").read_text("utf-8")
    assert scene.x_axis.title == "Waarschijnlijkheid" and scene.y_axis.title == "Totale impact"
    assert "zeer waarschijnlijk" in scene.x_axis.labels
    assert scene.footnotes[0].startswith("Kleurvlakken ter illustratie")
    hover = "\n".join(line for placed in scene.placed for line in placed.hover)
    assert "Thema: " in hover and "Theme: " not in hover
    assert "Verschuiving sinds RbRa 2022" in html and "Shift since" not in html
    with i18n.speaking("en"):
        english = build_scene(diagram)
    assert english.x_axis.title == "Likelihood" and english.footnotes[0].startswith("Colour")
    assert diagram.likelihood_axis.title == "Likelihood"  # the data itself is unchanged
