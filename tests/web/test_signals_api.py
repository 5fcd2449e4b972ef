"""The signals API beyond the generic records: trends, alerts detected, flagged and
dismissed, an analyst's theme, a file taken in; status codes, shapes, error
answers, who may write, and need-to-know."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.helpers import settings_for
from tests.web.conftest import ApiClient, MakeUser, SignIn
from tests.web.test_signals_pages import DATA, SECRET, seed_signals
from weerbaar.services.records import get_record, list_records
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app

BASE = "/api/v1/signals"


@pytest.fixture
def seeded(demo_db: Database) -> Database:
    seed_signals(demo_db)
    return demo_db


@pytest.fixture
def anonymous(seeded: Database) -> Iterator[TestClient]:
    with TestClient(create_app(settings_for(seeded), db=seeded)) as client:
        yield client


@pytest.fixture
def analyst(seeded: Database, make_user: MakeUser, api_client: ApiClient) -> TestClient:
    return api_client(make_user("ana", role="analyst", clearance="stg-g"))


@pytest.fixture
def viewer(seeded: Database, make_user: MakeUser, api_client: ApiClient) -> TestClient:
    return api_client(make_user("vic", role="viewer", clearance="stg-g"))


def _round(db: Database) -> str:
    rounds = list_records(db, entity_name="rounds")
    return str(sorted(rounds, key=lambda r: (r.held_on, r.key))[-1].key)


def test_trends_per_theme_without_hidden_signals(analyst: TestClient, seeded: Database) -> None:
    answer = analyst.get(f"{BASE}/trends")
    assert answer.status_code == 200, answer.text
    themes = {t["theme"]: t for t in answer.json()["themes"]}
    cyber = themes["cyber"]
    assert set(cyber) == {
        "theme",
        "name",
        "start",
        "period_days",
        "volume",
        "weight",
        "growing_since",
        "detected_on",
    }
    stepping = [s for s in list_records(seeded, entity_name="signals") if s.key.startswith("c-")]
    assert sum(cyber["volume"]) == len(stepping)  # the secret one not counted
    assert cyber["growing_since"] is not None and themes["polarisation"]["growing_since"] is None
    floods = themes["natural-disasters"]
    assert sum(floods["weight"]) == sum(floods["volume"]) + 2  # two visible repeats
    narrow = analyst.get(f"{BASE}/trends", params={"since": "2026-08-01", "until": "2026-08-10"})
    assert narrow.status_code == 200
    assert len(narrow.json()["themes"][0]["volume"]) == 10


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2026-09-01", "until": "2026-08-01"},
        {"since": "1900-01-01"},
        {"since": "1991-01-01", "until": "2099-01-01"},
        {"until": "soon"},
    ],
)
def test_bad_windows_are_refused(analyst: TestClient, params: dict[str, str]) -> None:
    answer = analyst.get(f"{BASE}/trends", params=params)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == "invalid"


def test_detect_flag_and_dismiss(analyst: TestClient, seeded: Database) -> None:
    detected = analyst.post(f"{BASE}/alerts/detect")
    assert detected.status_code == 200, detected.text
    raised = detected.json()["raised"]
    (growing,) = [a for a in raised if a["theme"] == "cyber"]
    assert growing["kind"] == "growing" and growing["status"] == "open"
    assert SECRET not in growing["signals"]
    assert analyst.post(f"{BASE}/alerts/detect").json() == {"raised": []}

    round_key = _round(seeded)
    flagged = analyst.post(
        f"{BASE}/alerts/{growing['key']}/flag", json={"round": round_key, "note": "check"}
    )
    assert flagged.status_code == 200, flagged.text
    body = flagged.json()
    assert (body["status"], body["round"], body["note"]) == ("flagged", round_key, "check")
    assert body["scenarios"] == growing["scenarios"]  # left out: the alert's own

    dismissed = analyst.post(f"{BASE}/alerts/{growing['key']}/dismiss", json={})
    assert dismissed.status_code == 200
    assert (dismissed.json()["status"], dismissed.json()["round"]) == ("dismissed", None)

    missing = analyst.post(f"{BASE}/alerts/no-such-alert/dismiss", json={})
    assert missing.status_code == 404
    hidden = analyst.post(f"{BASE}/alerts/secret-alert/dismiss", json={})
    assert hidden.status_code == 404  # as if it did not exist
    bad = analyst.post(f"{BASE}/alerts/{growing['key']}/flag", json={"round": "no-such-round"})
    assert bad.status_code == 422
    extra = analyst.post(f"{BASE}/alerts/{growing['key']}/flag", json={"round": "x", "y": 1})
    assert extra.status_code == 422 and extra.json()["error"]["code"] == "invalid"


def test_label_sets_the_analysts_theme(analyst: TestClient, seeded: Database) -> None:
    answer = analyst.post(f"{BASE}/loose-1/label", json={"theme": "cyber"})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["theme"], answer.json()["theme_by"]) == ("cyber", "analyst")
    cleared = analyst.post(f"{BASE}/loose-1/label", json={"theme": None})
    assert cleared.json()["theme"] is None and cleared.json()["theme_by"] is None
    assert analyst.post(f"{BASE}/{SECRET}/label", json={"theme": "cyber"}).status_code == 404
    assert analyst.post(f"{BASE}/loose-1/label", json={"theme": "atlantis"}).status_code == 422
    # The generic record routes are still there.
    assert analyst.get(f"{BASE}/loose-1").status_code == 200


def test_ingest_stores_the_good_items_and_reports_the_rest(
    analyst: TestClient, seeded: Database
) -> None:
    data = (DATA / "dates.rss").read_bytes()
    answer = analyst.post(
        f"{BASE}/ingest", files={"file": ("dates.rss", data, "application/rss+xml")}
    )
    assert answer.status_code == 200, answer.text
    report = answer.json()
    reasons = {r["place"]: r["reason"] for r in report["rejections"]}
    assert reasons["dates.rss item 5"] == "publication date 2099-01-01 is in the future"
    assert report["rejected"] == len(reasons) and report["created"] == len(report["keys"]) > 0
    stored = get_record(seeded, entity_name="signals", key=report["keys"][0]).record
    assert stored.title == "Ransomware hits port logistics"
    again = analyst.post(
        f"{BASE}/ingest",
        files={"file": ("dates.rss", data, "application/rss+xml")},
        data={"kind": "feed"},
    )
    assert (again.json()["created"], again.json()["already_in"]) == (0, report["created"])
    unreadable = analyst.post(f"{BASE}/ingest", files={"file": ("x.txt", b"words", "text/plain")})
    assert unreadable.status_code == 400 and unreadable.json()["error"]["code"] == "bad_file"
    wrong_kind = analyst.post(
        f"{BASE}/ingest", files={"file": ("x.rss", data, "text/xml")}, data={"kind": "pdf"}
    )
    assert wrong_kind.status_code == 422


def test_ingest_refuses_more_than_20_mb(analyst: TestClient) -> None:
    big = b"<rss>" + b" " * (20 * 1024 * 1024)
    answer = analyst.post(f"{BASE}/ingest", files={"file": ("big.rss", big, "text/xml")})
    assert answer.status_code == 422
    assert "at most 20 MB" in answer.json()["error"]["issues"][0]["reason"]


def test_a_viewer_may_read_but_not_write(viewer: TestClient) -> None:
    assert viewer.get(f"{BASE}/trends").status_code == 200
    for path, body in (
        ("alerts/detect", None),
        ("alerts/secret-alert/flag", {"round": "gra-2019"}),
        ("alerts/secret-alert/dismiss", {}),
        ("loose-1/label", {"theme": "cyber"}),
    ):
        answer = viewer.post(f"{BASE}/{path}", json=body)
        assert answer.status_code == 403, path
        assert answer.json()["error"]["code"] == "forbidden"
    upload = viewer.post(f"{BASE}/ingest", files={"file": ("d.rss", b"<rss/>", "text/xml")})
    assert upload.status_code == 403


def test_a_browser_session_needs_the_csrf_header(
    seeded: Database, make_user: MakeUser, sign_in: SignIn
) -> None:
    session = sign_in(make_user("ana", role="analyst", clearance="stg-g"))
    refused = session.client.post(f"{BASE}/loose-1/label", json={"theme": "cyber"})
    assert refused.status_code == 403
    allowed = session.client.post(
        f"{BASE}/loose-1/label",
        json={"theme": "cyber"},
        headers={"X-CSRF-Token": session.csrf_token},
    )
    assert allowed.status_code == 200, allowed.text


def test_no_token_no_answer(anonymous: TestClient) -> None:
    answer = anonymous.get(f"{BASE}/trends")
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"
