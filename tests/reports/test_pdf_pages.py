"""pydyf's page references, kept per page count, are always the ones pydyf makes."""

from __future__ import annotations

import pydyf  # type: ignore[import-untyped]  # pydyf ships no types

from weerbaar.reports import _pdf_pages


def _original(pdf: pydyf.PDF) -> tuple[bytes, ...]:
    fget = _pdf_pages._ORIGINAL.fget
    assert fget is not None
    references: tuple[bytes, ...] = fget(pdf)
    return references


def test_the_references_follow_every_page_added() -> None:
    _pdf_pages.install()
    _pdf_pages.install()  # twice is once
    assert pydyf.PDF.page_references.fget is _pdf_pages._page_references
    pdf = pydyf.PDF()
    assert pdf.page_references == () == _original(pdf)
    for count in range(1, 6):
        pdf.add_page(pydyf.Dictionary({"Type": "/Page"}))
        pdf.add_object(pydyf.Dictionary())  # other objects shift no page number
        assert len(pdf.page_references) == count
        assert pdf.page_references == _original(pdf)
    other = pydyf.PDF()  # each PDF keeps its own
    other.add_object(pydyf.Dictionary())
    other.add_page(pydyf.Dictionary({"Type": "/Page"}))
    assert other.page_references == _original(other)
    assert len(other.page_references) == 1 and other.page_references != pdf.page_references[:1]
