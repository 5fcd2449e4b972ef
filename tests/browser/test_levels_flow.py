"""A threat level raised in the browser, end to end on the demo profile: the
coordinator raises the drinking water sector's alert level, sees the measures agreed
for it in force, the dashboard shows the raised level and the theme it puts up for
tier review, and the organisations that take the measures are told: by a signed
webhook and by e-mail, each to a real receiver, listed in the notification log."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import COORDINATOR, LiveServer
from tests.browser.test_flows import sign_in
from tests.notify_receivers import Hook, Mailbox, smtp_server, webhook_server
from weerbaar.services.context import Context
from weerbaar.services.notifications.channels import add_channel

WATER = "#scope-atb-drinking-water"
RATIONALE = "Concrete indications of an attack on a drinking water company."
DELIVERY_TIMEOUT = 20.0


def _eventually(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {DELIVERY_TIMEOUT:g} s", pytrace=False)
        time.sleep(0.1)


def test_raise_a_sector_level_measures_dashboard_notifications(
    page: Page, live_server: LiveServer
) -> None:
    hook, mailbox = Hook(), Mailbox()
    # The app sends e-mail to the port it was started with.
    with webhook_server(hook) as url, smtp_server(mailbox, port=live_server.smtp_port):
        operator = Context(db=live_server.db, actor="test:setup")
        _, secret = add_channel(operator, organisation="vitens", kind="webhook", target=url)
        hook.secret = secret
        add_channel(operator, organisation="evides", kind="email", target="alerts@evides.example")

        sign_in(page, COORDINATOR, "/levels")
        row = page.locator(WATER)
        expect(row).to_contain_text("1 Standard")
        row.locator("summary", has_text="Set level").click()
        row.locator("select[name=level]").select_option("3")
        row.locator("textarea[name=rationale]").fill(RATIONALE)
        row.locator("button", has_text="Set level").click()
        page.wait_for_url("**/levels?changed=atb-drinking-water-*")

        row = page.locator(WATER)
        expect(page.locator("[role=status]")).to_contain_text("Level set")
        expect(row).to_contain_text("3 Moderate threat")
        expect(row).to_contain_text("raised")
        in_force = row.locator("ul.in-force li")
        expect(in_force).to_have_count(3)
        for organisation in ("vitens", "evides", "politie"):
            expect(row.locator("ul.in-force")).to_contain_text(organisation)
        expect(row.locator("ul.in-force")).to_contain_text("Extra sampling and online quality")
        timeline = page.locator("figure.timeline img")
        timeline.scroll_into_view_if_needed()
        page.wait_for_function("image => image.complete", arg=timeline.element_handle())
        assert timeline.evaluate("image => image.naturalWidth") > 0, "the timeline did not load"

        page.goto("/")
        box = page.locator("section.threat-levels")
        expect(box.locator("tr", has_text="drinking water")).to_contain_text("Moderate threat")
        expect(box.locator("tr", has_text="drinking water")).to_contain_text("raised")
        flagged = box.locator("a[href='/tiers#theme-terrorism-extremism']")
        expect(flagged).to_have_text("Terrorism and extremism")
        flagged.click()
        page.wait_for_url("**/tiers#theme-terrorism-extremism")
        expect(page.locator("#theme-terrorism-extremism")).to_contain_text(
            "review: threat level raised"
        )

        # Sent after the response, in the background: wait for both receivers.
        _eventually(lambda: len(mailbox.messages) == 1, "no e-mail arrived")
        _eventually(lambda: len(hook.received) == 1, "no webhook arrived")

    mail = mailbox.messages[0]
    assert mail["To"] == "alerts@evides.example"
    assert "Counter-terrorism alert system raised to 3 Moderate threat" in str(mail["Subject"])
    assert RATIONALE in mail.get_content()
    received = hook.received[0]
    assert received.valid, "the webhook's signature does not verify"
    assert b'"organisation":"vitens"' in received.body

    page.goto("/notifications")
    log = page.locator("table.notifications")
    expect(log.locator("tr", has_text="alerts@evides.example")).to_contain_text("sent")
    expect(log.locator("tr", has_text=url)).to_contain_text("sent")
    expect(log.locator("tbody tr")).to_have_count(2)
    assert live_server.errors == []
