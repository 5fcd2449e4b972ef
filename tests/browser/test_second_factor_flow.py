"""A second factor in the browser: a stg-c account without one reaches nothing but
setting it up; it enrols an authenticator app (the code computed here with pyotp),
gets its recovery codes once, and from then on signs in with a code; a wrong code and
a used one are refused; a recovery code works once."""

from __future__ import annotations

import re

import pyotp
from playwright.sync_api import Page, expect

from tests.browser.conftest import PASSWORD, LiveServer, at_path
from weerbaar.services import accounts
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context


def _password(page: Page, username: str, landing: str = "/scenarios") -> None:
    page.goto(f"/login?next={landing}")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] [type=submit]")


def _code(page: Page, code: str) -> None:
    page.fill("input[name=code]", code)
    page.click("form[action='/login/second-factor'] [type=submit]")


def test_an_account_that_must_enrols_then_signs_in_with_codes(
    page: Page, live_server: LiveServer
) -> None:
    accounts.add_user(
        Context(live_server.db, "test:setup"),
        username="nina",
        password=PASSWORD,
        role="analyst",
        organisation="nctv",
        clearance="stg-c",
    )
    _password(page, "nina")
    page.wait_for_url("**/account/second-factor**")
    expect(page.locator("[role=status]")).to_contain_text("second factor")
    # Nothing else is reachable before the second factor is set up.
    for path in ("/audit", "/account", "/scenarios"):
        page.goto(path)
        assert "/account/second-factor" in page.url, path
    assert page.request.get("/api/v1/me").status == 401

    page.click("form[action='/account/second-factor/begin'] [type=submit]")
    expect(page.locator("img.qr")).to_be_visible()
    secret = page.locator("#totp-secret").inner_text().strip()
    app = pyotp.TOTP(secret)
    page.fill("input[name=code]", "000000" if app.now() != "000000" else "111111")
    page.click("form[action='/account/second-factor/confirm'] [type=submit]")
    expect(page.locator("[role=alert]")).to_contain_text("not right")

    page.click("form[action='/account/second-factor/begin'] [type=submit]")
    app = pyotp.TOTP(page.locator("#totp-secret").inner_text().strip())
    enrolled_with = app.now()
    page.fill("input[name=code]", enrolled_with)
    page.click("form[action='/account/second-factor/confirm'] [type=submit]")
    # all_inner_texts does not wait for the answer's page: the count does.
    expect(page.locator("#recovery-codes code")).to_have_count(10)
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{5}-[a-z2-7]{5}", c) for c in codes)
    page.get_by_role("link", name="Continue").click()
    page.wait_for_url(at_path("/scenarios"))
    expect(page.locator("h1")).to_contain_text("Scenarios")

    # Signing in again: the password, then a code.
    page.context.clear_cookies()
    _password(page, "nina")
    page.wait_for_url("**/login/second-factor**")
    assert page.request.get("/api/v1/me").status == 401
    _code(page, enrolled_with)  # already used at enrolment
    expect(page.locator("[role=alert]")).to_contain_text("used before")
    _code(page, codes[0])  # a recovery code
    page.wait_for_url(at_path("/scenarios"))
    expect(page.locator("h1")).to_contain_text("Scenarios")

    page.context.clear_cookies()
    _password(page, "nina")
    page.wait_for_url("**/login/second-factor**")
    _code(page, codes[0])  # used up
    expect(page.locator("[role=alert]")).to_contain_text("not right")
    entries = recent_entries(live_server.db, entity="sign_ins", key="nina")
    assert any(e.action == "sign-in-fail" for e in entries)
    assert all(codes[0] not in f"{e.after}{e.note}" for e in entries)
