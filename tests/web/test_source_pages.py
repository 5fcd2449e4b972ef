"""The sources page and its API: each source the reader may see with the health of its
polls; a poll now for those who may write sources, with CSRF on the form; a source
the reader may not see is neither listed nor polled, and answers as a missing one."""

from __future__ import annotations

import functools
import http.server
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.conftest import ApiClient, MakeUser, SignIn
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, list_records
from weerbaar.storage.db import Database

DATA = Path(__file__).resolve().parents[1] / "data" / "signals"


@pytest.fixture
def served() -> Iterator[str]:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(DATA))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def sources(demo_db: Database, served: str) -> Database:
    operator = Context(demo_db, "test:setup")
    create_record(
        operator,
        entity_name="sources",
        raw={"key": "open-feed", "name": "Open feed", "kind": "feed",
             "address": f"{served}/dates.rss"},
    )  # fmt: skip
    create_record(
        operator,
        entity_name="sources",
        raw={"key": "aivd-feed", "name": "Secret service feed", "kind": "feed",
             "address": f"{served}/dates.rss", "classification": "stg-c", "owned_by": "aivd"},
    )  # fmt: skip
    return demo_db


def test_the_page_lists_visible_sources_and_polls_one_now(
    sources: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    coordinator = sign_in(make_user("coco", role="coordinator", clearance="stg-g"))
    page = coordinator.client.get("/signals/sources")
    assert page.status_code == 200
    assert "Open feed" in page.text and "Secret service feed" not in page.text
    before = len(list_records(sources, entity_name="signals"))
    refused = coordinator.client.post("/signals/sources/open-feed/poll", data={})
    assert refused.status_code in (400, 403)
    polled = coordinator.client.post(
        "/signals/sources/open-feed/poll", data={"csrf_token": coordinator.csrf_token}
    )
    assert polled.status_code == 200 and "open-feed:" in polled.text
    assert len(list_records(sources, entity_name="signals")) > before
    # Hidden and missing answer alike.
    hidden = coordinator.client.post(
        "/signals/sources/aivd-feed/poll", data={"csrf_token": coordinator.csrf_token}
    )
    missing = coordinator.client.post(
        "/signals/sources/no-such-feed/poll", data={"csrf_token": coordinator.csrf_token}
    )
    assert hidden.status_code == missing.status_code == 404
    assert hidden.text == missing.text.replace("no-such-feed", "aivd-feed")


def test_a_viewer_sees_the_states_but_may_not_poll(
    sources: Database, sign_in: SignIn, make_user: MakeUser
) -> None:
    viewer = sign_in(make_user("vic", role="viewer", clearance="stg-g"))
    page = viewer.client.get("/signals/sources")
    assert page.status_code == 200 and "Poll now" not in page.text
    refused = viewer.client.post(
        "/signals/sources/open-feed/poll", data={"csrf_token": viewer.csrf_token}
    )
    assert refused.status_code == 403
    assert list_records(sources, entity_name="signals", where={"source": "Open feed"}) == []


def test_the_api_gives_states_and_polls(
    sources: Database, api_client: ApiClient, make_user: MakeUser
) -> None:
    coordinator = api_client(make_user("coco", role="coordinator", clearance="stg-g"))
    states = coordinator.get("/api/v1/signals/sources").json()
    assert [s["source"] for s in states] == ["open-feed"]
    assert states[0]["healthy"] is True and states[0]["last_poll"] is None
    answer = coordinator.post("/api/v1/signals/sources/open-feed/poll")
    assert answer.status_code == 200, answer.text
    assert answer.json()["ok"] is True and answer.json()["created"] > 0
    [state] = coordinator.get("/api/v1/signals/sources").json()
    assert state["last_poll"] and state["items_taken"] == answer.json()["created"]
    assert coordinator.post("/api/v1/signals/sources/aivd-feed/poll").status_code == 404
    viewer = api_client(make_user("vic", role="viewer", clearance="stg-g"))
    assert viewer.post("/api/v1/signals/sources/open-feed/poll").status_code == 403
