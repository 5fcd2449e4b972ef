"""Polling sources for real: the OASIS TAXII 2.1 server (medallion, from its registry
package) and a MISP feed made with PyMISP, both on loopback. A first poll takes
everything, the next only what was added or changed; a source that fails is
retried later and shown unhealthy while the others go on; a poll cut short is taken
up again without losing or doubling anything."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pymisp import MISPEvent, MISPOrganisation
from taxii2client.v21 import Collection

from tests.helpers import seed_small_register
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, list_records
from weerbaar.services.source_polling import poll_due, retry_delay, source_states_of
from weerbaar.storage.db import Database

DATA = Path(__file__).parents[1] / "data" / "taxii"
SECRET = {"WEERBAAR_SOURCE_TAXII": "Password0"}
API_ROOT = "trustgroup1"
COLLECTION = "91a7b528-80eb-42ed-a74d-c6fbd5a26116"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _manifest_entry(obj: dict[str, object]) -> dict[str, object]:
    return {
        "id": obj["id"],
        "date_added": "2017-01-01T00:00:00.000000Z",
        "version": obj.get("modified", obj.get("created")),
        "media_type": "application/stix+json;version=2.1",
    }


@pytest.fixture
def medallion(tmp_path: Path) -> Iterator[str]:
    """medallion on a free loopback port, its collection holding the OASIS examples,
    two objects a page; the collection's address."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    objects = json.loads((DATA / "oasis-examples.json").read_text("utf-8"))["objects"]
    data = {
        "/discovery": {
            "title": "Test TAXII server",
            "default": f"{base}/{API_ROOT}/",
            "api_roots": [f"{base}/{API_ROOT}/"],
        },
        API_ROOT: {
            "information": {
                "title": "Trust group 1",
                "versions": ["application/taxii+json;version=2.1"],
                "max_content_length": 9765625,
            },
            "status": [],
            "collections": [
                {
                    "id": COLLECTION,
                    "title": "High value indicators",
                    "can_read": True,
                    "can_write": True,
                    "media_types": ["application/stix+json;version=2.1"],
                    "objects": objects,
                    "manifest": [_manifest_entry(o) for o in objects],
                }
            ],
        },
    }
    (tmp_path / "data.json").write_text(json.dumps(data), "utf-8")
    config = {
        "backend": {
            "module": "medallion.backends.memory_backend",
            "module_class": "MemoryBackend",
            "filename": str(tmp_path / "data.json"),
        },
        "users": {"admin": "Password0"},
        "taxii": {"max_page_size": 2},
    }
    (tmp_path / "config.json").write_text(json.dumps(config), "utf-8")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "medallion.scripts.run",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            str(tmp_path / "config.json"),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("medallion did not start") from None
                time.sleep(0.2)
        yield f"{base}/{API_ROOT}/collections/{COLLECTION}/"
    finally:
        process.terminate()
        process.wait(timeout=10)


