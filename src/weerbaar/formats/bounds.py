"""Limits every register document is read within, and the JSON reader that keeps them.

A register document is an object of lists of records of fields: a few levels of
nesting, and numbers of a few digits. Deeper nesting and longer integers are
refused with their line instead of the RecursionError and ValueError (Python's
limit on converting long integers) the parser would raise, which are no message a
person can act on.
"""

from __future__ import annotations

import json
import re
from typing import Any

from weerbaar.errors import FileFormatError, said
from weerbaar.formats.common import line_at

MAX_DEPTH = 64  # levels of nested lists and objects
MAX_DIGITS = 40  # digits in one number

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_BRACKET_TOKENS = re.compile(_STRING + r"|[\[\]{}]")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


class _LongIntegerError(Exception):
    """Raised inside the parser, to leave it; becomes a FileFormatError with the line."""

    def __init__(self, digits: str) -> None:
        self.digits = digits


def too_deep(name: str, line: int) -> FileFormatError:
    return FileFormatError(
        said(
            "%(name)s line %(line)s: nested deeper than %(most)s levels",
            name=name,
            line=line,
            most=MAX_DEPTH,
        )
    )


def too_long(name: str, line: int, digits: int) -> FileFormatError:
    return FileFormatError(
        said(
            "%(name)s line %(line)s: a number of %(digits)s digits; a register "
            "number has at most %(most)s",
            name=name,
            line=line,
            digits=digits,
            most=MAX_DIGITS,
        )
    )


def load_json(text: str, name: str) -> object:
    """Parse JSON text, refusing what a register document never holds.

    The limits are checked on the way (integers as they are converted, depth after
    parsing, or when the parser itself runs out of recursion), so a good file costs
    little more than ``json.loads``; only a refused one is scanned for the line.
    """
    try:
        data = json.loads(
            text,
            parse_int=_bounded_int,
            parse_constant=lambda word: _refuse_constant(name, word),
        )
    except json.JSONDecodeError as exc:
        raise FileFormatError(
            said(
                "%(name)s line %(line)s column %(column)s: %(problem)s",
                name=name,
                line=exc.lineno,
                column=exc.colno,
                problem=exc.msg,
            )
        ) from None
    except _LongIntegerError as exc:
        digits = exc.digits.lstrip("-")
        raise too_long(name, _line_of_number(text, exc.digits), len(digits)) from None
    except RecursionError:
        raise too_deep(name, _line_too_deep(text)) from None
    if _deeper_than(data, MAX_DEPTH):
        raise too_deep(name, _line_too_deep(text))
    return data


def _bounded_int(digits: str) -> int:
    if len(digits) > MAX_DIGITS + 1 and len(digits.lstrip("-")) > MAX_DIGITS:
        raise _LongIntegerError(digits)
    return int(digits)


def _deeper_than(data: object, limit: int) -> bool:
    """Whether lists and objects nest deeper than ``limit``: one level at a time,
    without recursion, in comprehensions (a good file of 100,000 records costs a
    fifth of what parsing it does)."""
    level: list[Any] = [data] if isinstance(data, dict | list) else []
    depth = 1
    while level:
        if depth > limit:
            return True
        level = [
            child
            for value in level
            for child in (value.values() if value.__class__ is dict else value)
            if child.__class__ is dict or child.__class__ is list
        ]
        depth += 1
    return False


def _line_too_deep(text: str) -> int:
    depth = 0
    for match in _BRACKET_TOKENS.finditer(text):
        depth += _STEP.get(match.group(), 0)
        if depth > MAX_DEPTH:
            return line_at(text, match.start())
    return 1  # invalid JSON that the scan reads otherwise than the parser did


def _line_of_number(text: str, digits: str) -> int:
    for match in re.finditer(_STRING + "|" + re.escape(digits), text):
        if not match.group().startswith('"'):
            return line_at(text, match.start())
    return 1


def _refuse_constant(name: str, word: str) -> object:
    """NaN and Infinity: Python's extension to JSON, never in a register."""
    raise FileFormatError(
        said("%(name)s: %(word)s is not a number JSON allows", name=name, word=word)
    )
