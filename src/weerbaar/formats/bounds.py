"""Limits every register document is read within, and the JSON reader that keeps them.

A register document is an object of lists of records of fields: a dozen levels of
nesting at most, and numbers of a few digits. Deeper nesting and longer numbers
are refused with their line before they can exhaust the parser's recursion or
Python's integer conversion (which raise RecursionError and ValueError, not a
message a person can act on).
"""

from __future__ import annotations

import itertools
import json
import re

from weerbaar.errors import FileFormatError
from weerbaar.formats.common import line_at

MAX_DEPTH = 64  # levels of nested lists and objects
MAX_DIGITS = 40  # digits in one number

_STRING = r'"[^"\\]*(?:\\.[^"\\]*)*"'
_STRINGS = re.compile(_STRING)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")
_BRACKET_TOKENS = re.compile(_STRING + r"|[\[\]{}]")
_DIGIT_RUN = rf"\d{{{MAX_DIGITS + 1},}}"
_LONG_DIGITS = re.compile(_DIGIT_RUN)
_LONG_NUMBER_TOKENS = re.compile(_STRING + "|" + _DIGIT_RUN)
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}


def too_deep(name: str, line: int) -> FileFormatError:
    return FileFormatError(f"{name} line {line}: nested deeper than {MAX_DEPTH} levels")


def too_long(name: str, line: int, digits: int) -> FileFormatError:
    return FileFormatError(
        f"{name} line {line}: a number of {digits} digits; a register number has at "
        f"most {MAX_DIGITS}"
    )


def load_json(text: str, name: str) -> object:
    """Parse JSON text, refusing what a register document never holds."""
    _check_numbers(text, name)
    _check_depth(text, name)
    try:
        return json.loads(text, parse_constant=lambda word: _refuse_constant(text, name, word))
    except json.JSONDecodeError as exc:
        raise FileFormatError(f"{name} line {exc.lineno} column {exc.colno}: {exc.msg}") from None
    except RecursionError:
        # Only text the depth check misjudged, being invalid JSON anyway, gets here.
        raise too_deep(name, 1) from None


def _check_numbers(text: str, name: str) -> None:
    if _LONG_DIGITS.search(text) is None:  # the usual case, at the speed of re
        return
    for match in _LONG_NUMBER_TOKENS.finditer(text):
        if not match.group().startswith('"'):
            raise too_long(name, line_at(text, match.start()), len(match.group()))


def _check_depth(text: str, name: str) -> None:
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub('""', text))
    deepest = max(itertools.accumulate(map(_STEP.__getitem__, brackets)), default=0)
    if deepest <= MAX_DEPTH:
        return
    depth = 0
    for match in _BRACKET_TOKENS.finditer(text):
        depth += _STEP.get(match.group(), 0)
        if depth > MAX_DEPTH:
            raise too_deep(name, line_at(text, match.start()))


def _refuse_constant(text: str, name: str, word: str) -> object:
    """NaN and Infinity: Python's extension to JSON, never in a register."""
    raise FileFormatError(f"{name}: {word} is not a number JSON allows")
