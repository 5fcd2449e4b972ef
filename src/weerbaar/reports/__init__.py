"""Reports: plots and exports. Pure rendering over plain input dataclasses; no
database, no command line.

The national risk diagram: build a :class:`RiskDiagram` of :class:`DiagramPoint`
values and draw it with :func:`render_static` (PNG/SVG) or :func:`render_html`
(one self-contained offline HTML file).
"""

from weerbaar.reports.diagram import (
    DEFAULT_BAND_COLOURS,
    IMPACT_AXIS,
    IMPACT_LABELS,
    LETTERS,
    LIKELIHOOD_AXIS,
    LIKELIHOOD_LABELS,
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
