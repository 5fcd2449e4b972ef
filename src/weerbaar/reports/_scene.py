"""What both renderers draw, worked out once: styles, drawn positions, comparison
arrows, tooltips and footnotes. No plotting library is imported here."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from weerbaar.i18n import gettext
from weerbaar.reports.diagram import ClassAxis, DiagramPoint, RiskDiagram

# Paul Tol's "muted" qualitative scheme (colour-blind safe), darkest first; themes
# beyond nine repeat a colour with another marker shape, and the shape cycle (five)
# differs from the colour cycle (nine), so colour + shape stays unique up to 45 themes.
# https://personal.sron.nl/~pault/#sec:qualitative
PALETTE: tuple[str, ...] = (
    "#332288",
    "#CC6677",
    "#117733",
    "#DDCC77",
    "#88CCEE",
    "#882255",
    "#44AA99",
    "#999933",
    "#AA4499",
)
Marker = Literal["circle", "square", "diamond", "triangle-up", "triangle-down"]
MARKERS: tuple[Marker, ...] = ("circle", "square", "diamond", "triangle-up", "triangle-down")

Kind = Literal["current", "new", "previous"]

INSET = 0.08  # a point outside the axis is drawn this far inside its edge
MARKER_HALF = 0.06  # about half a marker, in classes, for keeping ranges apart
DODGE_STEP = 0.09  # sideways step between points that share a likelihood position
DODGE_MAX = 0.22  # the furthest a point is moved sideways, in classes


@dataclass(frozen=True, slots=True)
class ThemeStyle:
    theme: str
    colour: str
    marker: Marker


@dataclass(frozen=True, slots=True)
class Placed:
    """A point as drawn: ``x``, ``y`` may differ from the data (sideways spread in a
    crowded column, or pulled inside the axes, then ``outside`` says which way)."""

    point: DiagramPoint
    kind: Kind
    style: ThemeStyle
    x: float
    y: float
    outside: str  # "", or arrows such as "↓" for a point beyond the axis
    hover: tuple[str, ...]

    @property
    def text(self) -> str:
        return f"{self.point.label} {self.outside}" if self.outside else self.point.label


@dataclass(frozen=True, slots=True)
class Shift:
    """An arrow from a scenario's position in the previous round to its new one."""

    key: str
    start: tuple[float, float]
    end: tuple[float, float]
    to_new: bool  # the arrow ends at a new-scenario ring (so stops further out)


@dataclass(frozen=True, slots=True)
class Scene:
    title: str
    subtitle: str
    illustrative: bool
    x_axis: ClassAxis
    y_axis: ClassAxis
    styles: tuple[ThemeStyle, ...]  # legend: the themes that have points, in order
    placed: tuple[Placed, ...]  # faded (previous-only) first, so they lie underneath
    shifts: tuple[Shift, ...]
    footnotes: tuple[str, ...]
    range_label: str
    previous_name: str

    def has(self, kind: Kind) -> bool:
        return any(p.kind == kind for p in self.placed)

    @property
    def has_ranges(self) -> bool:
        return any(
            p.point.impact_range or p.point.likelihood_range
            for p in self.placed
            if p.kind != "previous"
        )


def theme_styles(order: Sequence[str]) -> dict[str, ThemeStyle]:
    return {
        theme: ThemeStyle(theme, PALETTE[i % len(PALETTE)], MARKERS[i % len(MARKERS)])
        for i, theme in enumerate(order)
    }


def _inside(value: float, axis: ClassAxis) -> tuple[float, str]:
    """The drawn coordinate and "-1"/"+1"/"" for beyond the low/high end."""
    drawn = min(max(value, axis.low + INSET), axis.high - INSET)
    if value < axis.low:
        return drawn, "-1"
    if value > axis.high:
        return drawn, "+1"
    return drawn, ""


