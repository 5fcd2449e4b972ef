"""``/api/v1/tokens`` and ``/api/v1/sessions``: tokens made with a scope and listed
without their secret; a read-only token that writes is refused and audited; an
expired or revoked token answers 401 at once; sessions listed and ended."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.helpers import make_token, open_session
from weerbaar.services import accounts, api_tokens
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.storage.db import Database
from weerbaar.storage.tables import api_tokens as token_table
from weerbaar.web.auth import SESSION_COOKIE

Client = Callable[..., TestClient]


def _bearer(app_client: TestClient, token: str) -> TestClient:
    return TestClient(app_client.app, headers={"Authorization": f"Bearer {token}"})


def test_a_token_made_through_the_api_is_shown_once_and_listed_without_secret(
    client: Client,
) -> None:
    anna = client("anna")
    made = anna.post("/api/v1/tokens", json={"name": "dashboard", "days": 7})
    assert made.status_code == 201, made.text
    body = made.json()
    assert body["scope"] == "read"  # least privilege unless asked
    secret = body["token"].split("_", 2)[2]  # the secret itself may hold "_"
    listed = anna.get("/api/v1/tokens")
    assert listed.status_code == 200
    tokens = {t["id"]: t for t in listed.json()["tokens"]}
    assert tokens[body["id"]]["name"] == "dashboard"
    assert tokens[body["id"]]["state"] == "active"
    assert secret not in listed.text
    with _bearer(anna, body["token"]) as reader:
        assert reader.get("/api/v1/me").json()["username"] == "anna"


def test_a_read_only_token_that_writes_is_refused_and_audited(
    client: Client, operator: Context, register: Database
) -> None:
    anna = client("anna")
    token = make_token(operator, "anna", "reader", scope=api_tokens.Scope.READ)
    token_id = api_tokens.token_id_of(token)
    with _bearer(anna, token) as reader:
        assert reader.get("/api/v1/scenarios").status_code == 200
        before = reader.get("/api/v1/scenarios").json()
        refused = reader.post(
            "/api/v1/tokens", json={"name": "escalate", "scope": "write", "days": 1}
        )
        assert refused.status_code == 403
        assert "may only read" in refused.json()["error"]["message"]
        assert reader.get("/api/v1/scenarios").json() == before
    entry = recent_entries(register, entity="api_tokens", key=token_id)[0]
    assert entry.action == "refuse" and entry.note is not None
    assert "POST /api/v1/tokens" in entry.note
    assert token.split("_", 2)[2] not in f"{entry.actor}{entry.note}"
    names = {t["name"] for t in anna.get("/api/v1/tokens").json()["tokens"]}
    assert "escalate" not in names


def test_an_expired_token_answers_401_at_once(client: Client, register: Database) -> None:
    anna = client("anna")
    token = anna.headers["Authorization"].removeprefix("Bearer ")
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)).isoformat()
    with register.transaction(write=True) as connection:
        connection.execute(
            update(token_table)
            .where(token_table.c.id == api_tokens.token_id_of(token))
            .values(expires_at=past)
        )
    refused = anna.get("/api/v1/me")
    assert refused.status_code == 401
    assert "expired" in refused.json()["error"]["message"]


def test_another_accounts_tokens_are_not_listed_but_an_administrator_sees_them(
    client: Client,
) -> None:
    anna = client("anna")
    bert = client("bert")
    admin = client("ada", role="administrator")
    assert bert.get("/api/v1/tokens", params={"user": "anna"}).status_code == 403
    listed = admin.get("/api/v1/tokens", params={"user": "anna"})
    assert listed.status_code == 200
    assert {t["username"] for t in listed.json()["tokens"]} == {"anna"}
    assert anna.get("/api/v1/tokens").json()["tokens"][0]["last_used_address"] == "testclient"


def test_sessions_are_listed_and_ended_and_the_browser_is_signed_out(
    client: Client, operator: Context, register: Database
) -> None:
    anna = client("anna")
    user = accounts.get_user(register, "anna")
    cookie, _csrf = open_session(register, user)
    browser = TestClient(anna.app, follow_redirects=False)
    browser.cookies.set(SESSION_COOKIE, cookie)
    assert browser.get("/account").status_code == 200
    (session,) = anna.get("/api/v1/sessions").json()["sessions"]
    assert session["current"] is False and session["device"] == "test browser"
    bert = client("bert")
    assert bert.delete(f"/api/v1/sessions/{session['id']}").status_code == 404
    assert browser.get("/account").status_code == 200
    assert anna.delete(f"/api/v1/sessions/{session['id']}").status_code == 204
    gone = browser.get("/account")
    assert gone.status_code == 303 and gone.headers["location"].startswith("/login")
    assert anna.get("/api/v1/sessions").json()["sessions"] == []
    browser.close()
