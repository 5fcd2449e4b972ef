"""Geometry of the background colour bands, shared by both renderers."""

from __future__ import annotations

from weerbaar.reports.diagram import ClassAxis, ColourBands

Point = tuple[float, float]


def _clip(polygon: list[Point], a: float, b: float, limit: float) -> list[Point]:
    """Keep the part of a convex polygon where ``a·x + b·y <= limit``
    (one Sutherland–Hodgman step)."""
    out: list[Point] = []
    for i, current in enumerate(polygon):
        before = polygon[i - 1]
        inside_now = a * current[0] + b * current[1] <= limit
        inside_before = a * before[0] + b * before[1] <= limit
        if inside_now != inside_before:
            f_before = a * before[0] + b * before[1] - limit
            f_now = a * current[0] + b * current[1] - limit
            t = f_before / (f_before - f_now)
            out.append(
                (before[0] + t * (current[0] - before[0]), before[1] + t * (current[1] - before[1]))
            )
        if inside_now:
            out.append(current)
    return out


def band_polygons(
    bands: ColourBands, x_axis: ClassAxis, y_axis: ClassAxis
) -> list[tuple[str, list[Point]]]:
    """One (colour, polygon) per band, in data coordinates, low risk first."""
    a, b, c = bands.coefficients(x_axis, y_axis)
    square: list[Point] = [
        (x_axis.low, y_axis.low),
        (x_axis.high, y_axis.low),
        (x_axis.high, y_axis.high),
        (x_axis.low, y_axis.high),
    ]
    count = len(bands.colours)
    out: list[tuple[str, list[Point]]] = []
    for index, colour in enumerate(bands.colours):
        polygon = square
        if index > 0:  # s >= index/count  ⇔  -a·x - b·y <= c - index/count
            polygon = _clip(polygon, -a, -b, c - index / count)
        if index < count - 1:  # s <= (index+1)/count
            polygon = _clip(polygon, a, b, (index + 1) / count - c)
        if len(polygon) >= 3:
            out.append((colour, polygon))
    return out


def band_scores(
    bands: ColourBands, x_axis: ClassAxis, y_axis: ClassAxis, cells: int
) -> tuple[list[float], list[float], list[list[float]]]:
    """Cell centres along x and y, and the risk score (0–1) at each, row by row from
    the bottom, for a smooth background."""
    a, b, c = bands.coefficients(x_axis, y_axis)
    xs = [x_axis.low + (i + 0.5) * (x_axis.high - x_axis.low) / cells for i in range(cells)]
    ys = [y_axis.low + (j + 0.5) * (y_axis.high - y_axis.low) / cells for j in range(cells)]
    return xs, ys, [[a * x + b * y + c for x in xs] for y in ys]