def dodge(points: Sequence[tuple[float, float, float, float]]) -> list[float]:
    """Sideways offsets that keep points sharing a likelihood position apart.

    Each item is (x, y, y_low, y_high) with the vertical extent drawn (the range, or
    the marker). Points in one x column whose extents overlap form a cluster; the
    cluster's points go to lanes as in interval colouring (fewest lanes), and lanes
    are spread symmetrically around the true x. A point that overlaps nothing stays
    where it is.
    """
    offsets = [0.0] * len(points)
    columns: dict[float, list[int]] = {}
    for i, (x, *_) in enumerate(points):
        columns.setdefault(round(x, 6), []).append(i)
    for members in columns.values():
        members.sort(key=lambda i: (points[i][2], points[i][1]))
        cluster: list[int] = []
        reach = float("-inf")
        for i in members:
            if cluster and points[i][2] - MARKER_HALF > reach:
                _spread(cluster, points, offsets)
                cluster, reach = [], float("-inf")
            cluster.append(i)
            reach = max(reach, points[i][3] + MARKER_HALF)
        _spread(cluster, points, offsets)
    return offsets


def _spread(
    cluster: list[int], points: Sequence[tuple[float, float, float, float]], offsets: list[float]
) -> None:
    if len(cluster) < 2:
        return
    lane_ends: list[float] = []
    lanes: dict[int, int] = {}
    for i in cluster:  # sorted by lower end: first fit is optimal for intervals
        low = points[i][2] - MARKER_HALF
        for lane, end in enumerate(lane_ends):
            if end < low:
                lanes[i] = lane
                lane_ends[lane] = points[i][3] + MARKER_HALF
                break
        else:
            lanes[i] = len(lane_ends)
            lane_ends.append(points[i][3] + MARKER_HALF)
    count = len(lane_ends)
    if count < 2:
        return
    step = min(DODGE_STEP, 2 * DODGE_MAX / (count - 1))
    for i in cluster:
        offsets[i] = (lanes[i] - (count - 1) / 2) * step


def _hover(
    point: DiagramPoint, diagram: RiskDiagram, kind: Kind, before: DiagramPoint | None
) -> tuple[str, ...]:
    x_axis, y_axis = spoken(diagram.likelihood_axis), spoken(diagram.impact_axis)
    impact = f"{y_axis.title}: {y_axis.describe(point.impact)}"
    if point.impact_range:
        impact += ", " + gettext("range %(range)s", range=y_axis.describe_range(point.impact_range))
    likelihood = f"{x_axis.title}: {x_axis.describe(point.likelihood)}"
    if point.likelihood_range:
        likelihood += ", " + gettext(
            "range %(range)s", range=x_axis.describe_range(point.likelihood_range)
        )
    lines = [
        f"{point.key} — {point.label}",
        gettext("Theme: %(theme)s", theme=point.theme),
        impact,
        likelihood,
    ]
    previous = diagram.previous_name
    if kind == "new":
        lines.append(gettext("New in this round"))
    elif kind == "previous":
        lines.append(gettext("Only in %(round)s (not in this round)", round=previous))
    if before is not None and not _moved(before, point):
        lines.append(gettext("Unchanged since %(round)s", round=previous))
    elif before is not None:
        lines.append(
            gettext(
                "In %(round)s: %(impact)s (%(impact_at).2f) × %(likelihood)s (%(likelihood_at).2f)",
                round=previous,
                impact=y_axis.letter_at(before.impact),
                impact_at=before.impact,
                likelihood=x_axis.letter_at(before.likelihood),
                likelihood_at=before.likelihood,
            )
        )
    lines += [f"{name}: {value}" for name, value in point.hover.items()]
    return tuple(lines)


_ARROWS = {("y", "-1"): "↓", ("y", "+1"): "↑", ("x", "-1"): "←", ("x", "+1"): "→"}


def spoken(axis: ClassAxis) -> ClassAxis:
    """``axis`` with its title, note and class labels in the current language."""
    return dataclasses.replace(
        axis,
        title=gettext(axis.title),
        note=gettext(axis.note),
        labels=tuple(gettext(label) for label in axis.labels),
    )