class _Failing(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(500)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def failing() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/taxii2/api/collections/x/"
    finally:
        server.shutdown()
        server.server_close()


def _source(ctx: Context, key: str, kind: str, address: str, **more: object) -> None:
    create_record(
        ctx,
        entity_name="sources",
        raw={"key": key, "name": key, "kind": kind, "address": address, **more},
    )


class Clock:
    def __init__(self) -> None:
        self.now = dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.now


def _taxii_signals(db: Database) -> dict[str, object]:
    return {
        s.external_id: s
        for s in list_records(db, entity_name="signals")
        if s.external_id and "--" in s.external_id
    }


def test_taxii_first_poll_takes_everything_the_next_only_what_was_added(
    db: Database, medallion: str, tmp_path: Path
) -> None:
    clock = Clock()
    ctx = Context(db, "test", clock=clock)
    seed_small_register(ctx)
    _source(
        ctx,
        "oasis",
        "taxii",
        medallion,
        auth="basic",
        username="admin",
        secret_env="WEERBAAR_SOURCE_TAXII",
        owned_by="nctv",
        interval_minutes=60,
    )
    first = poll_due(ctx, secrets=tmp_path, environ=SECRET)
    assert [o.error for o in first] == [None]
    report = first[0].report
    assert report is not None
    stored = _taxii_signals(db)
    # The two indicators, the campaign and the report; the malware and identity are
    # not signals, the threat actor went to the actor register.
    assert set(stored) == {
        "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade",
        "campaign--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f",
        "report--84e4d88f-44ea-4bcd-bbf3-b2c1c320bcb3",
    }
    amber = stored["indicator--a932fcc6-e032-476c-826f-cb970a5a1ade"]
    assert (amber.classification, amber.owned_by) == ("dep-v", "nctv")  # type: ignore[attr-defined]
    plain = stored["indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"]
    assert plain.classification == "public"  # type: ignore[attr-defined]
    assert any(a.name == "Adversary Bravo" for a in list_records(db, entity_name="actors"))
    [(_, state)] = source_states_of(ctx)
    assert state is not None and state.healthy and state.items_taken == 4
    assert state.cursor and "added_after" in state.cursor

    # Not due yet: nothing happens. Something is added; once due, only that comes in.
    assert poll_due(ctx, secrets=tmp_path, environ=SECRET) == []
    time.sleep(0.01)
    Collection(medallion, user="admin", password="Password0").add_objects(
        {
            "type": "bundle",
            "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56d",
            "objects": [
                {
                    "type": "indicator",
                    "spec_version": "2.1",
                    "id": "indicator--c410e480-e42b-47d1-9476-85307c12bcbf",
                    "created": "2026-11-30T10:00:00.000Z",
                    "modified": "2026-11-30T10:00:00.000Z",
                    "name": "Phishing domain of a new campaign",
                    "pattern": "[domain-name:value = 'example-bank-login.test']",
                    "pattern_type": "stix",
                    "valid_from": "2026-11-30T10:00:00Z",
                }
            ],
        }
    )
    clock.now += dt.timedelta(minutes=61)
    second = poll_due(ctx, secrets=tmp_path, environ=SECRET)
    assert second[0].report is not None
    assert second[0].report.read == 1 and second[0].report.created == 1
    assert len(_taxii_signals(db)) == 5


def test_a_failing_source_is_retried_later_and_unhealthy_while_another_goes_on(
    db: Database, medallion: str, failing: str, tmp_path: Path
) -> None:
    clock = Clock()
    ctx = Context(db, "test", clock=clock)
    seed_small_register(ctx)
    _source(ctx, "a-broken", "taxii", failing, interval_minutes=240)
    _source(
        ctx,
        "b-oasis",
        "taxii",
        medallion,
        auth="basic",
        username="admin",
        secret_env="WEERBAAR_SOURCE_TAXII",
        owned_by="nctv",
    )
    outcomes = {o.source: o for o in poll_due(ctx, secrets=tmp_path, environ=SECRET)}
    assert outcomes["a-broken"].report is None
    assert "500" in (outcomes["a-broken"].error or "")
    assert outcomes["b-oasis"].report is not None and outcomes["b-oasis"].report.created == 4
    states = {s.key: st for s, st in source_states_of(ctx)}
    broken = states["a-broken"]
    assert broken is not None and not broken.healthy and "500" in (broken.last_error or "")
    assert broken.next_poll == clock.now + retry_delay(1, dt.timedelta(minutes=240))
    assert states["b-oasis"] is not None and states["b-oasis"].healthy

    # Retried once its back-off has passed, failing again: the wait doubles.
    clock.now += retry_delay(1, dt.timedelta(minutes=240))
    again = poll_due(ctx, secrets=tmp_path, environ=SECRET)
    assert [o.source for o in again] == ["a-broken"]
    states = {s.key: st for s, st in source_states_of(ctx)}
    assert states["a-broken"] is not None and states["a-broken"].failures == 2
    assert retry_delay(2, dt.timedelta(minutes=240)) == 2 * retry_delay(
        1, dt.timedelta(minutes=240)
    )


def test_wrong_content_type_and_missing_secret_are_named(db: Database, tmp_path: Path) -> None:
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(tmp_path))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    (tmp_path / "collection").mkdir()
    (tmp_path / "collection" / "index.html").write_text("<html>not TAXII</html>", "utf-8")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ctx = Context(db, "test", clock=Clock())
        address = f"http://127.0.0.1:{server.server_address[1]}/collection/"
        _source(ctx, "html", "taxii", address)
        _source(ctx, "locked", "taxii", address, auth="bearer", secret_env="WEERBAAR_SOURCE_NONE")
        outcomes = {o.source: o for o in poll_due(ctx, secrets=tmp_path, environ={})}
    finally:
        server.shutdown()
        server.server_close()
    assert "html" in (outcomes["html"].error or "").lower()
    assert "WEERBAAR_SOURCE_NONE" in (outcomes["locked"].error or "")
    assert list_records(db, entity_name="signals") == []


