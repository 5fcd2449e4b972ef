"""``/api/v1/portfolio``, ``/progress`` and ``/public-summary``: the services' content,
under the caller's need-to-know, with the API's filters and refusals."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import ApiClient, MakeUser
from weerbaar.services.accounts import User
from weerbaar.services.portfolio import portfolio_view
from weerbaar.services.progress import progress
from weerbaar.services.public_summary import public_summary
from weerbaar.storage.db import Database
from weerbaar.web.presenters import as_json
from weerbaar.web.presenters.public_summary import public_answer

SECRET_MEASURE = "m-nato-capability-targets"  # dep-v, Defence's, shared with the NCTV
SECRET_MILESTONE = "ms-nato-two-percent"
ROUTES = ("/api/v1/portfolio", "/api/v1/progress", "/api/v1/public-summary")


@pytest.fixture
def coordinator(make_user: MakeUser) -> User:
    return make_user("coord", role="coordinator", organisation="nctv", clearance="stg-g")


@pytest.fixture
def outsider(make_user: MakeUser) -> User:
    return make_user("outsider", role="viewer", organisation="gem-amsterdam", clearance="public")


@pytest.mark.parametrize("url", ROUTES)
def test_every_operation_needs_a_caller(app: FastAPI, url: str) -> None:
    with TestClient(app) as anonymous:
        answer = anonymous.get(url)
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
    assert answer.headers["www-authenticate"] == "Bearer"


def test_the_portfolio_is_the_services_view(
    api_client: ApiClient, coordinator: User, demo_db: Database
) -> None:
    answer = api_client(coordinator).get("/api/v1/portfolio")
    assert answer.status_code == 200
    data = answer.json()
    view = portfolio_view(demo_db, subject=coordinator.subject())
    p = view.portfolio
    assert data["round"] == (view.round.key if view.round else None)
    assert [m["key"] for m in data["ministries"]] == list(p.ministries)
    assert [r["scenario"] for r in data["rows"]] == [c.scenario.key for c in p.coverage]
    assert [r["state"] for r in data["rows"]] == [str(c.state) for c in p.coverage]
    assert [r["rank"] for r in data["rows"]] == [c.rank for c in p.coverage]
    assert data["matrix"] == [list(r) for r in p.matrix]
    assert data["uncovered"] == [c.scenario.key for c in p.uncovered]
    assert data["only_stalled"] == [c.scenario.key for c in p.only_stalled]
    assert [m["key"] for m in data["unlinked"]] == [m.key for m in p.unlinked]
    assert [
        (e["key"], e["measures"], e["stalled"], e["budget"]) for e in data["effort_by_ministry"]
    ] == [(e.key, e.measures, e.stalled, e.budget) for e in p.by_ministry]
    assert [(e["key"], e["measures"]) for e in data["effort_by_theme"]] == [
        (e.key, e.measures) for e in p.by_theme
    ]
    article5 = next(r for r in data["rows"] if r["scenario"] == "article-5-escalation")
    assert SECRET_MEASURE in article5["by_ministry"]["min-def"]
    assert SECRET_MEASURE in [m["key"] for m in article5["measures"]]
    for row in data["rows"]:
        for ministry, keys in row["by_ministry"].items():
            assert keys == [m.key for m in p.cell(row["scenario"], ministry)]


def test_the_portfolio_filters(api_client: ApiClient, coordinator: User) -> None:
    client = api_client(coordinator)
    military = client.get("/api/v1/portfolio", params={"theme": "military-threats"}).json()
    assert military["theme"] == "military-threats"
    assert military["rows"]
    assert {r["theme"] for r in military["rows"]} == {"military-threats"}
    assert [e["key"] for e in military["effort_by_theme"]] == ["military-threats"]
    jenv = client.get("/api/v1/portfolio", params={"ministry": "JenV"}).json()
    assert jenv["ministry"] == "min-jenv"
    assert [m["key"] for m in jenv["ministries"]] == ["min-jenv"]
    assert all(m["ministry"] == "min-jenv" for r in jenv["rows"] for m in r["measures"])


@pytest.mark.parametrize(
    ("url", "params", "status"),
    [
        ("/api/v1/portfolio", {"theme": "no-such-theme"}, 404),
        ("/api/v1/portfolio", {"ministry": "nobody"}, 404),
        ("/api/v1/portfolio", {"theme": "Not A Key"}, 422),
        ("/api/v1/progress", {"theme": "no-such-theme"}, 404),
        ("/api/v1/progress", {"ministry": "nobody"}, 404),
        ("/api/v1/progress", {"since": "yesterday"}, 422),
        ("/api/v1/progress", {"horizon": "0"}, 422),
        ("/api/v1/progress", {"horizon": "3651"}, 422),
    ],
)
def test_unknown_filters_are_not_found_and_bad_ones_invalid(
    api_client: ApiClient, coordinator: User, url: str, params: dict[str, str], status: int
) -> None:
    answer = api_client(coordinator).get(url, params=params)
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == ("not_found" if status == 404 else "invalid")


def test_progress_is_the_services_report(
    api_client: ApiClient, coordinator: User, demo_db: Database
) -> None:
    since = dt.date(2020, 1, 1)
    answer = api_client(coordinator).get(
        "/api/v1/progress", params={"since": since.isoformat(), "horizon": 30}
    )
    assert answer.status_code == 200
    data = answer.json()
    report = progress(demo_db, since=since, horizon_days=30, subject=coordinator.subject()).report
    assert data["horizon_days"] == 30
    assert [(m["key"], m["state"]) for m in data["milestones"]] == [
        (m.milestone.key, str(m.state)) for m in report.milestones
    ]
    assert [(c["key"], c["not_yet_concretised"]) for c in data["concretisations"]] == [
        (c.record.key, c.not_yet_concretised) for c in report.concretisations
    ]
    flagged = {c["key"] for c in data["concretisations"] if c["not_yet_concretised"]}
    assert "conc-polarisation-bzk" in flagged
    assert data["changes"]["since"] == "2020-01-01"
    assert data["changes"]["milestones_done"] == [m.milestone.key for m in report.changes.done]
    assert data["changes"]["milestones_became_late"] == [
        m.milestone.key for m in report.changes.became_late
    ]
    assert SECRET_MILESTONE in [m["key"] for m in data["milestones"]]


def test_progress_filters(api_client: ApiClient, coordinator: User) -> None:
    client = api_client(coordinator)
    szw = client.get("/api/v1/progress", params={"ministry": "min-szw"}).json()
    assert szw["ministry"] == "min-szw"
    assert szw["milestones"]
    assert {m["ministry"] for m in szw["milestones"]} == {"min-szw"}
    assert {c["ministry"] for c in szw["concretisations"]} == {"min-szw"}
    polarisation = client.get("/api/v1/progress", params={"theme": "polarisation"}).json()
    assert all("polarisation" in m["themes"] for m in polarisation["milestones"])
    assert {c["theme"] for c in polarisation["concretisations"]} == {"polarisation"}


def test_an_outsider_gets_no_classified_measure(api_client: ApiClient, outsider: User) -> None:
    client = api_client(outsider)
    for url in ("/api/v1/portfolio", "/api/v1/progress"):
        answer = client.get(url)
        assert answer.status_code == 200
        assert SECRET_MEASURE not in answer.text
        assert SECRET_MILESTONE not in answer.text
        assert "NATO capability targets" not in answer.text


def test_the_public_summary_is_the_same_for_every_caller(
    api_client: ApiClient, coordinator: User, outsider: User, demo_db: Database
) -> None:
    expected = json.loads(as_json(public_answer(public_summary(demo_db))))
    for user in (coordinator, outsider):
        answer = api_client(user).get("/api/v1/public-summary")
        assert answer.status_code == 200
        assert answer.json() == expected
