"""What a request may ask for, the same on the API and the pages: the one type of a
record key, and bounds on the work and the text one request may bring."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import StringConstraints

from weerbaar.compute.rng import SEED_BITS
from weerbaar.domain.fields import KEY_PATTERN
from weerbaar.errors import Issue, ValidationError, said

KEY_LENGTH = 64  # as long as the register's keys may be (KEY_PATTERN)
Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN.pattern, max_length=KEY_LENGTH)]

MAX_ID = 2**31 - 1  # a database integer

# A cascade run and the criticality ranking.
MAX_HOURS = 8760.0  # a year
MAX_MEMBERS = 1000
MAX_TARGETS = 100
MAX_SEED = 2**SEED_BITS - 1
MAX_RANKED = 1000
NAME_LENGTH = 200  # a process key or a sector's name

# An alert flagged or dismissed.
MAX_SCENARIOS = 200
NOTE_LENGTH = 2000

# The window of a signal trend.
EARLIEST = dt.date(1990, 1, 1)
LATEST = dt.date(2100, 12, 31)
MAX_DAYS = 3660  # ten years of days


def check_window(since: dt.date | None, until: dt.date | None) -> None:
    """A window of at most :data:`MAX_DAYS` days, its start not after its end."""
    if since is not None and until is not None:
        if since > until:
            raise ValidationError(
                [
                    Issue(
                        "query",
                        "since",
                        said("%(since)s is after until %(until)s", since=since, until=until),
                    )
                ]
            )
        if (until - since).days >= MAX_DAYS:
            raise ValidationError(
                [
                    Issue(
                        "query",
                        "since",
                        said("a window of at most %(days)s days, please", days=MAX_DAYS),
                    )
                ]
            )
