"""``/api/v1/levels`` and ``/api/v1/notifications`` on SQLite and PostgreSQL: the
levels, measures in force and history as the caller may see them; a level change
with the version it was based on (none is 428, a stale one 409 or 412, and of two at
once one wins); its notifications sent after the response, signed; and the log and
its retry under each caller's rights."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import settings_for
from tests.notify_receivers import Hook, Mailbox, free_port, smtp_server, webhook_server
from weerbaar.services.context import Context
from weerbaar.services.level_views import levels_view
from weerbaar.services.levels import LevelRequest, set_level
from weerbaar.services.notifications.channels import add_channel
from weerbaar.services.notifications.views import list_notifications
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app

PASSWORD = "correct horse battery staple"
WATER = "atb-drinking-water"
CHANGE = {
    "scale": "atb",
    "sector": "drinking water",
    "level": 3,
    "rationale": "Concrete indications of an attack on a drinking water company.",
}
WATER_MEASURES = ["am-water-access-control", "am-water-police-patrols", "am-water-sampling"]

Client = Callable[..., TestClient]


@pytest.fixture
def quiet_delivery(monkeypatch: pytest.MonkeyPatch) -> None:
    """Background deliveries find no mail server, at once."""
    monkeypatch.setenv("WEERBAAR_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WEERBAAR_SMTP_PORT", str(free_port()))
    monkeypatch.setenv("WEERBAAR_NOTIFY_TIMEOUT", "2")


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "issues"}
    error: dict[str, Any] = body["error"]
    return error


def _water(db: Database) -> Any:
    return next(s for s in levels_view(db).scopes if s.scope.key == WATER)


def _water_pictures(db: Database) -> int:
    return sum(1 for p in levels_view(db).history if p.sector == "drinking water")


def test_levels_are_the_services_view(client: Client, register: Database) -> None:
    api = client("cora", role="coordinator")
    found = api.get("/api/v1/levels")
    assert found.status_code == 200
    scopes = {s["scope"]: s for s in found.json()["scopes"]}
    view = levels_view(register)
    assert list(scopes) == [s.scope.key for s in view.scopes]
    airports = scopes["atb-airports"]
    assert (airports["level"], airports["level_name"], airports["version"]) == (2, "Low threat", 1)
    assert [a["measure"] for a in airports["active"]] == ["am-air-visible-patrols"]
    assert airports["active"][0]["organisation"] == "kmar"
    assert scopes[WATER]["active"] == [] and scopes[WATER]["raised"] is False

    atb = api.get("/api/v1/levels?scale=atb").json()["scopes"]
    assert {s["scale"] for s in atb} == {"atb"}
    assert _error(api.get("/api/v1/levels?scale=nope"), 422)["issues"][0]["field"] == "scale"

    active = api.get("/api/v1/levels/active").json()["measures"]
    assert {a["measure"] for a in active} == {a.measure.key for a in view.active}
    kmar = api.get("/api/v1/levels/active?organisation=kmar").json()["measures"]
    assert [a["measure"] for a in kmar] == ["am-air-visible-patrols"]

    history = api.get("/api/v1/levels/history?scale=dtn&limit=2").json()
    assert len(history["pictures"]) == 2
    assert history["total"] == sum(1 for p in view.history if p.system == "dtn")
    assert [p["key"] for p in history["pictures"]] == [
        p.key for p in view.history if p.system == "dtn"
    ][:2]
    _error(api.get("/api/v1/levels/history?limit=0"), 422)


def test_a_level_is_set_with_the_version_it_was_based_on(
    client: Client, register: Database, quiet_delivery: None
) -> None:
    api = client("cora", role="coordinator")
    missing = _error(api.post("/api/v1/levels", json=CHANGE), 428)
    assert "version" in missing["message"]
    stale = _error(api.post("/api/v1/levels", json={**CHANGE, "version": 0}), 409)
    assert stale["code"] == "conflict" and "changed by someone else" in stale["message"]
    refused = _error(
        api.post("/api/v1/levels", json={**CHANGE, "version": 1, "rationale": ""}), 422
    )
    assert refused["issues"][0]["field"] == "rationale"
    _error(api.post("/api/v1/levels", json={**CHANGE, "version": 1, "level": 7}), 422)
    _error(
        api.post(
            "/api/v1/levels", json={**CHANGE, "version": 1, "at": "0001-01-01T00:00:00+14:00"}
        ),
        422,
    )
    assert _water(register).version == 1  # nothing written

    saved = api.post("/api/v1/levels", json={**CHANGE, "version": 1})
    assert saved.status_code == 201, saved.text
    change = saved.json()
    assert change["picture"].startswith("atb-drinking-water-")
    assert (change["before"], change["after"], change["version"]) == (1, 3, 2)
    assert (change["before_name"], change["after_name"]) == ("Standard", "Moderate threat")
    assert sorted(change["activated"]) == WATER_MEASURES
    assert change["deactivated"] == [] and change["notifications"] == 0
    assert saved.headers["location"] == f"/api/v1/threat_pictures/{change['picture']}"
    assert saved.headers["etag"] == '"2"'
    picture = api.get(saved.headers["location"]).json()
    assert picture["rationale"] == CHANGE["rationale"] and picture["previous_level"] == 1

    # By name, with If-Match: a stale one is 412, the current one applies.
    lower = {k: v for k, v in CHANGE.items() if k != "level"} | {"level": "Low threat"}
    _error(api.post("/api/v1/levels", json=lower, headers={"If-Match": '"1"'}), 412)
    lowered = api.post("/api/v1/levels", json=lower, headers={"If-Match": '"2"'})
    assert lowered.status_code == 201, lowered.text
    assert lowered.json()["deactivated"] == ["am-water-police-patrols", "am-water-sampling"]
    assert _water(register).state.level == 2


def test_of_two_changes_at_once_one_wins(client: Client, register: Database) -> None:
    first, second = client("cora", role="coordinator"), client("carl", role="coordinator")
    pictures = _water_pictures(register)
    answers: dict[str, int] = {}
    start = threading.Barrier(2)

    def change(name: str, api: TestClient, level: int) -> None:
        start.wait()
        answers[name] = api.post(
            "/api/v1/levels", json={**CHANGE, "level": level, "version": 1}
        ).status_code

    threads = [
        threading.Thread(target=change, args=("first", first, 3)),
        threading.Thread(target=change, args=("second", second, 4)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(answers.values()) == [201, 409]
    water = _water(register)
    assert water.version == 2 and water.state.level in (3, 4)
    assert _water_pictures(register) == pictures + 1  # the loser wrote nothing


def test_only_those_who_set_levels_may(client: Client, register: Database) -> None:
    officer = client("mo", role="ministry-officer", organisation="min-ienw")
    _error(officer.post("/api/v1/levels", json={**CHANGE, "version": 1}), 403)
    viewer = client("vic", role="viewer")
    _error(viewer.post("/api/v1/levels", json={**CHANGE, "version": 1}), 403)
    assert _water(register).version == 1
    with TestClient(create_app(settings_for(register), db=register)) as anonymous:
        _error(anonymous.get("/api/v1/levels"), 401)
        _error(anonymous.post("/api/v1/levels", json={**CHANGE, "version": 1}), 401)


def test_a_classified_picture_is_not_named(
    client: Client, register: Database, operator: Context
) -> None:
    change = set_level(
        operator,
        LevelRequest(
            scale="atb",
            sector="nuclear",
            level=3,
            rationale="Classified.",
            classification="stg-c",
            owned_by="aivd",
        ),
    )
    reader = client("rita", role="viewer", organisation="epz", clearance="dep-v")
    scopes = {s["scope"]: s for s in reader.get("/api/v1/levels").json()["scopes"]}
    nuclear = scopes["atb-nuclear"]
    assert nuclear["level"] == 3 and nuclear["picture"] is None
    assert all(a["activated_by"] is None for a in nuclear["active"])
    history = reader.get("/api/v1/levels/history?scale=atb").json()["pictures"]
    assert change.picture.key not in {p["key"] for p in history}
    insider = client("ivo", role="analyst", organisation="aivd", clearance="stg-c")
    shown = {s["scope"]: s for s in insider.get("/api/v1/levels").json()["scopes"]}
    assert shown["atb-nuclear"]["picture"] == change.picture.key


def test_notifications_are_sent_after_the_change_and_signed(
    client: Client, register: Database, operator: Context, monkeypatch: pytest.MonkeyPatch
) -> None:
    hook, mailbox = Hook(), Mailbox()
    with webhook_server(hook) as url, smtp_server(mailbox) as port:
        monkeypatch.setenv("WEERBAAR_SMTP_HOST", "127.0.0.1")
        monkeypatch.setenv("WEERBAAR_SMTP_PORT", str(port))
        _, secret = add_channel(operator, organisation="vitens", kind="webhook", target=url)
        hook.secret = secret
        add_channel(operator, organisation="evides", kind="email", target="alerts@evides.example")
        api = client("cora", role="coordinator")
        saved = api.post("/api/v1/levels", json={**CHANGE, "version": 1})
        assert saved.status_code == 201, saved.text
        assert saved.json()["notifications"] == 2
        # The test client returns once the background delivery has run.
        assert [r.valid for r in hook.received] == [True]
        assert len(mailbox.messages) == 1
        assert "Moderate threat" in str(mailbox.messages[0]["Subject"])
    sent = api.get(f"/api/v1/notifications?change={saved.json()['picture']}").json()["items"]
    assert {(n["organisation"], n["status"]) for n in sent} == {
        ("vitens", "sent"),
        ("evides", "sent"),
    }


def test_the_notification_log_and_retry_follow_each_callers_rights(
    client: Client, register: Database, operator: Context, quiet_delivery: None
) -> None:
    add_channel(operator, organisation="vitens", kind="webhook", target="http://127.0.0.1:9/x")
    add_channel(operator, organisation="evides", kind="email", target="alerts@evides.example")
    coordinator = client("cora", role="coordinator")
    assert coordinator.post("/api/v1/levels", json={**CHANGE, "version": 1}).status_code == 201
    everything = coordinator.get("/api/v1/notifications").json()["items"]
    assert {n["organisation"] for n in everything} == {"vitens", "evides"}
    assert all(n["status"] == "pending" and n["attempts"] == 1 for n in everything)
    assert coordinator.get("/api/v1/notifications?status=sent").json()["items"] == []
    _error(coordinator.get("/api/v1/notifications?status=lost"), 422)

    water = client("wim", role="viewer", organisation="vitens", clearance="public")
    own = water.get("/api/v1/notifications").json()["items"]
    assert [n["organisation"] for n in own] == ["vitens"]
    _error(water.post(f"/api/v1/notifications/{own[0]['id']}/retry"), 403)

    again = coordinator.post(f"/api/v1/notifications/{own[0]['id']}/retry")
    assert again.status_code == 200, again.text
    assert again.json()["id"] == own[0]["id"] and again.json()["status"] == "pending"
    stored = list_notifications(register, subject=None, change=everything[0]["change"])
    retried = next(n for n in stored if n.id == own[0]["id"])
    assert retried.attempts == 1  # counted afresh, then tried once more in the background
    _error(coordinator.post("/api/v1/notifications/999999/retry"), 404)
    _error(coordinator.post("/api/v1/notifications/0/retry"), 422)
