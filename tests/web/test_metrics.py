"""``/metrics`` on both databases: there only when a token is set, and only for who
brings it; requests counted by route template (never a record's key), timed, and
added up over the worker processes of ``weerbaar serve --workers 2``, also after one
of them ends; the register's figures (outbox, sources, sign-ins, audit trail,
schedulers) read at each scrape."""

from __future__ import annotations

import dataclasses
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from prometheus_client.samples import Sample

from tests.helpers import SMALL_REGISTER, level_change, seed_small_register, settings_for
from tests.notify_receivers import free_port
from tests.web.test_serve_workers import _children, served
from weerbaar.config import load_settings
from weerbaar.errors import ConfigError, UnauthenticatedError
from weerbaar.services import accounts
from weerbaar.services.accounts import MAX_FAILURES_PER_ACCOUNT
from weerbaar.services.context import Context
from weerbaar.services.notifications.channels import add_channel
from weerbaar.services.notifications.delivery import deliver_due
from weerbaar.services.records import create_record
from weerbaar.services.schedulers import SOURCE_POLLING, record_beat
from weerbaar.services.source_polling import poll_due
from weerbaar.storage.db import Database
from weerbaar.web.app import create_app

TOKEN = "metrics-token-of-forty-characters-012345"
KEY = "attack-station"  # a record's key, which no series may name


@contextmanager
def client(db: Database, token: str | None = TOKEN) -> Iterator[TestClient]:
    settings = settings_for(db)
    settings = dataclasses.replace(
        settings, web=dataclasses.replace(settings.web, metrics_token=token)
    )
    with TestClient(create_app(settings, db=db)) as browser:
        yield browser


