"""``DELETE /api/v1/tokens/{id}``: a token revoked by its owner or an
administrator answers 401 from then on; another's token answers as a missing one."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from weerbaar.services import api_tokens
from weerbaar.services.audit import recent_entries
from weerbaar.storage.db import Database

Client = Callable[..., TestClient]


def _token_id(client: TestClient) -> str:
    return api_tokens.token_id_of(client.headers["Authorization"].removeprefix("Bearer "))


def _revoke(client: TestClient, token_id: str) -> Any:
    return client.delete(f"/api/v1/tokens/{token_id}")


def test_an_owner_revokes_their_token_and_it_is_refused_afterwards(
    client: Client, register: Database
) -> None:
    anna = client("anna", role="analyst")
    token_id = _token_id(anna)
    assert anna.get("/api/v1/me").status_code == 200
    revoked = _revoke(anna, token_id)
    assert revoked.status_code == 204, revoked.text
    refused = anna.get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.json()["error"]["message"] == "invalid, revoked or expired API token"
    entry = recent_entries(register, entity="api_tokens")[0]
    assert (entry.action, entry.key) == ("update", token_id)
    assert entry.actor.startswith("api:anna@")


def test_someone_elses_token_answers_like_a_missing_one(client: Client) -> None:
    anna = client("anna", role="analyst")
    bert = client("bert", role="coordinator")
    other = _revoke(anna, _token_id(bert))
    missing = _revoke(anna, "0123456789abcdef")
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["code"] == missing.json()["error"]["code"]
    assert other.json()["error"]["message"].replace(_token_id(bert), "ID") == missing.json()[
        "error"
    ]["message"].replace("0123456789abcdef", "ID")
    assert bert.get("/api/v1/me").status_code == 200


def test_an_administrator_revokes_anyones_token(client: Client) -> None:
    anna = client("anna", role="analyst")
    admin = client("ada", role="administrator")
    assert _revoke(admin, _token_id(anna)).status_code == 204
    assert anna.get("/api/v1/me").status_code == 401
    assert admin.get("/api/v1/me").status_code == 200


def test_a_token_id_that_cannot_exist_is_not_found(client: Client) -> None:
    anna = client("anna", role="analyst")
    for named in ("nonsense", "%00", "x" * 64):
        assert _revoke(anna, named).status_code == 404
    assert _revoke(anna, "x" * 65).status_code == 422
