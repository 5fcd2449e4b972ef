"""``POST /api/v1/reports/profile``: the national risk profile as a file, with its
copy number, hash and marking; refused as ``weerbaar report profile`` refuses (a
guest, a level above the clearance, a hidden round alike a missing one), at most two
made at once, and every copy on the audit trail.

The demo's Markdown takes a fraction of a second; the one PDF is made of a small
register."""

from __future__ import annotations

import asyncio
import hashlib
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from pypdf import PdfReader

from tests.helpers import make_token, seed_scored_round, settings_for, trail_config
from tests.web.conftest import PASSWORD, ApiClient, ApiClientFor, MakeUser, copy_database
from weerbaar.domain.entities.strategy import Scenario
from weerbaar.services import accounts
from weerbaar.services.accounts import User
from weerbaar.services.api_tokens import Scope
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, list_records
from weerbaar.storage.db import Database
from weerbaar.web.api import reports as api_reports
from weerbaar.web.app import create_app
from weerbaar.web.pages import reports as report_pages
from weerbaar.web.risk_profile import AT_ONCE, making_slot

URL = "/api/v1/reports/profile"
ROUND = "gra-2019"  # the demo's one round


@pytest.fixture
def analyst(make_user: MakeUser) -> User:
    return make_user("analyst", role="analyst", organisation="nctv", clearance="stg-g")


def copies(db: Database) -> list[dict[str, Any]]:
    """The copies on the audit trail, newest first, as the local operator reads it."""
    return [
        {"actor": e.actor, "action": e.action, **json.loads(e.after or "{}")}
        for e in recent_entries(db, entity="report_copies")
    ]


def filename(answer: Any) -> str:
    found = re.fullmatch(r'attachment; filename="([^"]+)"', answer.headers["content-disposition"])
    assert found is not None, answer.headers["content-disposition"]
    return found.group(1)


def test_the_operation_needs_a_caller(app: FastAPI) -> None:
    with TestClient(app) as anonymous:
        answer = anonymous.post(URL, json={"format": "md"})
    assert answer.status_code == 401
    assert answer.json()["error"]["code"] == "unauthenticated"


