"""The read-only TAXII 2.1 server at /taxii2/, under uvicorn on a loopback port, polled
by the OASIS client (taxii2-client) as a partner's platform would poll it: discovery,
the API root, the collections, and the objects page by page, each reader seeing what
need-to-know lets them; and ``GET /api/v1/stix`` for readers of two clearances."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import requests
import stix2
from fastapi.testclient import TestClient
from taxii2client.v21 import ApiRoot, Collection, Server, as_pages

from tests.helpers import make_token
from tests.web.conftest import PASSWORD, ApiClientFor
from tests.web.test_proxy_headers import served
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.services.transfer import export_register
from weerbaar.signals.items import ActorSighting
from weerbaar.signals.readers.stix import read_stix_value
from weerbaar.storage.db import Database
from weerbaar.web.taxii import COLLECTIONS, TAXII_MEDIA_TYPE

SIGNALS, ACTORS = (
    next(c.id for c in COLLECTIONS.values() if c.entity == name) for name in ("signals", "actors")
)
MOMENT = dt.datetime(2030, 5, 1, 12, 0, tzinfo=dt.UTC)  # after everything the demo wrote


@dataclass(frozen=True, slots=True)
class Taxii:
    url: str  # the server's discovery address
    tokens: dict[str, str]  # by user name

    def collection(self, user: str, collection_id: str) -> Collection:
        return Collection(
            f"{self.url}weerbaar/collections/{collection_id}/",
            user=user,
            password=self.tokens[user],
        )


def _account(operator: Context, username: str, **kwargs: str) -> str:
    accounts.add_user(operator, username=username, password=PASSWORD, **kwargs)
    return make_token(operator, username, "taxii")


def _seed(register: Database) -> None:
    """Actors of every marking, five of them written at the same moment, so that
    pages must break ties between objects added together."""
    same_moment = Context(db=register, actor="test:setup", clock=lambda: MOMENT)
    for number in range(5):
        create_record(
            same_moment,
            entity_name="actors",
            raw={
                "key": f"crew-{number}",
                "name": f"Crew {number}",
                "kind": "non_state",
                "intent": "medium",
                "capability": "low",
                "synonyms": f"C{number}; Crew Number {number}",
            },
        )
    later = Context(db=register, actor="test:setup", clock=lambda: MOMENT + dt.timedelta(days=1))
    create_record(
        later,
        entity_name="actors",
        raw={
            "key": "secret-service-x",
            "name": "Secret Service X",
            "kind": "state",
            "country": "XX",
            "intent": "high",
            "capability": "high",
            "synonyms": "SSX",
            "classification": "stg-c",
            "owned_by": "nctv",
        },
    )
    for key, classification, actor in (
        ("open-report", "public", "crew-0"),
        ("secret-report", "stg-c", "secret-service-x"),
    ):
        create_record(
            later,
            entity_name="signals",
            raw={
                "key": key,
                "title": f"Report {key}",
                "published_on": "2030-05-02",
                "source": "test",
                "language": "en",
                "kind": "report",
                "actors": actor,
                "classification": classification,
                "owned_by": "nctv",
            },
        )


@pytest.fixture
def taxii(register: Database, operator: Context) -> Iterator[Taxii]:
    _seed(register)
    tokens = {
        "cleared": _account(
            operator, "cleared", role="analyst", organisation="nctv", clearance="stg-g"
        ),
        "uncleared": _account(
            operator, "uncleared", role="analyst", organisation="nctv", clearance="public"
        ),
        "guest": _account(
            operator, "guest", role="expert", organisation="nctv", clearance="public"
        ),
    }
    with served(register, forwarded_allow_ips=[]) as client:
        yield Taxii(f"{str(client.base_url).rstrip('/')}/taxii2/", tokens)


def _classifications(register: Database) -> dict[str, str]:
    """Each actor's and signal's classification, by its key."""
    everything = export_register(register)
    return {
        r["key"]: r["classification"] for name in ("actors", "signals") for r in everything[name]
    }


def _keys(objects: list[dict[str, Any]]) -> set[str]:
    """The register keys of the objects that are records."""
    return {
        ref["external_id"]
        for obj in objects
        for ref in obj.get("external_references", ())
        if ref["source_name"] == "weerbaar"
    }


def _get(url: str, **kwargs: Any) -> httpx.Response:
    """A request with time to spare on a busy machine."""
    return httpx.get(url, timeout=60, **kwargs)


def _all(collection: Collection, per_request: int, **filters: Any) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    for envelope in as_pages(collection.get_objects, per_request=per_request, **filters):
        objects += envelope.get("objects", [])
    return objects


def test_discovery_leads_to_the_api_root_and_its_collections(taxii: Taxii) -> None:
    server = Server(taxii.url, user="anyone", password=taxii.tokens["cleared"])
    assert server.title == "weerbaar"
    root = server.default
    assert isinstance(root, ApiRoot) and root.url == f"{taxii.url}weerbaar/"
    assert root.versions == [TAXII_MEDIA_TYPE]
    found = {c.title: c for c in root.collections}
    assert set(found) == {"signals", "actors"}
    assert found["actors"].id == ACTORS and found["actors"].can_read
    assert not found["actors"].can_write
    # The token as a bearer token works as well.
    answer = _get(
        f"{taxii.url}weerbaar/collections/",
        headers={"Authorization": f"Bearer {taxii.tokens['cleared']}"},
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"] == TAXII_MEDIA_TYPE


def test_pages_neither_skip_nor_repeat_objects_added_together(taxii: Taxii) -> None:
    actors = taxii.collection("cleared", ACTORS)
    whole = actors.get_objects(limit=1000)
    assert whole["more"] is False
    paged = _all(actors, per_request=2)
    assert [o["id"] for o in paged] == [o["id"] for o in whole["objects"]]
    assert len({o["id"] for o in paged}) == len(paged)
    crews = [o for o in paged if o.get("name", "").startswith("Crew ")]
    assert len(crews) == 5  # the five added at the same moment, each once
    # The manifest lists the same objects in the same order, with when each was added.
    manifest = actors.get_manifest(limit=1000)["objects"]
    assert [m["id"] for m in manifest] == [o["id"] for o in paged]
    added = [m["date_added"] for m in manifest]
    assert added == sorted(added)


def test_added_after_gives_only_what_came_later(taxii: Taxii, register: Database) -> None:
    actors = taxii.collection("cleared", ACTORS)
    answer = _get(
        f"{taxii.url}weerbaar/collections/{ACTORS}/objects/",
        params={"limit": "3"},
        auth=("someone", taxii.tokens["cleared"]),
        headers={"Accept": TAXII_MEDIA_TYPE},
    )
    assert answer.status_code == 200 and answer.json()["more"] is True
    first = answer.headers["X-TAXII-Date-Added-First"]
    assert first <= answer.headers["X-TAXII-Date-Added-Last"]

    later = _all(actors, per_request=2, added_after=MOMENT)
    assert [o["name"] for o in later] == ["Secret Service X"]
    assert _all(actors, per_request=2, added_after=MOMENT + dt.timedelta(days=2)) == []
    # A record written after a client's last poll comes with its next one.
    create_record(
        Context(db=register, actor="test:setup", clock=lambda: MOMENT + dt.timedelta(days=3)),
        entity_name="actors",
        raw={
            "key": "newcomer",
            "name": "Newcomer",
            "kind": "non_state",
            "intent": "low",
            "capability": "low",
        },
    )
    newer = _all(actors, per_request=2, added_after=MOMENT + dt.timedelta(days=2))
    assert [o["name"] for o in newer] == ["Newcomer"]


def test_each_reader_gets_what_need_to_know_lets_them_see(taxii: Taxii, register: Database) -> None:
    classification = _classifications(register)
    for name, collection_id in (("actors", ACTORS), ("signals", SIGNALS)):
        uncleared = _all(taxii.collection("uncleared", collection_id), per_request=50)
        cleared = _all(taxii.collection("cleared", collection_id), per_request=50)
        kept = _keys(uncleared)
        assert kept, f"the uncleared reader sees no public {name}"
        assert all(classification[key] == "public" for key in kept)
        assert any(classification[key] != "public" for key in _keys(cleared))
    actors = {o.get("name") for o in _all(taxii.collection("cleared", ACTORS), 50)}
    assert "Secret Service X" in actors
    hidden = {o.get("name") for o in _all(taxii.collection("uncleared", ACTORS), 50)}
    assert "Secret Service X" not in hidden and "Crew 0" in hidden


def test_what_is_served_is_stix_and_reads_back_as_the_same_actors(
    taxii: Taxii, register: Database
) -> None:
    served_objects = _all(taxii.collection("cleared", ACTORS), per_request=7)
    bundle = {
        "type": "bundle",
        "id": "bundle--6f3c1f59-0d1e-4f31-9d8e-1d1c4c2a2b3c",
        "objects": served_objects,
    }
    parsed = stix2.parse(bundle, allow_custom=True)
    assert len(parsed.objects) == len(served_objects)
    sightings = [
        item for item in read_stix_value(bundle, "taxii") if isinstance(item, ActorSighting)
    ]
    stored = {a["name"]: a for a in export_register(register)["actors"]}
    assert {s.name for s in sightings} == set(stored)
    for sighting in sightings:
        synonyms = stored[sighting.name]["synonyms"] or ""
        assert list(sighting.aliases) == [s.strip() for s in synonyms.split(";") if s.strip()]
        assert sighting.state == (stored[sighting.name]["kind"] == "state")


def test_a_wrong_accept_header_is_refused_with_a_taxii_error(taxii: Taxii) -> None:
    auth = ("someone", taxii.tokens["cleared"])
    for path in ("", "weerbaar/", f"weerbaar/collections/{ACTORS}/objects/"):
        answer = _get(f"{taxii.url}{path}", auth=auth, headers={"Accept": "text/html"})
        assert answer.status_code == 406, path
        assert answer.headers["content-type"] == TAXII_MEDIA_TYPE
        assert answer.json()["http_status"] == "406"
    wrong_version = _get(
        f"{taxii.url}weerbaar/", auth=auth, headers={"Accept": "application/taxii+json;version=2.0"}
    )
    assert wrong_version.status_code == 406
    refused = _get(
        f"{taxii.url}weerbaar/", auth=auth, headers={"Accept": f"{TAXII_MEDIA_TYPE};q=0, text/html"}
    )
    assert refused.status_code == 406
    stix = _get(
        f"{taxii.url}weerbaar/collections/{ACTORS}/objects/",
        auth=auth,
        headers={"Accept": "application/stix+json;version=2.1"},
    )
    assert stix.status_code == 200
    assert stix.headers["content-type"] == "application/stix+json;version=2.1"


def test_without_a_working_token_nothing_is_served(taxii: Taxii) -> None:
    with pytest.raises(requests.HTTPError) as refused:
        Server(taxii.url, user="someone", password="wb_notatoken_atall").title  # noqa: B018
    assert refused.value.response is not None
    assert refused.value.response.status_code == 401
    for headers in ({}, {"Authorization": "Bearer wb_abc_def"}, {"Authorization": "Basic %%%"}):
        answer = _get(f"{taxii.url}weerbaar/collections/{ACTORS}/objects/", headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == TAXII_MEDIA_TYPE
        assert answer.json()["http_status"] == "401"
        assert "objects" not in answer.json()


def test_a_hidden_collection_answers_as_a_missing_one(taxii: Taxii) -> None:
    auth = ("someone", taxii.tokens["guest"])
    listed = _get(f"{taxii.url}weerbaar/collections/", auth=auth).json()
    assert [c["id"] for c in listed["collections"]] == [ACTORS]
    unknown = "00000000-0000-4000-8000-000000000000"
    answers = [
        _get(f"{taxii.url}weerbaar/collections/{cid}/objects/", auth=auth)
        for cid in (SIGNALS, unknown)
    ]
    assert [a.status_code for a in answers] == [404, 404]
    bodies = [a.json() for a in answers]
    assert bodies[0]["title"].replace(SIGNALS, unknown) == bodies[1]["title"]
    assert {k: v for k, v in bodies[0].items() if k != "title"} == {
        k: v for k, v in bodies[1].items() if k != "title"
    }
    elsewhere = _get(f"{taxii.url}weerbaar/status/x/", auth=auth)
    assert elsewhere.status_code == 404 and elsewhere.json()["http_status"] == "404"


def test_the_api_exports_stix_by_the_readers_clearance(
    client: ApiClientFor, register: Database
) -> None:
    _seed(register)
    cleared: TestClient = client("api-cleared", clearance="stg-g")
    uncleared: TestClient = client("api-uncleared", clearance="public")
    classification = _classifications(register)
    seen: dict[str, set[str]] = {}
    for name, reader in (("cleared", cleared), ("uncleared", uncleared)):
        answer = reader.get("/api/v1/stix")
        assert answer.status_code == 200, answer.text
        bundle = answer.json()
        stix2.parse(bundle, allow_custom=True)
        seen[name] = _keys(bundle["objects"])
    assert {"secret-service-x", "secret-report"} <= seen["cleared"]
    assert "secret-service-x" not in seen["uncleared"] and "crew-0" in seen["uncleared"]
    assert all(classification.get(k, "public") == "public" for k in seen["uncleared"])
    assert any(classification.get(k, "public") != "public" for k in seen["cleared"])
    assert TestClient(cleared.app).get("/api/v1/stix").status_code == 401


def _report(register: Database, key: str, written: dt.datetime, **marking: str) -> None:
    """A report published in the past, written at ``written`` (after the seed's)."""
    create_record(
        Context(db=register, actor="test:setup", clock=lambda: written),
        entity_name="signals",
        raw={"key": key, "title": f"Report {key}", "published_on": "2026-11-01",
             "source": "test", "language": "en", "kind": "report", **marking},
    )  # fmt: skip


def test_another_weerbaar_polls_this_one_as_a_taxii_source(
    taxii: Taxii, register: Database, tmp_path: Any
) -> None:
    """Two installations: the second subscribes to the first's signals collection with a
    token of an uncleared account, and takes in what that account may see, with its
    TLP markings read back into need-to-know; a second poll brings only what is new."""
    from tests.helpers import trail_config
    from weerbaar.services.records import list_records
    from weerbaar.services.source_polling import poll_due

    other = Database(f"sqlite:///{tmp_path}/other.db", trail=trail_config())
    other.upgrade()
    try:
        clock = [dt.datetime(2030, 6, 1, tzinfo=dt.UTC)]
        ctx = Context(db=other, actor="test:other", clock=lambda: clock[0])
        create_record(
            ctx,
            entity_name="organisations",
            raw={"key": "cert-x", "name": "CERT X", "kind": "agency"},
        )
        create_record(
            ctx,
            entity_name="sources",
            raw={
                "key": "partner",
                "name": "Partner weerbaar",
                "kind": "taxii",
                "address": f"{taxii.url}weerbaar/collections/{SIGNALS}/",
                "auth": "bearer",
                "secret_env": "WEERBAAR_SOURCE_PARTNER",
                "owned_by": "cert-x",
            },
        )
        secret = {"WEERBAAR_SOURCE_PARTNER": taxii.tokens["uncleared"]}
        _report(register, "past-report", MOMENT + dt.timedelta(days=2), owned_by="nctv")
        [first] = poll_due(ctx, secrets=tmp_path, environ=secret)
        assert first.report is not None, first.error
        taken = {s.title: s for s in list_records(other, entity_name="signals")}
        assert "Report past-report" in taken and "Report secret-report" not in taken
        # It left owned by its organisation, as TLP:AMBER+STRICT: it is kept to the
        # receiving organisation alone.
        opened = taken["Report past-report"]
        assert (opened.classification, opened.owned_by, opened.shared_with) == (
            "dep-v",
            "cert-x",
            (),
        )
        # Nothing new: nothing read. A new public report: only that one.
        clock[0] += dt.timedelta(hours=2)
        [again] = poll_due(ctx, secrets=tmp_path, environ=secret)
        assert again.report is not None and again.report.created == 0
        _report(register, "newer-report", MOMENT + dt.timedelta(days=3))
        clock[0] += dt.timedelta(hours=2)
        [third] = poll_due(ctx, secrets=tmp_path, environ=secret)
        assert third.report is not None and third.report.created == 1, third
    finally:
        other.dispose()
