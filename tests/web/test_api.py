"""The REST API on SQLite and PostgreSQL: paging and filters, the record life cycle
with ETags, concurrent edits, the one error shape, sign-in and roles, the audit trail,
and need-to-know on every read."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import open_session, settings_for
from weerbaar.services import accounts
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.records import get_record, list_records, update_record
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app
from weerbaar.web.auth import CSRF_HEADER, SESSION_COOKIE

PASSWORD = "correct horse battery staple"
HIDDEN = "lek-dike-breach"
HIDDEN_TITLE = "Lek dike breach"
NEW_SCENARIO = {
    "key": "ransomware-water",
    "title": "Ransomware at a water company",
    "kind": "threat",
    "theme": "cyber",
    "narrative": "Ransomware encrypts the control systems of a drinking water company.",
}

Client = Callable[..., TestClient]


@pytest.fixture
def admin(client: Client) -> TestClient:
    return client("admin", role="administrator")


def _error(response: Any, status: int) -> dict[str, Any]:
    """The body of an error answer, after checking it has the API's one shape."""
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "issues"}
    assert all(set(i) == {"place", "field", "reason"} for i in body["error"]["issues"])
    error: dict[str, Any] = body["error"]
    return error


def _all_items(api: TestClient, url: str) -> tuple[list[dict[str, Any]], int]:
    items: list[dict[str, Any]] = []
    following: str | None = url
    total = -1
    while following is not None:
        page = api.get(following)
        assert page.status_code == 200, page.text
        body = page.json()
        items += body["items"]
        total = body["total"]
        following = body["next"]
    return items, total


def test_lists_page_through_the_register_and_filter(admin: TestClient, register: Database) -> None:
    scenarios = list_records(register, entity_name="scenarios")
    first = admin.get("/api/v1/scenarios?per_page=7")
    body = first.json()
    assert (body["page"], body["per_page"], body["total"]) == (1, 7, len(scenarios))
    assert [i["key"] for i in body["items"]] == [s.key for s in scenarios[:7]]
    assert all(i["version"] == 1 for i in body["items"])
    assert body["next"] == "/api/v1/scenarios?per_page=7&page=2"

    items, total = _all_items(admin, "/api/v1/scenarios?per_page=7")
    assert total == len(scenarios)
    assert [i["key"] for i in items] == [s.key for s in scenarios]
    beyond = admin.get("/api/v1/scenarios?page=99").json()
    assert (beyond["items"], beyond["next"], beyond["total"]) == ([], None, len(scenarios))

    floods = admin.get("/api/v1/scenarios?theme=natural-disasters&per_page=500").json()
    wanted = [s.key for s in scenarios if s.theme == "natural-disasters"]
    assert [i["key"] for i in floods["items"]] == wanted
    assert floods["total"] == len(wanted)
    # A list field matches when it holds the value; typed fields take typed values.
    acting = admin.get("/api/v1/scenarios?actors=diaspora-state-actor").json()
    assert "diaspora-intimidation" in {i["key"] for i in acting["items"]}
    signal = list_records(register, entity_name="signals")[0]
    dated = admin.get(f"/api/v1/signals?published_on={signal.published_on.isoformat()}").json()
    assert signal.key in {i["key"] for i in dated["items"]}

    unknown = _error(admin.get("/api/v1/scenarios?colour=red"), 422)
    assert unknown["issues"] == [
        {"place": "query", "field": "colour", "reason": "not a field of scenarios"}
    ]
    too_many = _error(admin.get("/api/v1/scenarios?per_page=501"), 422)
    assert too_many["issues"][0]["field"] == "per_page"
    bad_date = _error(admin.get("/api/v1/signals?published_on=yesterday"), 422)
    assert bad_date["issues"][0]["field"] == "published_on"


