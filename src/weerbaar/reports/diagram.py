"""The national risk diagram: its input data, and the two renderers' entry points.

The diagram of the national risk assessment (NRA6 style) plots every scenario at
(likelihood class, aggregated impact class):

- x: likelihood classes A–E, each class 10× as probable as the one before;
- y: aggregated impact classes A–E, each class 3× the impact of the one before. An
  aggregated impact value V sits at class position ``1 + log3(V)`` (V = 1 → A, 3 → B,
  9 → C, 27 → D, 81 → E); V = 0 cannot be placed and is listed under the plot;
- a background shaded from green (unlikely, limited) to red (likely, catastrophic).
  The method's colour bands are not published, so :class:`ColourBands` is a
  parameter and the figure says "colour bands illustrative".

Everything here is plain data: the caller turns assessments into
:class:`DiagramPoint` values (class positions, not raw values) and passes class
letters and labels from the method's data files. :func:`render_static` (PNG/SVG,
matplotlib) and :func:`render_html` (self-contained offline HTML, plotly) draw the
same picture; they import their plotting library only when called.

References
----------
National Risk Assessment 6 (ANV/RIVM 2014): class labels, the ×3 impact axis and ×10
likelihood axis, LL/EV/UL ranges, new scenarios highlighted (method/NRA.md 3.1, 5.1,
5.3).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from weerbaar.i18n import N_
from weerbaar.method.classes import impact_position

__all__ = [
    "DEFAULT_BAND_COLOURS",
    "IMPACT_AXIS",
    "IMPACT_LABELS",
    "LETTERS",
    "LIKELIHOOD_AXIS",
    "LIKELIHOOD_LABELS",
    "ClassAxis",
    "ColourBands",
    "DiagramPoint",
    "RiskDiagram",
    "impact_axis",
    "impact_position",
    "likelihood_axis",
    "render_html",
    "render_static",
]

LETTERS: tuple[str, ...] = ("A", "B", "C", "D", "E")
IMPACT_LABELS: tuple[str, ...] = (
    N_("limited"),
    N_("substantial"),
    N_("serious"),
    N_("very serious"),
    N_("catastrophic"),
)
LIKELIHOOD_LABELS: tuple[str, ...] = (
    N_("highly unlikely"),
    N_("unlikely"),
    N_("moderately likely"),
    N_("likely"),
    N_("very likely"),
)

# Pale green → yellow → red (ColorBrewer RdYlGn, lightened so markers stay legible).
DEFAULT_BAND_COLOURS: tuple[str, ...] = ("#cfe8c4", "#e6f0c0", "#fbf0c2", "#fbd9b5", "#f5bcb3")


@dataclass(frozen=True, slots=True)
class ClassAxis:
    """One axis of the diagram: class letters, their labels, a title and a note.

    ``letters[k]`` sits at class position ``k + 1``; the axis runs from 0.5 to
    ``len(letters) + 0.5`` with gridlines at the class boundaries.
    """

    title: str
    note: str  # e.g. "each class 10× as probable as the one before"
    labels: tuple[str, ...]
    letters: tuple[str, ...] = LETTERS
    step: str = ""  # written between classes along the axis, e.g. "×10"

    def __post_init__(self) -> None:
        object.__setattr__(self, "labels", tuple(self.labels))
        object.__setattr__(self, "letters", tuple(self.letters))
        if not self.letters or len(self.letters) != len(self.labels):
            raise ValueError(
                f"an axis needs one label per class letter: {len(self.letters)} letter(s), "
                f"{len(self.labels)} label(s)"
            )

    @property
    def low(self) -> float:
        return 0.5

    @property
    def high(self) -> float:
        return len(self.letters) + 0.5

    @property
    def boundaries(self) -> tuple[float, ...]:
        return tuple(k + 0.5 for k in range(1, len(self.letters)))

    def letter_at(self, position: float) -> str:
        """The class whose band holds ``position`` (a boundary belongs to the lower
        class, so a "high within class" score at +0.5 keeps its letter)."""
        index = math.ceil(position - 0.5) - 1
        return self.letters[min(max(index, 0), len(self.letters) - 1)]

    def label_at(self, position: float) -> str:
        return self.labels[self.letters.index(self.letter_at(position))]

    def describe(self, position: float) -> str:
        """``"C serious (3.40)"``."""
        return f"{self.letter_at(position)} {self.label_at(position)} ({position:.2f})"

    def describe_range(self, bounds: tuple[float, float]) -> str:
        """``"B–D (2.10–4.20)"``."""
        low, high = bounds
        letters = self.letter_at(low)
        if self.letter_at(high) != letters:
            letters += f"–{self.letter_at(high)}"
        return f"{letters} ({low:.2f}–{high:.2f})"


def likelihood_axis(
    labels: Sequence[str] = LIKELIHOOD_LABELS,
    letters: Sequence[str] = LETTERS,
    *,
    title: str = N_("Likelihood"),
    note: str = N_("each class is 10× as probable as the one before"),
    step: str = "×10",
) -> ClassAxis:
    """The x axis, with labels from the method's data files (English by default)."""
    return ClassAxis(
        title=title, note=note, labels=tuple(labels), letters=tuple(letters), step=step
    )


