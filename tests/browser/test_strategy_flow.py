"""The strategy's decision in the browser, end to end on the demo profile: the rules
propose a tier, the coordinator decides against it (and must say why), a ministry's
concretisation gets a measure and a milestone, and the progress page reports it."""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import Page, expect

from tests.browser.conftest import COORDINATOR, LiveServer
from tests.browser.test_flows import sign_in

THEME = "natural-disasters"  # continued focus in the demo; a capability gap nobody closes


def _new(page: Page, entity: str, key: str, **given: str) -> None:
    """Fill the generated new-record form: the query string fills the fields."""
    page.goto(f"/{entity}/-/new?{urlencode(given)}")
    page.fill("#f-key", key)
    page.click("form.record-form [type=submit]")
    page.wait_for_url(f"**/{entity}/{key}")


def test_rules_decision_concretisation_measure_progress(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, COORDINATOR, "/tiers")
    row = page.locator(f"#theme-{THEME}")
    expect(row).to_contain_text("Strengthened approach")  # proposed
    expect(row).to_contain_text("would change")
    expect(row.locator(".certainty")).to_contain_text("of draws")
    row.locator("summary", has_text="What would change it").click()
    expect(row.locator(".what-if")).to_contain_text("gaps_open")
    row.locator("summary", has_text="Reasons").click()
    expect(row.locator("details", has_text="Reasons")).to_contain_text("no-comprehensive-approach")

    # Against the proposal without a reason: refused, nothing written.
    row.locator("summary", has_text="Record a decision").click()
    row.locator("select[name=tier]").select_option("continued_focus")
    row.locator("textarea[name=rationale]").fill("(1) The Delta Programme covers it. (2) Yes.")
    row.locator("button", has_text="Record decision").click()
    row = page.locator(f"#theme-{THEME}")
    expect(row.locator(".error")).to_contain_text("say why the decision differs")

    row.locator("select[name=tier]").select_option("continued_focus")
    row.locator("textarea[name=rationale]").fill("(1) The Delta Programme covers it. (2) Yes.")
    row.locator("textarea[name=deviation]").fill("Flood defences are on schedule.")
    row.locator("button", has_text="Record decision").click()
    page.wait_for_url("**/decisions/dec-*")
    decision = page.url.rsplit("/", 1)[1]
    main = page.locator("main")
    expect(main).to_contain_text("Flood defences are on schedule.")
    expect(main).to_contain_text("strengthened")  # the proposal, kept beside it

    _new(
        page,
        "concretisations",
        "conc-floods-ienw",
        theme=THEME,
        ministry="min-ienw",
        cycle="nss-2019",
        decision=decision,
        status="drafting",
        goals="Keep flood risk at the legal standards by 2050.",
    )
    _new(
        page,
        "measures",
        "m-floods-evacuation",
        title="Evacuation plans for dike-ring areas",
        kind="theme_specific",
        status="in_progress",
        owner="min-ienw",
        theme=THEME,
        starts_on="2025-01-01",
    )
    _new(
        page,
        "milestones",
        "ms-floods-evacuation-plans",
        title="Evacuation plans adopted by every safety region",
        measure="m-floods-evacuation",
        due_on="2025-06-30",
    )

    page.goto("/progress?ministry=min-ienw")
    main = page.locator("main")
    expect(main).to_contain_text("Evacuation plans adopted by every safety region")
    expect(main.locator("tr", has_text="conc-floods-ienw")).to_contain_text("Not yet concretised")
    assert live_server.errors == []
