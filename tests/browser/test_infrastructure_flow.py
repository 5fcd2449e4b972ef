"""The infrastructure page in a real browser: the dependency graph is drawn by
plotly, a cascade is run from the form, and its timeline is drawn below."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.browser.conftest import ANALYST, LiveServer
from tests.browser.test_flows import sign_in

GRAPH = "#infrastructure-graph"
TIMELINE = "#cascade-timeline"


def test_graph_is_drawn_and_a_cascade_shows_its_timeline(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, ANALYST, "/infrastructure")
    page.wait_for_selector(f"{GRAPH} svg.main-svg")
    expect(page.locator(GRAPH)).to_have_attribute("data-drawn", "true")
    expect(page.locator(f"{GRAPH} .legend")).to_contain_text("energy")

    page.select_option("#c-process", "vp-electricity-regional-zh")
    page.fill("#c-hours", "48")
    page.click("form.cascade-form [type=submit]")
    page.wait_for_selector(f"{TIMELINE} svg.main-svg")
    expect(page.locator(TIMELINE)).to_have_attribute("data-drawn", "true")
    expect(page.locator("#affected-vp-drinking-water-zh")).to_contain_text(
        "vp-electricity-regional-zh"
    )
    assert live_server.errors == []
