"""Real receivers for the notification tests, each on 127.0.0.1 and a free port: an
SMTP server (aiosmtpd) that keeps what it is sent, and an HTTP server that checks
each webhook's signature with the receiver's own function."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from weerbaar.services.notifications.signing import verify_signature


def free_port() -> int:
    """A port nobody listens on (until someone starts a server on it)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts."""

    messages: list[EmailMessage] = field(default_factory=list)
    logins: list[bytes] = field(default_factory=list)
    password: bytes = b"correct horse battery"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        parsed = message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def authenticate(
        self, server: Any, session: Any, envelope: Any, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword) or data.password != self.password:
            return AuthResult(success=False, handled=False)
        self.logins.append(data.login)
        return AuthResult(success=True)


@contextmanager
def smtp_server(mailbox: Mailbox, *, port: int | None = None, **options: Any) -> Iterator[int]:
    """Serve ``mailbox`` by SMTP on ``port`` (default: a free one); yields the port."""
    controller = Controller(mailbox, hostname="127.0.0.1", port=port or free_port(), **options)
    controller.start()
    try:
        yield controller.port
    finally:
        controller.stop()


def self_signed(folder: Path) -> tuple[Path, Path]:
    """(certificate, key) for 127.0.0.1, made by the openssl command."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def tls_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


@dataclass(frozen=True)
class Received:
    path: str
    headers: dict[str, str]  # names in lower case
    body: bytes
    valid: bool


@dataclass
class Hook:
    """A webhook receiver's state: its secret (set once the channel gives it one),
    what it got, and how it answers a request whose signature holds."""

    secret: str | None = None
    status: int = 204
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, path: str, headers: dict[str, str], body: bytes) -> int:
        valid = self.secret is not None and verify_signature(
            self.secret,
            headers.get("x-weerbaar-timestamp", ""),
            body,
            headers.get("x-weerbaar-signature", ""),
            now=dt.datetime.now(dt.UTC),
        )
        with self.lock:
            self.received.append(Received(path, headers, body, valid))
        time.sleep(self.delay)
        return self.status if valid else 401


@contextmanager
def webhook_server(hook: Hook, port: int = 0) -> Iterator[str]:
    """Serve ``hook`` over HTTP; yields its URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status = hook.take(self.path, headers, body)
            self.send_response(status)
            if 300 <= status < 400:
                self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: the tests look at what was received

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