def impact_axis(
    labels: Sequence[str] = IMPACT_LABELS,
    letters: Sequence[str] = LETTERS,
    *,
    title: str = N_("Aggregated impact"),
    note: str = N_("each class is 3× the impact of the one before"),
    step: str = "×3",
) -> ClassAxis:
    """The y axis, with labels from the method's data files (English by default)."""
    return ClassAxis(
        title=title, note=note, labels=tuple(labels), letters=tuple(letters), step=step
    )


LIKELIHOOD_AXIS = likelihood_axis()
IMPACT_AXIS = impact_axis()


@dataclass(frozen=True, slots=True)
class ColourBands:
    """The background colouring, from green (low likelihood, low impact) to red.

    The method does not publish its bands, so this default is illustrative. Each
    spot of the plot gets a risk score ``s`` in [0, 1]: the weighted mean of how far
    along each axis it lies, ``s = (wl·x' + wi·y') / (wl + wi)`` with ``x'``, ``y'``
    the position scaled to [0, 1]. ``colours`` (low → high) split ``s`` into equal
    bands; with ``smooth`` the colours blend instead. Equal weights give bands
    perpendicular to the diagonal; a larger ``impact_weight`` makes them flatter.
    """

    colours: tuple[str, ...] = DEFAULT_BAND_COLOURS
    likelihood_weight: float = 1.0
    impact_weight: float = 1.0
    smooth: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "colours", tuple(self.colours))
        if not self.colours:
            raise ValueError("colour bands need at least one colour")
        weights = (self.likelihood_weight, self.impact_weight)
        if any(not math.isfinite(w) or w < 0 for w in weights) or sum(weights) <= 0:
            raise ValueError(f"band weights must be >= 0 and not both 0, not {weights!r}")

    def coefficients(self, x_axis: ClassAxis, y_axis: ClassAxis) -> tuple[float, float, float]:
        """(a, b, c) with ``s = a·x + b·y + c`` on the plot's class positions."""
        total = self.likelihood_weight + self.impact_weight
        a = self.likelihood_weight / total / (x_axis.high - x_axis.low)
        b = self.impact_weight / total / (y_axis.high - y_axis.low)
        return a, b, -(a * x_axis.low + b * y_axis.low)


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite class position, not {value!r}")


def _check_range(name: str, bounds: tuple[float, float] | None) -> tuple[float, float] | None:
    if bounds is None:
        return None
    low, high = (float(b) for b in bounds)
    _finite(name, low)
    _finite(name, high)
    if low > high:
        raise ValueError(f"{name} runs from {low} to {high}: its lower end is above the upper")
    return (low, high)


