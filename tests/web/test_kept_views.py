"""Kept views and conditional reads: a kept answer is the answer the view would build,
a write the reader may see makes a new one, and a 304 is sent only when the reader
would have received the same bytes."""

from __future__ import annotations

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import ApiClient, MakeUser, SignedIn, SignIn
from weerbaar.services import kept, records
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, update_record
from weerbaar.services.scoring import record_score
from weerbaar.storage.db import Database
from weerbaar.web import conditional, kept_views
from weerbaar.web.api.schemas import MODELS
from weerbaar.web.conditional import ConditionalReads, body_tag, matches

SCENARIO = "lek-dike-breach"
HIDDEN = "dirty-bomb"  # made the aivd's own, classified above what "nctv" may see
EDIT = "Herzien na nieuwe dreigingsinformatie."
KEPT_READS = ("/", "/diagram.png", "/api/v1/scenarios?per_page=50")


@pytest.fixture
def operator(demo_db: Database) -> Context:
    return Context(db=demo_db, actor="test:setup")


@pytest.fixture
def analyst(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("analyst", role="analyst", clearance="stg-g"))


@pytest.fixture
def api(make_user: MakeUser, api_client: ApiClient) -> TestClient:
    return api_client(make_user("reader", role="analyst", clearance="stg-g"))


