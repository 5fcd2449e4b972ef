"""No log line holds a secret or classified text, on a day of real use: the app under
uvicorn, logging as ``weerbaar serve`` logs (JSON; weerbaar's loggers at DEBUG, the
rest at INFO), while someone signs in (with a wrong password first), sets up an
authenticator app, makes an API token and uses it to write a classified scenario and
search for its title, a notification fails on a webhook and on a mail server that
both hold secrets, and a source whose address and secret are secret fails to poll."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import httpx
import pyotp
import pytest

from tests.notify_receivers import free_port
from tests.secrets_registry import register
from tests.web.test_proxy_headers import served
from weerbaar.domain.alerting import Notice, Scope
from weerbaar.reference.alerting import level_scales
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.services.notifications import channels
from weerbaar.services.notifications.outbox import queue_notices
from weerbaar.services.notifications.views import list_notifications
from weerbaar.services.records import create_record
from weerbaar.services.schedulers import POLLER
from weerbaar.services.source_polling import poll_due
from weerbaar.storage.db import Database

ADMIN_PASSWORD = "violet anchors tumble quietly over 47 dunes"
WRONG_PASSWORD = "amber kettles sing sideways at 93 noons"
TITLE = "Covert flooding of the Haringvliet sluices"
NARRATIVE = "Divers of a foreign service open the gates on a spring tide at night."
SMTP_PASSWORD = "smtp: the mail relay's own passphrase 5510"
SOURCE_SECRET = "source-secret-7e1f0b5c9d2a4e68b3f1"
ADDRESS_KEY = "address-apikey-51c8e0d6a2b94f37"
HOOK_KEY = "hook-url-token-0f9e8d7c6b5a4932"


def _csrf(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None, page
    return found.group(1)


@dataclass(frozen=True)
class Handed:
    """What the browser was handed on its way in."""

    cookies: dict[str, str]
    csrf: str
    recovery: list[str]
    token: str


def _sign_in_and_enrol(web: httpx.Client) -> Handed:
    """The password (a wrong one first), an authenticator app, the recovery codes and
    an API token, through the pages and the API: what the browser was handed."""
    form = web.get("/login")
    wrong = web.post(
        "/login",
        data={"username": "scan", "password": WRONG_PASSWORD, "csrf_token": _csrf(form.text)},
    )
    assert wrong.status_code == 401
    form = web.get("/login")
    right = web.post(
        "/login",
        data={"username": "scan", "password": ADMIN_PASSWORD, "csrf_token": _csrf(form.text)},
    )
    assert right.status_code == 303, right.text
    assert right.headers["location"].startswith("/account/second-factor")
    cookies = {name: register("session cookie", value) for name, value in web.cookies.items()}
    setup = web.get("/account/second-factor")
    csrf = register("CSRF token", _csrf(setup.text))
    begun = web.post("/account/second-factor/begin", data={"csrf_token": csrf})
    secret = re.search(r'id="totp-secret">([^<]+)<', begun.text)
    assert secret is not None, begun.text
    register("authenticator key", secret.group(1))
    code = pyotp.TOTP(secret.group(1)).now()
    done = web.post("/account/second-factor/confirm", data={"csrf_token": csrf, "code": code})
    assert done.status_code == 200, done.text
    recovery = re.findall(r"<li><code>([^<]+)</code></li>", done.text)
    assert recovery
    for each in recovery:
        register("recovery code", each)
    made = web.post(
        "/api/v1/tokens", json={"name": "scan", "scope": "write"}, headers={"x-csrf-token": csrf}
    )
    assert made.status_code == 201, made.text
    token = register("API token", made.json()["token"])
    return Handed(cookies, csrf, recovery, token)


def _notice() -> Notice:
    return Notice(
        change="tp-scan-001",
        organisation="nctv",
        scale=level_scales()["dtn"],
        scope=Scope("dtn"),
        before=3,
        after=4,
        raised=True,
        at=dt.datetime.now(dt.UTC),
        rationale="Indications of an attack being prepared.",
        activated=(),
        deactivated=(),
    )


def test_a_day_of_use_leaves_no_secret_in_the_log(
    demo_db: Database,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    captured_logs: io.StringIO,
) -> None:
    operator = Context(db=demo_db, actor="test:setup")
    accounts.add_user(
        operator,
        username="scan",
        password=ADMIN_PASSWORD,
        role="administrator",
        organisation="nctv",
        clearance="stg-g",
    )
    closed = free_port()  # nothing listens here: every delivery and poll fails
    _, hook_secret = channels.add_channel(
        operator,
        organisation="nctv",
        kind="webhook",
        target=f"http://127.0.0.1:{closed}/hook?key={HOOK_KEY}",
    )
    assert hook_secret is not None
    register("webhook secret", hook_secret)
    channels.add_channel(operator, organisation="nctv", kind="email", target="duty@nctv.example")
    with demo_db.transaction(write=True) as connection:
        assert queue_notices(connection, [_notice()], now=dt.datetime.now(dt.UTC)) == 2
    monkeypatch.setenv("WEERBAAR_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("WEERBAAR_SMTP_PORT", str(closed))
    monkeypatch.setenv("WEERBAAR_SMTP_USER", "relay")
    monkeypatch.setenv("WEERBAAR_SMTP_PASSWORD", SMTP_PASSWORD)
    monkeypatch.setenv("WEERBAAR_NOTIFY_TIMEOUT", "2")

    with served(demo_db, []) as web:
        handed = _sign_in_and_enrol(web)
        api = httpx.Client(
            base_url=str(web.base_url),
            headers={"Authorization": f"Bearer {handed.token}"},
            timeout=60,
        )
        with api:
            written = api.post(
                "/api/v1/scenarios",
                json={
                    "key": "scan-sluices",
                    "classification": "stg-c",
                    "owned_by": "nctv",
                    "title": TITLE,
                    "kind": "threat",
                    "theme": "cbrn",
                    "threat": "cbrn-proliferation",
                    "narrative": NARRATIVE,
                },
            )
            assert written.status_code == 201, written.text
            found = api.get("/api/v1/search", params={"q": TITLE})
            assert found.status_code == 200, found.text
            assert [h["key"] for h in found.json()["hits"]] == ["scan-sluices"]
            page = web.get("/search", params={"q": TITLE})
            assert page.status_code == 200 and "scan-sluices" in page.text
            for queued in list_notifications(demo_db, subject=None):
                retried = api.post(f"/api/v1/notifications/{queued.id}/retry")
                assert retried.status_code == 200, retried.text

    create_record(
        operator,
        entity_name="sources",
        raw={
            "key": "scan-feed",
            "name": "Scan feed",
            "kind": "json",
            "address": f"http://127.0.0.1:{closed}/feed.json?apikey={ADDRESS_KEY}",
            "auth": "bearer",
            "secret_env": "WEERBAAR_SOURCE_SCAN",
            "owned_by": "nctv",
            "interval_minutes": 60,
        },
    )
    [polled] = poll_due(
        Context(demo_db, POLLER),
        secrets=tmp_path,
        environ={"WEERBAAR_SOURCE_SCAN": SOURCE_SECRET},
    )
    assert polled.error is not None

    lines = [json.loads(line) for line in captured_logs.getvalue().splitlines()]
    said = {(line["logger"], line.get("route")) for line in lines}
    # What happened was logged: the scan below reads real lines.
    assert ("weerbaar.access", "/login") in said
    assert ("weerbaar.access", "/api/v1/search") in said
    assert ("weerbaar.access", "/api/v1/notifications/{notification_id}/retry") in said
    assert ("weerbaar.web.delivery", None) in said  # the failed deliveries
    assert ("weerbaar.services.source_polling", None) in said
    assert any(line["logger"].startswith("uvicorn") for line in lines)
    assert all(line["request_id"] for line in lines if line["logger"] == "weerbaar.access")

    secrets = {
        "password": ADMIN_PASSWORD,
        "wrong password": WRONG_PASSWORD,
        "API token": handed.token,
        "CSRF token": handed.csrf,
        "webhook secret": hook_secret,
        "webhook address key": HOOK_KEY,
        "SMTP password": SMTP_PASSWORD,
        "source secret": SOURCE_SECRET,
        "source address key": ADDRESS_KEY,
        "classified title": TITLE,
        "part of the title": "Haringvliet",
        "classified narrative": NARRATIVE,
    }
    secrets |= {f"cookie {name}": value for name, value in handed.cookies.items()}
    secrets |= {f"recovery code {n}": code for n, code in enumerate(handed.recovery)}
    text = captured_logs.getvalue()
    leaked = [kind for kind, value in secrets.items() if value in text]
    assert leaked == []
    assert re.search(r"wb_[0-9a-f]{16}_", text) is None  # nothing shaped like a token
