"""JSON read within bounds: nesting depth, number length and line length.

Python's parser recurses once per level of nesting and converts every integer
literal however long, so without bounds a document of ``[`` × 5,000 ends in a
RecursionError and a 5,000-digit integer in a ValueError. Here:

- a document nested more than :data:`MAX_DEPTH` levels is refused before parsing,
  with the line and column where the limit is passed (real feeds, STIX bundles and
  MISP events stay within about ten);
- a number literal longer than :data:`MAX_NUMBER_CHARS` characters is not
  converted: it becomes a :class:`LongNumber`, which the readers reject as the
  value of the item that holds it, so the rest of the document still reads;
- a JSON Lines line longer than :data:`MAX_LINE_BYTES` is rejected without being
  held in memory whole.

Every limit surfaces as :class:`json.JSONDecodeError`, so that the callers keep one
way of saying where a document broke.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np

from weerbaar.errors import FileFormatError
from weerbaar.text_decoding import decode

__all__ = [
    "MAX_DEPTH",
    "MAX_LINE_BYTES",
    "MAX_NUMBER_CHARS",
    "LineTooLong",
    "LongNumber",
    "NestedTooDeeply",
    "bounded_lines",
    "find_long_number",
    "line_problem",
    "load_json",
    "parse_json",
    "refusal",
]

MAX_DEPTH = 64
MAX_NUMBER_CHARS = 100
MAX_LINE_BYTES = 1024 * 1024
"""A JSON Lines record: a long article with its markup fits many times over."""

# Unrolled ("normal* (special normal*)*"): twice as fast as an alternation per character.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")
_STRING_OR_BRACKET = re.compile(rf"{_STRING.pattern}|[\[\]{{}}]", re.DOTALL)
_OPENING = frozenset("[{")
_NESTED_MESSAGE = f"JSON nested too deeply (more than {MAX_DEPTH} levels)"


@dataclass(frozen=True, slots=True)
class LongNumber:
    """A number literal too long to convert; ``chars`` says how long it was."""

    chars: int

    def __str__(self) -> str:
        return f"a number of {self.chars:,} characters (at most {MAX_NUMBER_CHARS})"


def _int(literal: str) -> int | LongNumber:
    return int(literal) if len(literal) <= MAX_NUMBER_CHARS else LongNumber(len(literal))


def _float(literal: str) -> float | LongNumber:
    return float(literal) if len(literal) <= MAX_NUMBER_CHARS else LongNumber(len(literal))


def _too_deep_at(text: str) -> int | None:
    """Where the first bracket beyond :data:`MAX_DEPTH` levels opens, or None.

    Strings are taken out first (a bracket inside one is text); the depth is then a
    running sum over the brackets alone, done in numpy since a large register of
    signals holds millions of them.
    """
    if text.count("[") + text.count("{") <= MAX_DEPTH:
        return None
    brackets = _NOT_BRACKET.sub("", _STRING.sub("", text)).encode("ascii")
    codes = np.frombuffer(brackets, dtype=np.uint8)
    steps = np.where((codes == ord("[")) | (codes == ord("{")), np.int8(1), np.int8(-1))
    if int(np.cumsum(steps, dtype=np.int32).max(initial=0)) <= MAX_DEPTH:
        return None
    # Only for a refusal: walk again to say where, in the text as written.
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in _OPENING:
            depth += 1
            if depth > MAX_DEPTH:
                return match.start()
        elif token in ("]", "}"):
            depth -= 1
    return len(text)  # not reached: the sum above found the same bracket


class NestedTooDeeply(json.JSONDecodeError):
    """A document past :data:`MAX_DEPTH`; its place is where the limit was passed."""


def parse_json(text: str) -> object:
    """One JSON value within the bounds above; JSONDecodeError says where it broke."""
    too_deep = _too_deep_at(text)
    if too_deep is not None:
        raise NestedTooDeeply(_NESTED_MESSAGE, text, too_deep)
    try:
        return json.loads(text, parse_int=_int, parse_float=_float)
    except RecursionError:
        # A last guard only: the scan above refuses such depth first.
        raise NestedTooDeeply(_NESTED_MESSAGE, text, 0) from None


def load_json(data: bytes, name: str) -> object:
    """A whole JSON document, or FileFormatError naming ``name`` and the place."""
    text = decode(data, name)
    try:
        return parse_json(text)
    except json.JSONDecodeError as exc:
        raise refusal(name, exc) from exc


def refusal(name: str, error: json.JSONDecodeError) -> FileFormatError:
    """The error for a document that does not parse, naming it and the place."""
    if isinstance(error, NestedTooDeeply):
        return FileFormatError(f"{name}: {error.msg} at line {error.lineno}, column {error.colno}")
    return FileFormatError(
        f"{name}: not JSON (line {error.lineno}, column {error.colno}: {error.msg})"
    )


def line_problem(error: json.JSONDecodeError) -> str:
    """Why one JSON Lines line was rejected; the line itself is its place."""
    if isinstance(error, NestedTooDeeply):
        return f"{error.msg} at column {error.colno}"
    return f"not JSON: {error.msg} at column {error.colno}"


def find_long_number(value: object) -> LongNumber | None:
    """The first number too long to convert anywhere in ``value``, or None."""
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, LongNumber):
            return current
        if isinstance(current, dict):
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return None


@dataclass(frozen=True, slots=True)
class LineTooLong:
    """Stands for a line of more than :data:`MAX_LINE_BYTES`, skipped unread."""

    length: int

    def __str__(self) -> str:
        return f"a line of {self.length:,} bytes (at most {MAX_LINE_BYTES:,})"


def bounded_lines(lines: Iterable[bytes]) -> Iterator[bytes | LineTooLong]:
    """The lines of an open file or of a list, each at most :data:`MAX_LINE_BYTES`
    (not counting its line break).

    From an open file only that much of a line is ever held: the rest of a longer
    line is read in pieces and dropped.
    """
    if not isinstance(lines, io.BufferedIOBase | io.RawIOBase):
        for line in lines:
            length = len(line.rstrip(b"\r\n"))
            yield LineTooLong(length) if length > MAX_LINE_BYTES else line
        return
    while True:
        line = lines.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        if len(line) <= MAX_LINE_BYTES or line.endswith(b"\n"):
            yield line
            continue
        length = len(line)
        while not line.endswith(b"\n"):
            line = lines.readline(MAX_LINE_BYTES)
            if not line:
                break
            length += len(line)
        yield LineTooLong(length - (1 if line.endswith(b"\n") else 0))