def scrape(get: object, token: str = TOKEN) -> list[Sample]:
    assert callable(get)
    answer = get("/metrics", headers={"Authorization": f"Bearer {token}"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain")
    families = text_string_to_metric_families(answer.text)
    return [sample for family in families for sample in family.samples]


def value(samples: list[Sample], name: str, **labels: str) -> float:
    found = [s.value for s in samples if s.name == name and s.labels == labels]
    assert len(found) == 1, f"{name} {labels}: {found}"
    return found[0]


def test_without_a_token_there_is_no_metrics_page(db: Database) -> None:
    with client(db, token=None) as browser:
        missing = browser.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        unknown = browser.get("/no-such-page")
        assert missing.status_code == unknown.status_code == 404


def test_a_scrape_without_the_right_token_is_refused(db: Database) -> None:
    with client(db) as browser:
        for headers in (
            {},
            {"Authorization": "Bearer " + TOKEN[:-1] + "x"},
            {"Authorization": "Bearer " + TOKEN + "x"},
            {"Authorization": "Basic " + TOKEN},
            {"Authorization": TOKEN},
        ):
            refused = browser.get("/metrics", headers=headers)
            assert refused.status_code == 401, headers
            assert refused.headers["www-authenticate"] == "Bearer"
            assert "weerbaar_" not in refused.text


def test_a_short_token_is_refused_at_start() -> None:
    with pytest.raises(ConfigError, match="WEERBAAR_METRICS_TOKEN must be at least 32"):
        load_settings(environ={"WEERBAAR_METRICS_TOKEN": "x" * 31})
    settings = load_settings(environ={"WEERBAAR_METRICS_TOKEN": TOKEN})
    assert settings.web.metrics_token == TOKEN and TOKEN not in repr(settings)


def test_requests_are_counted_by_route_template(db: Database) -> None:
    with client(db) as browser:
        for _ in range(3):
            assert browser.get(f"/api/v1/scenarios/{KEY}").status_code == 401
        assert browser.get("/healthz").status_code == 200
        samples = scrape(browser.get)
    route = "/api/v1/scenarios/{key}"
    assert (
        value(samples, "weerbaar_http_requests_total", route=route, method="GET", status="401") >= 3
    )
    assert value(samples, "weerbaar_http_request_duration_seconds_count", route=route) >= 3
    assert value(samples, "weerbaar_http_request_duration_seconds_sum", route=route) > 0
    assert (
        value(samples, "weerbaar_http_requests_total", route="/healthz", method="GET", status="200")
        >= 1
    )
    assert all(KEY not in label for s in samples for label in s.labels.values())
    assert value(samples, "weerbaar_db_pool_size") >= 1
    assert value(samples, "weerbaar_db_pool_checked_out") >= 0
    assert value(samples, "weerbaar_register_up") == 1


def test_two_apps_in_one_process_count_apart(db: Database) -> None:
    with client(db) as first, client(db) as second:
        for _ in range(4):
            first.get("/healthz")
        second.get("/healthz")
        counted = (
            value(scrape(browser.get), "weerbaar_http_requests_total", route="/healthz",
                  method="GET", status="200")
            for browser in (first, second)
        )  # fmt: skip
        assert tuple(counted) == (4, 1)


def test_the_register_figures_follow_what_happens(db: Database) -> None:
    ctx = Context(db, "test:operator")
    seed_small_register(ctx)
    settings = settings_for(db)
    with client(db) as browser:
        before = scrape(browser.get)
        assert value(before, "weerbaar_notifications", status="dead") == 0
        assert value(before, "weerbaar_sign_in_failures") == 0
        assert value(before, "weerbaar_audit_checkpoint_age_seconds") >= 0
        head = value(before, "weerbaar_audit_trail_head_seq")
        assert head >= len(SMALL_REGISTER)
        assert value(before, "weerbaar_audit_checkpoint_seq") == head  # one after each write

        # A notification to a receiver that is down, tried once only: dead.
        down = f"http://127.0.0.1:{free_port()}/hook"
        add_channel(ctx, organisation="nctv", kind="webhook", target=down)
        level_change(db)
        assert value(scrape(browser.get), "weerbaar_notifications", status="pending") == 1
        deliver_due(db, settings=dataclasses.replace(settings.delivery, attempts=1))

        # One source that cannot be reached, one not polled yet.
        for key, address in (("gone", "http://127.0.0.1:9/feed"), ("later", down)):
            create_record(
                ctx,
                entity_name="sources",
                raw={"key": key, "name": key, "kind": "feed", "address": address},
            )
        poll_due(ctx, secrets=settings.source_secrets, only="gone")

        # Failed sign-ins, enough of them to lock one account.
        for _ in range(MAX_FAILURES_PER_ACCOUNT):
            with pytest.raises(UnauthenticatedError):
                accounts.authenticate(db, "ghost", "wrong password", "203.0.113.9")
        record_beat(db, SOURCE_POLLING, 60)

        after = scrape(browser.get)
    assert value(after, "weerbaar_notifications", status="dead") == 1
    assert value(after, "weerbaar_notifications", status="pending") == 0
    assert value(after, "weerbaar_sources", health="failing") == 1
    assert value(after, "weerbaar_sources", health="never_polled") == 1
    assert value(after, "weerbaar_sources", health="ok") == 0
    assert value(after, "weerbaar_sign_in_failures") >= MAX_FAILURES_PER_ACCOUNT
    assert value(after, "weerbaar_sign_in_locked_accounts") == 1
    assert value(after, "weerbaar_sign_in_locked_addresses") == 0
    assert value(after, "weerbaar_audit_trail_head_seq") > head
    assert value(after, "weerbaar_audit_checkpoint_age_seconds") >= 0
    assert value(after, "weerbaar_scheduler_beat_age_seconds", scheduler=SOURCE_POLLING) >= 0
    # Counts only: no source, account or address is named.
    for told in ("gone", "later", "ghost", "203.0.113.9"):
        assert all(told not in label for s in after for label in s.labels.values())


def test_the_workers_of_serve_add_up_their_counts(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_small_register(Context(db, "test:setup"))  # serve wants an organisation
    monkeypatch.setenv("WEERBAAR_METRICS_TOKEN", TOKEN)
    asked = 24
    with served(db.url, workers=2) as server:
        one_shot = httpx.Limits(max_keepalive_connections=0)  # each request to any worker
        with httpx.Client(base_url=server.base, limits=one_shot, timeout=30) as web:
            for _ in range(asked):
                assert web.get("/healthz").status_code == 200
            # Whichever worker takes a scrape, it reports the requests of both.
            for _ in range(6):
                samples = scrape(web.get)
                counted = value(
                    samples,
                    "weerbaar_http_requests_total",
                    route="/healthz",
                    method="GET",
                    status="200",
                )
                assert counted == asked
                assert value(samples, "weerbaar_register_up") == 1
    assert server.returncode == 0, server.errors


def test_a_worker_that_ends_leaves_its_counts_and_the_others_their_folder(
    db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    seed_small_register(Context(db, "test:setup"))
    monkeypatch.setenv("WEERBAAR_METRICS_TOKEN", TOKEN)
    # Where serve makes its private folder for the workers' figures, to look into.
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setenv("TMPDIR", str(temporary))
    one_shot = httpx.Limits(max_keepalive_connections=0)

    def healthz_count(web: httpx.Client) -> float:
        labels = {"route": "/healthz", "method": "GET", "status": "200"}
        return value(scrape(web.get), "weerbaar_http_requests_total", **labels)

    with served(db.url, workers=2) as server:
        # gunicorn's workers keep heartbeat files there too, each briefly named.
        [folder] = temporary.glob("weerbaar-metrics-*")
        with httpx.Client(base_url=server.base, limits=one_shot, timeout=30) as web:
            for _ in range(10):
                web.get("/healthz")
            first, _other = _children(server.pid)
            # One worker ends as a stopped worker does; the arbiter starts another.
            os.kill(first, signal.SIGTERM)
            deadline = time.monotonic() + 60
            while first in _children(server.pid) or len(_children(server.pid)) < 2:
                assert time.monotonic() < deadline, "no new worker in time"
                time.sleep(0.2)
            for _ in range(10):
                assert web.get("/healthz").status_code == 200
            assert folder.is_dir()
            assert healthz_count(web) == 20
    assert server.returncode == 0, server.errors
    # Gone once serve stops.
    assert not folder.exists()
