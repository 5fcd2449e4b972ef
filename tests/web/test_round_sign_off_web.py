"""Review and sign-off through the API and the pages: the state flow, four eyes, the
lock on score edits, reopening, and need-to-know on the status board."""

from __future__ import annotations

import httpx
from fastapi.testclient import TestClient

from tests.web.conftest import ApiClientFor, MakeUser, SignedIn, SignIn
from weerbaar.services import sign_off
from weerbaar.services.context import Context
from weerbaar.services.records import update_record
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database

ROUND = "gra-2019"
SCENARIO = "lek-dike-breach"
SCORE = f"{ROUND}/{SCENARIO}/2.1"


def conclude(db: Database, scenario: str = SCENARIO) -> None:
    with db.transaction(write=True) as connection:
        sign_off.set_state_in(
            Context(db=db, actor="web:chair@x"),
            connection,
            round_key=ROUND,
            scenario=scenario,
            status="concluded",
        )


def trail_length(db: Database) -> int:
    with db.transaction() as connection:
        head = audit_log.head(connection)
        return 0 if head is None else head.seq


def put_score(client: TestClient, note: str, **headers: str) -> httpx.Response:
    """An edit of the score's note, at the version the client reads first."""
    version = client.get(f"/api/v1/impact_scores/{SCORE}").json()["version"]
    body = {"note": note} if headers else {"note": note, "version": version}
    answer: httpx.Response = client.put(
        f"/api/v1/impact_scores/{SCORE}", json=body, headers=headers
    )
    return answer


def states(answer: dict[str, object]) -> dict[str, str]:
    rows = answer["scenarios"]
    assert isinstance(rows, list)
    return {row["scenario"]: row["status"] for row in rows}


# -- the API, on SQLite and PostgreSQL -------------------------------------------------


def test_the_api_walks_the_flow_with_four_eyes_and_the_lock(
    client: ApiClientFor, register: Database
) -> None:
    ann = client("ann", role="analyst")
    carol = client("carol", role="coordinator")
    dave = client("dave", role="coordinator")
    board = ann.get(f"/api/v1/rounds/{ROUND}/status")
    assert board.status_code == 200, board.text
    assert states(board.json())[SCENARIO] == "draft"
    # Carol writes a score of the scenario through the API.
    edited = put_score(carol, "carol's view")
    assert edited.status_code == 200, edited.text
    conclude(register)
    reviewed = ann.post(f"/api/v1/rounds/{ROUND}/scenarios/{SCENARIO}/review")
    assert reviewed.status_code == 200, reviewed.text
    assert states(reviewed.json())[SCENARIO] == "reviewed"
    refused = ann.post(f"/api/v1/rounds/{ROUND}/scenarios/{SCENARIO}/approve")
    assert refused.status_code == 403  # an analyst does not approve
    before = trail_length(register)
    refused = carol.post(f"/api/v1/rounds/{ROUND}/scenarios/{SCENARIO}/approve")
    assert refused.status_code == 403, refused.text
    assert "four eyes" in refused.json()["error"]["message"]
    assert trail_length(register) == before
    approved = dave.post(f"/api/v1/rounds/{ROUND}/scenarios/{SCENARIO}/approve")
    assert approved.status_code == 200, approved.text
    # The approved scenario's score: refused, naming the round, with or without If-Match.
    for headers in ({}, {"If-Match": '"2"'}):
        locked = put_score(carol, "again", **headers)
        assert locked.status_code == 409, locked.text
        error = locked.json()["error"]
        assert error["code"] == "locked" and "gra-2019" in error["message"]
    deleted = carol.delete(f"/api/v1/impact_scores/{SCORE}", headers={"If-Match": '"2"'})
    assert deleted.status_code == 409, deleted.text
    # The round cannot be approved while other scenarios wait.
    waiting = dave.post(f"/api/v1/rounds/{ROUND}/approve")
    assert waiting.status_code == 422
    # Reopening: a reason is required; nothing is written without one.
    before = trail_length(register)
    for body in ({"scenario": SCENARIO}, {"scenario": SCENARIO, "reason": "  "}):
        blank = dave.post(f"/api/v1/rounds/{ROUND}/reopen", json=body)
        assert blank.status_code == 422, blank.text
        assert "reason is required" in blank.text
    assert trail_length(register) == before
    assert ann.post(f"/api/v1/rounds/{ROUND}/reopen", json={"reason": "x"}).status_code == 403
    reopened = dave.post(
        f"/api/v1/rounds/{ROUND}/reopen", json={"scenario": SCENARIO, "reason": "new dike data"}
    )
    assert reopened.status_code == 200, reopened.text
    assert states(reopened.json())[SCENARIO] == "draft"
    assert put_score(carol, "x").status_code == 200


