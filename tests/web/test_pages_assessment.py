"""The assessment on the pages: a scenario's classes with their rules, scoring through
its form, the dashboard's diagram and what changed since the previous round."""

from __future__ import annotations

import json
import re

import pytest

from tests.web.conftest import MakeUser, SignedIn, SignIn
from weerbaar.services.assessment import assess_round
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.services.scoring import record_score
from weerbaar.storage.db import Database

SCENARIO = "lek-dike-breach"


@pytest.fixture
def analyst(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("analyst", role="analyst", clearance="stg-g"))


def diagram_data(page: str) -> dict[str, object]:
    found = re.search(r'<script type="application/json" id="diagram-data">(.*?)</script>', page)
    assert found is not None
    data: dict[str, object] = json.loads(found.group(1))
    return data


def test_a_scenario_page_shows_each_class_with_its_rule(analyst: SignedIn) -> None:
    page = analyst.client.get(f"/scenarios/{SCENARIO}").text
    assert "13,000,000,000 EUR → D" in page  # the demo's calibration point
    assert "Risk rank" in page and "Medal rank" in page
    assert "Uncertainty band (P5–P95)" in page
    assert "calibrated, not official" in page


def test_scoring_through_the_form_changes_the_assessment(
    analyst: SignedIn, demo_db: Database
) -> None:
    before = assess_round(demo_db).result(SCENARIO)
    assert before is not None
    dashboard_before = diagram_data(analyst.client.get("/").text)
    answer = analyst.client.post(
        f"/scenarios/{SCENARIO}/scores",
        data={
            "csrf_token": analyst.csrf_token,
            "criterion": "2.1",
            "value": "5000",
            "low": "2000",
            "high": "9000",
            "note": "after the 2021 floods",
        },
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/scenarios/{SCENARIO}#assessment"
    after = assess_round(demo_db).result(SCENARIO)
    assert after is not None and after.impact > before.impact
    page = analyst.client.get(f"/scenarios/{SCENARIO}").text
    assert "5,000 people → D" in page
    assert diagram_data(analyst.client.get("/").text) != dashboard_before


def test_a_bad_score_is_shown_on_the_page_and_not_saved(
    analyst: SignedIn, demo_db: Database
) -> None:
    answer = analyst.client.post(
        f"/scenarios/{SCENARIO}/scores",
        data={"csrf_token": analyst.csrf_token, "criterion": "2.1", "value": "-3"},
    )
    assert answer.status_code == 422
    assert "Score not saved" in answer.text
    assert 'value="-3"' in answer.text
    result = assess_round(demo_db).result(SCENARIO)
    assert result is not None and str(result.criteria[1].resolved.expected) == "C"


def test_the_dashboard_shows_what_changed_since_the_previous_round(
    analyst: SignedIn, demo_db: Database
) -> None:
    operator = Context(db=demo_db, actor="test:setup")
    create_record(
        operator,
        entity_name="rounds",
        raw={
            "key": "gra-2023",
            "cycle": "nss-2019",
            "name": "GRA 2023",
            "held_on": "2023-06-01",
            "edition": "gra-2019",
            "status": "open",
        },
    )
    for criterion, value in (("2.1", "5000"), ("3.1", "13000000000"), ("likelihood", "0.02")):
        record_score(
            operator, scenario=SCENARIO, criterion=criterion, value=value, round_key="gra-2023"
        )
    page = analyst.client.get("/").text
    assert "GRA 2023 compared with Geïntegreerde Risicoanalyse Nationale Veiligheid 2019" in page
    section = page[page.index('id="changes-heading"') : page.index('id="tiers-heading"')]
    assert "not in this round" in section  # scenarios scored only in 2019
    lek = section[section.index(f'href="/scenarios/{SCENARIO}"') :]
    assert "rank" in lek.split("</tr>")[0]


def test_the_diagram_has_an_image_for_browsers_without_javascript(analyst: SignedIn) -> None:
    page = analyst.client.get("/").text
    assert '<img src="/diagram.png"' in page
    image = analyst.client.get("/diagram.png")
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")
