"""A classified record stays out of sight on every page of a user outside its
need-to-know: its page, lists, filters, search, exports and the dashboard."""

from __future__ import annotations

import json

import pytest

from tests.web.conftest import MakeUser, SignedIn, SignIn
from weerbaar.services.context import Context
from weerbaar.services.records import update_record
from weerbaar.storage.db import Database

SECRET = "dirty-bomb"
TITLE = "Radiological dispersal device in a city centre"
MEASURE = "m-national-cbrn-programme"


@pytest.fixture
def classified(demo_db: Database) -> None:
    update_record(
        Context(db=demo_db, actor="test:setup"),
        entity_name="scenarios",
        key=SECRET,
        changes={"classification": "stg-c", "owned_by": "aivd"},
    )


@pytest.fixture
def outsider(classified: None, make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    """Cleared higher than the record, but of another organisation."""
    return sign_in(make_user("outsider", role="administrator", clearance="stg-g"))


@pytest.fixture
def insider(classified: None, make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("insider", organisation="aivd", clearance="stg-c"))


def test_the_owner_sees_the_classified_record_under_its_banner(insider: SignedIn) -> None:
    page = insider.client.get(f"/scenarios/{SECRET}")
    assert page.status_code == 200
    assert "State secret — confidential (Stg. Confidentieel)" in page.text
    assert 'class="classification level-stg-c"' in page.text
    assert SECRET in insider.client.get("/scenarios/export.csv").text


def test_its_page_is_not_found_for_another_organisation(outsider: SignedIn) -> None:
    client = outsider.client
    for url in (f"/scenarios/{SECRET}", f"/scenarios/{SECRET}/edit"):
        answer = client.get(url)
        assert answer.status_code == 404
        assert TITLE not in answer.text
    scored = client.post(
        f"/scenarios/{SECRET}/scores",
        data={"csrf_token": outsider.csrf_token, "criterion": "2.1", "value": "10"},
    )
    assert scored.status_code == 404
    score = client.get(f"/impact_scores/gra-2019/{SECRET}/2.1")
    assert score.status_code == 404


def test_it_is_absent_from_lists_filters_search_and_exports(outsider: SignedIn) -> None:
    client = outsider.client
    for url in ("/scenarios", "/scenarios?theme=cbrn", "/impact_scores", f"/measures/{MEASURE}"):
        page = client.get(url)
        assert page.status_code == 200
        assert SECRET not in page.text and TITLE not in page.text, url
    # Filtering on it must not reveal which visible records refer to it.
    filtered = client.get("/measures", params={"scenarios": SECRET})
    assert MEASURE not in filtered.text
    found = client.get("/search", params={"q": "radiological dispersal"})
    assert SECRET not in found.text and "0 results" in found.text
    for fmt in ("csv", "json"):
        exported = client.get(f"/scenarios/export.{fmt}").text
        assert SECRET not in exported and TITLE not in exported
    assert SECRET not in client.get("/impact_scores/export.json").text
    assert SECRET not in client.get("/measures/export.json?theme=cbrn").text


def test_it_is_absent_from_the_dashboard_and_its_diagram(outsider: SignedIn) -> None:
    page = outsider.client.get("/").text
    start = page.index('<script type="application/json" id="diagram-data">')
    data = page[start : page.index("</script>", start)].split(">", 1)[1]
    figure = json.loads(data)["figure"]
    assert figure["data"]
    assert SECRET not in data and TITLE[:20] not in data
    assert SECRET not in page and TITLE not in page


def test_its_history_stays_out_of_the_audit_log(outsider: SignedIn, insider: SignedIn) -> None:
    assert SECRET not in outsider.client.get("/audit").text
    assert SECRET in insider.client.get("/audit?entity=scenarios").text
