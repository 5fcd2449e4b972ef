"""Security keys through the pages, and asking again before sensitive acts: a key
added on the set-up page signs in at the second step; a session whose last proof is
older than the policy's minutes is sent to confirm before it makes a token or sets a
threat level (the API answers 401 confirm_again), and may go on once it has."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.soft_authenticator import SoftKey
from tests.web.conftest import PASSWORD, ApiClient, MakeUser, SignIn
from tests.web.factors import ORIGIN, add_key, age_proof, key_options
from weerbaar.config import SignInSettings
from weerbaar.services.audit import recent_entries
from weerbaar.services.second_factors import has_factor
from weerbaar.services.web_sessions import SECOND_FACTOR, start_session
from weerbaar.storage.db import Database
from weerbaar.web.auth import SESSION_COOKIE


def test_a_key_added_on_the_page_signs_in_at_the_second_step(
    app: FastAPI, demo_db: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    anna = make_user("anna")
    key = add_key(sign_in(anna))
    assert has_factor(demo_db, "anna")
    made = start_session(
        demo_db,
        anna,
        address="testclient",
        device="t",
        settings=SignInSettings(),
        stage=SECOND_FACTOR,
    )
    with TestClient(app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, made.cookie)
        page = client.get("/login/second-factor?next=/scenarios")
        assert page.status_code == 200 and "Use your security key" in page.text
        answer = key.get(key_options(page.text, "key-sign-in"), ORIGIN)
        form = {"csrf_token": made.csrf_token, "credential": answer, "next": "/scenarios"}
        done = client.post("/login/second-factor/key", data=form)
        assert done.status_code == 303 and done.headers["location"] == "/scenarios"
        assert client.get("/scenarios").status_code == 200
        again = client.post("/login/second-factor/key", data=form)  # the same answer again
        assert again.status_code == 401  # signed in fully: that step is over
        assert client.get("/scenarios").status_code == 200
    # The cookie of the password step alone was replaced when the key signed: it opens
    # nothing now (a cookie seen before the second factor is worth nothing).
    with TestClient(app, follow_redirects=False) as stale:
        stale.cookies.set(SESSION_COOKIE, made.cookie)
        assert stale.get("/scenarios").headers["location"].startswith("/login")
        assert stale.get("/login/second-factor").status_code == 303


def test_a_wrong_key_answer_is_refused_and_audited(
    app: FastAPI, demo_db: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    anna = make_user("anna")
    add_key(sign_in(anna))
    made = start_session(
        demo_db,
        anna,
        address="testclient",
        device="t",
        settings=SignInSettings(),
        stage=SECOND_FACTOR,
    )
    with TestClient(app, follow_redirects=False) as client:
        client.cookies.set(SESSION_COOKIE, made.cookie)
        page = client.get("/login/second-factor")
        stranger = SoftKey().get(key_options(page.text, "key-sign-in"), ORIGIN)
        refused = client.post(
            "/login/second-factor/key",
            data={"csrf_token": made.csrf_token, "credential": stranger},
        )
        assert refused.status_code == 401
        assert "not one of this account" in refused.text
        assert client.get("/scenarios").status_code == 303  # still not signed in
    failed = [e for e in recent_entries(demo_db, limit=20) if e.action == "sign-in-fail"]
    assert failed and failed[0].key == "anna"


def test_adding_a_key_asks_again_after_the_minutes(
    demo_db: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    session = sign_in(make_user("anna"))
    age_proof(demo_db, "anna", 6)
    page = session.client.get("/account/second-factor")
    assert 'id="key-add"' not in page.text
    assert "/account/confirm?next=/account/second-factor" in page.text
    refused = session.client.post(
        "/account/second-factor/key",
        data={"csrf_token": session.csrf_token, "credential": "{}"},
    )
    assert refused.status_code == 303
    assert refused.headers["location"].startswith("/account/confirm")
    assert not has_factor(demo_db, "anna")


def test_a_token_after_the_minutes_needs_the_password_again(
    demo_db: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    session = sign_in(make_user("anna"))
    form = {"csrf_token": session.csrf_token, "name": "feed", "scope": "read"}
    assert session.client.post("/account/tokens", data=form).status_code == 201  # fresh
    age_proof(demo_db, "anna", 6)
    stale = session.client.post(
        "/account/tokens", data=form, headers={"referer": f"{ORIGIN}/account"}
    )
    assert stale.status_code == 303
    assert stale.headers["location"] == "/account/confirm?next=/account"
    confirm = {"csrf_token": session.csrf_token, "next": "/account"}
    wrong = session.client.post("/account/confirm", data={**confirm, "password": "not it"})
    assert wrong.status_code == 401
    assert session.client.post("/account/tokens", data=form).status_code == 303  # still stale
    right = session.client.post("/account/confirm", data={**confirm, "password": PASSWORD})
    assert right.status_code == 303 and right.headers["location"] == "/account"
    assert session.client.post("/account/tokens", data=form).status_code == 201
    confirmed = [e for e in recent_entries(demo_db, limit=30) if e.action == "confirm"]
    assert len(confirmed) == 1 and PASSWORD not in str(confirmed[0].after)


def test_the_api_answers_confirm_again_to_a_stale_session(
    demo_db: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    session = sign_in(make_user("anna", role="coordinator", clearance="stg-g"))
    age_proof(demo_db, "anna", 6)
    headers = {"x-csrf-token": session.csrf_token}
    token = session.client.post("/api/v1/tokens", json={"name": "feed"}, headers=headers)
    assert token.status_code == 401
    assert token.json()["error"]["code"] == "confirm_again"
    level = session.client.post(
        "/api/v1/levels", json={"scale": "national", "level": 3, "version": 0}, headers=headers
    )
    assert level.status_code == 401 and level.json()["error"]["code"] == "confirm_again"
    age_proof(demo_db, "anna", 1)
    assert (
        session.client.post("/api/v1/tokens", json={"name": "feed"}, headers=headers).status_code
        == 201
    )


def test_an_administrator_resets_an_accounts_factors_through_the_api(
    demo_db: Database, sign_in: SignIn, make_user: MakeUser, api_client: ApiClient
) -> None:
    anna = make_user("anna")
    add_key(sign_in(anna))
    analyst = api_client(make_user("bert"))
    for who in ("anna", "nobody-here"):  # refused alike, whether the account exists
        refused = analyst.delete(f"/api/v1/users/{who}/second-factors")
        assert refused.status_code == 403, who
    assert has_factor(demo_db, "anna")
    admin = api_client(make_user("ada", role="administrator", clearance="stg-g"))
    assert admin.delete("/api/v1/users/nobody-here/second-factors").status_code == 404
    reset = admin.delete("/api/v1/users/anna/second-factors")
    assert reset.status_code == 200 and reset.json() == {"removed": 1}
    assert not has_factor(demo_db, "anna")
    entry = next(e for e in recent_entries(demo_db, limit=10) if e.entity == "second_factors")
    assert entry.action == "delete" and entry.actor.startswith("api:ada@")
