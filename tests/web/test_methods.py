"""A method a path does not declare is answered 405 with the methods it does, on
every path: a fixed path such as ``/signals/alerts/detect`` is never taken for the
key of a record by the generic ``/signals/{key}`` routes."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from httpx import Headers

from tests.helpers import settings_for
from tests.web.conftest import ApiClient, MakeUser, SignIn
from weerbaar.services.records import list_records
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


@pytest.fixture
def admin_api(make_user: MakeUser, api_client: ApiClient) -> TestClient:
    return api_client(make_user("root", role="administrator", clearance="stg-g"))


def _allowed(headers: Headers) -> set[str]:
    return {m.strip() for m in headers.get("allow", "").split(",") if m.strip()}


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("PUT", "/api/v1/signals/alerts/detect", {"POST"}),
        ("GET", "/api/v1/signals/alerts/detect", {"POST"}),
        ("DELETE", "/api/v1/signals/alerts/detect", {"POST"}),
        ("PUT", "/api/v1/signals/trends", {"GET"}),
        ("DELETE", "/api/v1/signals/ingest", {"POST"}),
        ("GET", "/api/v1/signals/some-signal/label", {"POST"}),
        ("PUT", "/api/v1/signals/alerts/some-alert/flag", {"POST"}),
        ("DELETE", "/api/v1/scenarios/lek-dike-breach/declassify", {"POST"}),
        ("PATCH", "/api/v1/scenarios/lek-dike-breach", {"GET", "PUT", "DELETE"}),
        ("DELETE", "/api/v1/scenarios", {"GET", "POST"}),
        ("POST", "/api/v1/me", {"GET"}),
    ],
)
def test_the_api_answers_405_for_a_method_the_path_lacks(
    admin_api: TestClient, method: str, path: str, allowed: set[str]
) -> None:
    answer = admin_api.request(method, path, json={})
    assert answer.status_code == 405, answer.text
    assert _allowed(answer.headers) == allowed
    error = answer.json()["error"]
    assert error["code"] == "method_not_allowed"
    assert method in error["message"]


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("POST", "/signals/trends", {"GET"}),
        ("GET", "/signals/alerts/detect", {"POST"}),
        ("POST", "/signals/alerts", {"GET"}),
        ("GET", "/signals/some-signal/label", {"POST"}),
        ("GET", "/logout", {"POST"}),
        ("POST", "/levels", {"GET"}),
        ("POST", "/search", {"GET"}),
        ("DELETE", "/signals", {"GET", "POST"}),
        ("GET", "/scenarios/lek-dike-breach/scores", {"POST"}),
        ("POST", "/scenarios/-/new", {"GET"}),
        ("POST", "/scenarios/lek-dike-breach/edit", {"GET"}),
    ],
)
def test_the_pages_answer_405_for_a_method_the_path_lacks(
    make_user: MakeUser, sign_in: SignIn, method: str, path: str, allowed: set[str]
) -> None:
    browser = sign_in(make_user("root", role="administrator", clearance="stg-g"))
    answer = browser.client.request(method, path, data={"csrf_token": browser.csrf_token})
    assert answer.status_code == 405, answer.text
    assert _allowed(answer.headers) == allowed
    if method != "HEAD":
        assert "text/html" in answer.headers["content-type"]
        assert f"{method} is not allowed here" in answer.text
    assert answer.headers["x-frame-options"] == "DENY"  # the security headers still apply


def test_a_page_of_its_own_keeps_the_generic_routes_of_its_entity(
    make_user: MakeUser, sign_in: SignIn, demo_db: Database
) -> None:
    """The signals page replaces the generic list of signals; creating one through the
    generic form still posts to /signals, and a signal's own page is still there."""
    browser = sign_in(make_user("root", role="administrator", clearance="stg-g"))
    form = browser.client.get("/signals/-/new")
    assert form.status_code == 200 and 'action="/signals"' in form.text
    created = browser.client.post("/signals", data={"csrf_token": browser.csrf_token})
    assert created.status_code not in (404, 405), created.text
    key = list_records(demo_db, entity_name="signals")[0].key
    assert browser.client.get(f"/signals/{key}").status_code == 200


def _sample(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "sample-key", path)


def test_every_api_path_answers_405_for_every_method_it_does_not_declare(
    admin_api: TestClient, demo_db: Database
) -> None:
    schema = create_app(settings_for(demo_db), db=demo_db).openapi()
    checked = 0
    wrong: list[str] = []
    for path, operations in schema["paths"].items():
        declared = {m.upper() for m in operations}
        for method in METHODS:
            if method in declared:
                continue
            answer = admin_api.request(method, _sample(path))
            checked += 1
            if answer.status_code != 405 or _allowed(answer.headers) != declared:
                wrong.append(f"{method} {path}: {answer.status_code} {answer.headers.get('allow')}")
    assert checked > 100
    assert wrong == []
