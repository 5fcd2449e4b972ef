"""An expert session in real browsers, on the demo profile: the coordinator plans it
and invites three experts (the invitations reach a real SMTP receiver), each expert
scores in a browser context of their own without seeing the others' scores until they
submit, the chair's live view flags the criterion where they lie two classes apart,
the chair opens a second scoring round and concludes, and the risk diagram moves; an
analyst reviews, the chair may not approve (four eyes), a coordinator who took no
part approves, and an edit of the approved scenario is refused on its page."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator

import pyotp
import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import (
    ACTION_TIMEOUT_MS,
    ANALYST,
    COORDINATOR,
    PASSWORD,
    SERVERS,
    LiveServer,
    Person,
)
from tests.browser.test_flows import diagram_figure, point_of, sign_in
from tests.notify_receivers import Mailbox, smtp_server
from weerbaar.config import DeliverySettings
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.notifications.delivery import deliver_due
from weerbaar.services.second_factors import begin_totp, confirm_totp

KEY = "s-lek-dike"
ROUND = "gra-2019"
SCENARIO = "lek-dike-breach"  # public, scored in the demo round (deaths: class C)
EXPERTS = (
    Person("eva", "expert", "nctv", "dep-v"),
    Person("erik", "expert", "politie", "dep-v"),
    Person("emma", "analyst", "nctv", "dep-v"),
)
APPROVER = Person("dirk", "coordinator", "nctv", "stg-g")  # took no part in the session
# Round 1 on deaths (2.1): A, C and B: two classes apart, flagged for discussion.
FIRST = {"eva": "A", "erik": "C", "emma": "B"}
SECOND = {"eva": "D", "erik": "E", "emma": "D"}
RATIONALE = {name: f"Reasoning of {name}: the dike ring's evacuation" for name in FIRST}
DELIVERY_TIMEOUT = 20.0


def _eventually(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + DELIVERY_TIMEOUT
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {DELIVERY_TIMEOUT:g} s", pytrace=False)
        time.sleep(0.1)


@pytest.fixture
def expert_pages(browser: Browser, live_server: LiveServer) -> Iterator[dict[str, Page]]:
    """Each expert's and the approver's account (with their authenticator app), each
    with a browser context of their own."""
    operator = Context(db=live_server.db, actor="test:setup")
    pages: dict[str, Page] = {}
    for person in (*EXPERTS, APPROVER):
        user = accounts.add_user(
            operator,
            username=person.username,
            password=PASSWORD,
            role=person.role,
            organisation=person.organisation,
            clearance=person.clearance,
        )
        secret = begin_totp(operator, user).secret
        confirm_totp(operator, user, pyotp.TOTP(secret).now())
        live_server.totp[person.username] = secret
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(ACTION_TIMEOUT_MS)
        SERVERS[context] = live_server
        tab = context.new_page()
        tab.on("pageerror", lambda error: live_server.errors.append(str(error)))
        pages[person.username] = tab
    yield pages
    for tab in pages.values():
        tab.context.close()


def _plan(page: Page) -> None:
    page.goto("/sessions")
    form = page.locator("form.new-session")
    form.locator("input[name=key]").fill(KEY)
    form.locator("select[name=round]").select_option(ROUND)
    form.locator("input[name=title]").fill("Dijkdoorbraak Lek")
    form.locator("input[name=title_en]").fill("Lek dike breach")
    form.locator("input[name=held_on]").fill("2026-12-10")
    form.locator("select[name=scenarios]").select_option([SCENARIO])
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/sessions/{KEY}")
    for person in EXPERTS:
        page.locator("#experts summary").click()
        adding = page.locator("form.add-expert")
        adding.locator("input[name=username]").fill(person.username)
        adding.locator("input[name=email]").fill(f"{person.username}@experts.example")
        adding.locator("button[type=submit]").click()
        page.wait_for_url(f"**/sessions/{KEY}#experts")
        expect(
            page.locator(f"table.participants tr[data-expert='{person.username}']")
        ).to_be_visible()


def _step(page: Page, label: str) -> None:
    page.goto(f"/sessions/{KEY}")
    page.locator("section.session-steps button", has_text=label).click()
    page.wait_for_url(f"**/sessions/{KEY}")


def _score(page: Page, value: str, rationale: str, *, likelihood: bool) -> None:
    page.goto(f"/sessions/{KEY}")
    row = page.locator("fieldset.score-row[data-criterion='2.1']")
    row.locator("input[name^=value]").fill(value)
    row.locator("input[name^=low]").fill(value)
    row.locator("input[name^=high]").fill(value)
    row.locator("select[name^=confidence]").select_option("medium")
    row.locator("input[name^=rationale]").fill(rationale)
    if likelihood:
        chance = page.locator("fieldset.score-row[data-criterion='likelihood']")
        chance.locator("input[name^=value]").fill("B")
        # Keyboard only: the last field of the row, then Enter sends the form.
        chance.locator("input[name^=rationale]").fill("Once in a few hundred years.")
        chance.locator("input[name^=rationale]").press("Enter")
    else:
        page.locator("#score-form button[type=submit]").click()
    page.wait_for_url(f"**/sessions/{KEY}?saved=1#scoring")
    expect(page.locator("[role=status]")).to_contain_text("saved")


def _submit(page: Page) -> None:
    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("form.submit-scores button").click()
    page.wait_for_url(f"**/sessions/{KEY}#disagreement")


def test_three_experts_score_blind_and_the_chair_concludes(
    page: Page, live_server: LiveServer, expert_pages: dict[str, Page]
) -> None:
    chair = page
    # The dashboard runs the round's Monte Carlo on each visit: slow on a busy machine.
    chair.context.set_default_timeout(3 * ACTION_TIMEOUT_MS)
    sign_in(chair, COORDINATOR, landing="/sessions")
    before = point_of(diagram_figure(chair), SCENARIO)

    mailbox = Mailbox()
    with smtp_server(mailbox, port=live_server.smtp_port):
        _plan(chair)
        settings = DeliverySettings(smtp_host="127.0.0.1", smtp_port=live_server.smtp_port)
        deliver_due(live_server.db, settings=settings)
        _eventually(lambda: len(mailbox.messages) >= 3, "three invitations arrive")
    assert sorted(str(m["To"]) for m in mailbox.messages) == [
        f"{p.username}@experts.example" for p in sorted(EXPERTS, key=lambda p: p.username)
    ]
    assert all(KEY in str(m["Subject"]) for m in mailbox.messages)

    _step(chair, "Start scoring")
    expect(chair.locator("#session-status")).to_have_attribute("data-status", "scoring")

    for person in EXPERTS:
        sign_in(expert_pages[person.username], person, landing=f"/sessions/{KEY}")
    eva, erik, emma = (expert_pages[p.username] for p in EXPERTS)

    # Erik scores first; the chair watches the scores arrive, live.
    _score(erik, FIRST["erik"], RATIONALE["erik"], likelihood=True)
    chair.goto(f"/sessions/{KEY}")
    live = chair.locator("#disagreement-view")
    expect(live).to_have_attribute("data-refresh", f"/sessions/{KEY}/disagreement")
    row = live.locator("tr[data-criterion='2.1']")
    expect(row.locator("li[data-expert]")).to_have_count(1)
    _score(emma, FIRST["emma"], RATIONALE["emma"], likelihood=False)
    _score(eva, FIRST["eva"], RATIONALE["eva"], likelihood=True)
    # Eva, still scoring, sees nothing of the others' scores.
    for url in (f"/sessions/{KEY}", f"/sessions/{KEY}/disagreement"):
        eva.goto(url)
        text = eva.content()
        for other in ("erik", "emma"):
            assert RATIONALE[other] not in text, url
    eva.goto(f"/sessions/{KEY}")
    expect(eva.locator("#disagreement")).to_have_count(0)
    expect(eva.locator("input[name='value:lek-dike-breach:2.1']")).to_have_value("A")
    # Without reloading, the chair's view now holds all three, flagged two classes apart.
    expect(row.locator("li[data-expert]")).to_have_count(3)
    expect(row).to_have_class("flagged")
    expect(row.locator(".flag")).to_be_visible()

    _submit(eva)
    expect(eva.locator("#disagreement")).to_contain_text(RATIONALE["erik"])
    expect(eva.locator("#disagreement tr[data-criterion='2.1']")).to_have_class("flagged")
    _submit(erik)
    _submit(emma)
    chair.reload()
    expect(chair.locator("table.participants td.submitted strong")).to_have_count(3)

    # Discussion, then a second scoring round: blind again.
    _step(chair, "To discussion")
    _step(chair, "Open another scoring round")
    expect(chair.locator("#session-status")).to_contain_text("scoring round 2")
    for name, tab in ((p.username, expert_pages[p.username]) for p in EXPERTS):
        _score(tab, SECOND[name], f"Second thoughts of {name}", likelihood=False)
    eva.goto(f"/sessions/{KEY}")
    assert "Second thoughts of erik" not in eva.content()
    expect(eva.locator("#earlier")).to_contain_text(RATIONALE["erik"])  # round 1, discussed
    for tab in (eva, erik, emma):
        _submit(tab)
    _step(chair, "To discussion")

    # The chair sets the deaths' outcome and concludes.
    form = chair.locator("form.conclude")
    outcome = form.locator("fieldset.outcome-row[data-criterion='2.1']")
    outcome.locator("input[value=own]").check()
    outcome.locator("input[name^=value]").fill("E")
    outcome.locator("input[name^=low]").fill("D")
    outcome.locator("input[name^=high]").fill("E")
    form.locator("textarea[name=rationale]").fill("The experts converged on D to E.")
    form.locator("button[type=submit]").click()
    chair.wait_for_url(f"**/sessions/{KEY}#outcome")
    expect(chair.locator("#session-status")).to_have_attribute("data-status", "concluded")
    expect(chair.locator("#outcome tr[data-criterion='2.1']")).to_contain_text("E (D – E)")
    expect(chair.locator("a[href$='/minutes.md']")).to_be_visible()

    after = point_of(diagram_figure(chair), SCENARIO)
    assert abs(after.x - before.x) < 0.5, "the likelihood was not concluded: its place stays"
    assert after.y > before.y, "deaths concluded at E moves the scenario up"

    # Review by an analyst; the chair may not approve what she concluded; Dirk does.
    reviewer = expert_pages[APPROVER.username].context.new_page()
    sign_in(reviewer, ANALYST, landing=f"/rounds/{ROUND}/status")
    board_row = f"#scenario-{SCENARIO}"
    expect(reviewer.locator(f"{board_row} td[data-status]")).to_have_attribute(
        "data-status", "concluded"
    )
    reviewer.locator(f"{board_row} button", has_text="Review").click()
    reviewer.wait_for_url(f"**/rounds/{ROUND}/status")
    expect(reviewer.locator(f"{board_row} td[data-status]")).to_have_attribute(
        "data-status", "reviewed"
    )
    chair.goto(f"/rounds/{ROUND}/status")
    expect(chair.locator(board_row)).to_contain_text("someone else approves")
    expect(chair.locator(f"{board_row} button", has_text="Approve")).to_have_count(0)
    approver = expert_pages[APPROVER.username]
    sign_in(approver, APPROVER, landing=f"/rounds/{ROUND}/status")
    approver.locator(f"{board_row} button", has_text="Approve").click()
    approver.wait_for_url(f"**/rounds/{ROUND}/status")
    expect(approver.locator(f"{board_row} td[data-status]")).to_have_attribute(
        "data-status", "approved"
    )

    # An edit of the approved scenario on its page is refused, naming the round.
    reviewer.goto(f"/scenarios/{SCENARIO}")
    form = reviewer.locator(f"form[action='/scenarios/{SCENARIO}/scores']")
    form.locator("select[name=criterion]").select_option("2.1")
    form.locator("input[name=value]").fill("B")
    with reviewer.expect_navigation() as navigation:
        form.locator("[type=submit]").click()
    refused = navigation.value
    assert refused is not None and refused.status == 409
    expect(reviewer.locator("main")).to_contain_text(ROUND)
    expect(reviewer.locator("main")).to_contain_text("locked")
    final = point_of(diagram_figure(chair), SCENARIO)
    assert (final.x, final.y) == (after.x, after.y), "the refused edit changed nothing"
    assert not live_server.errors, f"script errors: {live_server.errors}"
