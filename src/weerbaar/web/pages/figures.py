"""The risk diagram as the dashboard needs it: plotly figure data to embed in the page,
and a PNG for browsers without JavaScript.

Laying out the labels takes seconds, so finished figures are kept, keyed by a digest
of everything the diagram shows: two users who see the same diagram share it, and a
diagram that differs in any point is drawn afresh. Nothing keyed this way can show one
user what another may see and they may not.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

from weerbaar import i18n
from weerbaar.reports.diagram import RiskDiagram, render_static

KEPT = 16


class _Kept:
    """The last few finished figures, newest last."""

    def __init__(self) -> None:
        self._items: OrderedDict[tuple[str, str], bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kind: str, diagram: RiskDiagram, draw: Callable[[], bytes]) -> bytes:
        key = (kind, hashlib.sha256(repr(diagram).encode("utf-8")).hexdigest())
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        made = draw()
        with self._lock:
            self._items[key] = made
            while len(self._items) > KEPT:
                self._items.popitem(last=False)
        return made


_kept = _Kept()


def embeddable(json_text: str) -> str:
    """JSON that cannot end the ``<script>`` element holding it: every ``<``, ``>``
    and ``&`` (only ever inside strings) as a JSON escape."""
    return json_text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def figure_json(diagram: RiskDiagram) -> str:
    """``{"figure": …, "config": …}`` for Plotly.newPlot, safe inside a script element."""

    def draw() -> bytes:
        from weerbaar.reports.diagram_html import CONFIG, build_plotly_figure

        figure = build_plotly_figure(diagram).to_json()
        text = f'{{"figure": {figure}, "config": {json.dumps(CONFIG)}}}'
        return embeddable(text).encode("utf-8")

    return _kept.get(f"plotly-{i18n.language()}", diagram, draw).decode("utf-8")


def diagram_png(diagram: RiskDiagram) -> bytes:
    def draw() -> bytes:
        with tempfile.TemporaryDirectory(prefix="weerbaar-diagram-") as folder:
            return render_static(diagram, Path(folder) / "diagram.png").read_bytes()

    return _kept.get(f"png-{i18n.language()}", diagram, draw)
