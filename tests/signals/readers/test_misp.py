from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import ActorSighting, RawSignal, Rejected, SignalKind
from weerbaar.signals.readers import read, read_misp

APT28 = "5b4ee3ea-eee3-4c8e-8323-85ae32658754"
FIN7 = "0286e80e-b0ed-464f-ad62-beec8536d0cb"


def test_response_export(signals_dir: Path) -> None:
    path = signals_dir / "misp-response.json"
    items = list(read(path.read_bytes(), path.name))
    apt28, fin7, event, no_info, bad_attributes = items
    origin = "misp-response.json event 5f3c1b2a-8d4e-4f6a-9b1c-2d3e4f5a6b7c"
    assert apt28 == ActorSighting(
        external_id=APT28,
        name="APT28",
        state=True,
        description=(
            "The Sofacy Group (also known as APT28, Pawn Storm, Fancy Bear) "
            "is a cyber espionage group."
        ),
        aliases=("Sofacy", "Fancy Bear", "Pawn Storm", "Sednit"),
        origin=origin,
    )
    assert isinstance(fin7, ActorSighting)
    assert (fin7.name, fin7.state) == ("FIN7", False)  # no country, no state sponsor

    assert isinstance(event, RawSignal)
    assert event.kind is SignalKind.REPORT
    assert event.title == "Spear-phishing campaign against Dutch energy sector attributed to APT28"
    assert event.published_on == dt.date(2026, 11, 24)
    assert event.source == "CERT-EU"  # Orgc, not Org
    assert event.external_id == "5f3c1b2a-8d4e-4f6a-9b1c-2d3e4f5a6b7c"
    assert event.url == "https://cert.europa.eu/publications/example-apt28"
    assert event.actors == (APT28, FIN7)
    assert event.tags == ("tlp:green", 'misp-galaxy:threat-actor="APT28"')
    assert event.origin == origin
    assert "Sender of the lure e-mails" in event.summary
    assert "The lure documents imitate vacancies at a grid operator." in event.summary
    assert "Targets include two LNG terminal operators." in event.summary  # object attribute
    assert "203.0.113.17" not in event.summary  # an indicator, not text
    assert "X-Agent" not in event.summary

    assert no_info == Rejected(
        "misp-response.json event 6a4d2c3b-9e5f-4a7b-8c2d-3e4f5a6b7c8d", "no title or text"
    )
    assert bad_attributes == Rejected(
        "misp-response.json event 7b5e3d4c-af60-4b8c-9d3e-4f5a6b7c8d9e",
        "field 'Attribute': text, not a list",
    )


def test_single_event_with_one_attribute_object_and_a_timestamp(signals_dir: Path) -> None:
    path = signals_dir / "misp-event.json"
    (event,) = read_misp(path.read_bytes(), path.name, source="Analyse")
    assert isinstance(event, RawSignal)
    assert event.title == "Desinformatiecampagne rond gemeenteraadsverkiezingen"
    assert event.published_on == dt.date(2026, 11, 28)  # from the timestamp
    assert event.source == "Analyse"  # no Orgc
    assert "Netwerk van nepaccounts verspreidt valse berichten" in event.summary
    assert "Gezien op drie platforms" in event.summary
    assert event.tags == ("disinformation", "tlp:amber")
    assert event.actors == ()


def test_a_list_of_events_and_the_text_limit() -> None:
    attributes = [{"type": "text", "value": f"Waarneming {n}", "comment": ""} for n in range(1, 40)]
    events = [
        {"Event": {"uuid": "e1", "info": "Eerste", "date": "2026-11-02", "Attribute": attributes}},
        {"Event": {"uuid": "e2", "info": "Tweede", "date": "1989-12-31"}},
        42,
    ]
    first, second, third = read_misp(json.dumps(events).encode(), "l.json")
    assert isinstance(first, RawSignal)
    assert "Waarneming 20" in first.summary
    assert "Waarneming 21" not in first.summary
    assert second == Rejected("l.json event e2", "publication date 1989-12-31 is before 1990")
    assert third == Rejected("l.json event 3", "a number, not an event")


def test_not_misp() -> None:
    with pytest.raises(FileFormatError, match=r"x\.json: not a MISP export"):
        list(read_misp(b'"Event"', "x.json"))
    with pytest.raises(FileFormatError, match=r"y\.json: not JSON"):
        list(read_misp(b"{'Event': 1}", "y.json"))
