"""Who may change a record's marking, through the API and the pages: a sharee edits
content but never owner, sharing or classification; the owner raises by an edit and
lowers only by declassifying, with a reason."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ApiClient, MakeUser, SignedIn, SignIn
from weerbaar.domain.access import Marking
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.records import get_record, update_record
from weerbaar.storage.db import Database
from weerbaar.web.pages.forms import record_values

KEY = "lek-dike-breach"
URL = f"/api/v1/scenarios/{KEY}"
SCORE = "gra-2019/lek-dike-breach/2.1"
REASON = "The breach scenario was published in the national risk assessment."
STORED = Marking("dep-v", "aivd", ("mivd",))


@pytest.fixture
def shared(demo_db: Database) -> Database:
    """The demo register with the Lek dike scenario and one of its scores AIVD's,
    departmental confidential, shared with the MIVD."""
    operator = Context(db=demo_db, actor="test:setup")
    marking = {"classification": "dep-v", "owned_by": "aivd", "shared_with": ["mivd"]}
    update_record(operator, entity_name="scenarios", key=KEY, changes=marking)
    update_record(operator, entity_name="impact_scores", key=SCORE, changes=marking)
    return demo_db


def stored(db: Database, entity_name: str = "scenarios", key: str = KEY) -> tuple[Marking, int]:
    found = get_record(db, entity_name=entity_name, key=key)
    return Marking.of(found.record), found.version


def message(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    return str(response.json()["error"]["message"])


@pytest.fixture
def owner(shared: Database, make_user: MakeUser, api_client: ApiClient) -> TestClient:
    return api_client(make_user("olga", organisation="aivd", clearance="stg-g"))


@pytest.fixture
def sharee(shared: Database, make_user: MakeUser, api_client: ApiClient) -> TestClient:
    return api_client(make_user("sam", organisation="mivd", clearance="stg-g"))


# ---------------------------------------------------------------- API


@pytest.mark.parametrize(
    "changes",
    [
        {"owned_by": "mivd", "shared_with": []},
        {"shared_with": ["mivd", "nctv"]},
        {"classification": "public"},
        {"classification": "stg-c"},
    ],
    ids=["take-over", "share-on", "lower", "raise"],
)
def test_a_sharee_cannot_change_the_marking_through_the_api(
    shared: Database, sharee: TestClient, owner: TestClient, changes: dict[str, Any]
) -> None:
    shown = sharee.get(URL)
    body = {**shown.json(), **changes}
    answer = sharee.put(URL, json=body, headers={"If-Match": shown.headers["etag"]})
    assert "only the owning organisation (aivd)" in message(answer, 403)
    assert stored(shared) == (STORED, 2)
    assert owner.get(URL).status_code == 200
    # The sharee's content edit, marking sent back as read, goes through.
    edited = sharee.put(
        URL,
        json={**shown.json(), "title": "Lek dike breach at Culemborg"},
        headers={"If-Match": '"2"'},
    )
    assert edited.status_code == 200, edited.text
    assert stored(shared) == (STORED, 3)


def test_the_owner_raises_by_an_edit_but_lowers_only_by_declassifying(
    shared: Database, owner: TestClient
) -> None:
    raised = owner.put(URL, json={"classification": "stg-c"}, headers={"If-Match": '"2"'})
    assert raised.status_code == 200, raised.text
    lowered = owner.put(URL, json={"classification": "dep-v"}, headers={"If-Match": '"3"'})
    assert "POST …/declassify" in message(lowered, 403)
    assert stored(shared) == (Marking("stg-c", "aivd", ("mivd",)), 3)

    answer = owner.post(
        f"{URL}/declassify", json={"to": "public", "reason": REASON}, headers={"If-Match": '"3"'}
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["etag"] == '"4"'
    assert (answer.json()["classification"], answer.json()["version"]) == ("public", 4)
    entry = recent_entries(shared, entity="scenarios", key=KEY, limit=1)[0]
    assert (entry.action, entry.actor, entry.note) == ("declassify", "api:olga@testclient", REASON)


def test_a_score_is_declassified_under_its_derived_key(shared: Database, owner: TestClient) -> None:
    answer = owner.post(
        f"/api/v1/impact_scores/{SCORE}/declassify",
        json={"to": "public", "reason": REASON, "version": 2},
    )
    assert answer.status_code == 200, answer.text
    assert stored(shared, "impact_scores", SCORE) == (Marking("public", "aivd", ("mivd",)), 3)


def test_declassify_answers_like_the_other_writes(
    shared: Database,
    owner: TestClient,
    sharee: TestClient,
    make_user: MakeUser,
    api_client: ApiClient,
) -> None:
    outsider = api_client(make_user("otto", organisation="nctv", clearance="stg-g"))
    good = {"to": "public", "reason": REASON}
    fresh = {"If-Match": '"2"'}
    assert "only the owning organisation (aivd) declassifies" in message(
        sharee.post(f"{URL}/declassify", json=good, headers=fresh), 403
    )
    hidden = message(outsider.post(f"{URL}/declassify", json=good, headers=fresh), 404)
    missing = message(
        outsider.post("/api/v1/scenarios/no-such/declassify", json=good, headers=fresh), 404
    )
    assert hidden.replace(KEY, "?") == missing.replace("no-such", "?")
    assert owner.post(f"{URL}/declassify", json=good).status_code == 428
    assert (
        owner.post(f"{URL}/declassify", json=good, headers={"If-Match": '"1"'}).status_code == 412
    )
    short = owner.post(f"{URL}/declassify", json={**good, "reason": "short"}, headers=fresh)
    assert short.status_code == 422
    upwards = owner.post(f"{URL}/declassify", json={**good, "to": "stg-g"}, headers=fresh)
    assert "ordinary edit" in message(upwards, 422)
    assert stored(shared) == (STORED, 2)


# ---------------------------------------------------------------- pages


def form_of(db: Database, **changes: object) -> dict[str, Any]:
    """The edit form as the page fills it for the scenario, with ``changes``."""
    found = get_record(db, entity_name="scenarios", key=KEY)
    values = {k: v for k, v in record_values(found.record).items() if k != "key"}
    return {**values, "version": str(found.version), **changes}


def test_a_sharee_cannot_change_the_marking_through_the_edit_form(
    shared: Database, make_user: MakeUser, sign_in: SignIn
) -> None:
    sharee = sign_in(make_user("sam", organisation="mivd", clearance="stg-g"))
    for changes in ({"owned_by": "mivd", "shared_with": []}, {"classification": "public"}):
        data = form_of(shared, csrf_token=sharee.csrf_token, **changes)
        answer = sharee.client.post(f"/scenarios/{KEY}", data=data)
        assert answer.status_code == 403
        assert "only the owning organisation (aivd)" in answer.text
    assert stored(shared) == (STORED, 2)
    page = sharee.client.get(f"/scenarios/{KEY}")
    assert page.status_code == 200 and f"/scenarios/{KEY}/declassify" not in page.text
    refused = sharee.client.post(
        f"/scenarios/{KEY}/declassify",
        data={"csrf_token": sharee.csrf_token, "to": "public", "reason": REASON, "version": "2"},
    )
    assert refused.status_code == 403
    assert stored(shared) == (STORED, 2)


def test_the_owner_declassifies_from_the_records_page(
    shared: Database, make_user: MakeUser, sign_in: SignIn
) -> None:
    olga: SignedIn = sign_in(make_user("olga", organisation="aivd", clearance="stg-g"))
    lowered = olga.client.post(
        f"/scenarios/{KEY}",
        data=form_of(shared, csrf_token=olga.csrf_token, classification="public"),
    )
    assert lowered.status_code == 403 and "declassif" in lowered.text
    page = olga.client.get(f"/scenarios/{KEY}")
    assert f'action="/scenarios/{KEY}/declassify"' in page.text
    assert 'name="version" value="2"' in page.text

    form = {"csrf_token": olga.csrf_token, "to": "public", "version": "2"}
    short = olga.client.post(f"/scenarios/{KEY}/declassify", data={**form, "reason": "short"})
    assert short.status_code == 422
    assert "10 to 2000 characters" in short.text and ">short</textarea>" in short.text
    done = olga.client.post(f"/scenarios/{KEY}/declassify", data={**form, "reason": REASON})
    assert done.status_code == 303 and done.headers["location"] == f"/scenarios/{KEY}"
    assert stored(shared) == (Marking("public", "aivd", ("mivd",)), 3)
    entry = recent_entries(shared, entity="scenarios", key=KEY, limit=1)[0]
    assert (entry.action, entry.note) == ("declassify", REASON)
    # At the lowest level there is nothing left to lower: no form.
    assert "/declassify" not in olga.client.get(f"/scenarios/{KEY}").text
