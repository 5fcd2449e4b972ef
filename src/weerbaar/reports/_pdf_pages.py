"""Page references of a PDF being written, looked up once per page count.

pydyf (WeasyPrint's PDF writer) rebuilds the tuple of every page's reference each
time one is asked for, and WeasyPrint's PDF/UA tagging asks once per tagged element:
writing a tagged PDF grows with the square of its pages (a report of a thousand
pages spent most of its writing time there). Pages are only ever appended, so the
tuple is kept with the PDF and rebuilt when the number of pages has changed; what it
holds is the same as pydyf's own.
"""

from __future__ import annotations

from typing import Any

import pydyf  # type: ignore[import-untyped]  # pydyf ships no types

__all__ = ["install"]

_ORIGINAL: Any = pydyf.PDF.page_references
_KEPT = "_weerbaar_page_references"


def _page_references(pdf: Any) -> tuple[bytes, ...]:
    count = len(pdf.pages["Kids"])
    kept = pdf.__dict__.get(_KEPT)
    if kept is None or kept[0] != count:
        kept = (count, _ORIGINAL.fget(pdf))
        pdf.__dict__[_KEPT] = kept
    references: tuple[bytes, ...] = kept[1]
    return references


def install() -> None:
    """Keep pydyf's page references per page count (idempotent)."""
    if pydyf.PDF.page_references.fget is not _page_references:
        pydyf.PDF.page_references = property(_page_references)
