"""What a person does in the browser: sign in, read the risk diagram, score a
scenario and see the diagram follow, and be refused what they may not see or do."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from playwright.sync_api import Page, Response, expect

from tests.browser.conftest import (
    ANALYST,
    OUTSIDER,
    PASSWORD,
    VIEWER,
    LiveServer,
    Person,
    server_of,
)

# Plotly draws into an <svg class="main-svg"> inside the element it was given; a
# scatter trace's markers are <path class="point">.
DIAGRAM = "#risk-diagram"
DRAWN = f"{DIAGRAM} svg.main-svg"
MARKERS = f"{DIAGRAM} path.point"

SCENARIO = "lek-dike-breach"  # public, unowned, scored in the demo round
SECRET = "dissident-assassination"  # stg-c, owned by aivd, shared with nctv only
SECRET_TITLE = "Liquidation of a dissident"


def sign_in(page: Page, person: Person, landing: str = "/") -> None:
    """Through the login form and the code of the person's authenticator app, which
    then send the browser on to ``landing``."""
    page.goto(f"/login?next={landing}")
    page.fill("input[name=username]", person.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("form[action='/login'] [type=submit]")
    page.wait_for_url("**/login/second-factor**")
    page.fill("input[name=code]", server_of(page).fresh_code(person.username))
    page.click("form[action='/login/second-factor'] [type=submit]")
    page.wait_for_url(f"**{landing}")
    expect(page.locator("header")).to_contain_text(person.username)


def diagram_figure(page: Page) -> dict[str, Any]:
    """The figure the dashboard hands to plotly, once plotly has drawn it."""
    page.goto("/")
    page.wait_for_selector(DRAWN)
    page.wait_for_selector(MARKERS)
    text = page.locator("script#diagram-data").text_content()
    assert text, "the dashboard has no diagram data"
    figure: dict[str, Any] = json.loads(text)["figure"]
    return figure


@dataclass(frozen=True, slots=True)
class Point:
    curve: int  # plotly's trace number
    index: int  # the point's number in its trace
    x: float
    y: float
    hover: str


def point_of(figure: dict[str, Any], key: str) -> Point:
    """Where a scenario's marker is, by its key (each marker's customdata)."""
    for curve, trace in enumerate(figure["data"]):
        keys = trace.get("customdata") or []
        if key in keys:
            i = keys.index(key)
            return Point(curve, i, trace["x"][i], trace["y"][i], str(trace["hovertext"][i]))
    raise AssertionError(f"{key} is not in the diagram")


def hover_label(page: Page, point: Point) -> str:
    """The label plotly shows on hovering the point (markers overlap too much to be
    reached reliably with the mouse)."""
    page.evaluate(
        "([where, curve, index]) => Plotly.Fx.hover("
        "document.querySelector(where), [{curveNumber: curve, pointNumber: index}])",
        [DIAGRAM, point.curve, point.index],
    )
    label = page.locator(f"{DIAGRAM} .hoverlayer .hovertext")
    expect(label).to_be_visible()
    return label.text_content() or ""


def test_an_analyst_scores_a_scenario_and_the_diagram_follows(
    page: Page, live_server: LiveServer
) -> None:
    sign_in(page, ANALYST)
    before = diagram_figure(page)
    old = point_of(before, SCENARIO)
    old_label = hover_label(page, old)
    assert "Lek dike" in old_label

    page.goto(f"/scenarios/{SCENARIO}")
    expect(page.locator("h1")).to_contain_text("Lek")
    form = page.locator(f"form[action='/scenarios/{SCENARIO}/scores']")
    form.locator("select[name=criterion]").select_option("2.1")  # deaths
    form.locator("input[name=value]").fill("E")
    form.locator("input[name=low]").fill("D")
    form.locator("input[name=high]").fill("E")
    with page.expect_navigation() as navigation:
        form.locator("[type=submit]").click()
    response = navigation.value
    assert response is not None and response.status == 200, "the score was not saved"
    assert page.url.split("#")[0].endswith(f"/scenarios/{SCENARIO}")

    after = diagram_figure(page)
    new = point_of(after, SCENARIO)
    # Markers that share a likelihood class are spread sideways by less than half a class.
    assert abs(new.x - old.x) < 0.5, "the likelihood did not change, so neither may its place"
    assert new.y > old.y, "a higher impact class moves the scenario up"
    assert new.hover != old.hover
    assert hover_label(page, new) != old_label
    assert not live_server.errors, f"script errors: {live_server.errors}"


def test_a_scenario_outside_need_to_know_is_not_found(page: Page) -> None:
    sign_in(page, OUTSIDER, landing="/scenarios")
    response = page.goto(f"/scenarios/{SECRET}")
    assert response is not None and response.status == 404
    expect(page.locator("h1")).to_have_text("Not found")
    assert SECRET_TITLE not in page.content()


def test_the_owning_organisation_reads_the_same_scenario(page: Page) -> None:
    sign_in(page, ANALYST, landing="/scenarios")
    response = page.goto(f"/scenarios/{SECRET}")
    assert response is not None and response.status == 200
    expect(page.locator("h1")).to_contain_text(SECRET_TITLE)


def test_a_viewer_may_not_edit(page: Page, live_server: LiveServer) -> None:
    sign_in(page, VIEWER, landing="/scenarios")
    response: Response | None = page.goto(f"/scenarios/{SCENARIO}/edit")
    assert response is not None
    if response.status == 200:
        # A form a viewer is shown must still be refused when sent.
        page.fill("[name=title]", "Changed by a viewer")
        with page.expect_navigation() as navigation:
            page.locator(f"form[action='/scenarios/{SCENARIO}'] [type=submit]").click()
        response = navigation.value
        assert response is not None
    assert response.status == 403
    expect(page.locator("h1")).to_have_text("Not allowed")
    page.goto(f"/scenarios/{SCENARIO}")
    expect(page.locator("h1")).not_to_contain_text("Changed by a viewer")
