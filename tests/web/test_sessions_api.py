"""``/api/v1/expert-sessions``: a session played through the API, the blind rule and
need-to-know as the services keep them, the write scope, and bad input refused with
nothing written."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from tests.helpers import make_token
from tests.web.conftest import ApiClient, MakeUser
from weerbaar.services.api_tokens import Scope
from weerbaar.services.context import Context
from weerbaar.services.records import get_record
from weerbaar.storage.db import Database
from weerbaar.storage.tables import audit_entries, expert_scores

BASE = "/api/v1/expert-sessions"
KEY = "s-dike"
SCENARIO = "lek-dike-breach"


def _audit_count(db: Database) -> int:
    with db.transaction() as connection:
        return int(connection.execute(select(func.count()).select_from(audit_entries)).scalar_one())


def _ok(answer: Any, status: int = 200) -> Any:
    assert answer.status_code == status, answer.text
    return answer.json() if answer.content else None


class People:
    def __init__(self, make_user: MakeUser, api_client: ApiClient) -> None:
        self.chair = api_client(make_user("chair", role="analyst"))
        self.ann = api_client(make_user("ann", role="analyst"))
        self.bob = api_client(make_user("bob", role="viewer"))
        self.gus = api_client(make_user("gus", role="expert"))
        self.boss = api_client(make_user("boss", role="coordinator"))


@pytest.fixture
def people(make_user: MakeUser, api_client: ApiClient) -> People:
    return People(make_user, api_client)


@pytest.fixture
def planned(people: People) -> People:
    _ok(
        people.chair.post(
            BASE,
            json={
                "key": KEY,
                "round": "gra-2019",
                "title": "Dijkdoorbraak Lek",
                "held_on": "2026-12-10",
                "scenarios": [SCENARIO],
            },
        ),
        201,
    )
    for username in ("ann", "bob", "gus"):
        _ok(
            people.chair.post(
                f"{BASE}/{KEY}/participants",
                json={"username": username, "email": f"{username}@example.org", "language": "en"},
            )
        )
    return people


def _score(client: TestClient, criterion: str, value: str, **more: Any) -> Any:
    return client.put(f"{BASE}/{KEY}/scores/{SCENARIO}/{criterion}", json={"value": value, **more})


def _experts(answer: Any) -> set[str]:
    return {s["expert"] for s in _ok(answer)["scores"]}


def test_a_session_played_through_the_api(planned: People, demo_db: Database) -> None:
    p = planned
    shown = _ok(p.chair.get(f"{BASE}/{KEY}"))
    assert shown["status"] == "planned" and shown["chair"] == "chair"
    assert [x["username"] for x in shown["participants"]] == ["ann", "bob", "gus"]
    assert all(x["invited"] for x in shown["participants"])
    assert KEY in {
        s["key"] for s in _ok(p.boss.get(BASE, params={"round": "gra-2019"}))["sessions"]
    }
    assert _ok(p.chair.get(BASE, params={"round": "gra-2016"}))["sessions"] == []
    _ok(p.chair.put(f"{BASE}/{KEY}/participants/gus/weight", json={"weight": 2}))
    started = _ok(p.chair.post(f"{BASE}/{KEY}/advance", json={"to": "scoring"}))
    assert started["status"] == "scoring" and started["scoring_round"] == 1

    _ok(_score(p.ann, "2.1", "A", rationale="ann's reasoning"), 204)
    _ok(_score(p.bob, "2.1", "C", low="B", high="D", confidence="high"), 204)
    _ok(_score(p.gus, "2.1", "400"), 204)
    _ok(_score(p.ann, "likelihood", "C"), 204)

    # The blind rule: before submitting, an expert sees only their own scores.
    assert _experts(p.ann.get(f"{BASE}/{KEY}/scores")) == {"ann"}
    blind = _ok(p.ann.get(f"{BASE}/{KEY}/disagreement"))
    assert all(c["experts"] == 1 for c in blind["criteria"])
    assert {s["expert"] for c in blind["criteria"] for s in c["scores"]} == {"ann"}
    # Someone outside the session sees no score until it is concluded.
    assert _ok(p.boss.get(f"{BASE}/{KEY}/scores"))["scores"] == []
    # The chair watches them arrive, the disagreement flagged.
    live = _ok(p.chair.get(f"{BASE}/{KEY}/disagreement"))
    dike = next(c for c in live["criteria"] if c["criterion"] == "2.1")
    assert dike["experts"] == 3 and dike["spread"] == 2 and dike["flagged"]
    assert dike["proposal"] == {"lowest": "A", "expected": "C", "highest": "D"}
    assert "ann's reasoning" in {s["rationale"] for s in dike["scores"]}

    submitted = _ok(p.ann.post(f"{BASE}/{KEY}/submit"))
    assert [x["submitted"] for x in submitted["participants"]] == [True, False, False]
    assert _experts(p.ann.get(f"{BASE}/{KEY}/scores")) == {"ann", "bob", "gus"}
    assert _experts(p.bob.get(f"{BASE}/{KEY}/scores")) == {"bob"}
    refused = _score(p.ann, "2.1", "B")
    assert refused.status_code == 409 and "final" in refused.json()["error"]["message"]

    # A second (Delphi) scoring round.
    _ok(p.chair.post(f"{BASE}/{KEY}/advance", json={"to": "discussion"}))
    second = _ok(p.chair.post(f"{BASE}/{KEY}/advance", json={"to": "scoring"}))
    assert second["scoring_round"] == 2 and second["status"] == "scoring"
    assert len(_ok(p.bob.get(f"{BASE}/{KEY}/scores", params={"round": 1}))["scores"]) == 4
    assert _ok(p.bob.get(f"{BASE}/{KEY}/scores"))["scores"] == []
    for client, value in ((p.ann, "B"), (p.bob, "C"), (p.gus, "C")):
        _ok(_score(client, "2.1", value), 204)
    assert _experts(p.gus.get(f"{BASE}/{KEY}/scores")) == {"gus"}
    _ok(p.chair.post(f"{BASE}/{KEY}/advance", json={"to": "discussion"}))

    done = _ok(
        p.chair.post(
            f"{BASE}/{KEY}/conclude",
            json={
                "rationale": "The experts converged on C after discussing the evacuation.",
                "outcomes": [
                    {"scenario": SCENARIO, "criterion": "L", "value": "C", "low": "B", "high": "C"}
                ],
            },
        )
    )
    assert done["status"] == "concluded" and done["concluded_by"].startswith("api:chair@")
    score = get_record(demo_db, entity_name="impact_scores", key=f"gra-2019/{SCENARIO}/2.1")
    assert score.record.expected == "C" and score.record.note.startswith(f"Expert session {KEY}")
    likelihood = get_record(demo_db, entity_name="likelihood_scores", key=f"gra-2019/{SCENARIO}")
    assert (likelihood.record.lowest, likelihood.record.highest) == ("B", "C")
    # Once concluded, the analysts' network reads every score.
    assert _experts(p.boss.get(f"{BASE}/{KEY}/scores")) == {"ann", "bob", "gus"}

    # A second conclusion is refused and writes nothing.
    before = _audit_count(demo_db)
    again = p.chair.post(f"{BASE}/{KEY}/conclude", json={"rationale": "again"})
    assert again.status_code == 409 and "concluded" in again.json()["error"]["message"]
    assert _audit_count(demo_db) == before

    minutes = p.boss.get(f"{BASE}/{KEY}/minutes")
    assert minutes.status_code == 200 and minutes.headers["content-type"].startswith(
        "text/markdown"
    )
    assert f"expert session {KEY}" in minutes.text and "ann's reasoning" not in minutes.text
    page = p.boss.get(f"{BASE}/{KEY}/minutes", params={"format": "html"})
    assert page.status_code == 200 and page.text.lstrip().lower().startswith("<!doctype html")


def test_minutes_before_the_conclusion_are_the_chairs_alone(planned: People) -> None:
    assert planned.chair.get(f"{BASE}/{KEY}/minutes").status_code == 200
    assert planned.ann.get(f"{BASE}/{KEY}/minutes").status_code == 404


def test_a_hidden_session_answers_as_a_missing_one(
    planned: People, make_user: MakeUser, api_client: ApiClient
) -> None:
    outsider = api_client(make_user("outsider", role="expert"))
    for path in ("", "/scores", "/disagreement", "/minutes"):
        hidden = outsider.get(f"{BASE}/{KEY}{path}")
        missing = outsider.get(f"{BASE}/s-none{path}")
        assert hidden.status_code == missing.status_code == 404, hidden.text
        assert hidden.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
        assert (
            hidden.json()["error"]["message"].replace(KEY, "s-none")
            == missing.json()["error"]["message"]
        )
    assert KEY not in {s["key"] for s in _ok(outsider.get(BASE))["sessions"]}
    refused = _score(outsider, "2.1", "C")
    assert refused.status_code == 404


def test_writes_need_the_write_scope(planned: People, demo_db: Database) -> None:
    token = make_token(Context(db=demo_db, actor="test:setup"), "chair", "read", scope=Scope.READ)
    reading = TestClient(planned.chair.app, headers={"Authorization": f"Bearer {token}"})
    assert reading.get(f"{BASE}/{KEY}").status_code == 200
    before = _ok(reading.get(f"{BASE}/{KEY}"))
    for method, path, body in (
        ("POST", f"{BASE}/{KEY}/advance", {"to": "scoring"}),
        ("POST", f"{BASE}/{KEY}/participants", {"username": "boss"}),
        ("PUT", f"{BASE}/{KEY}/participants/ann/weight", {"weight": 3}),
        ("POST", f"{BASE}/{KEY}/conclude", {"rationale": "x"}),
        (
            "POST",
            BASE,
            {
                "key": "s-x",
                "round": "gra-2019",
                "title": "x",
                "held_on": "2026-01-01",
                "scenarios": [SCENARIO],
            },
        ),
    ):
        answer = reading.request(method, path, json=body)
        assert answer.status_code == 403, (path, answer.text)
    assert _ok(reading.get(f"{BASE}/{KEY}")) == before


def test_only_the_chair_runs_the_session_and_experts_score_for_themselves(planned: People) -> None:
    refused = planned.ann.post(f"{BASE}/{KEY}/advance", json={"to": "scoring"})
    assert refused.status_code == 403 and "chair" in refused.json()["error"]["message"]
    _ok(planned.chair.post(f"{BASE}/{KEY}/advance", json={"to": "scoring"}))
    outside = _score(planned.boss, "2.1", "C")
    assert outside.status_code == 403 and "takes no part" in outside.json()["error"]["message"]


@pytest.mark.parametrize(
    ("criterion", "body", "status", "said"),
    [
        ("9.9", {"value": "C"}, 422, "criterion"),
        ("../drone-airport-disruption/2.1", {"value": "C"}, 422, "not one of session"),
        ("2.1", {"value": "C", "low": "Q"}, 422, "bad class"),
        ("2.1", {"value": "C", "confidence": "certain"}, 422, "confidence"),
        ("2.1", {"value": "C" * 5000}, 422, "value"),
        ("2.1", {"value": "C", "rationale": "x" * 50_000}, 422, "rationale"),
        ("2.1", {"value": "C", "extra": 1}, 422, "extra"),
        ("2.1", {"value": {"nested": {"deeper": [1, 2, 3]}}}, 422, "value"),
        ("x" * 200, {"value": "C"}, 422, "criterion"),
    ],
)
def test_bad_scores_are_refused_and_nothing_written(
    planned: People,
    demo_db: Database,
    criterion: str,
    body: dict[str, Any],
    status: int,
    said: str,
) -> None:
    _ok(planned.chair.post(f"{BASE}/{KEY}/advance", json={"to": "scoring"}))
    before = _audit_count(demo_db)
    path = f"{BASE}/{KEY}/scores/{SCENARIO}/{criterion}".replace(f"{SCENARIO}/../", "")
    answer = planned.ann.put(path, json=body)
    assert answer.status_code == status, answer.text
    assert said in answer.text
    assert _audit_count(demo_db) == before
    with demo_db.transaction() as connection:
        given = select(func.count()).where(expert_scores.c.session == KEY)
        assert connection.execute(given).scalar_one() == 0


def test_bad_plans_and_conclusions_are_refused_and_nothing_written(
    planned: People, demo_db: Database
) -> None:
    p = planned
    _ok(p.chair.post(f"{BASE}/{KEY}/advance", json={"to": "scoring"}))
    _ok(_score(p.ann, "2.1", "C"), 204)
    _ok(p.chair.post(f"{BASE}/{KEY}/advance", json={"to": "discussion"}))
    before = _audit_count(demo_db)
    cases: list[tuple[str, str, dict[str, Any], int, str]] = [
        ("POST", f"{BASE}/{KEY}/conclude", {"rationale": "  "}, 422, "reasoning"),
        ("POST", f"{BASE}/{KEY}/conclude", {"rationale": "r" * 5000}, 422, "rationale"),
        (
            "POST",
            f"{BASE}/{KEY}/conclude",
            {
                "rationale": "ok",
                "outcomes": [
                    {"scenario": "drone-airport-disruption", "criterion": "2.1", "value": "C"}
                ],
            },
            422,
            "not one of session",
        ),
        (
            "POST",
            f"{BASE}/{KEY}/conclude",
            {
                "rationale": "ok",
                "outcomes": [{"scenario": SCENARIO, "criterion": "9.9", "value": "C"}],
            },
            422,
            "criterion",
        ),
        (
            "POST",
            f"{BASE}/{KEY}/conclude",
            {"rationale": "ok", "outcomes": [{"scenario": SCENARIO, "criterion": "2.2"}] * 501},
            422,
            "outcomes",
        ),
        ("POST", f"{BASE}/{KEY}/advance", {"to": "concluded"}, 422, "to"),
        ("POST", f"{BASE}/{KEY}/advance", {"to": "discussion"}, 409, "goes from"),
        ("POST", f"{BASE}/{KEY}/participants", {"username": "chair"}, 422, "chair watches"),
        ("POST", f"{BASE}/{KEY}/participants", {"username": "ann"}, 409, "ann"),
        ("POST", f"{BASE}/{KEY}/participants", {"username": "boss", "email": "no"}, 422, "e-mail"),
        ("PUT", f"{BASE}/{KEY}/participants/ann/weight", {"weight": 0}, 422, "weight"),
        ("PUT", f"{BASE}/{KEY}/participants/nobody/weight", {"weight": 1}, 404, "nobody"),
        (
            "POST",
            BASE,
            {
                "key": "s-x",
                "round": "gra-2019",
                "title": "t" * 600,
                "held_on": "2026-01-01",
                "scenarios": [SCENARIO],
            },
            422,
            "title",
        ),
        (
            "POST",
            BASE,
            {
                "key": KEY,
                "round": "gra-2019",
                "title": "again",
                "held_on": "2026-01-01",
                "scenarios": [SCENARIO],
            },
            409,
            KEY,
        ),
        (
            "POST",
            BASE,
            {
                "key": "s-x",
                "round": "gra-2019",
                "title": "x",
                "held_on": "2026-01-01",
                "scenarios": [],
            },
            422,
            "scenarios",
        ),
    ]
    for method, path, body, status, said in cases:
        answer = p.chair.request(method, path, json=body)
        assert answer.status_code == status, (path, body, answer.text)
        assert said in answer.text, answer.text
        assert answer.json()["error"]["message"]
    assert _audit_count(demo_db) == before
    assert _ok(p.chair.get(f"{BASE}/{KEY}"))["status"] == "discussion"
