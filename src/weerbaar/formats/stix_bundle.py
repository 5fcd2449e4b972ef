"""Register records as STIX 2.1 objects: what ``weerbaar export x.stix.json``, ``GET
/api/v1/stix`` and the TAXII server hand out.

- **Actors** are ``threat-actor`` objects when they are state actors (with
  ``threat_actor_types: ["nation-state"]`` and ``resource_level: "government"``) and
  ``intrusion-set`` objects otherwise: a state is an actor with a sponsor's intent,
  while a group without one is a set of intrusions with shared traits. An actor whose
  ``external_id`` is itself the id of a STIX ``threat-actor`` or ``intrusion-set``
  (an ATT&CK group, say) keeps that type and id, so that it is the same object as its
  source's; a state actor that so becomes an intrusion set carries
  ``resource_level: "government"``, which reads back as a state.
- **Signals** of kind report or campaign are ``report`` objects; the others (news,
  indicators) are ``note`` objects. Both refer to the actors and scenarios they name;
  a STIX report or note must refer to something, so one that names none refers to
  weerbaar's identity.
- **Scenarios** and **threat levels** (a scope's current level, ``level_states``) are
  the new object types ``x-weerbaar-scenario`` and ``x-weerbaar-threat-level``,
  declared by one ``extension-definition`` (STIX 2.1 §7.3) that also carries the actor
  properties STIX has no place for (sponsor, targeted sectors, victims, assessed
  intent and capability).

Every object has a stable id: a UUIDv5 of its entity and key, unless it keeps its
source's as above. Each is created by weerbaar's identity and carries the TLP
marking that :meth:`~weerbaar.domain.markings.MarkingTable.outgoing` gives its
marking (worked out by the caller, from the marking table): the TLP 2.0 marking
definitions of the OASIS TLP 2.0 extension, or where a name has no TLP 2.0 form
(``tlp:white``) the TLP 1.0 definitions of STIX 2.1 §7.2.1.4.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from weerbaar.domain.enums import ActorKind, SignalKind
from weerbaar.formats.atomic import write_atomic
from weerbaar.formats.tables import json_bytes

__all__ = [
    "EXPORTED",
    "EXTENSION_ID",
    "IDENTITY_ID",
    "REFERS_TO",
    "TLP2_IDS",
    "Dated",
    "actor_id",
    "actor_type",
    "bundle",
    "marking_id",
    "record_objects",
    "supporting_objects",
    "timestamp",
    "write_bundle",
]

EXPORTED = ("actors", "signals", "scenarios", "level_states")
"""The entities that leave as STIX, in the order they are written."""
REFERS_TO: dict[str, tuple[str, ...]] = {
    "actors": (),
    "signals": ("actors", "scenarios"),
    "scenarios": ("actors",),
}
"""The entities whose objects an entity's objects refer to."""

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://weerbaar.nl/stix")
_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # when weerbaar's own objects were made


def _stix_id(kind: str, name: str) -> str:
    return f"{kind}--{uuid.uuid5(_NAMESPACE, name)}"


IDENTITY_ID = _stix_id("identity", "weerbaar")
EXTENSION_ID = _stix_id("extension-definition", "weerbaar/1.0")
SCENARIO_TYPE = "x-weerbaar-scenario"
THREAT_LEVEL_TYPE = "x-weerbaar-threat-level"

# The OASIS TLP 2.0 extension and its five marking definitions
# (cti-stix-common-objects, extension-definition-specifications/tlp-2.0).
TLP2_EXTENSION_ID = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"
TLP2_CREATED = "2022-10-01T00:00:00.000Z"
TLP2_IDS = {
    "tlp:clear": "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
    "tlp:green": "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
    "tlp:amber": "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
    "tlp:amber+strict": "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
    "tlp:red": "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
}
_TLP1_NAMES = ("tlp:white", "tlp:green", "tlp:amber", "tlp:red")


