"""STIX 2.x bundles: reports, campaigns and indicators as signals, threat actors and
intrusion sets as actor sightings.

The bundle is one JSON document, read whole: relationships may come after the
objects they connect. Each object is then checked by the ``stix2`` library on its
own, so one invalid object is a :class:`Rejected` with the library's message and
the rest still goes in. Other object types (malware, tools, identities, cyber
observables, marking definitions, ...) are skipped.

An indicator's pattern is bounded before the library parses it: its pattern parser
recurses per operator and per bracket, so a pattern of a thousand ``OR``s or two
hundred nested parentheses ends in a RecursionError, and a megabyte of pattern
takes seconds. Real patterns stay far below the limits.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

import stix2
import stix2.exceptions

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import ActorSighting, Item, Rejected, SignalKind
from weerbaar.signals.readers._common import language, make_signal, parse_date, shown, tags
from weerbaar.signals.readers._json import find_long_number, load_json
from weerbaar.signals.text import clean

__all__ = ["INVALID_STIX", "read_stix", "read_stix_value"]

ACTOR_TYPES = ("threat-actor", "intrusion-set")
SIGNAL_TYPES = {
    "report": SignalKind.REPORT,
    "campaign": SignalKind.CAMPAIGN,
    "indicator": SignalKind.INDICATOR,
}
LINKING = frozenset({"attributed-to", "uses", "targets", "indicates"})
"""Relationships from a signal to an actor that name the actor in the signal."""

MAX_PATTERN_CHARS = 10_000
MAX_PATTERN_OPERATORS = 100
MAX_PATTERN_DEPTH = 32

_PATTERN_TITLE_CHARS = 120
_PATTERN_STRING = re.compile(r"'(?:[^'\\]|\\.)*'", re.DOTALL)
_PATTERN_OPERATOR = re.compile(r"\b(?:AND|OR|FOLLOWEDBY)\b")
INVALID_STIX = (
    stix2.exceptions.STIXError,
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    OverflowError,
    # A last guard: the library's pattern parser recurses, and how deep it may go
    # depends on the caller's stack; the bounds below keep real input far from it.
    RecursionError,
)


def _pattern_problem(pattern: object) -> str | None:
    """Why a pattern is beyond what is parsed, or None (the library judges the rest)."""
    if not isinstance(pattern, str):
        return None
    if len(pattern) > MAX_PATTERN_CHARS:
        return f"a pattern of {len(pattern):,} characters (at most {MAX_PATTERN_CHARS:,})"
    bare = _PATTERN_STRING.sub("''", pattern)
    operators = len(_PATTERN_OPERATOR.findall(bare))
    if operators > MAX_PATTERN_OPERATORS:
        return f"a pattern of {operators:,} operators (at most {MAX_PATTERN_OPERATORS})"
    depth = deepest = 0
    for char in bare:
        if char in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif char in ")]":
            depth -= 1
    if deepest > MAX_PATTERN_DEPTH:
        return f"a pattern nested {deepest} deep (at most {MAX_PATTERN_DEPTH})"
    return None


def _object_problem(obj: Mapping[str, Any]) -> str | None:
    """What makes an object unfit to give to the library, or None."""
    long_number = find_long_number(obj)
    if long_number is not None:
        return str(long_number)
    return _pattern_problem(obj.get("pattern")) if obj.get("type") == "indicator" else None


def _is_actor(ref: object) -> bool:
    return isinstance(ref, str) and ref.startswith(tuple(f"{t}--" for t in ACTOR_TYPES))


def _date(value: object) -> dt.date | None:
    """stix2 turns timestamps into datetimes (UTC)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, str):
        return parse_date(value)
    return None


def _strings(value: object) -> list[str]:
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _url(obj: Mapping[str, Any]) -> str | None:
    for reference in obj.get("external_references") or []:
        url = reference.get("url") if isinstance(reference, Mapping) else None
        if isinstance(url, str) and url.strip():
            return url
    return None


def _actor(obj: Mapping[str, Any], origin: str) -> ActorSighting:
    resource = obj.get("resource_level")
    if obj["type"] == "threat-actor":
        state = (
            "nation-state" in _strings(obj.get("threat_actor_types"))
            or obj.get("sophistication") == "government"
            or resource == "government"
        )
    else:
        state = resource == "government"
    return ActorSighting(
        external_id=obj["id"],
        name=clean(obj.get("name"), 500),
        state=state,
        description=clean(obj.get("description")),
        aliases=tags(_strings(obj.get("aliases"))),
        origin=origin,
        markings=tags(_strings(obj.get("object_marking_refs"))),
    )