def test_a_record_is_created_read_edited_and_deleted(admin: TestClient) -> None:
    created = admin.post("/api/v1/scenarios", json=NEW_SCENARIO)
    assert created.status_code == 201, created.text
    assert created.headers["location"] == "/api/v1/scenarios/ransomware-water"
    assert created.headers["etag"] == '"1"'
    assert created.json() == {
        **NEW_SCENARIO,
        "threat": None,
        "title_en": None,
        "narrative_en": None,
        "horizon_years": 5,
        "actors": [],
        "classification": "public",
        "owned_by": None,
        "shared_with": [],
        "version": 1,
    }

    shown = admin.get(created.headers["location"])
    assert shown.json() == created.json()
    assert shown.headers["etag"] == '"1"'

    edited = admin.put(
        "/api/v1/scenarios/ransomware-water",
        json={"title": "Ransomware at a drinking water company"},
        headers={"If-Match": shown.headers["etag"]},
    )
    assert edited.status_code == 200, edited.text
    assert edited.headers["etag"] == '"2"'
    assert edited.json() == {
        **shown.json(),
        "title": "Ransomware at a drinking water company",
        "version": 2,
    }
    # The whole record as read, with its version in the body, is an edit too.
    whole = admin.put(
        "/api/v1/scenarios/ransomware-water", json={**edited.json(), "horizon_years": 3}
    )
    assert (whole.status_code, whole.json()["horizon_years"]) == (200, 3)

    deleted = admin.delete("/api/v1/scenarios/ransomware-water", headers={"If-Match": '"3"'})
    assert deleted.status_code == 204
    _error(admin.get("/api/v1/scenarios/ransomware-water"), 404)


def test_score_keys_hold_slashes(admin: TestClient, register: Database) -> None:
    score = list_records(register, entity_name="impact_scores")[0]
    assert score.key.count("/") == 2
    shown = admin.get(f"/api/v1/impact_scores/{score.key}")
    assert (shown.status_code, shown.json()["key"]) == (200, score.key)
    edited = admin.put(
        f"/api/v1/impact_scores/{score.key}",
        json={"note": "checked again"},
        headers={"If-Match": shown.headers["etag"]},
    )
    assert (edited.status_code, edited.json()["note"]) == (200, "checked again")


def test_an_edit_must_name_the_current_version(admin: TestClient, register: Database) -> None:
    url = "/api/v1/scenarios/lek-dike-breach"
    change = {"title": "Breach of the Lek dike"}
    missing = _error(admin.put(url, json=change), 428)
    assert missing["code"] == "precondition_required"
    stale_header = _error(admin.put(url, json=change, headers={"If-Match": '"7"'}), 412)
    assert stale_header["code"] == "precondition_failed"
    assert "version 7" in stale_header["message"]
    stale_body = _error(admin.put(url, json={**change, "version": 7}), 409)
    assert stale_body["code"] == "conflict"
    _error(admin.put(url, json={**change, "version": 1}, headers={"If-Match": '"2"'}), 422)
    assert get_record(register, entity_name="scenarios", key="lek-dike-breach").version == 1

    signal = list_records(register, entity_name="signals")[0]
    _error(admin.delete(f"/api/v1/signals/{signal.key}"), 428)
    _error(admin.delete(f"/api/v1/signals/{signal.key}", headers={"If-Match": '"7"'}), 412)
    assert get_record(register, entity_name="signals", key=signal.key).version == 1


def test_of_two_concurrent_edits_the_second_is_refused_and_nothing_is_lost(
    client: Client, register: Database
) -> None:
    alice = client("alice")
    bob = client("bob")
    url = "/api/v1/scenarios/lek-dike-breach"
    etag = alice.get(url).headers["etag"]
    edits = {
        "alice": (alice, {"title": "Lek dike breach near Culemborg"}),
        "bob": (bob, {"horizon_years": 10}),
    }
    answers: dict[str, int] = {}
    start = threading.Barrier(len(edits))

    def edit(name: str) -> None:
        api, change = edits[name]
        start.wait()
        answers[name] = api.put(url, json=change, headers={"If-Match": etag}).status_code

    threads = [threading.Thread(target=edit, args=(name,)) for name in edits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers.values()) == [200, 412]
    loser = next(name for name, status in answers.items() if status == 412)

    # The refused editor reads the new version and applies their change again.
    api, change = edits[loser]
    current = api.get(url)
    assert current.headers["etag"] == '"2"'
    again = api.put(url, json=change, headers={"If-Match": current.headers["etag"]})
    assert again.status_code == 200
    stored = get_record(register, entity_name="scenarios", key="lek-dike-breach")
    assert stored.version == 3
    assert (stored.record.title, stored.record.horizon_years) == (
        "Lek dike breach near Culemborg",
        10,
    )


