"""Sign-in throttling through the real web app: forty simultaneous guesses at one
account, sent to uvicorn on a loopback port, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.helpers import seed_small_register
from tests.web.test_proxy_headers import served
from weerbaar.services import accounts
from weerbaar.services.context import Context
from weerbaar.storage.db import Database

PASSWORD = "correct horse battery staple"
GUESSES = 40


def _sign_in(base_url: str, password: str) -> int:
    """The status of one sign-in through the form, as a browser sends it."""
    with httpx.Client(base_url=base_url, timeout=300) as client:
        form = client.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
        assert token is not None
        answer = client.post(
            "/login",
            data={"username": "anna", "password": password, "csrf_token": token.group(1)},
        )
        return answer.status_code


def test_simultaneous_guesses_through_the_web_get_only_the_limit(
    ctx: Context, db: Database
) -> None:
    seed_small_register(ctx)
    accounts.add_user(
        ctx,
        username="anna",
        password=PASSWORD,
        role="analyst",
        organisation="nctv",
        clearance="dep-v",
    )
    with served(db, []) as client:
        base_url = str(client.base_url)
        with ThreadPoolExecutor(max_workers=GUESSES) as pool:
            statuses = Counter(
                pool.map(lambda i: _sign_in(base_url, f"wrong guess {i}"), range(GUESSES))
            )
        right_password_now = _sign_in(base_url, PASSWORD)
    checked = statuses[401]
    assert checked == accounts.MAX_FAILURES_PER_ACCOUNT, statuses
    assert statuses[429] == GUESSES - checked
    assert right_password_now == 429
