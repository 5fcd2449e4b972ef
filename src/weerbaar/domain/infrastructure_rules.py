"""Register rules for vital processes and their dependencies: a process does not
depend on itself, and every range runs from its low end up to its high end."""

from __future__ import annotations

from typing import Any

from weerbaar.domain.entities.infrastructure import Dependency, VitalProcess
from weerbaar.errors import said

Problems = list[tuple[str, str]]


def infrastructure_problems(record: Any) -> Problems | None:
    """The record's problems, or None if it is neither a vital process nor a dependency."""
    match record:
        case VitalProcess():
            return _range(record, "restart_hours")
        case Dependency():
            out = []
            if record.supplier == record.dependent:
                out.append(("dependent", said("a process cannot depend on itself")))
            return out + _range(record, "lag_hours") + _range(record, "buffer_hours")
    return None


def _range(record: Any, low_field: str) -> Problems:
    low, high = getattr(record, low_field), getattr(record, f"{low_field}_high")
    if high is None:
        return []
    if low is None:
        return [
            (f"{low_field}_high", said("a longest value needs %(field)s as well", field=low_field))
        ]
    if high < low:
        return [
            (
                f"{low_field}_high",
                said(
                    "%(high)s is below %(field)s (%(low)s)",
                    high=format(high, "g"),
                    field=low_field,
                    low=format(low, "g"),
                ),
            )
        ]
    return []