def test_a_bad_certificate_is_an_error_naming_the_source(db: Database, tmp_path: Path) -> None:
    import ssl

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    (tmp_path / "cert.pem").write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    (tmp_path / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(tmp_path / "cert.pem", tmp_path / "key.pem")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Failing)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        ctx = Context(db, "test", clock=Clock())
        port = server.server_address[1]
        _source(ctx, "self-signed", "taxii", f"https://127.0.0.1:{port}/collections/x/")
        _source(ctx, "self-signed-misp", "misp", f"https://127.0.0.1:{port}/feed/")
        outcomes = poll_due(ctx, secrets=tmp_path, environ={})
    finally:
        server.shutdown()
        server.server_close()
    assert len(outcomes) == 2
    for outcome in outcomes:
        assert outcome.report is None
        assert outcome.source in (outcome.error or "")
        assert "certificate" in (outcome.error or "").lower()


# -- MISP feeds -----------------------------------------------------------------------


def _event(info: str, uuid: str, timestamp: int, tags: tuple[str, ...] = ()) -> MISPEvent:
    publisher = MISPOrganisation()
    publisher.name = "CIRCL"
    publisher.uuid = "55f6ea5e-2c60-40e5-964f-47a8950d210f"
    event = MISPEvent()
    event.Orgc = publisher
    event.info = info
    event.uuid = uuid
    event.date = dt.date(2026, 11, 20)
    event.add_attribute("text", f"{info}: what the analysts saw.")
    event.add_attribute("link", "https://example.org/report")
    for tag in tags:
        event.add_tag(tag)
    event.timestamp = timestamp
    return event


def _write_feed(folder: Path, events: list[MISPEvent]) -> None:
    """A feed as MISP publishes one: each event's feed form, and the manifest."""
    folder.mkdir(exist_ok=True)
    manifest: dict[str, object] = {}
    for event in events:
        feed = event.to_feed(with_meta=True)
        manifest.update(feed["Event"].pop("_manifest"))
        (folder / f"{event.uuid}.json").write_text(json.dumps(feed), "utf-8")
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")


@pytest.fixture
def feed_folder(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    folder = tmp_path / "feed"
    folder.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(folder))
    handler.log_message = lambda *args: None  # type: ignore[attr-defined]
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield folder, f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


A = "5e6b322a-9f80-4e2f-9f2d-3f85ed8f6e1a"
B = "7c1d4c1e-2a62-4c8b-8d0b-6f5a1bd3e2a7"
C = "0b2c6a7e-8f7e-4c55-b4a4-3b8f0f6b9d11"


def test_misp_feed_next_poll_takes_only_new_and_changed_events(
    db: Database, feed_folder: tuple[Path, str], tmp_path: Path
) -> None:
    folder, address = feed_folder
    clock = Clock()
    ctx = Context(db, "test", clock=clock)
    seed_small_register(ctx)
    _source(ctx, "osint", "misp", address, owned_by="nctv", interval_minutes=30, language="en")
    _write_feed(
        folder,
        [
            _event("Ransomware hits a water board", A, 1_700_000_000),
            _event("Phishing wave against municipalities", B, 1_700_000_100, ("tlp:amber",)),
        ],
    )
    [first] = poll_due(ctx, secrets=tmp_path, environ={})
    assert first.report is not None and first.report.created == 2, first
    by_event = {s.external_id.split("@")[0]: s for s in list_records(db, entity_name="signals")}
    assert by_event[B].classification == "dep-v" and by_event[B].owned_by == "nctv"
    assert by_event[A].classification == "public"
    assert {str(s.language) for s in by_event.values()} == {"en"}  # the source's language

    # One event changes, one is new, one stays: only two are read.
    _write_feed(
        folder,
        [
            _event("Ransomware hits a water board", A, 1_700_000_000),
            _event("Phishing wave against municipalities, now also provinces", B, 1_700_000_500),
            _event("DDoS on a regional hospital", C, 1_700_000_600),
        ],
    )
    clock.now += dt.timedelta(minutes=31)
    [second] = poll_due(ctx, secrets=tmp_path, environ={})
    assert second.report is not None
    assert (second.report.read, second.report.created) == (2, 2), second
    signals = list_records(db, entity_name="signals")
    assert len(signals) == 4
    changed = [s for s in signals if s.external_id == f"{B}@1700000500"]
    assert changed and changed[0].title.endswith("now also provinces")