def test_bad_requests_are_answered_in_one_shape(admin: TestClient) -> None:
    incomplete = _error(admin.post("/api/v1/scenarios", json={"key": "half-done"}), 422)
    assert incomplete["code"] == "invalid"
    assert {i["field"] for i in incomplete["issues"]} == {"title", "kind", "theme", "narrative"}
    assert {i["place"] for i in incomplete["issues"]} == {"body"}

    wrong_enum = _error(admin.post("/api/v1/scenarios", json={**NEW_SCENARIO, "kind": "x"}), 422)
    assert wrong_enum["issues"][0]["field"] == "kind"
    extra = _error(admin.post("/api/v1/scenarios", json={**NEW_SCENARIO, "colour": "red"}), 422)
    assert extra["issues"][0]["field"] == "colour"

    dangling = _error(
        admin.post("/api/v1/scenarios", json={**NEW_SCENARIO, "theme": "no-such-theme"}), 422
    )
    assert [i["field"] for i in dangling["issues"]] == ["theme"]
    duplicate = _error(admin.post("/api/v1/scenarios", json={**NEW_SCENARIO, "key": HIDDEN}), 409)
    assert duplicate["code"] == "duplicate"
    rekeyed = _error(
        admin.put(f"/api/v1/scenarios/{HIDDEN}", json={"key": "other", "version": 1}), 422
    )
    assert rekeyed["issues"][0]["field"] == "key"

    unparsable = admin.post(
        "/api/v1/scenarios", content=b"{not json", headers={"Content-Type": "application/json"}
    )
    assert _error(unparsable, 422)["issues"][0]["place"] == "body"
    _error(admin.get("/api/v1/no-such-entity"), 404)
    _error(admin.post("/api/v1/no-such-entity/some-key"), 404)
    wrong_method = admin.patch("/api/v1/me")
    assert _error(wrong_method, 405)["code"] == "method_not_allowed"
    assert wrong_method.headers["allow"] == "GET"
    _error(admin.get("/api/v1/search?q="), 422)
    _error(admin.get("/api/v1/scenarios/%00"), 404)


def test_callers_must_sign_in_and_browser_writes_need_the_csrf_token(
    register: Database, client: Client, operator: Context
) -> None:
    app = create_app(settings_for(register), db=register)
    with TestClient(app) as anonymous:
        refused = anonymous.get("/api/v1/scenarios")
        assert _error(refused, 401)["code"] == "unauthenticated"
        assert refused.headers["www-authenticate"] == "Bearer"
        bad = anonymous.get("/api/v1/me", headers={"Authorization": "Bearer wb_0000_nonsense"})
        _error(bad, 401)

    client("jdevries")
    user = accounts.get_user(register, "jdevries")
    secret, csrf = open_session(register, user)
    with TestClient(app, cookies={SESSION_COOKIE: secret}) as browser:
        assert browser.get("/api/v1/me").json()["username"] == "jdevries"
        forged = browser.post("/api/v1/scenarios", json=NEW_SCENARIO)
        assert _error(forged, 403)["code"] == "forbidden"
        sent = browser.post("/api/v1/scenarios", json=NEW_SCENARIO, headers={CSRF_HEADER: csrf})
        assert sent.status_code == 201
    entry = recent_entries(register, entity="scenarios", key=NEW_SCENARIO["key"], limit=1)[0]
    assert entry.actor == "web:jdevries@testclient"


def test_a_viewer_reads_but_may_not_write(client: Client) -> None:
    viewer = client("reader", role="viewer")
    me = viewer.get("/api/v1/me").json()
    assert (me["username"], me["role"], me["organisation"]) == ("reader", "viewer", "nctv")
    shown = viewer.get(f"/api/v1/scenarios/{HIDDEN}")
    assert shown.status_code == 200
    etag = {"If-Match": shown.headers["etag"]}
    _error(viewer.post("/api/v1/scenarios", json=NEW_SCENARIO), 403)
    _error(viewer.put(f"/api/v1/scenarios/{HIDDEN}", json={"title": "x"}, headers=etag), 403)
    _error(viewer.delete(f"/api/v1/scenarios/{HIDDEN}", headers=etag), 403)


