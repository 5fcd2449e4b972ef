"""Every request has an id: the caller's X-Request-ID when it may serve as one, else a
new one. The answer names it, the audit entries the request writes carry it (on
whatever thread the endpoint runs), and one access line per request says the route,
never the query string."""

from __future__ import annotations

import asyncio
import io
import json
import re

from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from tests.helpers import make_token, open_session, seed_small_register, settings_for
from tests.web.conftest import PASSWORD
from weerbaar.domain.request_ids import current_request_id
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.trail_check import verify_trail
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app
from weerbaar.web.auth import SESSION_COOKIE
from weerbaar.web.request_ids import RequestIds

NEW_ID = re.compile(r"[0-9a-f]{32}")
CLASSIFIED_TITLE = "Covert sabotage of the Rotterdam tidal barrier"


def _access_lines(stream: io.StringIO) -> list[dict[str, object]]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    return [line for line in lines if line["logger"] == "weerbaar.access"]


def test_the_callers_id_is_kept_when_it_may_serve_and_a_new_one_made_else(
    app: FastAPI,
) -> None:
    with TestClient(app) as client:
        made = client.get("/login").headers["X-Request-ID"]
        assert NEW_ID.fullmatch(made)
        assert client.get("/login").headers["X-Request-ID"] != made
        kept = "proxy-7f3a.request_01"
        assert client.get("/login", headers={"X-Request-ID": kept}).headers["X-Request-ID"] == kept
        for refused in ("short", "x" * 65, "has spaces in it", "<script>alert(1)</script>", ""):
            answered = client.get("/login", headers={"X-Request-ID": refused})
            assert NEW_ID.fullmatch(answered.headers["X-Request-ID"]), refused
    assert current_request_id.get() is None  # the test's own context is left alone


def test_an_api_write_is_audited_under_its_request_id(db: Database) -> None:
    """On both databases: the entry carries the id, the audit API shows it, and the
    trail still verifies (the id is sealed into the entry)."""
    operator = Context(db, "test:setup")
    seed_small_register(operator)
    root = accounts.add_user(
        operator,
        username="root",
        password=PASSWORD,
        role="administrator",
        organisation="nctv",
        clearance="stg-g",
    )
    token = make_token(operator, "root", "tests")
    app = create_app(settings_for(db), db=db)
    with TestClient(app, headers={"Authorization": f"Bearer {token}"}) as client:
        given = "trace-0001-write"
        made = client.post(
            "/api/v1/organisations",
            json={"key": "vr-x", "name": "Veiligheidsregio X", "kind": "agency"},
            headers={"X-Request-ID": given},
        )
        assert made.status_code == 201, made.text
        assert made.headers["X-Request-ID"] == given
        unnamed = client.post(
            "/api/v1/organisations",
            json={"key": "vr-y", "name": "Veiligheidsregio Y", "kind": "agency"},
        )
        trail = client.get("/api/v1/audit", params={"entity": "organisations"}).json()
    cookie, _ = open_session(db, root)
    with TestClient(app, cookies={SESSION_COOKIE: cookie}) as browser:
        page = browser.get("/audit", params={"entity": "organisations"})
    assert page.status_code == 200
    assert f"<code>{given}</code>" in page.text
    with db.transaction() as connection:
        written = audit_log.entries(connection, request_id=given)
        other = audit_log.entries(connection, request_id=unnamed.headers["X-Request-ID"])
    assert [(e.entity, e.key) for e in written] == [("organisations", "vr-x")]
    assert [(e.entity, e.key) for e in other] == [("organisations", "vr-y")]
    shown = {e["key"]: e["request_id"] for e in trail["entries"]}
    assert shown["vr-x"] == given
    assert shown["vr-y"] == unnamed.headers["X-Request-ID"]
    assert shown["nctv"] is None  # written outside any request
    report = verify_trail(db)
    assert report.intact, report.findings


def test_the_access_line_names_the_route_not_the_query(
    register: Database, operator: Context, client: object, captured_logs: io.StringIO
) -> None:
    reader = client("anna", clearance="stg-g")  # type: ignore[operator]
    searched = reader.get("/api/v1/search", params={"q": CLASSIFIED_TITLE})
    assert searched.status_code == 200
    one = reader.get("/api/v1/scenarios/dirty-bomb", params={"fields": "title"})
    lines = _access_lines(captured_logs)
    assert [(line["method"], line["route"], line["status"]) for line in lines] == [
        ("GET", "/api/v1/search", 200),
        ("GET", "/api/v1/scenarios/{key}", one.status_code),
    ]
    assert lines[0]["request_id"] == searched.headers["X-Request-ID"]
    assert isinstance(lines[0]["duration_ms"], float)
    assert "?" not in json.dumps(lines)
    written = captured_logs.getvalue()
    for hidden in ("Rotterdam", "tidal", "q=", "dirty-bomb", "Bearer", "wb_"):
        assert hidden not in written, hidden


def _request_id_app() -> Starlette:
    """Endpoints that report the id they see: a sync one (run in the threadpool) and
    an async one that asks from a thread of its own (asyncio.to_thread)."""

    def in_threadpool(request: Request) -> JSONResponse:
        return JSONResponse({"seen": current_request_id.get()})

    async def in_a_thread(request: Request) -> JSONResponse:
        return JSONResponse({"seen": await asyncio.to_thread(current_request_id.get)})

    async def failing(request: Request) -> JSONResponse:
        raise RuntimeError("an unexpected failure")

    routes = [
        Route("/sync", in_threadpool),
        Route("/thread", in_a_thread),
        Route("/fails", failing),
    ]
    return Starlette(routes=routes)


def test_the_id_reaches_the_threadpool_and_other_threads(captured_logs: io.StringIO) -> None:
    app = RequestIds(_request_id_app())
    with TestClient(app, raise_server_exceptions=False) as client:
        for path in ("/sync", "/thread"):
            answer = client.get(path, headers={"X-Request-ID": f"trace{path.replace('/', '-')}"})
            assert answer.json()["seen"] == answer.headers["X-Request-ID"] == f"trace-{path[1:]}"
        failed = client.get("/fails?token=abc", headers={"X-Request-ID": "trace-fails"})
    assert failed.status_code == 500
    lines = _access_lines(captured_logs)
    assert [(line["route"], line["status"], line["request_id"]) for line in lines] == [
        ("/sync", 200, "trace-sync"),
        ("/thread", 200, "trace-thread"),
        ("/fails", 500, "trace-fails"),
    ]
