"""Text cells that a spreadsheet would run as a formula, made inert and restored.

A title such as ``=HYPERLINK("http://…")`` in an exported CSV or XLSX file is a
live formula to whoever opens it in Excel or LibreOffice (OWASP: CSV injection).
Exports put a single quote before every text value that starts with one of the
characters a spreadsheet reads as the start of a formula, and also before every text
value that already starts with a quote; imports take exactly that one quote off
again. So export followed by import gives back the exact value, a value that itself
starts with ``'=`` included, and a file typed by hand with ``'=…`` (Excel's own way
to say "this is text") reads as ``=…``.
"""

from __future__ import annotations

ESCAPE = "'"
# What spreadsheets read as the start of a formula (=, +, -, @), and tab and carriage
# return, which some of them skip before looking for one.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NEEDS_ESCAPE = (*FORMULA_STARTS, ESCAPE)


def neutralise(value: str) -> str:
    """The text as an export writes it into a spreadsheet cell."""
    return ESCAPE + value if value.startswith(_NEEDS_ESCAPE) else value


def restore(value: str) -> str:
    """The text as an export had it, from a cell that :func:`neutralise` wrote."""
    if value.startswith(ESCAPE) and value[1:].startswith(_NEEDS_ESCAPE):
        return value[1:]
    return value


def neutralise_cell(value: object) -> object:
    """A cell for a spreadsheet export that is not read back: text made inert,
    anything else as it is."""
    return neutralise(value) if isinstance(value, str) else value
