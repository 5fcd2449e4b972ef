"""Threat actors from MISP galaxies and ATT&CK: the shipped threat-actor galaxy goes in
whole and a second import changes nothing; an ATT&CK bundle brings its groups with
their aliases and references; bad input is refused or rejected with its place while
the rest goes on; signals naming an actor by another name are linked to it; and a
hidden actor is neither overwritten nor given away."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pymispgalaxies
import pytest
import stix2
from sqlalchemy import func, select

from tests.helpers import REPORTED
from weerbaar.domain.access import Marking, Subject
from weerbaar.errors import FileFormatError, ForbiddenError
from weerbaar.reference.access import roles
from weerbaar.services.actor_import import import_actors
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, get_record, list_records
from weerbaar.services.signal_ingest import ingest
from weerbaar.signals.readers import read
from weerbaar.storage.db import Database
from weerbaar.storage.repository import Repository
from weerbaar.storage.tables import audit_entries

CLUSTERS = Path(pymispgalaxies.__file__).parent / "data" / "misp-galaxy" / "clusters"
GALAXY = CLUSTERS / "threat-actor.json"


def _audit_count(db: Database) -> int:
    with db.transaction() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_entries)).scalar_one())


def _versions(db: Database) -> dict[str, int]:
    with db.transaction() as connection:
        return Repository(connection).versions("actors")


def _galaxy(values: list[object], kind: str = "threat-actor") -> bytes:
    return json.dumps(
        {
            "name": "Test",
            "type": kind,
            "uuid": "7cdff317-a673-4474-84ec-4f1754947823",
            "values": values,
        }
    ).encode()


@pytest.fixture
def threads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


def test_the_shipped_threat_actor_galaxy_goes_in_whole_and_again_changes_nothing(
    ctx: Context, db: Database
) -> None:
    data = GALAXY.read_bytes()
    values = json.loads(data)["values"]
    named = [v for v in values if isinstance(v.get("value"), str) and v["value"].strip()]
    done: list[tuple[int, int]] = []
    report = import_actors(ctx, data, GALAXY.name, progress=lambda d, t: done.append((d, t)))
    REPORTED.append(
        f"threat-actor galaxy ({db.url.split(':')[0]}): {len(report.created)} actors "
        f"in {report.seconds:.1f} s"
    )
    assert report.kind == "galaxy" and report.read == len(values)
    assert len(report.created) == len(named), report.rejected[:5]
    assert report.rejected == [] and report.updated == [] and report.skipped == []
    assert done[-1] == (len(values), len(values))
    actors = {a.key: a for a in list_records(db, entity_name="actors")}
    assert len(actors) == len(named)
    apt1 = actors["apt1"]
    assert apt1.external_id == "1cb7e1cc-d695-42b1-92f4-fd0112a3c9be"
    assert apt1.kind == "state" and apt1.country == "CN" and apt1.sponsor == "China"
    assert "Comment Crew" in apt1.synonyms.split("; ")
    assert "Government" in apt1.target_sectors.split("; ")
    assert "Norway" in apt1.victims.split("; ")
    assert "https://attack.mitre.org/groups/G0006/" in apt1.references.splitlines()
    assert apt1.capability == "unknown"

    audit_before, versions_before = _audit_count(db), _versions(db)
    again = import_actors(ctx, data, GALAXY.name)
    assert again.created == [] and again.updated == [] and again.rejected == []
    assert len(again.unchanged) == len(named)
    assert _audit_count(db) == audit_before
    assert _versions(db) == versions_before


def test_an_attack_bundle_brings_groups_with_aliases_and_skips_revoked_ones(
    ctx: Context, db: Database
) -> None:
    reference = stix2.ExternalReference(
        source_name="mitre-attack", external_id="G0007", url="https://attack.mitre.org/groups/G0007"
    )
    apt28 = stix2.IntrusionSet(
        name="APT28",
        aliases=["APT28", "Fancy Bear", "Sofacy"],
        description="A threat group attributed to the GRU.",
        external_references=[reference],
        allow_custom=True,
        x_mitre_deprecated=False,
    )
    old = stix2.IntrusionSet(name="Old Group", revoked=True)
    gone = stix2.IntrusionSet(name="Gone Group", allow_custom=True, x_mitre_deprecated=True)
    actor = stix2.ThreatActor(name="Lone Wolf", threat_actor_types=["lone-wolf"])
    tool = stix2.Tool(name="Mimikatz")
    bundle = stix2.Bundle(apt28, old, gone, actor, tool, allow_custom=True)
    report = import_actors(ctx, bundle.serialize().encode(), "enterprise-attack.json")
    assert report.kind == "stix"
    assert sorted(report.created) == ["apt28", "lone-wolf"]
    assert [s.reason for s in report.skipped] == ["revoked", "deprecated"]
    stored = get_record(db, entity_name="actors", key="apt28").record
    assert stored.synonyms == "Fancy Bear; Sofacy"
    assert stored.external_id == apt28.id
    assert stored.references == "https://attack.mitre.org/groups/G0007"

    # The same group from the galaxy merges into it rather than doubling it.
    galaxy = _galaxy(
        [
            {
                "value": "Sofacy",
                "uuid": "5b4ee3ea-eee3-4c8e-8323-85ae32658754",
                "meta": {
                    "synonyms": ["Pawn Storm"],
                    "cfr-suspected-state-sponsor": "Russian Federation",
                },
            }
        ]
    )
    merged = import_actors(ctx, galaxy, "threat-actor.json")
    assert merged.updated == ["apt28"] and merged.created == []
    stored = get_record(db, entity_name="actors", key="apt28").record
    assert stored.synonyms == "Fancy Bear; Sofacy; Pawn Storm"
    assert stored.sponsor == "Russian Federation" and stored.external_id == apt28.id
    assert import_actors(ctx, galaxy, "threat-actor.json").unchanged == ["apt28"]


def test_bad_input_is_refused_or_rejected_with_its_place_and_the_rest_goes_on(
    ctx: Context, db: Database
) -> None:
    sectors = (CLUSTERS / "sector.json").read_bytes()
    with pytest.raises(FileFormatError, match=r"sector\.json: a MISP galaxy of type 'sector'"):
        import_actors(ctx, sectors, "sector.json")
    with pytest.raises(FileFormatError, match=r"bad.json: not JSON \(line 1, column 13"):
        import_actors(ctx, b'{"values": [}', "bad.json")
    with pytest.raises(FileFormatError, match=r"empty\.json: the file is empty"):
        import_actors(ctx, b"  \n", "empty.json")
    with pytest.raises(FileFormatError, match="nested too deeply"):
        import_actors(ctx, b"[" * 100 + b"]" * 100, "deep.json")
    with pytest.raises(FileFormatError, match="UTF-16"):
        import_actors(ctx, _galaxy([]).decode().encode("utf-16"), "wide.json")
    with pytest.raises(FileFormatError, match="neither a MISP galaxy cluster file"):
        import_actors(ctx, b'{"Event": {}}', "event.json")
    assert list_records(db, entity_name="actors") == []

    values: list[object] = [
        {"value": "Good One", "uuid": "00000000-0000-4000-8000-000000000001"},
        {"uuid": "00000000-0000-4000-8000-000000000002", "description": "no name"},
        "a string",
        {"value": "Good Two", "meta": {"refs": ["javascript:alert(1)", "https://example.org/a"]}},
        {"value": "Big", "meta": {"attribution-confidence": 10**150}},
    ]
    report = import_actors(ctx, _galaxy(values), "threat-actor.json")
    assert sorted(report.created) == ["good-one", "good-two"]
    assert [(r.origin, r.reason) for r in report.rejected] == [
        ("threat-actor.json value 2", "no value"),
        ("threat-actor.json value 3", "text, not a cluster"),
        ("threat-actor.json value 5", "a number of 151 characters (at most 100)"),
    ]
    two = get_record(db, entity_name="actors", key="good-two").record
    assert two.references == "https://example.org/a"


def test_a_signal_naming_an_actor_by_a_synonym_is_linked_to_it(
    ctx: Context, db: Database, threads: ThreadPoolExecutor
) -> None:
    galaxy = _galaxy(
        [
            {
                "value": "APT29",
                "uuid": "b2056ff0-00b9-482e-b11c-c771daa5f28a",
                "meta": {"synonyms": ["Cozy Bear", "The Dukes"]},
            }
        ]
    )
    assert import_actors(ctx, galaxy, "threat-actor.json").created == ["apt29"]
    actor = stix2.ThreatActor(name="COZY BEAR", threat_actor_types=["nation-state"])
    other = stix2.ThreatActor(name="Someone Else", aliases=["the dukes"])
    report_object = stix2.Report(
        name="Phishing wave against ministries",
        description="Spear phishing attributed to Cozy Bear.",
        published="2026-11-20T00:00:00Z",
        object_refs=[actor.id],
    )
    second = stix2.Report(
        name="Another wave",
        description="Again, by the Dukes.",
        published="2026-11-21T00:00:00Z",
        object_refs=[other.id],
    )
    bundle = stix2.Bundle(actor, other, report_object, second)
    result = ingest(ctx, read(bundle.serialize().encode(), "bundle.json"), executor=threads)
    assert result.actors_created == [] and result.actors_known == ["apt29", "apt29"]
    assert [a.key for a in list_records(db, entity_name="actors")] == ["apt29"]
    signals = list_records(db, entity_name="signals")
    assert len(signals) == 2 and all(s.actors == ("apt29",) for s in signals)


def _organisations(ctx: Context) -> None:
    for org in ("nctv", "min-jenv"):
        create_record(
            ctx, entity_name="organisations", raw={"key": org, "name": org, "kind": "agency"}
        )


def test_a_hidden_actor_is_neither_overwritten_nor_given_away(ctx: Context, db: Database) -> None:
    _organisations(ctx)
    create_record(
        ctx,
        entity_name="actors",
        raw={
            "key": "shadow-group",
            "name": "Shadow Group",
            "kind": "state",
            "intent": "high",
            "capability": "high",
            "description": "Secret assessment",
            "external_id": "11111111-1111-4111-8111-111111111111",
            "classification": "stg-c",
            "owned_by": "nctv",
        },
    )
    outsider = Subject("analyst-x", roles()["analyst"], "min-jenv", "stg-g")
    as_outsider = Context(db=db, actor="analyst-x", subject=outsider)
    same_id = _galaxy(
        [
            {
                "value": "Other Name",
                "uuid": "11111111-1111-4111-8111-111111111111",
                "description": "overwrite",
            }
        ]
    )
    same_key = _galaxy([{"value": "Shadow Group", "description": "overwrite"}])
    taken_visible = _galaxy([{"value": "Open Group"}, {"value": "open group!", "uuid": "x-2"}])
    before = get_record(db, entity_name="actors", key="shadow-group")
    reasons = []
    for data in (same_id, same_key):
        report = import_actors(as_outsider, data, "threat-actor.json")
        assert report.created == [] and report.updated == []
        reasons += [r.reason for r in report.rejected]
    assert reasons == [
        "cannot be created as actor other-name: another actor has that key or that external id",
        "cannot be created as actor shadow-group: another actor has that key or that external id",
    ]
    assert all("Secret" not in r and "stg-c" not in r for r in reasons)
    # A clash with an actor the importer may see reads the same.
    report = import_actors(as_outsider, taken_visible, "threat-actor.json")
    assert report.created == ["open-group"]
    assert [r.reason for r in report.rejected] == [
        "cannot be created as actor open-group: another actor has that key or that external id"
    ]
    assert get_record(db, entity_name="actors", key="shadow-group") == before

    # Nor may anyone import above their clearance.
    with pytest.raises(ForbiddenError, match="cannot import actors"):
        import_actors(as_outsider, same_key, "threat-actor.json", marking=Marking("stg-c", "nctv"))
    reader = Subject("viewer-x", roles()["viewer"], "min-jenv", "stg-g")
    with pytest.raises(ForbiddenError, match="cannot import actors"):
        import_actors(Context(db=db, actor="viewer-x", subject=reader), same_key, "t.json")


def test_new_actors_take_the_chosen_marking(ctx: Context, db: Database) -> None:
    _organisations(ctx)
    data = _galaxy([{"value": "Marked Group"}])
    report = import_actors(ctx, data, "t.json", marking=Marking("stg-c", "nctv", ("min-jenv",)))
    assert report.created == ["marked-group"]
    stored = get_record(db, entity_name="actors", key="marked-group").record
    assert (stored.classification, stored.owned_by, stored.shared_with) == (
        "stg-c",
        "nctv",
        ("min-jenv",),
    )
