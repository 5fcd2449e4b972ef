"""A session whose second factor is still to come reaches nothing (pages send it to
the code or set-up page, the API answers 401); a signed-in account adds another
authenticator app only after giving its password again."""

from __future__ import annotations

import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, MakeUser, SignIn
from weerbaar.config import SignInSettings
from weerbaar.services.web_sessions import ENROL, SECOND_FACTOR, start_session
from weerbaar.storage.db import Database
from weerbaar.web.auth import SESSION_COOKIE


def _pending(app: FastAPI, db: Database, make_user: MakeUser, stage: str) -> TestClient:
    user = make_user(f"p-{stage}", clearance="stg-c")
    made = start_session(
        db, user, address="testclient", device="test", settings=SignInSettings(), stage=stage
    )
    client = TestClient(app, follow_redirects=False)
    client.cookies.set(SESSION_COOKIE, made.cookie)
    return client


def test_a_session_before_its_second_factor_reaches_nothing(
    app: FastAPI, demo_db: Database, make_user: MakeUser
) -> None:
    for stage, page in ((SECOND_FACTOR, "/login/second-factor"), (ENROL, "/account/second-factor")):
        with _pending(app, demo_db, make_user, stage) as client:
            for path in ("/", "/scenarios", "/account", "/audit"):
                answer = client.get(path)
                assert answer.status_code == 303, (stage, path)
                assert answer.headers["location"].startswith(f"{page}?next="), (stage, path)
            me = client.get("/api/v1/me")
            assert me.status_code == 401 and "not finished" in me.json()["error"]["message"]
            assert client.get(page).status_code == 200
    with _pending(app, demo_db, make_user, "enrol-again") as client:
        assert client.get("/login/second-factor").status_code == 303  # an unknown stage: no


def test_adding_an_app_when_signed_in_asks_the_password(
    sign_in: SignIn, make_user: MakeUser
) -> None:
    session = sign_in(make_user("anna"))
    form = {"csrf_token": session.csrf_token, "next": "/account"}
    wrong = session.client.post(
        "/account/second-factor/begin", data={**form, "password": "not the password"}
    )
    assert wrong.status_code == 401
    assert "totp-secret" not in wrong.text
    right = session.client.post("/account/second-factor/begin", data={**form, "password": PASSWORD})
    assert right.status_code == 200 and 'id="totp-secret"' in right.text


def test_the_password_of_an_account_that_must_leads_to_setting_up(
    app: FastAPI, make_user: MakeUser
) -> None:
    make_user("dirk", clearance="dep-v")
    with TestClient(app, follow_redirects=False) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        answer = client.post(
            "/login",
            data={
                "username": "dirk",
                "password": PASSWORD,
                "csrf_token": token.group(1),
                "next": "/scenarios",
            },
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/account/second-factor?next=/scenarios"
        assert client.get("/scenarios").headers["location"].startswith("/account/second-factor")
