"""Signing in through a real OpenID provider with a browser's steps: the sign-in page
offers the provider, the way there and back ends in a session at the right stage, and
an answer used twice, or in another browser, lands on the sign-in page refused."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.helpers import settings_for
from tests.sso_provider import authorize, provider_at
from weerbaar.config import SingleSignOnSettings
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app


@pytest.fixture
def browser(register: Database, oidc_issuer: str) -> Iterator[TestClient]:
    settings = dataclasses.replace(
        settings_for(register),
        single_sign_on=SingleSignOnSettings((provider_at(oidc_issuer),)),
    )
    with TestClient(create_app(settings, db=register), follow_redirects=False) as client:
        yield client


def _go_to_provider(browser: TestClient, next: str = "/scenarios") -> str:
    away = browser.get("/login/sso/intranet", params={"next": next})
    assert away.status_code == 303
    return str(away.headers["location"])


def _back(browser: TestClient, location: str) -> Any:
    parts = urlsplit(location)
    assert parts.netloc == "testserver"
    return browser.get(f"{parts.path}?{parts.query}")


def _landing(page: str) -> str:
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


def test_the_sign_in_page_offers_the_provider(browser: TestClient) -> None:
    page = browser.get("/login", params={"next": "/tiers"})
    assert page.status_code == 200
    assert 'href="/login/sso/intranet?next=/tiers"' in page.text
    assert "Sign in with Intranet" in page.text


def test_a_multi_factor_sign_in_at_the_provider_lands_fully_signed_in(
    browser: TestClient, oidc_issuer: str
) -> None:
    claims = {
        "preferred_username": "fjansen",
        "name": "F. Jansen",
        "groups": ["analysts", "cleared-stg-g"],
        "organisation": "AIVD",
        "amr": ["pwd", "mfa"],
    }
    back = _back(browser, authorize(oidc_issuer, _go_to_provider(browser), "sub-f", claims))
    assert back.status_code == 200
    assert _landing(back.text) == "/scenarios"
    assert browser.get("/scenarios").status_code == 200
    me = browser.get("/api/v1/me").json()
    # AIVD's ceiling in the tests' configuration is stg-c.
    assert (me["role"], me["organisation"], me["clearance"]) == ("analyst", "aivd", "stg-c")


def test_without_the_providers_second_factor_a_cleared_account_sets_one_up(
    browser: TestClient, oidc_issuer: str
) -> None:
    claims = {
        "preferred_username": "gvos",
        "groups": ["cleared-stg-c"],
        "organisation": "NCTV",
        "amr": ["pwd"],
    }
    back = _back(browser, authorize(oidc_issuer, _go_to_provider(browser), "sub-g", claims))
    assert back.status_code == 200
    assert _landing(back.text) == "/account/second-factor?next=/scenarios"
    held = browser.get("/scenarios")
    assert held.status_code == 303
    assert held.headers["location"].startswith("/account/second-factor")


def test_an_answer_used_twice_or_in_another_browser_is_refused(
    browser: TestClient, oidc_issuer: str
) -> None:
    claims = {"preferred_username": "hsmit", "organisation": "NCTV"}
    location = authorize(oidc_issuer, _go_to_provider(browser), "sub-h", claims)
    assert _back(browser, location).status_code == 200
    browser.cookies.clear()
    replayed = _back(browser, location)
    assert replayed.status_code == 401
    assert "already used" in replayed.text
    assert browser.get("/api/v1/me").status_code == 401
    # An answer to a sign-in another browser started: refused, however fresh.
    location = authorize(oidc_issuer, _go_to_provider(browser), "sub-h", claims)
    with TestClient(browser.app, follow_redirects=False) as victim:
        stolen = _back(victim, location)
        assert stolen.status_code == 401 and "another browser" in stolen.text
        assert victim.get("/api/v1/me").status_code == 401


def test_an_unknown_provider_is_refused(browser: TestClient) -> None:
    answer = browser.get("/login/sso/elsewhere")
    assert answer.status_code == 401
    assert "no single sign-on provider" in answer.text