def test_a_classified_copy_is_the_file_with_its_number_hash_and_marking(
    client: ApiClientFor, register: Database
) -> None:
    """On SQLite and PostgreSQL: the file, its headers, and the copy on the trail."""
    analyst = client("jdevries")
    answer = analyst.post(
        URL,
        json={"round": ROUND, "classification": "dep-v", "lang": "en", "format": "md"},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/markdown; charset=utf-8"
    assert filename(answer) == f"risicoprofiel-{ROUND}-dep-v-en.md"
    assert answer.headers["cache-control"] == "no-store"
    digest = hashlib.sha256(answer.content).hexdigest()
    assert answer.headers["x-weerbaar-sha256"] == digest
    assert answer.headers["x-weerbaar-marking"] == "dep-v"
    text = answer.text
    assert text.startswith("**DEPARTMENTAL CONFIDENTIAL · ") and "National risk profile" in text
    # Addressed to the caller by name (an account's name is its username unless given).
    number = int(answer.headers["x-weerbaar-copy"])
    assert f"copy {number} · jdevries" in text
    (entry,) = copies(register)
    assert entry == {
        "actor": "api:jdevries@testclient",
        "action": "report",
        "round": ROUND,
        "level": "dep-v",
        "marking": "dep-v",
        "language": "en",
        "format": "md",
        "sha256": digest,
        "number": number,
        "recipient": "jdevries",
    }
    # The next copy has the next number, and its own recipient.
    again = analyst.post(
        URL, json={"classification": "dep-v", "format": "md", "recipient": "  M.  de Vries "}
    )
    assert again.status_code == 200, again.text
    assert int(again.headers["x-weerbaar-copy"]) == number + 1
    assert copies(register)[0]["recipient"] == "M. de Vries"


def _classified(db: Database) -> list[Scenario]:
    scenarios: list[Scenario] = list_records(db, entity_name="scenarios")
    return [s for s in scenarios if s.classification != "public"]


def test_the_public_edition_holds_no_classified_scenario(
    api_client: ApiClient, analyst: User, demo_db: Database
) -> None:
    hidden = _classified(demo_db)
    assert len(hidden) >= 4  # the demo's classified scenarios, which the NCTV may read
    answer = api_client(analyst).post(URL, json={"lang": "en", "format": "md"})
    assert answer.status_code == 200, answer.text
    assert "x-weerbaar-copy" not in answer.headers
    assert answer.headers["x-weerbaar-marking"] == "public"
    assert filename(answer) == f"risicoprofiel-{ROUND}-public-en.md"
    text = answer.text
    for scenario in hidden:
        assert scenario.key not in text
        assert scenario.title not in text
        assert not scenario.title_en or scenario.title_en not in text
    assert "(lek-dike-breach)" in text  # a public scenario has its place
    # Not numbered, but on the trail all the same.
    (entry,) = copies(demo_db)
    assert (entry["level"], entry["number"], entry["recipient"]) == ("public", None, None)
    # The analyst's classified edition does hold them.
    classified = api_client(analyst).post(URL, json={"classification": "stg-c", "format": "md"})
    assert all(f"({s.key})" in classified.text for s in hidden)


def test_the_language_is_asked_for_or_the_requests(api_client: ApiClient, analyst: User) -> None:
    client = api_client(analyst)
    dutch = client.post(URL, json={"format": "md"}, headers={"Accept-Language": "nl"})
    assert dutch.status_code == 200 and "Nationaal risicoprofiel" in dutch.text
    assert filename(dutch).endswith("-public-nl.md")
    english = client.post(
        URL, json={"format": "md", "lang": "en"}, headers={"Accept-Language": "nl"}
    )
    assert "National risk profile" in english.text and "Nationaal risicoprofiel" not in english.text


def _refusal(answer: Any, status: int, code: str) -> str:
    assert answer.status_code == status, answer.text
    assert answer.headers["content-type"] == "application/json"
    body = answer.json()["error"]
    assert body["code"] == code
    return str(body["message"])


def test_a_level_above_the_clearance_is_refused_clearly(
    api_client: ApiClient, make_user: MakeUser, demo_db: Database
) -> None:
    """Need-to-know is make_profile's: a reader cleared for public records only gets no
    departmental edition, and nothing is made or recorded."""
    outsider = make_user(
        "outsider", role="viewer", organisation="gem-amsterdam", clearance="public"
    )
    answer = api_client(outsider).post(URL, json={"classification": "dep-v", "format": "md"})
    message = _refusal(answer, 403, "forbidden")
    assert message == "your clearance (public) is below the edition's level (dep-v)"
    assert copies(demo_db) == []


def test_a_guest_makes_no_report(
    api_client: ApiClient, make_user: MakeUser, demo_db: Database
) -> None:
    guest = make_user("expert", role="expert", organisation="rivm", clearance="stg-g")
    answer = api_client(guest).post(URL, json={"format": "md"})
    assert _refusal(answer, 403, "forbidden") == "a guest account cannot make reports"
    assert copies(demo_db) == []


def test_a_hidden_round_is_refused_as_a_missing_one(
    api_client: ApiClient, analyst: User, demo_db: Database
) -> None:
    operator = Context(db=demo_db, actor="test:setup")
    create_record(
        operator,
        entity_name="rounds",
        raw={
            "key": "gra-2030",
            "cycle": "nss-2019",
            "name": "Geheime ronde",
            "held_on": "2030-01-01",
            "edition": "gra-2019",
            "status": "open",
            "classification": "stg-c",
            "owned_by": "aivd",  # not shared with the NCTV
        },
    )
    client = api_client(analyst)
    hidden = client.post(URL, json={"round": "gra-2030", "classification": "stg-c", "format": "md"})
    missing = client.post(
        URL, json={"round": "gra-2031", "classification": "stg-c", "format": "md"}
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text.replace("gra-2030", "<key>") == missing.text.replace("gra-2031", "<key>")
    # Nor is it the newest round for the analyst: the default stays the demo's.
    newest = client.post(URL, json={"classification": "stg-c", "format": "md"})
    assert newest.status_code == 200 and filename(newest).startswith(f"risicoprofiel-{ROUND}-")
    assert "gra-2030" not in newest.text and "Geheime ronde" not in newest.text


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"classification": "secret"}, "classification"),
        ({"format": "docx"}, "format"),
        ({"lang": "de"}, "lang"),
        ({"recipient": "M. de Vries\u00ad"}, "recipient"),  # a soft hyphen: not printable
        ({"recipient": "x" * 201}, "recipient"),
        ({"round": "../etc"}, "round"),
        ({"copies": 3}, "copies"),
    ],
)
def test_what_the_operation_cannot_take_is_refused_by_field(
    api_client: ApiClient, analyst: User, demo_db: Database, body: dict[str, Any], field: str
) -> None:
    answer = api_client(analyst).post(URL, json={"format": "md", **body})
    _refusal(answer, 422, "invalid")
    issues = answer.json()["error"]["issues"]
    assert [(i["place"], i["field"]) for i in issues] == [("body", field)], issues
    assert copies(demo_db) == []


