"""Label placement without overlaps, in display units (pixels, y up).

A greedy search over candidate spots, for both renderers: labels in crowded areas
choose first; each takes the cheapest spot on rings of growing distance around its
marker that stays inside the plot and overlaps no placed label and no marker.
Crossing a range bar or an arrow, or a leader line crossing a label, costs extra.
A label not touching its marker gets a leader line. Deterministic: the same input
gives the same layout.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

Point = tuple[float, float]
Segment = tuple[Point, Point]

RING_COST = 10.0
BAR_COST = 4.0  # per range bar or arrow the label covers
LEADER_OVER_LABEL_COST = 30.0  # per placed label a leader line would cross
LEADER_CROSSING_COST = 6.0  # per leader line it would cross
NEIGHBOUR_COST = 3.0  # per other marker nearly touching the label (which one is it?)
NEIGHBOUR_DISTANCE = 5.0
UNCLEAR_COST = 1000.0  # a label that overlaps something, whatever the overlap
# Candidate directions on the first ring, most preferred first: right, left, above,
# below, then the diagonals; further rings try sixteen directions.
FIRST_RING = (0, 180, 90, 270, 45, 135, 315, 225)
OTHER_RINGS = (*range(0, 360, 30), 45, 135, 225, 315)


@dataclass(frozen=True, slots=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    def overlap(self, other: Box) -> float:
        """The area the two boxes share (0 when they only touch)."""
        w = min(self.x1, other.x1) - max(self.x0, other.x0)
        h = min(self.y1, other.y1) - max(self.y0, other.y0)
        return w * h if w > 0 and h > 0 else 0.0

    def inside(self, other: Box) -> bool:
        return (
            self.x0 >= other.x0
            and self.y0 >= other.y0
            and self.x1 <= other.x1
            and self.y1 <= other.y1
        )

    def grown(self, margin: float) -> Box:
        return Box(self.x0 - margin, self.y0 - margin, self.x1 + margin, self.y1 + margin)

    def nearest(self, point: Point) -> Point:
        return (min(max(point[0], self.x0), self.x1), min(max(point[1], self.y0), self.y1))

    def crossed_by(self, segment: Segment) -> bool:
        """Whether the segment passes through the box (Liang–Barsky clipping)."""
        (x0, y0), (x1, y1) = segment
        dx, dy = x1 - x0, y1 - y0
        t0, t1 = 0.0, 1.0
        for p, q in (
            (-dx, x0 - self.x0),
            (dx, self.x1 - x0),
            (-dy, y0 - self.y0),
            (dy, self.y1 - y0),
        ):
            if p == 0:
                if q < 0:
                    return False
                continue
            t = q / p
            if p < 0:
                t0 = max(t0, t)
            else:
                t1 = min(t1, t)
            if t0 > t1:
                return False
        return True


@dataclass(frozen=True, slots=True)
class Label:
    anchor: Point  # the marker's centre
    width: float
    height: float
    radius: float  # the marker's radius: the label keeps clear of it


@dataclass(frozen=True, slots=True)
class Placement:
    centre: Point
    box: Box
    leader: Segment | None  # from the marker's edge to the label, when apart
    clear: bool  # False if no spot free of overlaps was found (then: least overlap)


def _crosses(a: Segment, b: Segment) -> bool:
    def orient(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    d1, d2 = orient(b[0], b[1], a[0]), orient(b[0], b[1], a[1])
    d3, d4 = orient(a[0], a[1], b[0]), orient(a[0], a[1], b[1])
    return d1 * d2 < 0 and d3 * d4 < 0


def _leader(label: Label, box: Box) -> Segment:
    end = box.nearest(label.anchor)
    ax, ay = label.anchor
    dx, dy = end[0] - ax, end[1] - ay
    length = math.hypot(dx, dy) or 1.0
    return ((ax + dx / length * label.radius, ay + dy / length * label.radius), end)


def _candidates(label: Label, gap: float, step: float, rings: int) -> list[tuple[int, int, Box]]:
    """(ring, preference, box) for every spot tried, nearest first."""
    out = []
    w, h = label.width, label.height
    ax, ay = label.anchor
    for ring in range(rings):
        angles = FIRST_RING if ring == 0 else OTHER_RINGS
        for preference, degrees in enumerate(angles):
            c, s = math.cos(math.radians(degrees)), math.sin(math.radians(degrees))
            reach = (label.radius + gap + ring * step) / max(abs(c), abs(s))
            cx = ax + c * reach + w / 2 * max(-1.0, min(1.0, c / 0.38))
            cy = ay + s * reach + h / 2 * max(-1.0, min(1.0, s / 0.38))
            out.append((ring, preference, Box(cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)))
    return out


def _overlaps(
    label: Label,
    boxes: Sequence[Box],
    margin: float,
    bounds: Box,
    near_labels: Sequence[Box],
    near_markers: Sequence[tuple[int, Box]],
) -> list[float]:
    """How much each spot overlaps labels (kept ``margin`` apart), markers and the
    plot's edge, all spots at once: a label tries hundreds of spots against dozens of
    boxes, too many for a loop in Python. The areas are added in the order labels,
    markers, edge, one after the other, so the sums are those of adding them by hand."""
    spots = np.array([(b.x0, b.y0, b.x1, b.y1) for b in boxes], dtype=np.float64)
    spaced = spots + np.array([-margin, -margin, margin, margin])
    parts = [np.zeros((len(boxes), 1))]
    if near_labels:
        parts.append(_shared_areas(spaced, near_labels))
    if near_markers:
        parts.append(_shared_areas(spots, [m for _, m in near_markers]))
    hard = np.add.accumulate(np.hstack(parts), axis=1)[:, -1]
    inside = (
        (spots[:, 0] >= bounds.x0)
        & (spots[:, 1] >= bounds.y0)
        & (spots[:, 2] <= bounds.x1)
        & (spots[:, 3] <= bounds.y1)
    )
    hard = np.where(inside, hard, hard + label.width * label.height)
    return [float(h) for h in hard]


def _shared_areas(spots: NDArray[np.float64], others: Sequence[Box]) -> NDArray[np.float64]:
    """Spots × others: the area each pair shares, as :meth:`Box.overlap`."""
    o = np.array([(b.x0, b.y0, b.x1, b.y1) for b in others], dtype=np.float64)
    w = np.minimum(spots[:, None, 2], o[None, :, 2]) - np.maximum(spots[:, None, 0], o[None, :, 0])
    h = np.minimum(spots[:, None, 3], o[None, :, 3]) - np.maximum(spots[:, None, 1], o[None, :, 1])
    shared: NDArray[np.float64] = np.where((w > 0) & (h > 0), w * h, 0.0)
    return shared


def _greedy(
    labels: Sequence[Label],
    order: Sequence[int],
    bounds: Box,
    markers: Sequence[Box],
    bars: Sequence[Segment],
    gap: float,
    margin: float,
    reach: float,
) -> tuple[list[Placement], list[float]]:
    """One pass: place the labels in ``order``; each label's placement and cost."""
    placed: dict[int, Placement] = {}
    leaders: list[Segment] = []
    costs = [0.0] * len(labels)
    for i in order:
        label = labels[i]
        step = max(label.height * 0.75, 4.0)
        rings = max(2, int(reach / step))
        # Only what lies within reach can touch this label's candidates.
        ax, ay = label.anchor
        far = reach + label.radius + label.width + label.height
        area = Box(ax - far, ay - far, ax + far, ay + far)
        near_labels = [p.box for p in placed.values() if area.overlap(p.box) > 0]
        near_markers = [(j, m) for j, m in enumerate(markers) if area.overlap(m) > 0]
        near_bars = [b for b in (*bars, *leaders) if area.crossed_by(b)]
        near_leaders = [b for b in leaders if area.crossed_by(b)]
        best: tuple[float, Box, bool] | None = None
        fallback: tuple[float, Box] | None = None
        candidates = _candidates(label, gap, step, rings)
        hards = _overlaps(
            label, [box for _, _, box in candidates], margin, bounds, near_labels, near_markers
        )
        for (ring, preference, box), hard in zip(candidates, hards, strict=True):
            if best is not None and ring * RING_COST > best[0]:
                break
            # Once a clear spot is known, any overlap rules a spot out; before, only
            # one with less overlap than the best so far can become the fallback.
            if hard > 0:
                if best is None and (fallback is None or hard < fallback[0]):
                    fallback = (hard, box)
                continue
            cost = ring * RING_COST + preference * 0.25
            cost += BAR_COST * sum(1 for bar in near_bars if box.crossed_by(bar))
            near = box.grown(NEIGHBOUR_DISTANCE)
            cost += NEIGHBOUR_COST * sum(
                1 for j, m in near_markers if j != i and near.overlap(m) > 0
            )
            if ring > 0:
                leader = _leader(label, box)
                cost += LEADER_OVER_LABEL_COST * sum(
                    1 for other in near_labels if other.grown(-0.5).crossed_by(leader)
                )
                cost += LEADER_CROSSING_COST * sum(
                    1 for seg in near_leaders if _crosses(leader, seg)
                )
            if best is None or cost < best[0]:
                best = (cost, box, ring > 0)
        if best is not None:
            box, clear, apart = best[1], True, best[2]
            costs[i] = best[0]
        else:
            assert fallback is not None  # there is always a candidate
            box, clear, apart = fallback[1], False, True
            costs[i] = UNCLEAR_COST + fallback[0]
        leader_line = _leader(label, box) if apart else None
        if leader_line is not None:
            leaders.append(leader_line)
        placed[i] = Placement(
            centre=((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2),
            box=box,
            leader=leader_line,
            clear=clear,
        )
    return [placed[i] for i in range(len(labels))], costs


def place_labels(
    labels: Sequence[Label],
    *,
    bounds: Box,
    markers: Sequence[Box] = (),
    bars: Sequence[Segment] = (),
    gap: float = 1.5,
    margin: float = 1.0,
    reach: float = 260.0,
    passes: int = 3,
) -> list[Placement]:
    """Place every label; the result is in the order of ``labels``.

    ``markers`` are hard obstacles (every marker, the label's own included; when there
    is one per label, ``markers[i]`` must be label i's own), ``bars``
    soft ones (range bars, arrows). ``margin`` is the least space kept between two
    labels; ``reach`` the furthest a label may go from its marker. Each pass after the
    first lets the labels that ended worst choose first; the cheapest layout wins.
    """
    crowd = [
        sum(
            1
            for other in labels
            if math.hypot(other.anchor[0] - lab.anchor[0], other.anchor[1] - lab.anchor[1]) < 60
        )
        for lab in labels
    ]
    order = sorted(range(len(labels)), key=lambda i: (-crowd[i], -labels[i].anchor[1], i))
    best: tuple[float, list[Placement]] | None = None
    for _ in range(passes):
        placements, costs = _greedy(labels, order, bounds, markers, bars, gap, margin, reach)
        if best is None or sum(costs) < best[0]:
            best = (sum(costs), placements)
        # Next pass: the labels that fared worst choose first.
        order = sorted(order, key=lambda i: -costs[i])
    assert best is not None
    return best[1]