def test_the_board_hides_what_the_reader_may_not_see(
    client: ApiClientFor, register: Database, operator: Context
) -> None:
    update_record(
        operator,
        entity_name="scenarios",
        key=SCENARIO,
        changes={"classification": "stg-g", "owned_by": "nctv"},
    )
    conclude(register)
    low = client("low", role="coordinator", clearance="dep-v")
    answer = low.get(f"/api/v1/rounds/{ROUND}/status")
    assert answer.status_code == 200
    assert SCENARIO not in states(answer.json())
    hidden = low.post(f"/api/v1/rounds/{ROUND}/scenarios/{SCENARIO}/review")
    missing = low.post(f"/api/v1/rounds/{ROUND}/scenarios/no-such-scenario/review")
    assert hidden.status_code == missing.status_code == 404
    # A hidden round answers as a missing one.
    update_record(
        operator,
        entity_name="rounds",
        key=ROUND,
        changes={"classification": "stg-g", "owned_by": "nctv"},
    )
    hidden_round = low.get(f"/api/v1/rounds/{ROUND}/status")
    missing_round = low.get("/api/v1/rounds/gra-2099/status")
    assert hidden_round.status_code == missing_round.status_code == 404
    assert hidden_round.json()["error"]["message"].replace(ROUND, "K") == missing_round.json()[
        "error"
    ]["message"].replace("gra-2099", "K")


# -- the pages ---------------------------------------------------------------------------


def post(user: SignedIn, path: str, **data: str) -> httpx.Response:
    answer: httpx.Response = user.client.post(path, data={"csrf_token": user.csrf_token, **data})
    return answer


def test_the_status_board_page_and_its_buttons(
    make_user: MakeUser, sign_in: SignIn, demo_db: Database
) -> None:
    viewer = sign_in(make_user("vera", role="viewer"))
    analyst = sign_in(make_user("ann", role="analyst", clearance="stg-g"))
    carol = sign_in(make_user("carol", role="coordinator", clearance="stg-g"))
    dave = sign_in(make_user("dave", role="coordinator", clearance="stg-g"))
    assert f'href="/rounds/{ROUND}/status"' in analyst.client.get(f"/rounds/{ROUND}").text
    conclude(demo_db)
    page = viewer.client.get(f"/rounds/{ROUND}/status")
    assert page.status_code == 200
    assert "Lek" in page.text and ">Review<" not in page.text
    assert ">Review<" in analyst.client.get(f"/rounds/{ROUND}/status").text
    # No CSRF token, no act.
    assert analyst.client.post(f"/rounds/{ROUND}/status/review", data={"scenario": SCENARIO})
    assert states_of(demo_db)[SCENARIO] == "concluded"
    done = post(analyst, f"/rounds/{ROUND}/status/review", scenario=SCENARIO)
    assert done.status_code == 303
    assert states_of(demo_db)[SCENARIO] == "reviewed"
    # Carol scores it on the scenario page: she may not approve it then (four eyes).
    scored = post(carol, f"/scenarios/{SCENARIO}/scores", criterion="2.1", value="C")
    assert scored.status_code == 303
    page = carol.client.get(f"/rounds/{ROUND}/status").text
    assert "you set its scores" in page
    refused = post(carol, f"/rounds/{ROUND}/status/approve", scenario=SCENARIO)
    assert refused.status_code == 403
    assert "four eyes" in refused.text
    assert states_of(demo_db)[SCENARIO] == "reviewed"
    approved = post(dave, f"/rounds/{ROUND}/status/approve", scenario=SCENARIO)
    assert approved.status_code == 303
    # An edit of the approved scenario's score on the page: refused, naming the round.
    locked = post(carol, f"/scenarios/{SCENARIO}/scores", criterion="2.1", value="D")
    assert locked.status_code == 409
    assert "gra-2019" in locked.text and "locked" in locked.text
    form = post(carol, f"/impact_scores/{SCORE}", note="by the generic form")
    assert form.status_code == 409
    # Reopening without a reason: said on the board, nothing changes.
    blank = post(dave, f"/rounds/{ROUND}/status/reopen", scenario=SCENARIO, reason=" ")
    assert blank.status_code == 422
    assert "reason is required" in blank.text
    assert states_of(demo_db)[SCENARIO] == "approved"
    again = post(dave, f"/rounds/{ROUND}/status/reopen", scenario=SCENARIO, reason="new data")
    assert again.status_code == 303
    assert states_of(demo_db)[SCENARIO] == "draft"
    rescored = post(carol, f"/scenarios/{SCENARIO}/scores", criterion="2.1", value="D")
    assert rescored.status_code == 303


def states_of(db: Database) -> dict[str, str]:
    return {r.scenario.key: r.status for r in sign_off.status_board(db, None, ROUND).rows}


def test_the_board_speaks_dutch(make_user: MakeUser, sign_in: SignIn, demo_db: Database) -> None:
    analyst = sign_in(make_user("ann", role="analyst", clearance="stg-g"))
    conclude(demo_db)
    client: TestClient = analyst.client
    page = client.get(f"/rounds/{ROUND}/status", headers={"Accept-Language": "nl"}).text
    assert "Beoordelen" in page and "afgerond" in page
