"""Helpers of the second-factor page tests: a security key added through the set-up
page, and a session's last proof made older."""

from __future__ import annotations

import datetime as dt
import html
import re

from sqlalchemy import update

from tests.soft_authenticator import SoftKey
from tests.web.conftest import SignedIn
from weerbaar.storage.db import Database
from weerbaar.storage.tables import web_sessions

ORIGIN = "http://testserver"  # where TestClient's requests go


def key_options(page: str, form_id: str) -> str:
    found = re.search(rf'id="{form_id}"[^>]*data-options="([^"]+)"', page, re.S)
    assert found is not None, page
    return html.unescape(found.group(1))


def age_proof(db: Database, username: str, minutes: int) -> None:
    """Make the session's last proof ``minutes`` old."""
    then = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=minutes)
    with db.transaction(write=True) as connection:
        connection.execute(
            update(web_sessions)
            .where(web_sessions.c.username == username)
            .values(verified_at=then.isoformat())
        )


def add_key(session: SignedIn) -> SoftKey:
    page = session.client.get("/account/second-factor")
    assert page.status_code == 200
    key = SoftKey()
    answer = key.create(key_options(page.text, "key-add"), ORIGIN)
    added = session.client.post(
        "/account/second-factor/key",
        data={"csrf_token": session.csrf_token, "credential": answer, "name": "blue key"},
    )
    assert added.status_code == 200, added.text
    assert 'id="recovery-codes"' in added.text  # the first factor brings recovery codes
    return key