def test_writes_are_audited_with_the_caller_and_their_address(
    client: Client, register: Database
) -> None:
    analyst = client("jdevries")
    url = f"/api/v1/scenarios/{NEW_SCENARIO['key']}"
    trail = f"/api/v1/audit?entity=scenarios&key={NEW_SCENARIO['key']}"
    analyst.post("/api/v1/scenarios", json=NEW_SCENARIO)
    analyst.put(url, json={"title": "Renamed", "version": 1})

    entries = analyst.get(trail).json()["entries"]
    assert [e["action"] for e in entries] == ["update", "create"]
    assert {e["actor"] for e in entries} == {"api:jdevries@testclient"}
    assert entries[0]["before"]["title"] == NEW_SCENARIO["title"]
    assert entries[0]["after"]["title"] == "Renamed"
    stored = recent_entries(register, entity="scenarios", key=NEW_SCENARIO["key"])
    # An analyst is shown positions in their own view, not the trail's sequence.
    assert [(e.action, e.at) for e in stored] == [(e["action"], e["at"]) for e in entries]
    assert [e["position"] for e in entries] == [1, 2] and "seq" not in entries[0]

    analyst.delete(url, headers={"If-Match": '"2"'})
    deleted = analyst.get(trail).json()["entries"][0]
    assert (deleted["action"], deleted["actor"]) == ("delete", "api:jdevries@testclient")


def test_a_hidden_record_is_absent_from_every_answer(
    client: Client, register: Database, operator: Context
) -> None:
    update_record(
        operator,
        entity_name="scenarios",
        key=HIDDEN,
        changes={"classification": "stg-c", "owned_by": "aivd", "shared_with": []},
    )
    outsider = client("outsider", organisation="nctv", clearance="stg-g")
    insider = client("insider", organisation="aivd", clearance="stg-c")

    hidden = outsider.get(f"/api/v1/scenarios/{HIDDEN}")
    missing = outsider.get("/api/v1/scenarios/no-such-scenario")
    assert _error(hidden, 404)["message"] == f"no scenario with key {HIDDEN!r}"
    assert hidden.json()["error"]["message"].replace(HIDDEN, "?") == missing.json()["error"][
        "message"
    ].replace("no-such-scenario", "?")
    assert insider.get(f"/api/v1/scenarios/{HIDDEN}").status_code == 200

    every = len(list_records(register, entity_name="scenarios"))
    outsider_items, outsider_total = _all_items(outsider, "/api/v1/scenarios?per_page=500")
    insider_items, insider_total = _all_items(insider, "/api/v1/scenarios?per_page=500")
    assert HIDDEN not in {i["key"] for i in outsider_items}
    assert HIDDEN in {i["key"] for i in insider_items}
    assert outsider_total == len(outsider_items) < every
    assert insider_total == len(insider_items)
    # Its scores are hidden with it, and filtering on it finds nothing.
    scores = outsider.get(f"/api/v1/impact_scores?scenario={HIDDEN}").json()
    assert (scores["items"], scores["total"]) == ([], 0)
    assert insider.get(f"/api/v1/impact_scores?scenario={HIDDEN}").json()["total"] > 0

    for path in (
        "/api/v1/search?q=Lek+dike",
        "/api/v1/export",
        "/api/v1/assessment",
        "/api/v1/audit?entity=scenarios&limit=500",
    ):
        answer = outsider.get(path)
        assert answer.status_code == 200, (path, answer.text)
        assert HIDDEN not in answer.text, path
        assert HIDDEN_TITLE not in answer.text, path
    for path in ("/api/v1/search?q=Lek+dike", "/api/v1/export", "/api/v1/assessment"):
        assert HIDDEN in insider.get(path).text, path
    _error(outsider.put(f"/api/v1/scenarios/{HIDDEN}", json={"version": 2}), 404)
    _error(outsider.delete(f"/api/v1/scenarios/{HIDDEN}", headers={"If-Match": '"2"'}), 404)


def test_the_assessment_ranks_the_round(admin: TestClient) -> None:
    body = admin.get("/api/v1/assessment?weights=egalitarian&draws=500&seed=7").json()
    assert (body["round"], body["draws"], body["seed"]) == ("gra-2019", 500, 7)
    ranks = [r["rank"] for r in body["results"]]
    assert ranks == sorted(ranks) and ranks[0] == 1
    first = body["results"][0]
    assert first["impact_p5"] <= first["impact_p50"] <= first["impact_p95"]
    assert set(first["ranks_by_profile"]) == {
        "equal",
        "hierarchist",
        "egalitarian",
        "individualist",
    }
    plain = admin.get("/api/v1/assessment?round=gra-2019").json()
    assert plain["results"][0]["top5"] is None
    _error(admin.get("/api/v1/assessment?round=no-such-round"), 404)
    _error(admin.get("/api/v1/assessment?weights=nobody"), 422)
    _error(admin.get("/api/v1/assessment?draws=-1"), 422)
