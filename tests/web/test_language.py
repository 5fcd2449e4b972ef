"""The language of a page: ``?lang=`` (kept in a cookie), the cookie, the browser's
``Accept-Language``, else the installation's default; an account's own choice is kept
on it (audited) and set at sign-in. The page says its language on ``<html lang>`` and
in ``Content-Language``, and offers the other one on every page."""

from __future__ import annotations

import dataclasses
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.helpers import settings_for
from tests.web.conftest import PASSWORD, MakeUser, SignIn
from weerbaar.services.accounts import get_user
from weerbaar.services.audit import recent_entries
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app
from weerbaar.web.language import LANGUAGE_COOKIE


def _lang(page: str) -> str:
    found = re.search(r'<html lang="([a-z]+)">', page)
    assert found is not None
    return found.group(1)


def test_lang_in_the_address_chooses_and_is_kept(app: FastAPI) -> None:
    with TestClient(app) as client:
        dutch = client.get("/login?lang=nl")
        assert _lang(dutch.text) == "nl" and "<h1>Aanmelden</h1>" in dutch.text
        assert dutch.headers["content-language"] == "nl"
        assert "Accept-Language" in dutch.headers["vary"]
        assert client.cookies.get(LANGUAGE_COOKIE) == "nl"
        again = client.get("/login", headers={"accept-language": "en"})
        assert _lang(again.text) == "nl"  # the reader's choice beats the browser's
        assert 'href="/login?lang=en"' in again.text  # the switch to the other one
        english = client.get("/login?lang=en")
        assert "<h1>Sign in</h1>" in english.text and _lang(english.text) == "en"
        odd = client.get("/login?lang=fr")  # not one of ours: as if not asked
        assert _lang(odd.text) == "en"


def test_the_browser_then_the_installation_decide(demo_db: Database) -> None:
    dutch_default = create_app(
        dataclasses.replace(settings_for(demo_db), language="nl"), db=demo_db
    )
    with TestClient(dutch_default) as client:
        assert _lang(client.get("/login").text) == "nl"
        asked = client.get("/login", headers={"accept-language": "en-GB,en;q=0.9"})
        assert _lang(asked.text) == "en" and "<h1>Sign in</h1>" in asked.text


def test_an_account_keeps_its_choice_and_gets_it_at_sign_in(
    app: FastAPI, demo_db: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    session = sign_in(make_user("anna", clearance="public"))
    form = {"csrf_token": session.csrf_token}
    refused = session.client.post("/account/language", data={**form, "language": "fr"})
    assert refused.status_code == 422 and get_user(demo_db, "anna").language is None
    saved = session.client.post("/account/language", data={**form, "language": "nl"})
    assert saved.status_code == 303 and get_user(demo_db, "anna").language == "nl"
    entry = next(e for e in recent_entries(demo_db, limit=5) if e.entity == "users")
    assert entry.action == "update" and '"language":"nl"' in (entry.after or "")
    page = session.client.get("/account")
    assert _lang(page.text) == "nl" and "Uw account" in page.text

    with TestClient(app, follow_redirects=False) as fresh:
        form_page = fresh.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form_page.text)
        assert token is not None
        answer = fresh.post(
            "/login",
            data={"username": "anna", "password": PASSWORD, "csrf_token": token.group(1)},
        )
        assert answer.status_code == 303
        assert fresh.cookies.get(LANGUAGE_COOKIE) == "nl"
