"""Query-string values read strictly, for the API and the pages alike.

Pydantic alone reads ``?since=0`` as 1 January 1970 and ``?since=1700000000`` as a
day in 2023: a number is taken for a Unix time. Here a date is written YYYY-MM-DD
and a moment in ISO 8601, or the request is refused naming the parameter; a page
number has an upper bound as well as a lower one; text holds no control characters.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Annotated

from fastapi.exceptions import RequestValidationError
from pydantic import AfterValidator, BeforeValidator

MAX_PAGE = 1_000_000  # far beyond any register; keeps offsets within a database integer

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_MOMENT = re.compile(
    r"\d{4}-\d{2}-\d{2}"  # the day
    r"(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)?"  # the time, if given
    r"(?:[Zz]|[+-]\d{2}:?\d{2})?"  # the zone, if given
)


def _written_day(value: object) -> object:
    if isinstance(value, dt.date) or (isinstance(value, str) and _DAY.fullmatch(value)):
        return value
    raise ValueError(f"give a date as YYYY-MM-DD, e.g. 2024-03-01, not {str(value)[:40]!r}")


def _written_moment(value: object) -> object:
    if isinstance(value, dt.datetime) or (isinstance(value, str) and _MOMENT.fullmatch(value)):
        return value
    raise ValueError(
        f"give a date and time in ISO 8601, e.g. 2024-03-01T14:30:00+01:00, not {str(value)[:40]!r}"
    )


def _plain(value: str) -> str:
    if _CONTROL.search(value):
        raise ValueError("holds control characters; give plain text")
    return value


Day = Annotated[dt.date, BeforeValidator(_written_day)]
Moment = Annotated[dt.datetime, BeforeValidator(_written_moment)]
# Text that reaches the database: PostgreSQL refuses a NUL in a string outright.
PlainText = Annotated[str, AfterValidator(_plain)]


def blank(text: str | None) -> str | None:
    """A filter left at "any" arrives empty: no filter."""
    return text.strip() or None if text is not None else None


def query_problems(reasons: Mapping[str, str]) -> RequestValidationError:
    """Query parameters a handler found wrong itself (name: reason), answered as those
    FastAPI checks are: 422 on the API, a 400 page for people."""
    return RequestValidationError(
        [
            {"type": "value_error", "loc": ("query", name), "msg": reason, "input": None}
            for name, reason in reasons.items()
        ]
    )