def _signal(
    obj: Mapping[str, Any],
    origin: str,
    source: str,
    actors: list[str],
    bundle_date: dt.date | None,
) -> Item:
    kind = SIGNAL_TYPES[obj["type"]]
    title = obj.get("name")
    summary = obj.get("description")
    created = _date(obj.get("created"))
    if kind is SignalKind.REPORT:
        published = _date(obj.get("published"))
        actors = [ref for ref in _strings(obj.get("object_refs")) if _is_actor(ref)] + actors
        labels = _strings(obj.get("report_types"))
    elif kind is SignalKind.CAMPAIGN:
        published = _date(obj.get("first_seen")) or created
        labels = []
    else:
        published = _date(obj.get("valid_from")) or created
        pattern = obj.get("pattern") or ""
        if not title:
            title = pattern[:_PATTERN_TITLE_CHARS]
        summary = f"{summary}\n{pattern}" if summary else pattern
        labels = _strings(obj.get("indicator_types"))
    return make_signal(
        origin=origin,
        title=title,
        summary=summary,
        published_on=published or bundle_date,
        source=source,
        kind=kind,
        url=_url(obj),
        lang=language(obj.get("lang")),
        external_id=obj["id"],
        actors=actors,
        tag_values=_strings(obj.get("labels")) + labels,
        markings=_strings(obj.get("object_marking_refs")),
    )


def read_stix_value(value: object, name: str, *, source: str | None = None) -> Iterator[Item]:
    """The items of an already parsed STIX bundle (or of one bare STIX object)."""
    if not isinstance(value, dict):
        raise FileFormatError(f"{name}: not a STIX bundle (a JSON object with type 'bundle')")
    if value.get("type") == "bundle":
        objects = value.get("objects", [])
        if not isinstance(objects, list):
            raise FileFormatError(f"{name}: the bundle's 'objects' is not a list")
    elif isinstance(value.get("type"), str) and isinstance(value.get("id"), str):
        objects = [value]
    else:
        raise FileFormatError(f"{name}: not a STIX bundle (a JSON object with type 'bundle')")
    bundle_date = _date(value.get("created"))

    # First pass, on the raw objects: who is who, and what names which actor.
    identities: dict[str, str] = {}
    linked: dict[str, list[str]] = {}
    for obj in objects:
        if not isinstance(obj, dict):
            continue
        kind = obj.get("type")
        if kind == "identity" and isinstance(obj.get("id"), str):
            identity_name = clean(obj.get("name") if isinstance(obj.get("name"), str) else "")
            if identity_name:
                identities[obj["id"]] = identity_name
        elif kind == "relationship" and obj.get("relationship_type") in LINKING:
            source_ref, target_ref = obj.get("source_ref"), obj.get("target_ref")
            if (
                isinstance(source_ref, str)
                and isinstance(target_ref, str)
                and _is_actor(target_ref)
            ):
                linked.setdefault(source_ref, []).append(target_ref)

    fallback = source or name
    for number, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict):
            yield Rejected(f"{name} object {number}", "not a JSON object")
            continue
        kind = obj.get("type")
        if kind not in SIGNAL_TYPES and kind not in ACTOR_TYPES:
            continue
        object_id = obj.get("id")
        label = shown(object_id) if isinstance(object_id, str) else f"object {number}"
        origin = f"{name} {label}"
        problem = _object_problem(obj)
        if problem is not None:
            yield Rejected(origin, f"invalid STIX {kind}: {problem}")
            continue
        try:
            parsed = stix2.parse(obj, allow_custom=True)
        except INVALID_STIX as exc:
            yield Rejected(origin, shown(f"invalid STIX {kind}: {exc}", 500))
            continue
        if kind in ACTOR_TYPES:
            yield _actor(parsed, origin)
            continue
        creator = identities.get(parsed.get("created_by_ref") or "")
        yield _signal(
            parsed, origin, creator or fallback, linked.get(parsed["id"], []), bundle_date
        )


def read_stix(data: bytes, name: str, *, source: str | None = None) -> Iterator[Item]:
    """The reports, campaigns, indicators and actors of a STIX 2.x bundle."""
    value = load_json(data, name)
    yield from read_stix_value(value, name, source=source)
