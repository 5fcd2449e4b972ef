"""Every answer carries the security headers: a Content-Security-Policy that allows
no inline script and no framing, and over HTTPS Strict-Transport-Security; the
cookies are HttpOnly, SameSite=Strict and, over HTTPS, Secure with the __Host-
prefix, so that only this host can set them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import settings_for
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app

PASSWORD = "a long enough passphrase"


def _app(db: Database, *, secure: bool) -> FastAPI:
    settings = settings_for(db)
    web = dataclasses.replace(settings.web, secure_cookies=secure)
    return create_app(dataclasses.replace(settings, web=web), db=db)


@pytest.fixture
def secure_client(demo_db: Database) -> Iterator[TestClient]:
    accounts.add_user(
        Context(demo_db, "test:setup"),
        username="anna",
        password=PASSWORD,
        role="analyst",
        organisation="nctv",
        clearance="public",  # no second factor needed: this is about the cookies
    )
    with TestClient(
        _app(demo_db, secure=True), base_url="https://testserver", follow_redirects=False
    ) as client:
        yield client


@pytest.mark.parametrize("path", ["/login", "/public", "/api/v1/me", "/static/weerbaar.css"])
def test_every_answer_has_the_security_headers(demo_db: Database, path: str) -> None:
    with TestClient(_app(demo_db, secure=False)) as client:
        response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    scripts = re.search(r"script-src ([^;]*)", policy)
    assert scripts is not None and "'unsafe-inline'" not in scripts.group(1)
    assert "frame-ancestors 'none'" in policy
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP


def test_over_https_the_cookies_are_host_only_and_strict(secure_client: TestClient) -> None:
    form = secure_client.get("/login")
    assert form.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    login_cookie = form.headers["set-cookie"]
    assert login_cookie.startswith("__Host-weerbaar_login_csrf=")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed_in = secure_client.post(
        "/login",
        data={"username": "anna", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert signed_in.status_code == 303, signed_in.text
    cookies = signed_in.headers.get_list("set-cookie")
    session = next(c for c in cookies if c.startswith("__Host-weerbaar_session="))
    attributes = {a.strip().split("=")[0].lower() for a in session.split(";")[1:]}
    assert {"httponly", "secure", "path"} <= attributes and "domain" not in attributes
    assert "samesite=strict" in session.lower()
    assert secure_client.get("/account").status_code == 200
    # A cookie without the prefix is not taken for a session over HTTPS.
    plain = secure_client.cookies.get("__Host-weerbaar_session")
    secure_client.cookies.clear()
    secure_client.cookies.set("weerbaar_session", plain or "")
    assert secure_client.get("/account").status_code == 303
