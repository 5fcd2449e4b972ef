"""A security key in the browser, through Chromium's virtual authenticator (the
DevTools WebAuthn domain): a stg-c account without a second factor adds a key on the
set-up page it is sent to, then signs in with its password and the key; the key's
signature counter shows both uses. Security keys are bound to a host name, never to
an IP address, so this browser opens the site as localhost."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, CDPSession, Page, expect

from tests.browser.conftest import ACTION_TIMEOUT_MS, PASSWORD, SERVERS, LiveServer, at_path
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.second_factors import factor_kinds


@pytest.fixture
def keyed(browser: Browser, live_server: LiveServer) -> Iterator[tuple[Page, CDPSession, str]]:
    """A page at localhost with a virtual security key attached: (page, DevTools
    session, the authenticator's id)."""
    context = browser.new_context(base_url=live_server.url.replace("127.0.0.1", "localhost"))
    context.set_default_timeout(ACTION_TIMEOUT_MS)
    page = context.new_page()
    SERVERS[context] = live_server
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    devtools = context.new_cdp_session(page)
    devtools.send("WebAuthn.enable")
    added = devtools.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "usb",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    yield page, devtools, added["authenticatorId"]
    context.close()
    assert errors == [], errors


def _password(page: Page, username: str) -> None:
    page.goto("/login?next=/scenarios")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] [type=submit]")


def test_a_key_is_added_and_then_signs_in(
    keyed: tuple[Page, CDPSession, str], live_server: LiveServer
) -> None:
    page, devtools, authenticator = keyed
    accounts.add_user(
        Context(live_server.db, "test:setup"),
        username="kees",
        password=PASSWORD,
        role="analyst",
        organisation="aivd",
        clearance="stg-c",
    )
    _password(page, "kees")
    page.wait_for_url("**/account/second-factor**")
    page.fill("#key-name", "desk key")
    page.click("#key-add [type=submit]")
    expect(page.locator("#recovery-codes")).to_be_visible()
    expect(page.locator("main")).to_contain_text("The security key is added")
    assert factor_kinds(live_server.db, "kees") == {"webauthn"}
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(at_path("/scenarios"))

    page.context.clear_cookies()
    _password(page, "kees")
    page.wait_for_url("**/login/second-factor**")
    assert page.request.get("/api/v1/me").status == 401
    page.click("#key-sign-in [type=submit]")
    page.wait_for_url(at_path("/scenarios"))
    assert page.request.get("/api/v1/me").json()["username"] == "kees"

    held = devtools.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(held["credentials"]) == 1
    assert held["credentials"][0]["rpId"] == "localhost"
    assert held["credentials"][0]["signCount"] >= 1


def test_without_its_key_the_account_stays_at_the_second_step(
    keyed: tuple[Page, CDPSession, str], live_server: LiveServer
) -> None:
    page, devtools, authenticator = keyed
    accounts.add_user(
        Context(live_server.db, "test:setup"),
        username="kim",
        password=PASSWORD,
        role="analyst",
        organisation="aivd",
        clearance="stg-c",
    )
    _password(page, "kim")
    page.wait_for_url("**/account/second-factor**")
    page.click("#key-add [type=submit]")
    expect(page.locator("#recovery-codes")).to_be_visible()
    devtools.send("WebAuthn.clearCredentials", {"authenticatorId": authenticator})

    page.context.clear_cookies()
    _password(page, "kim")
    page.wait_for_url("**/login/second-factor**")
    page.click("#key-sign-in [type=submit]")
    # The key no longer holds the credential: the browser reports it, nothing is sent.
    expect(page.locator("#key-sign-in [data-webauthn-status]")).to_contain_text(
        "did not answer", timeout=ACTION_TIMEOUT_MS
    )
    assert "/login/second-factor" in page.url
    assert page.request.get("/api/v1/me").status == 401