@dataclass(frozen=True, slots=True)
class DiagramPoint:
    """One scenario on the diagram, in class positions (A = 1 … E = 5).

    ``impact`` is :func:`impact_position` of the aggregated impact; ``likelihood`` is
    the likelihood class position ("high within class" = +0.5). The ranges (P5–P95 or
    LL–UL, also class positions) are optional; ``hover`` adds lines to the HTML tooltip.
    """

    key: str
    label: str
    theme: str
    impact: float
    likelihood: float
    impact_range: tuple[float, float] | None = None
    likelihood_range: tuple[float, float] | None = None
    new: bool = False
    hover: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.key:
            raise ValueError("a diagram point needs a key")
        _finite(f"{self.key}: impact", self.impact)
        _finite(f"{self.key}: likelihood", self.likelihood)
        object.__setattr__(
            self, "impact_range", _check_range(f"{self.key}: impact range", self.impact_range)
        )
        object.__setattr__(
            self,
            "likelihood_range",
            _check_range(f"{self.key}: likelihood range", self.likelihood_range),
        )
        object.__setattr__(self, "hover", MappingProxyType(dict(self.hover)))


@dataclass(frozen=True, slots=True)
class RiskDiagram:
    """Everything one diagram shows.

    ``previous`` holds the points of an earlier round: a scenario in both rounds gets
    an arrow from its old position to its new one, one only in ``points`` is marked
    new, one only in ``previous`` is drawn faded. ``unplaced`` lists scenarios that
    cannot be placed (aggregated impact 0), as the text to show for each, e.g.
    ``"S12 Drought"``. ``themes`` fixes the order (and so the colours) of the themes;
    by default they are sorted by name, so a theme keeps its colour across diagrams
    that show the same themes.
    """

    title: str
    subtitle: str
    points: Sequence[DiagramPoint]
    previous: Sequence[DiagramPoint] = ()
    unplaced: Sequence[str] = ()
    illustrative: bool = False
    previous_name: str = "previous round"
    themes: Sequence[str] = ()
    range_label: str = N_("uncertainty range (LL–UL)")
    notes: Sequence[str] = ()
    likelihood_axis: ClassAxis = LIKELIHOOD_AXIS
    impact_axis: ClassAxis = IMPACT_AXIS
    bands: ColourBands = field(default_factory=ColourBands)

    def __post_init__(self) -> None:
        for name in ("points", "previous", "unplaced", "themes", "notes"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        for name in ("points", "previous"):
            keys = [p.key for p in getattr(self, name)]
            doubles = sorted({k for k in keys if keys.count(k) > 1})
            if doubles:
                raise ValueError(f"{name}: key(s) used more than once: {', '.join(doubles)}")
        listed = set(self.themes)
        missing = sorted({p.theme for p in (*self.points, *self.previous)} - listed)
        if self.themes and missing:
            raise ValueError(f"themes not in the theme order: {', '.join(missing)}")

    @property
    def theme_order(self) -> tuple[str, ...]:
        if self.themes:
            return tuple(self.themes)
        return tuple(sorted({p.theme for p in (*self.points, *self.previous)}))

    @property
    def comparison(self) -> bool:
        return bool(self.previous)


def render_static(
    diagram: RiskDiagram,
    path: str | Path,
    *,
    fmt: Literal["png", "svg"] = "png",
    dpi: int = 150,
    size: tuple[float, float] = (12.0, 9.0),
) -> Path:
    """Draw the diagram with matplotlib (Agg, no pyplot) and write it atomically.

    ``size`` is in inches; the default suits about 65 scenarios. Returns the path.
    """
    from weerbaar.reports.diagram_static import render_static as render

    return render(diagram, path, fmt=fmt, dpi=dpi, size=size)


def render_html(
    diagram: RiskDiagram,
    path: str | Path,
    *,
    size: tuple[int, int] = (1400, 960),
) -> Path:
    """Write the diagram as one self-contained interactive HTML file (plotly.js
    embedded, nothing fetched from a network), atomically. ``size`` is in pixels."""
    from weerbaar.reports.diagram_html import render_html as render

    return render(diagram, path, size=size)
