"""``/actors/import`` (the page) and ``POST /api/v1/actors/import``: a galaxy file goes
in as the signed-in user, with its report; the CSRF token is required, a viewer may
not import, a bad file is named, and a hidden actor stays hidden."""

from __future__ import annotations

import json
import re

from fastapi.testclient import TestClient

from tests.web.conftest import ApiClient, MakeUser, SignIn
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, get_record, list_records
from weerbaar.storage.db import Database

GALAXY = json.dumps(
    {
        "type": "threat-actor",
        "name": "Threat Actor",
        "uuid": "7cdff317-a673-4474-84ec-4f1754947823",
        "values": [
            {
                "value": "Kettle Panda",
                "uuid": "aaaaaaaa-0000-4000-8000-000000000001",
                "description": "An espionage group.",
                "meta": {
                    "synonyms": ["Boiling Typhoon"],
                    "cfr-suspected-state-sponsor": "China",
                    "refs": ["https://example.org/kettle"],
                },
            },
            {"uuid": "aaaaaaaa-0000-4000-8000-000000000002"},
        ],
    }
).encode()


def _hidden_actor(db: Database) -> None:
    create_record(
        Context(db=db, actor="test:setup"),
        entity_name="actors",
        raw={
            "key": "kettle-panda",
            "name": "Kettle Panda",
            "kind": "state",
            "intent": "high",
            "capability": "high",
            "description": "Only for the AIVD",
            "classification": "stg-c",
            "owned_by": "aivd",
        },
    )


def test_the_page_imports_a_galaxy_and_reports_it(
    demo_db: Database, make_user: MakeUser, sign_in: SignIn
) -> None:
    analyst = sign_in(make_user("ana", role="analyst", clearance="stg-g"))
    form = analyst.client.get("/actors/import")
    assert form.status_code == 200 and 'action="/actors/import"' in form.text
    assert 'name="csrf_token"' in form.text
    no_token = analyst.client.post(
        "/actors/import", files={"file": ("threat-actor.json", GALAXY, "application/json")}
    )
    assert no_token.status_code == 403
    page = analyst.client.post(
        "/actors/import",
        data={"csrf_token": analyst.csrf_token},
        files={"file": ("threat-actor.json", GALAXY, "application/json")},
    )
    assert page.status_code == 200, page.text
    created = re.search(r'<dd id="count-created">(\d+)</dd>', page.text)
    assert created and created.group(1) == "1"
    assert "threat-actor.json value 2" in page.text and "no value" in page.text
    stored = get_record(demo_db, entity_name="actors", key="kettle-panda").record
    assert stored.synonyms == "Boiling Typhoon" and stored.country == "CN"

    bad = analyst.client.post(
        "/actors/import",
        data={"csrf_token": analyst.csrf_token},
        files={"file": ("sector.json", b'{"type": "sector", "values": []}', "application/json")},
    )
    assert bad.status_code == 422 and 'id="error-file"' in bad.text
    assert "a MISP galaxy of type &#39;sector&#39;" in bad.text

    viewer = sign_in(make_user("vic", role="viewer", clearance="stg-g"))
    assert viewer.client.get("/actors/import").status_code == 403


def test_the_api_imports_and_keeps_a_hidden_actor_hidden(
    demo_db: Database, make_user: MakeUser, api_client: ApiClient
) -> None:
    _hidden_actor(demo_db)
    analyst: TestClient = api_client(make_user("ana", role="analyst", clearance="stg-g"))
    answer = analyst.post(
        "/api/v1/actors/import",
        files={"file": ("threat-actor.json", GALAXY, "application/json")},
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    assert report["kind"] == "galaxy" and report["read"] == 2 and report["created"] == []
    assert report["rejected"] == [
        {
            "place": "threat-actor.json value 1",
            "reason": "cannot be created as actor kettle-panda: another actor has that key or "
            "that external id",
        },
        {"place": "threat-actor.json value 2", "reason": "no value"},
    ]
    assert "AIVD" not in answer.text
    hidden = get_record(demo_db, entity_name="actors", key="kettle-panda").record
    assert hidden.synonyms is None and hidden.description == "Only for the AIVD"

    # Owned by their own organisation, the import goes in under its own key.
    marked = analyst.post(
        "/api/v1/actors/import",
        files={"file": ("t.json", GALAXY.replace(b"Kettle Panda", b"Teapot"), "application/json")},
        data={"classification": "dep-v", "owned_by": "nctv", "shared_with": ["aivd"]},
    )
    assert marked.status_code == 200, marked.text
    assert marked.json()["created"] == ["teapot"]
    teapot = get_record(demo_db, entity_name="actors", key="teapot").record
    assert (teapot.classification, teapot.owned_by, teapot.shared_with) == (
        "dep-v",
        "nctv",
        ("aivd",),
    )
    above = analyst.post(
        "/api/v1/actors/import",
        files={"file": ("t.json", GALAXY, "application/json")},
        data={"classification": "stg-c", "owned_by": "aivd"},
    )
    assert above.status_code == 403

    bad = analyst.post(
        "/api/v1/actors/import", files={"file": ("x.json", b"{", "application/json")}
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_file"

    viewer = api_client(make_user("vic", role="viewer", clearance="stg-g"))
    refused = viewer.post(
        "/api/v1/actors/import", files={"file": ("t.json", GALAXY, "application/json")}
    )
    assert refused.status_code == 403
    assert "teapot" in {a.key for a in list_records(demo_db, entity_name="actors")}
