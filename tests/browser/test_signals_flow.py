"""The signal pages in a real browser: the trends figure is drawn by plotly with a
panel per theme, and the alerts page lists what detection raised."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import ANALYST, LiveServer
from tests.browser.test_flows import sign_in
from tests.web.test_signals_pages import seed_signals
from weerbaar.services.context import Context
from weerbaar.services.horizon import detect_alerts

FIGURE = "#signal-trends"


def test_trends_are_drawn_and_alerts_listed(page: Page, live_server: LiveServer) -> None:
    seed_signals(live_server.db)
    (alert,) = [
        v.record
        for v in detect_alerts(Context(db=live_server.db, actor="test:setup"))
        if v.record.theme == "cyber"
    ]
    sign_in(page, ANALYST, "/signals/trends")
    page.wait_for_selector(f"{FIGURE} svg.main-svg")
    expect(page.locator(FIGURE)).to_have_attribute("data-drawn", "true")
    expect(page.locator(f"{FIGURE} .legend")).to_contain_text("events per day")
    expect(page.locator(f"{FIGURE} .gtitle, {FIGURE} .annotation").first).to_be_visible()

    page.click("a[href='/signals/alerts']")
    page.wait_for_url("**/signals/alerts")
    card = page.locator(f"#alert-{alert.key}")
    expect(card).to_contain_text("growing")
    expect(card.locator("ul.evidence li").first).to_be_visible()
    expect(page.locator("form.detect-form button")).to_have_text("Detect now")
    assert live_server.errors == []
