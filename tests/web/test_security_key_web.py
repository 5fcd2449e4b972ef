"""Security keys through the pages, and asking again before sensitive acts: a key
added on the set-up page signs in at the second step; a session whose last proof is
older than the policy's minutes is sent to confirm before it makes a token or sets a
threat level (the API answers 401 confirm_again), and may go on once it has."""

from __future__ import annotations

import datetime as dt
import html
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.soft_authenticator import SoftKey
from tests.web.conftest import PASSWORD, ApiClient, MakeUser, SignedIn, SignIn
from weerbaar.config import SignInSettings
from weerbaar.services.audit import recent_entries
from weerbaar.services.second_factors import has_factor
from weerbaar.services.web_sessions import SECOND_FACTOR, start_session
from weerbaar.storage.db import Database
from weerbaar.storage.tables import web_sessions
from weerbaar.web.auth import SESSION_COOKIE

ORIGIN = "http://testserver"  # where TestClient's requests go


def _options(page: str, form_id: str) -> str:
    found = re.search(rf'id="{form_id}"[^>]*data-options="([^"]+)"', page, re.S)
    assert found is not None, page
    return html.unescape(found.group(1))


def _age(db: Database, username: str, minutes: int) -> None:
    """Make the session's last proof ``minutes`` old."""
    then = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
    with db.transaction(write=True) as connection:
        connection.execute(
            update(web_sessions)
            .where(web_sessions.c.username == username)
            .values(verified_at=then.isoformat())
        )


def _add_key(session: SignedIn) -> SoftKey:
    page = session.client.get("/account/second-factor")
    assert page.status_code == 200
    key = SoftKey()
    answer = key.create(_options(page.text, "key-add"), ORIGIN)
    added = session.client.post(
        "/account/second-factor/key",
        data={"csrf_token": session.csrf_token, "credential": answer, "name": "blue key"},
    )
    assert added.status_code == 200, added.text
    assert 'id="recovery-codes"' in added.text  # the first factor brings recovery codes
    return key


def test_a_key_added_on_the_page_signs_in_at_the_second_step(
    app: FastAPI, demo_db: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    anna = make_user("anna")
    key = _add_key(sign_in(anna))
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
        answer = key.get(_options(page.text, "key-sign-in"), ORIGIN)
        form = {"csrf_token": made.csrf_token, "credential": answer, "next": "/scenarios"}
        done = client.post("/login/second-factor/key", data=form)
        assert done.status_code == 303 and done.headers["location"] == "/scenarios"
        assert client.get("/scenarios").status_code == 200
        again = client.post("/login/second-factor/key", data=form)  # the same answer again
        assert again.status_code == 401  # signed in fully: that step is over
        assert client.get("/scenarios").status_code == 200


def test_a_wrong_key_answer_is_refused_and_audited(
    app: FastAPI, demo_db: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    anna = make_user("anna")
    _add_key(sign_in(anna))
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
        stranger = SoftKey().get(_options(page.text, "key-sign-in"), ORIGIN)
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
    _age(demo_db, "anna", 6)
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
    _age(demo_db, "anna", 6)
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
    _age(demo_db, "anna", 6)
    headers = {"x-csrf-token": session.csrf_token}
    token = session.client.post("/api/v1/tokens", json={"name": "feed"}, headers=headers)
    assert token.status_code == 401
    assert token.json()["error"]["code"] == "confirm_again"
    level = session.client.post(
        "/api/v1/levels", json={"scale": "national", "level": 3, "version": 0}, headers=headers
    )
    assert level.status_code == 401 and level.json()["error"]["code"] == "confirm_again"
    _age(demo_db, "anna", 1)
    assert (
        session.client.post("/api/v1/tokens", json={"name": "feed"}, headers=headers).status_code
        == 201
    )


def test_an_administrator_resets_an_accounts_factors_through_the_api(
    demo_db: Database, sign_in: SignIn, make_user: MakeUser, api_client: ApiClient
) -> None:
    anna = make_user("anna")
    _add_key(sign_in(anna))
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
