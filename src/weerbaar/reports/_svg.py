"""A matplotlib figure as SVG text to inline in an HTML page (and, through it, a PDF).

Several figures go into one page, so each is given a prefix for its element ids:
``id="…"`` and every reference to one (``url(#…)``, ``href="#…"``) is rewritten, and
an id met twice in one figure (a gid set on several artists) is numbered. The XML
prolog, DOCTYPE and metadata go (they are not allowed, or of no use, inside HTML);
the fixed width and height go too, so the figure takes the width of its box and
keeps its proportions from the ``viewBox``. The ``<svg>`` element itself gets the
prefix as its id, and matplotlib's page-wide style rule is kept to it.

Text stays text (``svg.fonttype`` "none"): searchable, selectable, read by a screen
reader and kept in a PDF's text layer.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import matplotlib as mpl
from matplotlib.figure import Figure

__all__ = ["inline_svg", "inlined", "svg_text"]

# svg.fonttype can only be set through rcParams; the lock keeps two SVG writes in this
# process from restoring each other's value halfway.
_SVG_LOCK = threading.Lock()

_PROLOG = re.compile(r"<\?xml[^>]*\?>\s*|<!DOCTYPE[^>]*>\s*|<!--.*?-->\s*", re.DOTALL)
_METADATA = re.compile(r"<metadata>.*?</metadata>\s*", re.DOTALL)
_ROOT = re.compile(r"<svg\b[^>]*>")
_SIZE = re.compile(r'\s(?:width|height)="[^"]*"')
_ID = re.compile(r'(\sid=")([^"]+)(")')
_URL = re.compile(r"url\(#([^)\s]+)\)")
_HREF = re.compile(r'((?:xlink:)?href="#)([^"]+)(")')
_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


@contextmanager
def svg_text() -> Iterator[None]:
    """Text written as SVG text, not as glyph paths: searchable, selectable and
    readable by a screen reader. Only the one setting is restored afterwards, so a
    change anyone else makes to rcParams meanwhile is kept."""
    with _SVG_LOCK:
        before = mpl.rcParams["svg.fonttype"]
        mpl.rcParams["svg.fonttype"] = "none"
        try:
            yield
        finally:
            mpl.rcParams["svg.fonttype"] = before


def inline_svg(fig: Figure, *, prefix: str) -> str:
    """The figure as an ``<svg>`` element to inline, its ids starting ``prefix-``."""
    buffer = io.BytesIO()
    with svg_text():
        # No creation date, so the same figure gives the same text.
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    return inlined(buffer.getvalue().decode("utf-8"), prefix=prefix)


def inlined(svg: str, *, prefix: str) -> str:
    """An SVG document made fit to inline (see the module's description)."""
    stem = _UNSAFE.sub("_", prefix) or "svg"
    text = _METADATA.sub("", _PROLOG.sub("", svg))
    renamed: dict[str, str] = {}
    used: set[str] = set()

    def rename(match: re.Match[str]) -> str:
        old = match.group(2)
        new = f"{stem}-{old}"
        count = 1
        while new in used:
            count += 1
            new = f"{stem}-{old}-{count}"
        used.add(new)
        renamed.setdefault(old, new)  # references go to the first element of the id
        return f"{match.group(1)}{new}{match.group(3)}"

    text = _ID.sub(rename, text)
    text = _URL.sub(lambda m: f"url(#{renamed.get(m.group(1), m.group(1))})", text)
    text = _HREF.sub(
        lambda m: f"{m.group(1)}{renamed.get(m.group(2), m.group(2))}{m.group(3)}", text
    )
    text = _ROOT.sub(lambda m: _scalable(m, stem), text, count=1)
    # matplotlib's one style rule reads "*{…}": kept to this figure, not the page.
    text = text.replace('<style type="text/css">*{', f'<style type="text/css">#{stem} *{{', 1)
    return text.strip()


def _scalable(match: re.Match[str], stem: str) -> str:
    root = _SIZE.sub("", match.group(0))
    return root.replace("<svg", f'<svg id="{stem}" width="100%"', 1)
