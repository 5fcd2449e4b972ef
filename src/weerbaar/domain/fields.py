"""How a register field is described, and how a raw value becomes a typed one.

Every edge (files, CLI options, later web forms) hands raw values to
:func:`coerce`, so a bad value gets the same reason wherever it came from.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from enum import Enum, StrEnum
from typing import Any, TypeAlias

from weerbaar.errors import said

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9-]{1,63}$")
LIST_SEPARATOR = ";"
MAX_TEXT = 20_000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")  # control characters but tab, LF, CR

Value: TypeAlias = str | int | float | dt.date | dt.datetime | tuple[str, ...] | None


class FieldKind(StrEnum):
    KEY = "key"
    TEXT = "text"
    INT = "integer"
    NUMBER = "number"
    DATE = "date"
    TIME = "timestamp"
    ENUM = "enum"
    REF = "reference"
    REFS = "references"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    kind: FieldKind
    required: bool
    help: str = ""
    enum: type[StrEnum] | None = None
    target: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    default: Value = None

    @property
    def is_reference(self) -> bool:
        return self.kind in (FieldKind.REF, FieldKind.REFS)


class FieldValueError(ValueError):
    """A raw value that does not fit its field; the message is the reason."""


def is_blank(raw: object) -> bool:
    return raw is None or (isinstance(raw, str) and raw.strip() == "")


def coerce(spec: FieldSpec, raw: object) -> Value:
    """Turn a raw value (from JSON, YAML, a CSV cell, an XLSX cell or an option) into
    the field's type, or raise :class:`FieldValueError` saying why not."""
    if spec.kind is FieldKind.REFS:
        return _coerce_refs(raw)
    if is_blank(raw):
        if spec.required and spec.default is None:
            raise FieldValueError(said("missing value (required)"))
        return spec.default
    match spec.kind:
        case FieldKind.KEY | FieldKind.REF:
            return _coerce_key(raw)
        case FieldKind.TEXT:
            return _coerce_text(raw)
        case FieldKind.INT:
            return _coerce_int(spec, raw)
        case FieldKind.NUMBER:
            return _coerce_number(spec, raw)
        case FieldKind.DATE:
            return _coerce_date(raw)
        case FieldKind.TIME:
            return _coerce_time(raw)
        case FieldKind.ENUM:
            assert spec.enum is not None
            return _coerce_enum(spec.enum, raw)
    raise AssertionError(spec.kind)  # pragma: no cover - exhaustive match


def _coerce_key(raw: object) -> str:
    if not isinstance(raw, str):
        raise FieldValueError(
            said(
                "expected a key (text), got %(type)s %(value)s",
                type=type(raw).__name__,
                value=repr(raw),
            )
        )
    value = raw.strip()
    if not KEY_PATTERN.fullmatch(value):
        raise FieldValueError(
            said(
                "bad key %(key)s: use 2–64 lower-case letters, digits and hyphens, "
                "starting with a letter",
                key=repr(value),
            )
        )
    return value


def _coerce_refs(raw: object) -> tuple[str, ...]:
    if is_blank(raw):
        return ()
    if isinstance(raw, str):
        parts: list[object] = [p for p in raw.split(LIST_SEPARATOR) if p.strip()]
    elif isinstance(raw, list | tuple):
        parts = list(raw)
    else:
        raise FieldValueError(
            said(
                "expected a list of keys, got %(type)s %(value)s",
                type=type(raw).__name__,
                value=repr(raw),
            )
        )
    keys = [_coerce_key(p) for p in parts]
    seen: set[str] = set()
    for key in keys:
        if key in seen:
            raise FieldValueError(said("key %(key)s is listed twice", key=repr(key)))
        seen.add(key)
    return tuple(keys)


def _coerce_text(raw: object) -> str:
    if isinstance(raw, bool) or not isinstance(raw, str | int | float):
        raise FieldValueError(said("expected text, got %(type)s", type=type(raw).__name__))
    value = str(raw).strip()
    if len(value) > MAX_TEXT:
        raise FieldValueError(
            said(
                "text too long: %(length)s characters, at most %(most)s",
                length=len(value),
                most=MAX_TEXT,
            )
        )
    if _CONTROL.search(value):
        raise FieldValueError(said("text holds control characters"))
    return value


