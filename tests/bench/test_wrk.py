"""``wrk`` as the load generator: what it sends, and what it reports."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from typing import ClassVar

import pytest

from weerbaar.bench.wrk import WrkError, drive_wrk

PROBE = 'a "quoted" \\ back-slashed\tvalue]]'


class _Recorder(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    seen: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:
        raw = self.headers.get("X-Probe", "")
        _Recorder.seen.append(raw.encode("latin-1"))  # http.server decodes as latin-1
        body = b"ok"
        self.send_response(200 if self.path == "/ok" else 500)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[int]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Recorder.seen = []
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def test_wrk_sends_each_header_byte_for_byte(recorder: int) -> None:
    run = drive_wrk(
        recorder, "/ok", label="probe", headers={"X-Probe": PROBE}, clients=2, seconds=1
    )
    assert run.requests > 0 and run.errors == 0
    assert run.generator == "wrk" and run.clients == 2
    # The warm-up request and every request of the load carried the value unchanged.
    assert set(_Recorder.seen) == {PROBE.encode()}
    assert len(_Recorder.seen) >= run.requests


def test_answers_other_than_success_count_as_errors(recorder: int) -> None:
    run = drive_wrk(recorder, "/fails", label="probe", headers={}, clients=1, seconds=1)
    assert run.requests > 0 and run.errors == run.requests


def test_a_wrk_that_cannot_start_is_said_plainly(recorder: int, tmp_path: object) -> None:
    with pytest.raises(WrkError, match="wrk could not start"):
        drive_wrk(
            recorder,
            "/ok",
            label="probe",
            headers={},
            clients=1,
            seconds=1,
            program=f"{tmp_path}/no-such-wrk",
        )
