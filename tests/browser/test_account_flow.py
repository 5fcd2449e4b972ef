"""One's own account in the browser: the sessions signed in elsewhere, ended from here
(that browser is signed out at its next request), and an API token made and shown
once."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import SERVERS, VIEWER, LiveServer
from tests.browser.test_flows import sign_in
from weerbaar.services import api_tokens


def test_ending_a_session_signs_that_browser_out(
    page: Page, browser: Browser, live_server: LiveServer
) -> None:
    elsewhere = browser.new_context(base_url=live_server.url)
    SERVERS[elsewhere] = live_server
    other = elsewhere.new_page()
    try:
        sign_in(other, VIEWER, landing="/account")
        sign_in(page, VIEWER, landing="/account")
        rows = page.locator("table tbody tr")
        expect(rows).to_have_count(2)
        expect(page.locator("tr.current")).to_contain_text("this browser")
        page.locator("tr:not(.current) button", has_text="End this session").click()
        page.wait_for_url("**/account")
        expect(page.locator("table tbody tr")).to_have_count(1)

        other.goto("/account")
        other.wait_for_url("**/login**")
        expect(other.locator("h1")).to_contain_text("Sign in")
        # This browser is still signed in.
        page.goto("/account")
        expect(page.locator("h1")).to_have_text("Your account")
    finally:
        elsewhere.close()


def test_a_token_is_made_on_the_page_shown_once_and_works(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, VIEWER, landing="/account")
    page.fill("#token-name", "weekly export")
    page.select_option("#token-scope", "read")
    page.fill("#token-days", "7")
    page.click("form[aria-label='New API token'] [type=submit]")
    token = page.locator("#new-token").inner_text().strip()
    assert token.startswith(api_tokens.TOKEN_PREFIX)
    use = api_tokens.resolve_token(live_server.db, token, "127.0.0.1")
    assert use is not None and use.scope is api_tokens.Scope.READ
    expect(page.locator("table", has_text="weekly export")).to_contain_text("read")
    page.goto("/account")
    assert token not in page.content()
    page.locator("tr", has_text="weekly export").get_by_role("button", name="Revoke").click()
    expect(page.locator("[role=status]")).to_contain_text("revoked")
    assert api_tokens.resolve_token(live_server.db, token, "127.0.0.1") is None