def _coerce_int(spec: FieldSpec, raw: object) -> int:
    if isinstance(raw, bool):
        raise FieldValueError(said("expected a whole number, got %(value)s", value=repr(raw)))
    if isinstance(raw, int):
        value = raw
    elif isinstance(raw, float) and raw.is_integer():
        value = int(raw)
    elif isinstance(raw, str) and re.fullmatch(r"\s*[+-]?\d{1,9}\s*", raw):
        value = int(raw)
    else:
        raise FieldValueError(said("expected a whole number, got %(value)s", value=repr(raw)))
    if spec.minimum is not None and value < spec.minimum:
        raise FieldValueError(
            said("%(value)s is below the minimum %(minimum)s", value=value, minimum=spec.minimum)
        )
    if spec.maximum is not None and value > spec.maximum:
        raise FieldValueError(
            said("%(value)s is above the maximum %(maximum)s", value=value, maximum=spec.maximum)
        )
    return value


def _coerce_number(spec: FieldSpec, raw: object) -> float:
    if isinstance(raw, bool):
        raise FieldValueError(said("expected a number, got %(value)s", value=repr(raw)))
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        text = raw.strip().replace("_", "")
        try:
            value = float(text)
        except ValueError:
            raise FieldValueError(
                said("expected a number, got %(value)s", value=repr(raw))
            ) from None
    else:
        raise FieldValueError(said("expected a number, got %(value)s", value=type(raw).__name__))
    if not math.isfinite(value):
        raise FieldValueError(said("expected a finite number, got %(value)s", value=repr(raw)))
    if spec.minimum is not None and value < spec.minimum:
        raise FieldValueError(
            said(
                "%(value)s is below the minimum %(minimum)s",
                value=format(value, "g"),
                minimum=format(spec.minimum, "g"),
            )
        )
    if spec.maximum is not None and value > spec.maximum:
        raise FieldValueError(
            said(
                "%(value)s is above the maximum %(maximum)s",
                value=format(value, "g"),
                maximum=format(spec.maximum, "g"),
            )
        )
    return value


def _coerce_date(raw: object) -> dt.date:
    if isinstance(raw, dt.datetime):
        if raw.time() != dt.time(0):
            raise FieldValueError(
                said("expected a date, got a date and time %(value)s", value=raw.isoformat())
            )
        return raw.date()
    if isinstance(raw, dt.date):
        return raw
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw.strip())
        except ValueError:
            pass
    raise FieldValueError(
        said("bad date %(value)s: use YYYY-MM-DD, e.g. 2019-06-01", value=repr(raw))
    )


def _coerce_time(raw: object) -> dt.datetime:
    """A moment, kept in UTC; one without a zone is read as UTC, since a register
    shared across the country has no other local time to assume."""
    value: dt.datetime | None = None
    if isinstance(raw, dt.datetime):
        value = raw
    elif isinstance(raw, str):
        try:
            value = dt.datetime.fromisoformat(raw.strip())
        except ValueError:
            value = None
    if value is None:
        raise FieldValueError(
            said(
                "bad date and time %(value)s: use ISO 8601, e.g. 2026-11-29T14:30:00+01:00",
                value=repr(raw),
            )
        )
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC)


def _coerce_enum(enum: type[StrEnum], raw: object) -> str:
    text = str(raw).strip() if isinstance(raw, str | int) and not isinstance(raw, bool) else None
    allowed = [m.value for m in enum]
    if text is None or text not in allowed:
        raise FieldValueError(
            said(
                "bad value %(value)s: expected one of %(allowed)s",
                value=repr(raw),
                allowed=", ".join(allowed),
            )
        )
    return enum(text)


def to_plain(value: Any) -> Any:
    """A value as JSON holds it: dates as ISO text, tuples as lists, enums as values."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    if isinstance(value, Enum):
        return value.value
    return value
