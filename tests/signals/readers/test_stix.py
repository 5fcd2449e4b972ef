from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import ActorSighting, RawSignal, Rejected, SignalKind
from weerbaar.signals.readers import read, read_stix

STIX_FILES = sorted((Path(__file__).parents[2] / "data" / "stix").glob("*.json"))

APT1_ACTORS = {
    "intrusion-set--da1065ce-972c-4605-8755-9cd1074e3b5a": "APT1",
    "threat-actor--6d179234-61fc-40c4-ae86-3d53308d8e65": "Ugly Gorilla",
    "threat-actor--d84cf283-93be-4ca7-890d-76c63eff3636": "DOTA",
    "threat-actor--02e7c48f-0301-4c23-b3e4-02e5a0114c21": "SuperHard",
    "threat-actor--d5b62b58-df7c-46b1-a435-4d01945fe21d": "Communist Party of China",
    "threat-actor--94624865-2709-443f-9b4c-2891985fd69b": "Unit 61398",
}


@pytest.mark.parametrize("path", STIX_FILES, ids=lambda p: p.name)
def test_every_oasis_example_reads(path: Path) -> None:
    items = list(read(path.read_bytes(), path.name))
    assert not [item for item in items if isinstance(item, Rejected)]
    for item in items:
        assert item.origin.startswith(f"{path.name} ")


def test_apt1(stix_dir: Path) -> None:
    path = stix_dir / "apt1.json"
    items = list(read_stix(path.read_bytes(), path.name))
    actors = [item for item in items if isinstance(item, ActorSighting)]
    assert {actor.external_id: actor.name for actor in actors} == APT1_ACTORS
    assert all(actor.state for actor in actors)  # nation-state / government resources
    apt1 = next(a for a in actors if a.name == "APT1")
    assert apt1.aliases == ("Comment Crew", "Comment Group", "Shady Rat")
    assert apt1.description.startswith("APT1 is a single organization")
    (report,) = [i for i in items if isinstance(i, RawSignal) and i.kind is SignalKind.REPORT]
    assert report.title == "APT1: Exposing One of China's Cyber Espionage Units"
    assert report.published_on == dt.date(2013, 2, 19)
    assert report.external_id == "report--e33ffe07-2f4c-48d8-b0af-ee2619d765cf"
    assert report.summary.startswith("Since 2004, Mandiant has investigated")
    assert report.source == "apt1.json"
    assert report.tags == ("threat-report", "threat-actor")
    assert set(report.actors) == set(APT1_ACTORS)
    indicators = [i for i in items if isinstance(i, RawSignal) and i.kind is SignalKind.INDICATOR]
    assert len(indicators) == 12
    # Three indicators "indicate" Ugly Gorilla.
    gorilla = "threat-actor--6d179234-61fc-40c4-ae86-3d53308d8e65"
    assert sum(gorilla in i.actors for i in indicators) == 3
    assert all("[" in i.summary for i in indicators)  # the pattern


def test_poisonivy(stix_dir: Path) -> None:
    path = stix_dir / "poisonivy.json"
    items = list(read(path.read_bytes(), path.name, source="ignored"))
    signals = [item for item in items if isinstance(item, RawSignal)]
    (report,) = [s for s in signals if s.kind is SignalKind.REPORT]
    assert report.title == "Poison Ivy: Assessing Damage and Extracting Intelligence"
    assert report.published_on == dt.date(2013, 8, 21)
    assert report.source == "FireEye, Inc."  # created_by_ref
    campaigns = {s.title: s for s in signals if s.kind is SignalKind.CAMPAIGN}
    assert set(campaigns) == {"admin@338", "th3bug", "menuPass"}
    assert campaigns["admin@338"].published_on == dt.date(2008, 1, 7)  # first_seen
    assert campaigns["menuPass"].source == "ignored"  # no creator: the source argument
    assert not [item for item in items if isinstance(item, ActorSighting)]


def test_indicator_without_name_is_titled_by_its_pattern(stix_dir: Path) -> None:
    path = stix_dir / "indicator-for-c2-ip-address.json"
    (indicator,) = read_stix(path.read_bytes(), path.name)
    assert isinstance(indicator, RawSignal)
    assert indicator.kind is SignalKind.INDICATOR
    assert indicator.title
    assert indicator.published_on.year >= 1990


def _bundle(*objects: object) -> bytes:
    return json.dumps(
        {"type": "bundle", "id": "bundle--44af6c39-c09b-49c5-9de2-394224b04982", "objects": objects}
    ).encode()


COMMON = {
    "spec_version": "2.1",
    "created": "2026-11-01T10:00:00Z",
    "modified": "2026-11-01T10:00:00Z",
}
ACTOR = "threat-actor--56f3f0db-b5d5-431c-ae56-c18f02caf500"
CAMPAIGN = "campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"


def test_broken_objects_are_rejected_and_the_rest_goes_in() -> None:
    data = _bundle(
        {
            **COMMON,
            "type": "indicator",
            "id": "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade",
            "pattern": "[ipv4-addr:value = '198.51.100.1'",
            "pattern_type": "stix",
            "valid_from": "2026-11-01T00:00:00Z",
        },
        {
            **COMMON,
            "type": "report",
            "id": "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
            "name": "Report without published",
            "object_refs": [CAMPAIGN],
        },
        {**COMMON, "type": "campaign", "id": CAMPAIGN, "name": "Noordzee-kabels"},
        {
            **COMMON,
            "type": "threat-actor",
            "id": ACTOR,
            "name": "Kabelgroep",
            "threat_actor_types": ["crime-syndicate"],
        },
        {
            **COMMON,
            "type": "relationship",
            "id": "relationship--44298a74-ba52-4f0c-87a3-1824e67d7fad",
            "relationship_type": "attributed-to",
            "source_ref": CAMPAIGN,
            "target_ref": ACTOR,
        },
        {**COMMON, "type": "malware", "id": "malware--31b940d4-6f7f-459a-80ea-9c1f17b5891b"},
        "not an object",
    )
    items = list(read_stix(data, "b.json"))
    bad_indicator, bad_report, campaign, actor, not_object = items
    assert isinstance(bad_indicator, Rejected)
    assert bad_indicator.origin == "b.json indicator--a932fcc6-e032-476c-826f-cb970a5a1ade"
    assert "Invalid value for Indicator 'pattern'" in bad_indicator.reason
    assert bad_report == Rejected(
        "b.json report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
        "invalid STIX report: No values for required properties for Report: (published).",
    )
    assert isinstance(campaign, RawSignal)
    assert campaign.title == "Noordzee-kabels"
    assert campaign.published_on == dt.date(2026, 11, 1)  # created, no first_seen
    assert campaign.actors == (ACTOR,)
    assert actor == ActorSighting(ACTOR, "Kabelgroep", False, origin=f"b.json {ACTOR}")
    assert not_object == Rejected("b.json object 7", "not a JSON object")


def test_a_future_report_is_rejected_with_its_date() -> None:
    data = _bundle(
        {
            **COMMON,
            "type": "report",
            "id": "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
            "name": "Too early",
            "published": "2099-05-01T00:00:00Z",
            "object_refs": [CAMPAIGN],
        }
    )
    (item,) = read_stix(data, "f.json")
    assert item == Rejected(
        "f.json report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
        "publication date 2099-05-01 is in the future",
    )


def test_not_a_bundle() -> None:
    with pytest.raises(FileFormatError, match=r"x\.json: not a STIX bundle"):
        list(read_stix(b"[1, 2]", "x.json"))
    with pytest.raises(FileFormatError, match=r"y\.json: not JSON"):
        list(read_stix(b"{", "y.json"))