@dataclass(frozen=True, slots=True)
class Dated:
    """A record as its reader may see it (references to hidden records redacted), the
    TLP marking it leaves with (``tlp:amber``; from its own marking, by
    :meth:`~weerbaar.domain.markings.MarkingTable.outgoing`), and when it was first
    written and last changed."""

    record: Any
    tlp: str
    created: dt.datetime
    modified: dt.datetime


def timestamp(moment: dt.datetime) -> str:
    """A STIX timestamp, in UTC to the millisecond."""
    utc = moment.astimezone(dt.UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def _split(text: str | None, separator: str = ";") -> list[str]:
    return [part.strip() for part in (text or "").split(separator) if part.strip()]


def _is_stix_id(value: str | None, kinds: Iterable[str]) -> bool:
    if not value:
        return False
    kind, _, rest = value.partition("--")
    if kind not in kinds:
        return False
    try:
        uuid.UUID(rest)
    except ValueError:
        return False
    return True


def actor_type(actor: Any) -> str:
    """``threat-actor`` or ``intrusion-set`` (see the module's docstring)."""
    if _is_stix_id(actor.external_id, ("threat-actor", "intrusion-set")):
        return str(actor.external_id.partition("--")[0])
    return "threat-actor" if actor.kind is ActorKind.STATE else "intrusion-set"


def actor_id(actor: Any) -> str:
    if _is_stix_id(actor.external_id, ("threat-actor", "intrusion-set")):
        return str(actor.external_id)
    return _stix_id(actor_type(actor), f"actors/{actor.key}")


def _signal_type(signal: Any) -> str:
    return "report" if signal.kind in (SignalKind.REPORT, SignalKind.CAMPAIGN) else "note"


def _object_id(entity_name: str, record: Any) -> str:
    if entity_name == "actors":
        return actor_id(record)
    if entity_name == "signals":
        kind = _signal_type(record)
        if _is_stix_id(record.external_id, (kind,)):
            return str(record.external_id)
        return _stix_id(kind, f"signals/{record.key}")
    if entity_name == "scenarios":
        return _stix_id(SCENARIO_TYPE, f"scenarios/{record.key}")
    if entity_name == "level_states":
        return _stix_id(THREAT_LEVEL_TYPE, f"level_states/{record.key}")
    raise ValueError(f"{entity_name} do not leave as STIX")


def marking_id(name: str) -> str:
    """The STIX marking definition of a TLP marking (``tlp:amber``)."""
    if name in TLP2_IDS:
        return TLP2_IDS[name]
    return str(_tlp1(name)["id"])


def _tlp1(name: str) -> dict[str, Any]:
    import stix2  # only for a marking TLP 2.0 cannot say

    found = {
        "tlp:white": stix2.TLP_WHITE,
        "tlp:green": stix2.TLP_GREEN,
        "tlp:amber": stix2.TLP_AMBER,
        "tlp:red": stix2.TLP_RED,
    }.get(name)
    if found is None:
        raise ValueError(f"no STIX marking definition for {name}")
    plain: dict[str, Any] = json.loads(found.serialize())
    return plain


def _marking_definition(stix_id: str) -> dict[str, Any]:
    for name, known in TLP2_IDS.items():
        if known == stix_id:
            level = name.removeprefix("tlp:")
            return {
                "type": "marking-definition",
                "spec_version": "2.1",
                "id": stix_id,
                "created": TLP2_CREATED,
                "name": name.upper(),
                "extensions": {
                    TLP2_EXTENSION_ID: {"extension_type": "property-extension", "tlp_2_0": level}
                },
            }
    for name in _TLP1_NAMES:
        found = _tlp1(name)
        if found["id"] == stix_id:
            return found
    raise ValueError(f"unknown marking definition {stix_id}")


def _common(kind: str, stix_id: str, dated: Dated, key: str) -> dict[str, Any]:
    return {
        "type": kind,
        "spec_version": "2.1",
        "id": stix_id,
        "created_by_ref": IDENTITY_ID,
        "created": timestamp(dated.created),
        "modified": timestamp(max(dated.modified, dated.created)),
        "object_marking_refs": [marking_id(dated.tlp)],
        "external_references": [{"source_name": "weerbaar", "external_id": key}],
    }


def _given(values: Mapping[str, Any]) -> dict[str, Any]:
    """Without the empty ones: STIX has no null."""
    return {k: v for k, v in values.items() if v not in (None, "", [], ())}


def _actor(dated: Dated) -> dict[str, Any]:
    actor = dated.record
    kind = actor_type(actor)
    out = _common(kind, actor_id(actor), dated, actor.key)
    state = actor.kind is ActorKind.STATE
    out.update(
        _given(
            {
                "name": actor.name,
                "description": actor.description or actor.description_en,
                "aliases": _split(actor.synonyms),
                "threat_actor_types": ["nation-state"] if kind == "threat-actor" and state else [],
                "resource_level": "government" if state else None,
            }
        )
    )
    if kind == "threat-actor" and not state:
        out.setdefault("threat_actor_types", ["unknown"])
    for line in _split(actor.references, "\n"):
        out["external_references"].append({"source_name": "reference", "url": line})
    if actor.external_id and actor.external_id != out["id"]:
        out["external_references"].append(
            {"source_name": "origin", "external_id": actor.external_id}
        )
    out["extensions"] = {
        EXTENSION_ID: {
            "extension_type": "property-extension",
            **_given(
                {
                    "kind": str(actor.kind),
                    "name_en": actor.name_en,
                    "description_en": actor.description_en,
                    "country": actor.country,
                    "intent": str(actor.intent),
                    "capability": str(actor.capability),
                    "sponsor": actor.sponsor,
                    "target_sectors": _split(actor.target_sectors),
                    "victims": _split(actor.victims),
                }
            ),
        }
    }
    return out


def _signal(dated: Dated, refs: list[str]) -> dict[str, Any]:
    signal = dated.record
    kind = _signal_type(signal)
    out = _common(kind, _object_id("signals", signal), dated, signal.key)
    if signal.url:
        out["external_references"].append({"source_name": signal.source, "url": signal.url})
    published = dt.datetime.combine(signal.published_on, dt.time(), tzinfo=dt.UTC)
    if kind == "report":
        report_types = ["campaign"] if signal.kind is SignalKind.CAMPAIGN else ["threat-report"]
        out.update(
            _given(
                {
                    "name": signal.title,
                    "description": signal.summary,
                    "report_types": report_types,
                    "published": timestamp(published),
                    "lang": str(signal.language),
                }
            )
        )
    else:
        out.update(
            _given(
                {
                    "abstract": signal.title,
                    "content": signal.summary or signal.title,
                    "authors": [signal.source],
                    "lang": str(signal.language),
                }
            )
        )
    out["object_refs"] = refs or [IDENTITY_ID]
    return out


def _new_sdo(
    kind: str, entity_name: str, dated: Dated, values: Mapping[str, Any]
) -> dict[str, Any]:
    out = _common(kind, _object_id(entity_name, dated.record), dated, dated.record.key)
    out.update(_given(values))
    out["extensions"] = {EXTENSION_ID: {"extension_type": "new-sdo"}}
    return out


def _scenario(dated: Dated, actor_refs: list[str]) -> dict[str, Any]:
    scenario = dated.record
    return _new_sdo(
        SCENARIO_TYPE,
        "scenarios",
        dated,
        {
            "name": scenario.title,
            "name_en": scenario.title_en,
            "description": scenario.narrative,
            "description_en": scenario.narrative_en,
            "scenario_kind": str(scenario.kind),
            "theme": scenario.theme,
            "threat": scenario.threat,
            "horizon_years": scenario.horizon_years,
            "actor_refs": actor_refs,
        },
    )


def _threat_level(dated: Dated) -> dict[str, Any]:
    state = dated.record
    scope = " ".join(part for part in (state.sector, state.region, state.site) if part)
    return _new_sdo(
        THREAT_LEVEL_TYPE,
        "level_states",
        dated,
        {
            "name": f"{state.scale} {scope}".strip(),
            "scale": state.scale,
            "sector": state.sector,
            "region": state.region,
            "site": state.site,
            "theme": state.theme,
            "level": state.level,
            "since": timestamp(state.since),
        },
    )


def record_objects(dated: Mapping[str, Sequence[Dated]]) -> dict[str, list[dict[str, Any]]]:
    """The STIX object of each record, per entity, in the order given. References go
    only to records given here: what the reader may not see is not named."""
    actor_ids = {d.record.key: actor_id(d.record) for d in dated.get("actors", ())}
    scenario_ids = {
        d.record.key: _object_id("scenarios", d.record) for d in dated.get("scenarios", ())
    }

    def refs(keys: Iterable[str], ids: Mapping[str, str]) -> list[str]:
        return [ids[key] for key in keys if key in ids]

    out: dict[str, list[dict[str, Any]]] = {}
    out["actors"] = [_actor(d) for d in dated.get("actors", ())]
    out["signals"] = [
        _signal(
            d,
            refs(d.record.actors, actor_ids) + refs(d.record.scenarios, scenario_ids),
        )
        for d in dated.get("signals", ())
    ]
    out["scenarios"] = [
        _scenario(d, refs(d.record.actors, actor_ids)) for d in dated.get("scenarios", ())
    ]
    out["level_states"] = [_threat_level(d) for d in dated.get("level_states", ())]
    return out


def identity() -> dict[str, Any]:
    return {
        "type": "identity",
        "spec_version": "2.1",
        "id": IDENTITY_ID,
        "created": timestamp(_EPOCH),
        "modified": timestamp(_EPOCH),
        "name": "weerbaar",
        "description": "the national register of risks and threats",
        "identity_class": "system",
        "object_marking_refs": [TLP2_IDS["tlp:clear"]],
    }


def extension_definition() -> dict[str, Any]:
    return {
        "type": "extension-definition",
        "spec_version": "2.1",
        "id": EXTENSION_ID,
        "created_by_ref": IDENTITY_ID,
        "created": timestamp(_EPOCH),
        "modified": timestamp(_EPOCH),
        "name": "weerbaar",
        "description": (
            "weerbaar's scenarios (x-weerbaar-scenario) and threat levels "
            "(x-weerbaar-threat-level), and the actor properties STIX has no place for"
        ),
        "schema": "weerbaar, docs/threat-intelligence.md: STIX 2.1 out and the TAXII server",
        "version": "1.0.0",
        "extension_types": ["new-sdo", "property-extension"],
        "object_marking_refs": [TLP2_IDS["tlp:clear"]],
    }


def supporting_objects(objects: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """What ``objects`` stand on: weerbaar's identity, the extension definition and the
    marking definitions they refer to; nothing when there are no objects."""
    markings: dict[str, None] = {}
    extended = False
    for obj in objects:
        for ref in obj.get("object_marking_refs", ()):
            markings.setdefault(ref, None)
        extended = extended or EXTENSION_ID in obj.get("extensions", {})
    if not markings:
        return []
    markings.setdefault(TLP2_IDS["tlp:clear"], None)  # weerbaar's own objects' marking
    out = [identity()]
    if extended:
        out.append(extension_definition())
    out += [_marking_definition(ref) for ref in sorted(markings)]
    return out


def bundle(objects: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """A bundle of ``objects`` and what they stand on; its id is derived from the
    objects' ids and versions, so the same register gives the same bundle."""
    everything = [*supporting_objects(objects), *objects]
    name = "\n".join(f"{o['id']} {o.get('modified', o.get('created', ''))}" for o in everything)
    return {
        "type": "bundle",
        "id": f"bundle--{uuid.uuid5(_NAMESPACE, name)}",
        "objects": everything,
    }


def write_bundle(path: Path, data: Mapping[str, Any]) -> Path:
    """Write a bundle as JSON, atomically."""
    return write_atomic(path, json_bytes(data))