def test_a_malformed_manifest_is_named_and_a_bad_event_does_not_stop_the_rest(
    db: Database, feed_folder: tuple[Path, str], tmp_path: Path
) -> None:
    folder, address = feed_folder
    clock = Clock()
    ctx = Context(db, "test", clock=clock)
    _source(ctx, "osint", "misp", address)
    (folder / "manifest.json").write_text('{"a": [1, 2', "utf-8")
    [broken] = poll_due(ctx, secrets=tmp_path, environ={})
    assert broken.report is None
    assert "osint" in (broken.error or "") and "manifest.json" in (broken.error or "")

    _write_feed(folder, [_event("Good event", A, 1_700_000_000)])
    manifest = json.loads((folder / "manifest.json").read_text("utf-8"))
    manifest[C] = {"timestamp": "1700000001", "info": "broken"}
    (folder / "manifest.json").write_text(json.dumps(manifest), "utf-8")
    (folder / f"{C}.json").write_text("{not json", "utf-8")
    clock.now += dt.timedelta(hours=1)
    [partial] = poll_due(ctx, secrets=tmp_path, environ={})
    assert partial.report is not None and partial.report.created == 1
    assert any(C in r.origin for r in partial.report.rejections)
    # The broken event is asked for again next time; the good one is not.
    (folder / f"{C}.json").write_text(
        json.dumps(_event("Repaired event", C, 1_700_000_001).to_feed(with_meta=False)), "utf-8"
    )
    clock.now += dt.timedelta(hours=1)
    [repaired] = poll_due(ctx, secrets=tmp_path, environ={})
    assert repaired.report is not None and (repaired.report.read, repaired.report.created) == (1, 1)


def test_a_poll_stopped_part_way_resumes_without_losing_or_doubling(
    db: Database, feed_folder: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weerbaar.services import signal_ingest

    folder, address = feed_folder
    clock = Clock()
    ctx = Context(db, "test", clock=clock)
    _source(ctx, "osint", "misp", address)
    events = [
        _event(f"Incident number {n} at a port terminal", str(_uuid(n)), 1_700_000_000 + n)
        for n in range(12)
    ]
    _write_feed(folder, events)
    real_chunks = signal_ingest._chunks
    monkeypatch.setattr(signal_ingest, "_chunks", lambda items, size: real_chunks(items, 5))
    written = 0
    real_write = signal_ingest._Run._write

    def killed_after_two_chunks(self: object, records: list[object]) -> None:
        nonlocal written
        if written >= 2:
            raise KeyboardInterrupt  # as a stop signal arrives mid-run
        written += 1
        real_write(self, records)  # type: ignore[arg-type]

    monkeypatch.setattr(signal_ingest._Run, "_write", killed_after_two_chunks)
    with pytest.raises(KeyboardInterrupt):
        poll_due(ctx, secrets=tmp_path, environ={}, force=True)
    monkeypatch.setattr(signal_ingest._Run, "_write", real_write)
    assert 0 < len(list_records(db, entity_name="signals")) < 12
    [resumed] = poll_due(ctx, secrets=tmp_path, environ={}, force=True)
    assert resumed.report is not None
    signals = list_records(db, entity_name="signals")
    assert len(signals) == 12
    assert len({s.external_id for s in signals}) == 12


def _uuid(n: int) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"event-{n}"))
