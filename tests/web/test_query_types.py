"""Query parameters are read strictly, on the API and the pages: a date is a date
(``?since=0`` is not the first of January 1970), a number has bounds, a choice is
one of its values. The API answers 422 naming the parameter; a page answers 400 with
a page that says what was wrong."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.helpers import open_session, settings_for
from tests.web.conftest import ApiClient, MakeUser, SignedIn, SignIn
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app
from weerbaar.web.auth import SESSION_COOKIE


@pytest.fixture
def admin_api(make_user: MakeUser, api_client: ApiClient) -> TestClient:
    return api_client(make_user("root", role="administrator", clearance="stg-g"))


@pytest.fixture
def admin_browser(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("root", role="administrator", clearance="stg-g"))


def _refused(answer: Any, parameter: str) -> str:
    """The reason the API gave for refusing ``parameter``, after checking the answer."""
    assert answer.status_code == 422, answer.text
    issues = answer.json()["error"]["issues"]
    assert [(i["place"], i["field"]) for i in issues] == [("query", parameter)]
    reason: str = issues[0]["reason"]
    return reason


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/progress?since=0", "since"),
        ("/api/v1/progress?since=1700000000", "since"),
        ("/api/v1/signals/trends?since=1000000000", "since"),
        ("/api/v1/signals/trends?until=20240101", "until"),
        ("/api/v1/alerts?since=0", "since"),
        ("/api/v1/cycles?starts_on=0", "starts_on"),
        ("/api/v1/milestones?due_on=2024-1-5", "due_on"),
    ],
)
def test_the_api_takes_dates_only_as_dates(admin_api: TestClient, url: str, parameter: str) -> None:
    assert "YYYY-MM-DD" in _refused(admin_api.get(url), parameter)


@pytest.mark.parametrize(
    ("url", "parameter"),
    [
        ("/api/v1/level_states?since=0", "since"),
        ("/api/v1/activations?until=1700000000", "until"),
    ],
)
def test_the_api_takes_moments_only_as_iso_8601(
    admin_api: TestClient, url: str, parameter: str
) -> None:
    assert "ISO 8601" in _refused(admin_api.get(url), parameter)


def test_well_formed_dates_and_moments_are_still_taken(admin_api: TestClient) -> None:
    for url in (
        "/api/v1/progress?since=2024-01-01",
        "/api/v1/signals/trends?since=2024-01-01&until=2024-06-30",
        "/api/v1/alerts?since=2024-01-01",
        "/api/v1/cycles?starts_on=2019-06-01",
        "/api/v1/level_states?since=2024-01-01T10:00:00Z",
        "/api/v1/level_states?since=2024-01-01t10:00:00.123456789z",  # as RFC 3339 allows
        "/api/v1/activations?since=2024-01-01T10:00:00%2B01:00",
    ):
        answer = admin_api.get(url)
        assert answer.status_code == 200, f"{url}: {answer.text}"


def test_page_numbers_are_bounded_and_numbers_finite(admin_api: TestClient) -> None:
    _refused(admin_api.get("/api/v1/scenarios?page=99999999999999999999"), "page")
    assert admin_api.get("/api/v1/scenarios?page=2").status_code == 200
    _refused(admin_api.get("/api/v1/measures?budget=inf"), "budget")
    _refused(admin_api.get("/api/v1/infrastructure/ranking?hours=nan"), "hours")


def test_every_query_parameter_of_the_api_is_typed_and_bounded(demo_db: Database) -> None:
    """Over the whole OpenAPI description: every whole number has both bounds, every
    text a length, a pattern, a choice or a format. (Numbers of a field are finite,
    which a schema cannot say: see the test below.)"""
    schema = create_app(settings_for(demo_db), db=demo_db).openapi()
    loose: list[str] = []
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "query":
                    continue
                options = parameter["schema"].get("anyOf", [parameter["schema"]])
                for option in options:
                    kind = option.get("type")
                    if kind == "integer":
                        low = {"minimum", "exclusiveMinimum"} & set(option)
                        high = {"maximum", "exclusiveMaximum"} & set(option)
                        if not (low and high):
                            loose.append(f"{method} {path} {parameter['name']}: unbounded")
                    elif kind == "string" and not (
                        {"maxLength", "pattern", "enum", "format"} & set(option)
                    ):
                        loose.append(f"{method} {path} {parameter['name']}: any text")
    assert loose == []


def test_every_date_parameter_of_the_api_refuses_a_number(
    admin_api: TestClient, demo_db: Database
) -> None:
    schema = create_app(settings_for(demo_db), db=demo_db).openapi()
    checked = 0
    for path, operations in schema["paths"].items():
        if "{" in path or "get" not in operations:
            continue
        for parameter in operations["get"].get("parameters", []):
            options = parameter["schema"].get("anyOf", [parameter["schema"]])
            if parameter["in"] == "query" and any(o.get("format") == "date" for o in options):
                answer = admin_api.get(path, params={parameter["name"]: "0"})
                _refused(answer, parameter["name"])
                checked += 1
    assert checked >= 15


def _bad_request_page(answer: Any) -> str:
    assert answer.status_code == 400, answer.text
    assert "text/html" in answer.headers["content-type"]
    found = re.search(r'<p role="alert">([^<]*)</p>', answer.text)
    assert found is not None, answer.text
    return found.group(1)


@pytest.mark.parametrize(
    ("url", "parameter", "reason"),
    [
        ("/notifications?page=abc", "page", "valid integer"),
        ("/notifications?page=0", "page", "greater than or equal to 1"),
        ("/notifications?retried=-3", "retried", "greater than or equal to 1"),
        ("/cycles?starts_on=0", "starts_on", "YYYY-MM-DD"),
        ("/milestones?due_on=tomorrow", "due_on", "YYYY-MM-DD"),
        ("/scenarios?kind=nonsense", "kind", "expected one of"),
        ("/scenarios?theme=Not%20A%20Key", "theme", "bad key"),
        ("/impact_scores?quantity=lots", "quantity", "number"),
        ("/search?q=a%00b", "q", "control characters"),
    ],
)
def test_a_page_with_a_bad_query_value_answers_400_saying_which(
    admin_browser: SignedIn, url: str, parameter: str, reason: str
) -> None:
    message = _bad_request_page(admin_browser.client.get(url))
    assert parameter in message and reason in message


def test_pages_still_take_good_filters(admin_browser: SignedIn) -> None:
    for url in ("/cycles?starts_on=2019-06-01", "/scenarios?kind=threat", "/notifications?page=1"):
        assert admin_browser.client.get(url).status_code == 200, url


def test_the_sign_in_page_shows_no_message_a_link_brings(demo_db: Database) -> None:
    with TestClient(create_app(settings_for(demo_db), db=demo_db)) as client:
        answer = client.get("/login", params={"error": "Your account is locked: call 0900-1234"})
    assert answer.status_code == 200
    assert "0900-1234" not in answer.text


def test_no_query_value_makes_a_page_fail_on_either_database(
    register: Database, operator: Context
) -> None:
    """PostgreSQL refuses a NUL in text and a date of 0 outright: such values are
    refused before they reach it, with a 400 page rather than a 500."""
    user = accounts.add_user(
        operator,
        username="root",
        password="correct horse battery staple",
        role="administrator",
        organisation="nctv",
        clearance="stg-g",
    )
    secret, _csrf = open_session(register, user)
    with TestClient(
        create_app(settings_for(register), db=register), raise_server_exceptions=False
    ) as client:
        client.cookies.set(SESSION_COOKIE, secret)
        for url in (
            "/search?q=a%00b",
            "/cycles?starts_on=0",
            "/scenarios?title=a%00b",
            "/audit?entity=%00",
            "/audit?key=a%00b",
        ):
            _bad_request_page(client.get(url))
