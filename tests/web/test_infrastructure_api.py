"""The infrastructure API: the graph, cascades, the ranking and scores written from a
cascade, with their status codes, shapes, error answers and need-to-know."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.web.conftest import ApiClient, MakeUser
from weerbaar.services.accounts import User
from weerbaar.services.context import Context
from weerbaar.services.infrastructure.graph import load_graph
from weerbaar.services.infrastructure.runs import run_cascade
from weerbaar.services.infrastructure.starts import resolve_starts
from weerbaar.services.records import list_records, update_record
from weerbaar.storage.db import Database

START = "vp-electricity-regional-zh"
WATER = "vp-drinking-water-zh"
HIDDEN = "vp-nuclear"
SCENARIO = "lek-dike-breach"
BASE = "/api/v1/infrastructure"


@pytest.fixture
def analyst_user(make_user: MakeUser) -> User:
    return make_user("ana", role="analyst", clearance="stg-g")


@pytest.fixture
def analyst(analyst_user: User, api_client: ApiClient) -> TestClient:
    return api_client(analyst_user)


def _round(demo_db: Database) -> str:
    rounds = list_records(demo_db, entity_name="rounds")
    return str(sorted(rounds, key=lambda r: (r.held_on, r.key))[-1].key)


def test_the_graph_and_its_filters(analyst: TestClient) -> None:
    answer = analyst.get(f"{BASE}/graph")
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["nodes"]) == 25
    assert set(body["nodes"][0]) == {
        "key",
        "name",
        "sector",
        "category",
        "region",
        "people_served",
    }
    assert {"supplier", "dependent", "kind", "strength", "lag", "buffer"} <= set(body["edges"][0])
    keys = {n["key"] for n in body["nodes"]}
    assert all(e["supplier"] in keys and e["dependent"] in keys for e in body["edges"])
    gelderland = analyst.get(f"{BASE}/graph", params={"region": "Gelderland"}).json()
    shown = {n["key"] for n in gelderland["nodes"]}
    assert WATER not in shown and 0 < len(shown) < 25
    assert all(n["region"] in (None, "Gelderland") for n in gelderland["nodes"])
    assert all(e["supplier"] in shown and e["dependent"] in shown for e in gelderland["edges"])
    energy = analyst.get(f"{BASE}/graph", params={"sector": "energy"}).json()
    assert {n["sector"] for n in energy["nodes"]} == {"energy"}
    bad = analyst.get(f"{BASE}/graph", params={"region": "Atlantis"})
    assert bad.status_code == 422
    assert bad.json()["error"]["issues"][0]["field"] == "region"


def test_a_cascade_takes_the_drinking_water_down(
    analyst: TestClient, analyst_user: User, demo_db: Database
) -> None:
    answer = analyst.post(f"{BASE}/cascades", json={"targets": [START], "hours": 48})
    assert answer.status_code == 200, answer.text
    assert "etag" not in answer.headers
    body = answer.json()
    assert set(body) == {"summary", "affected", "impacts", "distributions"}
    subject = analyst_user.subject()
    graph = load_graph(demo_db, subject=subject)
    starts = resolve_starts(graph, [START], hours=48)
    expected = run_cascade(demo_db, starts, subject=subject, graph=graph)
    rows = {a["process"]: a for a in body["affected"]}
    assert rows[WATER]["cause"] == START
    water = next(a for a in expected.affected if a.process == WATER)
    assert rows[WATER]["fails_at"] == water.fails_at
    assert rows[WATER]["recovers_at"] == water.recovers_at
    assert rows[START]["cause"] is None
    assert body["summary"]["taken_down"] == expected.taken_down
    assert {i["code"] for i in body["impacts"]} >= {"5.1", "2.3", "3.1"}
    assert body["distributions"] == []


def test_an_ensemble_is_repeatable_with_its_seed(analyst: TestClient) -> None:
    ask = {"targets": ["energy"], "region": "Zuid-Holland", "hours": 24, "members": 40}
    first = analyst.post(f"{BASE}/cascades", json=ask).json()
    seed = first["summary"]["seed"]
    assert isinstance(seed, int) and first["distributions"]
    again = analyst.post(f"{BASE}/cascades", json={**ask, "seed": seed}).json()
    assert again == first
    assert all(i["lowest"] is not None for i in first["impacts"])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"targets": [], "hours": 4}, "targets"),
        ({"targets": [START], "hours": -1}, "hours"),
        ({"targets": [START], "hours": 4, "members": 1001}, "members"),
        ({"targets": [START], "hours": 4, "min_strength": 0}, "min_strength"),
        ({"targets": [START], "hours": 1e9}, "hours"),
        ({"targets": [START], "hours": 4, "colour": "red"}, "colour"),
    ],
)
def test_a_bad_request_names_the_field(
    analyst: TestClient, body: dict[str, Any], field: str
) -> None:
    answer = analyst.post(f"{BASE}/cascades", json=body)
    assert answer.status_code == 422
    fields = [i["field"] for i in answer.json()["error"]["issues"]]
    assert any(f.split(".")[-1] == field or f.startswith(field) for f in fields), fields


def test_an_unknown_process_is_refused_by_name(analyst: TestClient) -> None:
    answer = analyst.post(f"{BASE}/cascades", json={"targets": ["vp-atlantis"], "hours": 4})
    assert answer.status_code == 422
    issue = answer.json()["error"]["issues"][0]
    assert "process" in (issue["place"], issue["field"]) and "vp-atlantis" in issue["reason"]


def test_the_ranking(analyst: TestClient) -> None:
    answer = analyst.get(f"{BASE}/ranking", params={"hours": 24, "by": "taken_down", "limit": 5})
    assert answer.status_code == 200
    body = answer.json()
    assert body["by"] == "taken_down" and len(body["ranked"]) == 5
    assert [r["rank"] for r in body["ranked"]] == [1, 2, 3, 4, 5]
    downs = [r["taken_down"] for r in body["ranked"]]
    assert downs == sorted(downs, reverse=True)
    assert analyst.get(f"{BASE}/ranking", params={"by": "fame"}).status_code == 422
    assert analyst.get(f"{BASE}/ranking", params={"limit": 0}).status_code == 422


def test_scores_are_written_and_audited(analyst: TestClient, demo_db: Database) -> None:
    round_key = _round(demo_db)
    body = {"targets": [START], "hours": 48, "scenario": SCENARIO, "round": round_key}
    answer = analyst.post(f"{BASE}/cascades/scores", json=body)
    assert answer.status_code == 200, answer.text
    written = answer.json()["scores"]
    assert {s["criterion"] for s in written} == {
        i["code"] for i in answer.json()["cascade"]["impacts"]
    }
    assert all(s["scenario"] == SCENARIO and s["round"] == round_key for s in written)
    stored = [
        s
        for s in list_records(demo_db, entity_name="impact_scores", where={"scenario": SCENARIO})
        if s.round == round_key and s.criterion == "5.1"
    ]
    assert stored and "From a cascade run" in (stored[0].note or "")
    audit = analyst.get("/api/v1/audit", params={"entity": "impact_scores"})
    assert audit.status_code == 200
    assert f"{round_key}/{SCENARIO}/5.1" in audit.text


def test_a_viewer_may_not_write_scores(
    make_user: MakeUser, api_client: ApiClient, demo_db: Database
) -> None:
    viewer = api_client(make_user("vic", role="viewer"))
    body = {"targets": [START], "hours": 48, "scenario": SCENARIO, "round": _round(demo_db)}
    assert viewer.post(f"{BASE}/cascades/scores", json=body).status_code == 403
    assert viewer.post(f"{BASE}/cascades", json={"targets": [START], "hours": 4}).status_code == 200


def test_unknown_scenario_is_not_found(analyst: TestClient, demo_db: Database) -> None:
    body = {"targets": [START], "hours": 4, "scenario": "nowhere", "round": _round(demo_db)}
    assert analyst.post(f"{BASE}/cascades/scores", json=body).status_code == 404


def test_without_a_token_the_api_answers_401(app: Any) -> None:
    with TestClient(app) as anonymous:
        assert anonymous.get(f"{BASE}/graph").status_code == 401


def test_a_hidden_process_is_nowhere_in_the_api(
    demo_db: Database, make_user: MakeUser, api_client: ApiClient
) -> None:
    update_record(
        Context(db=demo_db, actor="test:setup"),
        entity_name="vital_processes",
        key=HIDDEN,
        changes={"classification": "stg-c", "owned_by": "aivd"},
    )
    outsider = api_client(make_user("otto", role="analyst", organisation="mivd", clearance="stg-g"))
    graph = outsider.get(f"{BASE}/graph").text
    assert HIDDEN not in graph
    assert HIDDEN not in outsider.get(f"{BASE}/ranking").text
    hidden = outsider.post(f"{BASE}/cascades", json={"targets": [HIDDEN], "hours": 4})
    unknown = outsider.post(f"{BASE}/cascades", json={"targets": ["vp-nowhere"], "hours": 4})
    assert hidden.status_code == unknown.status_code == 422
    assert hidden.text.replace(HIDDEN, "X") == unknown.text.replace("vp-nowhere", "X")
    # The cascade from its supplier stops where the outsider's sight ends.
    answer = outsider.post(
        f"{BASE}/cascades", json={"targets": ["vp-electricity-national"], "hours": 400}
    )
    assert HIDDEN not in answer.text