def test_another_organisation_is_only_the_operators_to_choose(
    api_client: ApiClient, analyst: User, demo_db: Database
) -> None:
    client = api_client(analyst)
    other = client.post(URL, json={"organisation": "aivd", "format": "md"})
    assert "local operator" in _refusal(other, 403, "forbidden")
    own = client.post(URL, json={"organisation": "nctv", "format": "md"})
    assert own.status_code == 200, own.text


def test_a_read_token_may_not_issue_a_copy(analyst: User, app: FastAPI, demo_db: Database) -> None:
    token = make_token(Context(db=demo_db, actor="test:setup"), "analyst", "r", scope=Scope.READ)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as reader:
        answer = reader.post(URL, json={"format": "md"})
    _refusal(answer, 403, "forbidden")
    assert copies(demo_db) == []


def test_at_most_two_are_made_at_once(
    api_client: ApiClient, analyst: User, demo_db: Database
) -> None:
    client = api_client(analyst)
    with making_slot(), making_slot():
        assert AT_ONCE == 2
        busy = client.post(URL, json={"format": "md"})
        assert "too many reports" in _refusal(busy, 429, "rate_limited")
        assert int(busy.headers["retry-after"]) > 0
    assert copies(demo_db) == []
    assert client.post(URL, json={"format": "md"}).status_code == 200


def test_the_routes_run_in_the_thread_pool() -> None:
    """Synchronous endpoints: FastAPI runs them in its thread pool, so a report being
    made does not hold up the server's event loop."""
    for endpoint in (api_reports.profile, report_pages.make_report, report_pages.reports_page):
        assert not asyncio.iscoroutinefunction(endpoint), endpoint.__name__


# -- the one PDF, of a small register --------------------------------------------------


@pytest.fixture
def small_client(sqlite_template: Path, tmp_path: Path) -> Iterator[TestClient]:
    db = Database(copy_database(sqlite_template, tmp_path / "small.db"), trail=trail_config())
    operator = Context(db=db, actor="test:setup")
    seed_scored_round(operator)
    accounts.add_user(
        operator,
        username="analyst",
        password=PASSWORD,
        role="analyst",
        organisation="nctv",
        clearance="stg-g",
        display_name="M. de Vries",
    )
    token = make_token(operator, "analyst", "tests")
    app = create_app(settings_for(db), db=db)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        yield client
    db.dispose()


def test_a_pdf_is_a_pdf_with_the_copy_on_every_page(small_client: TestClient) -> None:
    page = small_client.post(URL, json={"format": "html", "lang": "en"})
    assert page.status_code == 200, page.text
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert page.text.startswith("<!") and "National risk profile" in page.text
    answer = small_client.post(URL, json={"classification": "dep-v", "lang": "en"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert filename(answer) == "risicoprofiel-r-2019-dep-v-en.pdf"
    number = answer.headers["x-weerbaar-copy"]
    reader = PdfReader(io.BytesIO(answer.content))
    assert len(reader.pages) > 1
    for page in reader.pages:
        assert f"copy {number}" in page.extract_text() and "M. de Vries" in page.extract_text()