def nothing_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every kept result is dropped as soon as it is made: views are built anew."""
    monkeypatch.setattr(kept_views, "_kept", kept.Kept(0, lambda a: len(a.body)))
    monkeypatch.setattr(records, "_kept_pages", kept.Kept(0))


def hide_a_scenario(operator: Context) -> None:
    update_record(
        operator,
        entity_name="scenarios",
        key=HIDDEN,
        changes={"classification": "stg-c", "owned_by": "aivd"},
    )


def open_a_round(operator: Context) -> None:
    create_record(
        operator,
        entity_name="rounds",
        raw={
            "key": "gra-2023",
            "cycle": "nss-2019",
            "name": "GRA 2023",
            "held_on": "2023-06-01",
            "edition": "gra-2019",
            "status": "open",
        },
    )


def test_kept_answers_are_the_answers_built_without_keeping(
    analyst: SignedIn, api: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    def read(path: str) -> httpx.Response:
        client: TestClient = api if path.startswith("/api/") else analyst.client
        answer: httpx.Response = client.get(path)
        assert answer.status_code == 200, path
        return answer

    first = {path: read(path) for path in KEPT_READS}
    again = {path: read(path) for path in KEPT_READS}  # from what was kept
    nothing_kept(monkeypatch)
    built = {path: read(path) for path in KEPT_READS}
    for path in KEPT_READS:
        assert first[path].content == again[path].content == built[path].content, path
        assert first[path].headers["etag"] == built[path].headers["etag"], path
        assert again[path].headers["content-type"] == built[path].headers["content-type"]
        assert again[path].headers["cache-control"] == "no-store"


def test_a_kept_list_is_what_fastapi_sends_for_its_response_model(api: TestClient) -> None:
    """The list call answers with a response of its own (so that it can be kept); its
    bytes are the ones FastAPI makes of the same page through the response model."""
    for query in ("per_page=50", "per_page=7&page=2", "theme=natural-disasters"):
        answer = api.get(f"/api/v1/scenarios?{query}")
        assert answer.status_code == 200 and answer.json()["items"], query
        echo = FastAPI()
        echo.get("/", response_model=MODELS["scenarios"].page)(lambda a=answer: a.json())
        made = TestClient(echo).get("/")
        assert made.content == answer.content, query
        assert made.headers["content-type"] == answer.headers["content-type"]


def test_a_score_the_reader_sees_moves_their_dashboard(
    analyst: SignedIn, operator: Context
) -> None:
    before = analyst.client.get("/")
    open_a_round(operator)
    for criterion, value in (("2.1", "5000"), ("3.1", "13000000000"), ("likelihood", "0.02")):
        record_score(
            operator, scenario=SCENARIO, criterion=criterion, value=value, round_key="gra-2023"
        )
    after = analyst.client.get("/", headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert "GRA 2023" in after.text and "GRA 2023" not in before.text
    assert after.headers["etag"] != before.headers["etag"]
    # The new answer is kept in turn: asked with its tag, nothing is sent.
    same = analyst.client.get("/", headers={"If-None-Match": after.headers["etag"]})
    assert same.status_code == 304 and same.content == b""


def test_a_change_the_reader_may_not_see_leaves_their_answers_as_they_were(
    make_user: MakeUser, sign_in: SignIn, api_client: ApiClient, operator: Context
) -> None:
    hide_a_scenario(operator)
    insider = sign_in(make_user("insider", organisation="aivd", clearance="stg-c"))
    outsider = sign_in(make_user("outsider", role="administrator", clearance="stg-g"))
    outsider_api = api_client(make_user("outsider-api", role="analyst", clearance="stg-g"))
    pages = {who: who.client.get(f"/scenarios/{HIDDEN}") for who in (insider,)}
    seen = {
        "page": outsider.client.get("/"),
        "list": outsider_api.get("/api/v1/scenarios?per_page=50"),
    }
    insiders = insider.client.get("/")
    assert HIDDEN not in seen["list"].text and pages[insider].status_code == 200

    # The hidden scenario's owner edits it: the audit head moves for everyone.
    update_record(
        Context(db=operator.db, actor="test:aivd"),
        entity_name="scenarios",
        key=HIDDEN,
        changes={"narrative": EDIT, "narrative_en": EDIT},
    )
    for name, client, path in (
        ("page", outsider.client, "/"),
        ("list", outsider_api, "/api/v1/scenarios?per_page=50"),
    ):
        again = client.get(path, headers={"If-None-Match": seen[name].headers["etag"]})
        assert again.status_code == 304, name
        assert again.headers["etag"] == seen[name].headers["etag"]
        # Built anew after the write, the answer is byte for byte what it was.
        assert client.get(path).content == seen[name].content
    # The owner may see the change, and their own scenario page shows it.
    edited = insider.client.get(f"/scenarios/{HIDDEN}", headers={"If-None-Match": "*"})
    assert edited.status_code == 304  # "*" names any current representation
    shown = insider.client.get(f"/scenarios/{HIDDEN}")
    assert EDIT in shown.text
    assert shown.headers["etag"] != pages[insider].headers["etag"]
    assert insider.client.get("/").status_code == insiders.status_code == 200


def test_a_kept_view_follows_the_readers_language_and_session(
    analyst: SignedIn, make_user: MakeUser, sign_in: SignIn
) -> None:
    dutch = analyst.client.get("/", headers={"Accept-Language": "nl"})
    english = analyst.client.get("/", headers={"Accept-Language": "en"})
    assert dutch.headers["content-language"] == "nl"
    assert english.headers["content-language"] == "en"
    assert dutch.content != english.content
    # The same account in another session gets its own page: forms carry the
    # session's CSRF token.
    other = sign_in(analyst.user)
    theirs = other.client.get("/", headers={"Accept-Language": "en"})
    assert other.csrf_token in theirs.text and analyst.csrf_token not in theirs.text
    assert analyst.csrf_token in english.text


def test_a_signed_out_session_never_reaches_a_kept_page(
    analyst: SignedIn, demo_db: Database
) -> None:
    assert analyst.client.get("/").status_code == 200
    signed_out = analyst.client.post("/logout", data={"csrf_token": analyst.csrf_token})
    assert signed_out.status_code in (302, 303)
    again = analyst.client.get("/")
    assert again.status_code in (302, 303, 401)
    assert "lek-dike" not in again.text


def test_a_record_keeps_its_version_as_its_tag(api: TestClient) -> None:
    read = api.get(f"/api/v1/scenarios/{SCENARIO}")
    assert read.headers["etag"] == f'"{read.json()["version"]}"'
    again = api.get(
        f"/api/v1/scenarios/{SCENARIO}", headers={"If-None-Match": read.headers["etag"]}
    )
    assert again.status_code == 200 and again.content == read.content


def test_errors_are_never_tagged_nor_answered_with_304(api: TestClient) -> None:
    missing = api.get("/api/v1/scenarios/no-such-scenario", headers={"If-None-Match": "*"})
    assert missing.status_code == 404 and "etag" not in missing.headers


def small_app(body: bytes, *, chunks: int = 1) -> TestClient:
    async def endpoint(scope: dict[str, object], receive: object, send: object) -> None:
        await send(  # type: ignore[operator]
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        size = max(1, len(body) // chunks)
        parts = [body[i : i + size] for i in range(0, len(body), size)] or [b""]
        for i, part in enumerate(parts):
            await send(
                {"type": "http.response.body", "body": part, "more_body": i < len(parts) - 1}
            )  # type: ignore[operator]

    app = FastAPI()
    app.mount("/", ConditionalReads(endpoint, limit=1000))  # type: ignore[arg-type]
    return TestClient(app)


def test_a_body_in_parts_is_tagged_as_a_whole() -> None:
    body = b"x" * 900
    client = small_app(body, chunks=3)
    answer = client.get("/")
    assert answer.content == body and answer.headers["etag"] == body_tag(body)
    assert client.get("/", headers={"If-None-Match": body_tag(body)}).status_code == 304


def test_a_body_over_the_limit_streams_through_untagged() -> None:
    body = bytes(range(256)) * 10
    answer = small_app(body, chunks=5).get("/", headers={"If-None-Match": "*"})
    assert answer.status_code == 200 and answer.content == body
    assert "etag" not in answer.headers


def test_if_none_match_is_compared_weakly_and_as_a_list() -> None:
    tag = body_tag(b"page")
    assert matches(f'"other", W/{tag}', tag)
    assert matches("*", tag)
    assert not matches('"other"', tag)
    assert not matches(None, tag) and not matches("", tag)
    assert conditional.MAX_TAGGED_BYTES >= 1024 * 1024
