"""Threat actors from a MISP galaxy cluster file or a STIX 2.1 bundle (ATT&CK groups).

:func:`read_actors` takes the bytes of one file and its name and tells by the content
which of the two it is; anything else is refused with a
:class:`~weerbaar.errors.FileFormatError` naming the file. Each actor is checked on
its own: a cluster without a value, or an invalid STIX object, is
:class:`~weerbaar.signals.items.Rejected` with its place ("threat-actor.json value
17") and the rest still reads; deprecated and revoked ATT&CK groups are
:class:`Skipped`. No database here: what the register makes of these entries is
:mod:`weerbaar.services.actor_import`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import stix2

from weerbaar.errors import FileFormatError, said
from weerbaar.signals.items import Rejected
from weerbaar.signals.readers._common import kind_of, shown, web_address
from weerbaar.signals.readers._json import find_long_number, load_json
from weerbaar.signals.readers.stix import INVALID_STIX
from weerbaar.signals.text import clean

__all__ = [
    "ACTOR_GALAXIES",
    "SPONSOR_COUNTRIES",
    "ActorEntry",
    "ActorFile",
    "ActorItem",
    "Skipped",
    "read_actors",
]

ACTOR_GALAXIES = frozenset(
    {
        "threat-actor",
        "mitre-intrusion-set",
        "mitre-enterprise-attack-intrusion-set",
        "mitre-mobile-attack-intrusion-set",
        "mitre-pre-attack-intrusion-set",
    }
)
"""Galaxy types whose clusters are threat actors."""
STIX_ACTOR_TYPES = ("intrusion-set", "threat-actor")

MAX_NAME_CHARS = 200
MAX_ITEM_CHARS = 500

SPONSOR_COUNTRIES: Mapping[str, str] = {
    # The names the MISP threat-actor galaxy gives in cfr-suspected-state-sponsor, with
    # their ISO 3166-1 alpha-2 code. A name not listed leaves the country blank: a
    # guess would put a wrong state in the register.
    "belarus": "BY",
    "china": "CN",
    "people's republic of china": "CN",
    "france": "FR",
    "india": "IN",
    "iran": "IR",
    "iran (islamic republic of)": "IR",
    "israel": "IL",
    "korea (democratic people's republic of)": "KP",
    "north korea": "KP",
    "korea (republic of)": "KR",
    "south korea": "KR",
    "lebanon": "LB",
    "pakistan": "PK",
    "palestine": "PS",
    "russia": "RU",
    "russian federation": "RU",
    "spain": "ES",
    "united arab emirates": "AE",
    "united kingdom": "GB",
    "united states": "US",
    "us": "US",
    "usa": "US",
    "vietnam": "VN",
    "viet nam": "VN",
}
_NO_SPONSOR = frozenset({"", "unknown", "none", "n/a"})
_ALPHA2 = re.compile(r"[A-Za-z]{2}")


@dataclass(frozen=True, slots=True)
class ActorEntry:
    """One threat actor as the file describes it; texts cleaned, lists without repeats."""

    origin: str  # "threat-actor.json value 17", "groups.json intrusion-set--…"
    name: str
    external_id: str | None = None  # the galaxy's UUID, or the STIX id
    description: str = ""
    synonyms: tuple[str, ...] = ()
    sponsor: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-2 of its sponsor, when known
    state: bool = False
    target_sectors: tuple[str, ...] = ()
    victims: tuple[str, ...] = ()
    references: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Skipped:
    """An actor the file itself withdraws (deprecated or revoked)."""

    origin: str
    reason: str


ActorItem = ActorEntry | Rejected | Skipped


@dataclass(frozen=True, slots=True)
class ActorFile:
    name: str
    kind: str  # "galaxy" or "stix"
    items: tuple[ActorItem, ...]


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []


def names(values: Iterable[str], *, without: Iterable[str] = ()) -> tuple[str, ...]:
    """Cleaned, each once (case ignored), none of ``without``; a ";" inside a name
    becomes "," since the register separates names with "; "."""
    seen = {w.casefold() for w in without}
    kept: list[str] = []
    for value in values:
        item = clean(value.replace(";", ","), MAX_ITEM_CHARS)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            kept.append(item)
    return tuple(kept)


def _addresses(values: Iterable[str]) -> tuple[str, ...]:
    kept: dict[str, None] = {}
    for value in values:
        address = web_address(value)
        if address is not None and not any(c.isspace() for c in address):
            kept.setdefault(address, None)
    return tuple(kept)


def _country(meta: Mapping[str, Any], sponsor: str | None) -> str | None:
    if sponsor is None:
        return None
    mapped = SPONSOR_COUNTRIES.get(sponsor.casefold())
    if mapped is not None:
        return mapped
    code = meta.get("country")
    if isinstance(code, str) and _ALPHA2.fullmatch(code.strip()):
        return code.strip().upper()
    return None


def _cluster(value: object, origin: str) -> ActorEntry | Rejected:
    if not isinstance(value, dict):
        return Rejected(origin, said("%(found)s, not a cluster", found=kind_of(value)))
    long_number = find_long_number(value)
    if long_number is not None:
        return Rejected(origin, str(long_number))
    name = clean(value.get("value") if isinstance(value.get("value"), str) else "", MAX_NAME_CHARS)
    if not name:
        return Rejected(origin, said("no value"))
    uuid = value.get("uuid")
    description = value.get("description")
    meta = value.get("meta")
    meta = meta if isinstance(meta, Mapping) else {}
    sponsors = [
        s
        for s in names(_strings(meta.get("cfr-suspected-state-sponsor")))
        if s.casefold() not in _NO_SPONSOR
    ]
    sponsor = "; ".join(sponsors) or None
    return ActorEntry(
        origin=origin,
        name=name,
        external_id=clean(uuid, MAX_ITEM_CHARS) or None if isinstance(uuid, str) else None,
        description=clean(description if isinstance(description, str) else ""),
        synonyms=names(_strings(meta.get("synonyms")), without=[name]),
        sponsor=sponsor,
        country=_country(meta, sponsors[0] if len(sponsors) == 1 else None),
        state=sponsor is not None,
        target_sectors=names(
            _strings(meta.get("cfr-target-category")) + _strings(meta.get("targeted-sector"))
        ),
        victims=names(
            _strings(meta.get("cfr-suspected-victims")) + _strings(meta.get("suspected-victims"))
        ),
        references=_addresses(_strings(meta.get("refs"))),
    )


def _galaxy(value: Mapping[str, Any], name: str) -> ActorFile:
    kind = value.get("type")
    if kind not in ACTOR_GALAXIES:
        raise FileFormatError(
            said(
                "%(name)s: a MISP galaxy of type %(type)s; only threat-actor and ATT&CK "
                "intrusion-set galaxies hold actors",
                name=name,
                type=repr(kind) if isinstance(kind, str) else kind_of(kind),
            )
        )
    values = value["values"]
    items = tuple(
        _cluster(cluster, f"{name} value {number}")
        for number, cluster in enumerate(values, start=1)
    )
    return ActorFile(name, "galaxy", items)


def _stix_actor(obj: Mapping[str, Any], origin: str) -> ActorItem:
    if obj.get("revoked") is True:
        return Skipped(origin, said("revoked"))
    if obj.get("x_mitre_deprecated") is True:
        return Skipped(origin, said("deprecated"))
    long_number = find_long_number(obj)
    if long_number is not None:
        return Rejected(origin, str(long_number))
    try:
        parsed = stix2.parse(obj, allow_custom=True)
    except INVALID_STIX as exc:
        return Rejected(origin, shown(said("invalid STIX object: %(error)s", error=exc), 500))
    name = clean(parsed.get("name"), MAX_NAME_CHARS)
    if not name:
        return Rejected(origin, said("no name"))
    resource = parsed.get("resource_level")
    state = resource == "government" or (
        parsed["type"] == "threat-actor"
        and (
            "nation-state" in _strings(parsed.get("threat_actor_types"))
            or parsed.get("sophistication") == "government"
        )
    )
    urls = [
        url
        for r in parsed.get("external_references") or []
        if isinstance(r, Mapping) and isinstance(url := r.get("url"), str)
    ]
    return ActorEntry(
        origin=origin,
        name=name,
        external_id=parsed["id"],
        description=clean(parsed.get("description")),
        synonyms=names(_strings(list(parsed.get("aliases") or [])), without=[name]),
        state=state,
        references=_addresses(urls),
    )


def _bundle(value: Mapping[str, Any], name: str) -> ActorFile:
    objects = value.get("objects", [])
    if not isinstance(objects, list):
        raise FileFormatError(said("%(name)s: the bundle's objects are not a list", name=name))
    items: list[ActorItem] = []
    for number, obj in enumerate(objects, start=1):
        if not isinstance(obj, dict):
            items.append(Rejected(f"{name} object {number}", said("not a JSON object")))
            continue
        if obj.get("type") not in STIX_ACTOR_TYPES:
            continue
        object_id = obj.get("id")
        label = shown(object_id) if isinstance(object_id, str) else f"object {number}"
        items.append(_stix_actor(obj, f"{name} {label}"))
    return ActorFile(name, "stix", tuple(items))


def read_actors(data: bytes, name: str) -> ActorFile:
    """The actors of a MISP galaxy cluster file or a STIX bundle, by its content."""
    if not data.strip():
        raise FileFormatError(said("%(name)s: the file is empty", name=name))
    value = load_json(data, name)
    if isinstance(value, dict) and isinstance(value.get("values"), list):
        return _galaxy(value, name)
    if isinstance(value, dict) and value.get("type") == "bundle":
        return _bundle(value, name)
    raise FileFormatError(
        said(
            "%(name)s: neither a MISP galaxy cluster file (an object with 'values') nor a "
            "STIX bundle (an object with type 'bundle'); found %(found)s",
            name=name,
            found=kind_of(value),
        )
    )
