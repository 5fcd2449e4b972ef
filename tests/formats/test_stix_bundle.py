"""STIX 2.1 out: the register's actors, signals, scenarios and threat levels as a
bundle the OASIS library reads, with stable ids, the TLP marking each record's own
marking needs, and actors that read back through weerbaar's own STIX reader as they
left."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from typing import Any

import pytest
import stix2

from tests.helpers import seed_small_register
from weerbaar.formats.stix_bundle import (
    EXTENSION_ID,
    IDENTITY_ID,
    TLP2_IDS,
    marking_id,
    supporting_objects,
)
from weerbaar.reference.markings import marking_table
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.services.stix_export import export_stix, stix_bundle
from weerbaar.signals.items import ActorSighting
from weerbaar.signals.readers import read_stix
from weerbaar.storage.db import Database

ATTACK_ID = "intrusion-set--bef4c620-0787-42a8-a96d-b7eb6e85917c"  # an ATT&CK group's


def _by_key(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    out = {}
    for obj in bundle["objects"]:
        for ref in obj.get("external_references", ()):
            if ref["source_name"] == "weerbaar":
                out[ref["external_id"]] = obj
    return out


def _actor(ctx: Context, key: str, **fields: object) -> None:
    raw = {"key": key, "name": key.title(), "kind": "non_state", "intent": "low"}
    raw["capability"] = "low"
    create_record(ctx, entity_name="actors", raw={**raw, **fields})


def test_the_demo_profile_leaves_as_stix_the_library_reads(demo_register: Database) -> None:
    bundle = stix_bundle(demo_register, subject=None)
    parsed = stix2.parse(bundle, allow_custom=True)
    assert len(parsed.objects) == len(bundle["objects"])
    kinds = Counter(o["type"] for o in bundle["objects"])
    for kind in ("x-weerbaar-scenario", "x-weerbaar-threat-level", "note", "identity"):
        assert kinds[kind] > 0, kind
    assert kinds["threat-actor"] + kinds["intrusion-set"] > 0
    assert kinds["identity"] == kinds["extension-definition"] == 1
    ids = {o["id"]: o for o in bundle["objects"]}
    assert len(ids) == len(bundle["objects"])
    extension = ids[EXTENSION_ID]
    assert "new-sdo" in extension["extension_types"]
    assert extension["created_by_ref"] == IDENTITY_ID
    for obj in bundle["objects"]:
        if obj["type"] == "marking-definition":
            continue
        for ref in obj["object_marking_refs"]:
            assert ids[ref]["type"] == "marking-definition"
        if obj["type"] != "identity":
            assert obj["created_by_ref"] == IDENTITY_ID
            assert obj["created"] <= obj["modified"]
        if obj["type"].startswith("x-weerbaar-"):
            assert obj["extensions"] == {EXTENSION_ID: {"extension_type": "new-sdo"}}
        for ref in obj.get("object_refs", []) + obj.get("actor_refs", []):
            assert ref in ids, f"{obj['id']} refers to {ref}, which is not in the bundle"
    for marking in (o for o in bundle["objects"] if o["type"] == "marking-definition"):
        assert marking["id"] in TLP2_IDS.values()
        (tlp,) = marking["extensions"].values()
        assert marking["name"] == f"TLP:{tlp['tlp_2_0'].upper()}"
    # The same register gives the same bundle, byte for byte.
    assert json.dumps(stix_bundle(demo_register, subject=None)) == json.dumps(bundle)


def test_the_marking_table_names_the_tlp_2_ids_as_they_are_written_here() -> None:
    table = marking_table()
    for name, stix_id in TLP2_IDS.items():
        assert table.stix_ids[stix_id] == name
    for name in table.export_order:
        assert marking_id(name).startswith("marking-definition--")
    # TLP:WHITE has no TLP 2.0 form: it leaves as STIX 2.1's TLP 1.0 definition.
    assert marking_id("tlp:white") == stix2.TLP_WHITE.id
    used = supporting_objects([{"object_marking_refs": [stix2.TLP_WHITE.id]}])
    assert stix2.TLP_WHITE.id in {o["id"] for o in used}
    stix2.parse({"type": "bundle", "id": f"bundle--{uuid.uuid4()}", "objects": used})


@pytest.mark.parametrize(
    ("marking", "tlp"),
    [
        ({}, "tlp:clear"),
        ({"classification": "dep-v"}, "tlp:green"),
        (
            {"classification": "dep-v", "owned_by": "nctv", "shared_with": "min-jenv"},
            "tlp:amber",
        ),
        ({"classification": "dep-v", "owned_by": "nctv"}, "tlp:amber+strict"),
        ({"classification": "stg-c", "owned_by": "nctv"}, "tlp:red"),
    ],
)
def test_each_record_leaves_with_the_tlp_its_marking_needs(
    ctx: Context, marking: dict[str, str], tlp: str
) -> None:
    seed_small_register(ctx)
    _actor(ctx, "marked", **marking)
    made = export_stix(ctx.db, subject=None)
    assert made.records == 3  # the small register's actor and scenario, and this actor
    actor = _by_key(made.bundle)["marked"]
    assert actor["object_marking_refs"] == [TLP2_IDS[tlp]]


def test_actor_ids_are_stable_and_a_stix_source_id_is_kept(ctx: Context) -> None:
    _actor(ctx, "apt-x", kind="state", country="XX", external_id=ATTACK_ID)
    _actor(ctx, "statelike", kind="state", country="XX")
    _actor(ctx, "gang", external_id="7cdff317-a673-4474-84ec-4f1754947823")
    first = _by_key(stix_bundle(ctx.db, subject=None))
    again = _by_key(stix_bundle(ctx.db, subject=None))
    assert {k: o["id"] for k, o in first.items()} == {k: o["id"] for k, o in again.items()}
    assert first["apt-x"]["id"] == ATTACK_ID
    assert first["apt-x"]["resource_level"] == "government"
    assert first["statelike"]["type"] == "threat-actor"
    assert first["statelike"]["threat_actor_types"] == ["nation-state"]
    gang = first["gang"]
    assert gang["type"] == "intrusion-set" and gang["id"] != ATTACK_ID
    assert uuid.UUID(gang["id"].partition("--")[2]).version == 5
    assert {"source_name": "origin", "external_id": "7cdff317-a673-4474-84ec-4f1754947823"} in (
        gang["external_references"]
    )


def test_actors_read_back_through_the_stix_reader_as_they_left(ctx: Context) -> None:
    seed_small_register(ctx)
    _actor(
        ctx,
        "sandworm",
        kind="state",
        country="RU",
        synonyms="Voodoo Bear; ELECTRUM ;IRIDIUM",
        sponsor="GRU",
        target_sectors="energy; government",
        victims="Ukraine",
        references="https://attack.mitre.org/groups/G0034/\nhttps://example.org/sandworm",
        external_id=ATTACK_ID,
    )
    _actor(ctx, "crew", synonyms="The Crew")
    _actor(ctx, "quiet")
    data = json.dumps(stix_bundle(ctx.db, subject=None)).encode()
    sightings = {i.name: i for i in read_stix(data, "x.stix.json") if isinstance(i, ActorSighting)}
    assert set(sightings) == {"Lone actor", "Sandworm", "Crew", "Quiet"}
    assert sightings["Sandworm"].aliases == ("Voodoo Bear", "ELECTRUM", "IRIDIUM")
    assert sightings["Sandworm"].state and sightings["Sandworm"].external_id == ATTACK_ID
    assert sightings["Crew"].aliases == ("The Crew",) and not sightings["Crew"].state
    assert sightings["Quiet"].aliases == ()
    sandworm = _by_key(json.loads(data))["sandworm"]
    (extra,) = sandworm["extensions"].values()
    assert extra["sponsor"] == "GRU" and extra["target_sectors"] == ["energy", "government"]
    assert [r.get("url") for r in sandworm["external_references"] if r.get("url")] == [
        "https://attack.mitre.org/groups/G0034/",
        "https://example.org/sandworm",
    ]
