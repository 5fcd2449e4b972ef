"""MISP event exports: ``{"Event": {...}}``, a list of those, or ``{"response": [...]}``.

An event becomes a report signal; the threat-actor galaxy clusters attached to it
become actor sightings, and the event names them by their uuid.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator, Mapping
from typing import Any

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import ActorSighting, Item, Rejected, SignalKind
from weerbaar.signals.readers._common import kind_of, make_signal, parse_date, shown, tags
from weerbaar.signals.readers._json import load_json
from weerbaar.signals.text import clean

__all__ = ["read_misp", "read_misp_value"]

TEXT_TYPES = frozenset({"text", "comment", "link", "other"})
"""Attribute types whose values are prose (or a source link) rather than indicators."""
MAX_TEXT_PIECES = 20
_STATE_KEYS = ("cfr-suspected-state-sponsor", "country")
# Seconds since 1970 in ASCII digits: str.isdigit() also passes "²" and "٣", and
# twelve digits reach past the year 9999 already.
_TIMESTAMP = re.compile(r"[0-9]{1,12}")


def _list(event: object, key: str) -> list[Any] | str:
    """The event's (or object's) list under ``key``, or why not. One object counts as
    a list of one (XML-to-JSON converters write a single attribute that way)."""
    value = event.get(key) if isinstance(event, Mapping) else None
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    if isinstance(value, list):
        return value
    return f"field {key!r}: {kind_of(value)}, not a list"


def _date(event: Mapping[str, Any]) -> dt.date | None:
    date = event.get("date")
    if isinstance(date, str) and (parsed := parse_date(date)):
        return parsed
    for key in ("timestamp", "publish_timestamp"):
        stamp = event.get(key)
        if isinstance(stamp, str) and _TIMESTAMP.fullmatch(stamp.strip()):
            stamp = int(stamp)
        if isinstance(stamp, int) and not isinstance(stamp, bool) and stamp > 0:
            try:
                return dt.datetime.fromtimestamp(stamp, dt.UTC).date()
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def _actors(galaxies: list[Any], origin: str) -> Iterator[ActorSighting]:
    for galaxy in galaxies:
        if not isinstance(galaxy, Mapping):
            continue
        clusters = galaxy.get("GalaxyCluster")
        for cluster in clusters if isinstance(clusters, list) else []:
            if not isinstance(cluster, Mapping):
                continue
            kind = cluster.get("type") or galaxy.get("type")
            uuid, value = cluster.get("uuid"), cluster.get("value")
            if kind != "threat-actor" or not isinstance(uuid, str) or not isinstance(value, str):
                continue
            meta = cluster.get("meta")
            meta = meta if isinstance(meta, Mapping) else {}
            description = cluster.get("description")
            yield ActorSighting(
                external_id=uuid,
                name=clean(value, 500),
                state=any(_strings(meta.get(key)) for key in _STATE_KEYS),
                description=clean(description if isinstance(description, str) else ""),
                aliases=tags(_strings(meta.get("synonyms"))),
                origin=origin,
            )


def _event(event: Mapping[str, Any], origin: str, fallback: str) -> Iterator[Item]:
    lists: dict[str, list[Any]] = {}
    for key in ("Attribute", "Object", "Tag", "Galaxy"):
        found = _list(event, key)
        if isinstance(found, str):
            yield Rejected(origin, found)
            return
        lists[key] = found
    attributes = [a for a in lists["Attribute"] if isinstance(a, Mapping)]
    for number, obj in enumerate(lists["Object"], start=1):
        inner = _list(obj, "Attribute")
        if isinstance(inner, str):
            yield Rejected(origin, f"object {number}: {inner}")
            return
        attributes += [a for a in inner if isinstance(a, Mapping)]

    actors = list(_actors(lists["Galaxy"], origin))
    yield from actors

    info = event.get("info") if isinstance(event.get("info"), str) else None
    texts: list[str] = []
    url = None
    for attribute in attributes:
        kind, value, comment = (attribute.get(k) for k in ("type", "value", "comment"))
        if kind == "link" and url is None and isinstance(value, str) and value.strip():
            url = value.strip()
        if len(texts) >= MAX_TEXT_PIECES:
            continue
        if kind in TEXT_TYPES and isinstance(value, str) and value.strip():
            texts.append(value)
        if isinstance(comment, str) and comment.strip():
            texts.append(comment)
    pieces = ([info] if info else []) + texts[:MAX_TEXT_PIECES]

    orgc = event.get("Orgc")
    org_name = orgc.get("name") if isinstance(orgc, Mapping) else None
    uuid = event.get("uuid")
    tag_names = [n for t in lists["Tag"] if isinstance(t, Mapping) for n in _strings(t.get("name"))]
    yield make_signal(
        origin=origin,
        title=info,
        summary="\n".join(pieces),
        published_on=_date(event),
        source=org_name if isinstance(org_name, str) and org_name.strip() else fallback,
        kind=SignalKind.REPORT,
        url=url,
        external_id=uuid if isinstance(uuid, str) else None,
        actors=[actor.external_id for actor in actors],
        tag_values=tag_names,
        markings=tag_names,
    )


def read_misp_value(value: object, name: str, *, source: str | None = None) -> Iterator[Item]:
    """The items of an already parsed MISP export."""
    if isinstance(value, dict) and "response" in value:
        value = value["response"]
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise FileFormatError(
            f'{name}: not a MISP export ({{"Event": ...}}, a list of those, '
            f'or {{"response": [...]}}); found {kind_of(value)}'
        )
    fallback = source or name
    for number, wrapper in enumerate(value, start=1):
        event = wrapper.get("Event", wrapper) if isinstance(wrapper, dict) else wrapper
        if not isinstance(event, dict):
            yield Rejected(f"{name} event {number}", f"{kind_of(event)}, not an event")
            continue
        uuid = event.get("uuid")
        label = shown(uuid) if isinstance(uuid, str) and uuid.strip() else str(number)
        yield from _event(event, f"{name} event {label}", fallback)


def read_misp(data: bytes, name: str, *, source: str | None = None) -> Iterator[Item]:
    """The events of a MISP JSON export, and the threat actors their galaxies name."""
    value = load_json(data, name)
    yield from read_misp_value(value, name, source=source)