def build_scene(diagram: RiskDiagram) -> Scene:
    """Work out the drawn picture of a diagram, in the current language."""
    x_axis, y_axis = spoken(diagram.likelihood_axis), spoken(diagram.impact_axis)
    styles = theme_styles(diagram.theme_order)
    current = {p.key for p in diagram.points}
    before = {p.key: p for p in diagram.previous}
    entries: list[tuple[DiagramPoint, Kind]] = [
        (p, "previous") for p in diagram.previous if p.key not in current
    ]
    for p in diagram.points:
        is_new = p.new or (diagram.comparison and p.key not in before)
        entries.append((p, "new" if is_new else "current"))

    drawn: list[tuple[float, float, str]] = []
    for p, _ in entries:
        x, x_out = _inside(p.likelihood, x_axis)
        y, y_out = _inside(p.impact, y_axis)
        drawn.append((x, y, _ARROWS.get(("y", y_out), "") + _ARROWS.get(("x", x_out), "")))
    extents = []
    for (p, kind), (x, y, _) in zip(entries, drawn, strict=True):
        low, high = (y, y)
        if kind != "previous" and p.impact_range:
            low, high = min(low, p.impact_range[0]), max(high, p.impact_range[1])
        extents.append((x, y, low, high))
    offsets = dodge(extents)

    placed = tuple(
        Placed(
            point=p,
            kind=kind,
            style=styles[p.theme],
            x=x + offset,
            y=y,
            outside=outside,
            hover=_hover(p, diagram, kind, before.get(p.key) if kind != "previous" else None),
        )
        for (p, kind), (x, y, outside), offset in zip(entries, drawn, offsets, strict=True)
    )
    shifts = tuple(
        Shift(
            key=q.point.key,
            start=(
                _inside(before[q.point.key].likelihood, x_axis)[0],
                _inside(before[q.point.key].impact, y_axis)[0],
            ),
            end=(q.x, q.y),
            to_new=q.kind == "new",
        )
        for q in placed
        if q.kind != "previous" and q.point.key in before and _moved(before[q.point.key], q.point)
    )
    used = {p.theme for p, _ in entries}
    return Scene(
        title=diagram.title,
        subtitle=diagram.subtitle,
        illustrative=diagram.illustrative,
        x_axis=x_axis,
        y_axis=y_axis,
        styles=tuple(styles[t] for t in diagram.theme_order if t in used),
        placed=placed,
        shifts=shifts,
        footnotes=_footnotes(diagram, placed, any(offsets)),
        range_label=gettext(diagram.range_label),
        previous_name=diagram.previous_name,
    )


def _moved(old: DiagramPoint, new: DiagramPoint) -> bool:
    """Whether a scenario moved enough to be worth an arrow (a twentieth of a class)."""
    return abs(old.impact - new.impact) >= 0.05 or abs(old.likelihood - new.likelihood) >= 0.05


def _footnotes(diagram: RiskDiagram, placed: Sequence[Placed], dodged: bool) -> tuple[str, ...]:
    notes = [
        gettext("Colour bands illustrative: the method's colour bands are not published."),
    ]
    if diagram.unplaced:
        notes.append(
            gettext(
                "Not placed (aggregated impact 0, below class %(class)s on a logarithmic "
                "axis): %(names)s.",
                **{"class": diagram.impact_axis.letters[0], "names": "; ".join(diagram.unplaced)},
            )
        )
    outside = [p for p in placed if p.outside]
    if outside:
        names = "; ".join(f"{p.point.key} {p.outside}" for p in outside)
        notes.append(
            gettext(
                "Beyond the axis, drawn at its edge (the arrow shows which way): %(names)s.",
                names=names,
            )
        )
    if dodged:
        notes.append(
            gettext(
                "Points that share a likelihood position are spread slightly sideways "
                "so that their markers and ranges stay visible."
            )
        )
    notes.extend(diagram.notes)
    return tuple(notes)
