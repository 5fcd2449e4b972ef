"""``/reports``: the form for the national risk profile (the rounds and editions the
reader may have, their language, their name), the download it makes (a temporary
file, gone once sent), and its refusals shown on the form again."""

from __future__ import annotations

import hashlib
import html
import json
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.web.conftest import PASSWORD, MakeUser, SignedIn, SignIn
from weerbaar.services import accounts
from weerbaar.services.audit import recent_entries
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.storage.db import Database
from weerbaar.web.risk_profile import making_slot

ROUND = "gra-2019"  # the demo's one round


@pytest.fixture
def analyst(demo_db: Database, sign_in: SignIn) -> SignedIn:
    """An analyst of the NCTV cleared for dep-v, with a name of their own."""
    user = accounts.add_user(
        Context(db=demo_db, actor="test:setup"),
        username="mdevries",
        password=PASSWORD,
        role="analyst",
        organisation="nctv",
        clearance="dep-v",
        display_name="M. de Vries",
    )
    return sign_in(user)


def add_round(db: Database, key: str, held_on: str, **marking: Any) -> None:
    create_record(
        Context(db=db, actor="test:setup"),
        entity_name="rounds",
        raw={
            "key": key,
            "cycle": "nss-2019",
            "name": f"Ronde {key}",
            "name_en": f"Round {key}",
            "held_on": held_on,
            "edition": "gra-2019",
            "status": "open",
            **marking,
        },
    )


def options(page: str, name: str) -> list[tuple[str, bool]]:
    """The options of the select named ``name``: (value, selected)."""
    select = page[page.index(f'name="{name}"') :]
    select = select[: select.index("</select>")]
    return [
        (value, bool(selected))
        for value, selected in re.findall(r'<option value="([^"]*)"[^>]*?( selected)?>', select)
    ]


def chosen(page: str, name: str) -> str:
    (value,) = [v for v, selected in options(page, name) if selected]
    return value


def post(signed: SignedIn, **fields: str) -> Any:
    return signed.client.post("/reports", data={"csrf_token": signed.csrf_token, **fields})


def alert(page: str) -> str:
    found = re.search(r'<div class="problems" role="alert">(.*?)</div>', page, flags=re.S)
    assert found is not None, page
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(1)))).strip()


def copies(db: Database) -> list[dict[str, Any]]:
    return [
        {"actor": e.actor, **json.loads(e.after or "{}")}
        for e in recent_entries(db, entity="report_copies")
    ]


def test_the_form_offers_what_the_reader_may_have(analyst: SignedIn, demo_db: Database) -> None:
    add_round(demo_db, "gra-2024", "2024-06-01")
    add_round(demo_db, "gra-2026", "2026-06-01", classification="stg-c", owned_by="nctv")
    page = analyst.client.get("/reports")
    assert page.status_code == 200
    text = page.text
    assert '<a href="/reports">' in text  # in the navigation
    assert f'name="csrf_token" value="{analyst.csrf_token}"' in text
    # The rounds the analyst may see (not the stg-c one), the newest first and chosen.
    assert [v for v, _ in options(text, "round")] == ["gra-2024", ROUND]
    assert chosen(text, "round") == "gra-2024" and "Round gra-2024" in text
    # The editions up to their clearance, the public one first and chosen.
    assert [v for v, _ in options(text, "classification")] == ["public", "dep-v"]
    assert chosen(text, "classification") == "public"
    assert chosen(text, "lang") == "en"  # the page's language
    assert [v for v, _ in options(text, "format")] == ["pdf", "html", "md"]
    assert 'name="recipient" type="text" value="M. de Vries"' in text
    for name in ("round", "classification", "lang", "format", "recipient"):
        assert f'<label for="report-{name}">' in text
    dutch = analyst.client.get("/reports?lang=nl")
    assert chosen(dutch.text, "lang") == "nl"


def test_the_form_needs_a_signed_in_reader(app: FastAPI) -> None:
    with TestClient(app, follow_redirects=False) as anonymous:
        assert anonymous.get("/reports").headers["location"] == "/login?next=/reports"
        assert anonymous.post("/reports", data={"format": "md"}).status_code == 401


def test_a_classified_copy_is_downloaded_and_its_file_removed(
    analyst: SignedIn, demo_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    answer = post(analyst, round=ROUND, classification="dep-v", lang="en", format="md")
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/markdown; charset=utf-8"
    assert answer.headers["content-disposition"] == (
        f'attachment; filename="risicoprofiel-{ROUND}-dep-v-en.md"'
    )
    assert answer.headers["cache-control"] == "no-store"
    number = int(answer.headers["x-weerbaar-copy"])
    assert f"copy {number} · M. de Vries" in answer.text
    assert list(folder.iterdir()) == []  # made in a temporary folder, gone once read
    (entry,) = copies(demo_db)
    assert (entry["actor"], entry["number"], entry["recipient"], entry["sha256"]) == (
        "web:mdevries@testclient",
        number,
        "M. de Vries",
        hashlib.sha256(answer.content).hexdigest(),
    )
    # Another recipient; and the public edition, addressed to no one.
    other = post(analyst, classification="dep-v", format="md", recipient="J. Jansen")
    assert f"copy {number + 1} · J. Jansen" in other.text
    public = post(analyst, round=ROUND, classification="public", format="md", recipient="J. Jansen")
    assert public.headers["content-disposition"].endswith(f'-{ROUND}-public-en.md"')
    assert "x-weerbaar-copy" not in public.headers
    assert public.headers["x-weerbaar-marking"] == "public"
    assert "J. Jansen" not in public.text
    assert list(folder.iterdir()) == []


def test_a_form_without_its_csrf_token_makes_nothing(analyst: SignedIn, demo_db: Database) -> None:
    answer = analyst.client.post("/reports", data={"format": "md", "csrf_token": "forged"})
    assert answer.status_code == 403
    assert copies(demo_db) == []


def test_an_edition_above_the_clearance_is_refused_on_the_form(
    make_user: MakeUser, sign_in: SignIn, demo_db: Database
) -> None:
    outsider = sign_in(
        make_user("outsider", role="viewer", organisation="gem-amsterdam", clearance="public")
    )
    form = outsider.client.get("/reports")
    assert [v for v, _ in options(form.text, "classification")] == ["public"]
    answer = post(outsider, classification="dep-v", format="md", recipient="Someone")
    assert answer.status_code == 403
    assert "your clearance (public) is below the edition's level (dep-v)" in alert(answer.text)
    assert 'value="Someone"' in answer.text  # what was asked, kept
    assert copies(demo_db) == []


def test_a_guest_is_refused(make_user: MakeUser, sign_in: SignIn, demo_db: Database) -> None:
    guest = sign_in(make_user("expert", role="expert", organisation="rivm", clearance="stg-g"))
    for answer in (guest.client.get("/reports"), post(guest, format="md")):
        assert answer.status_code == 403
        assert "a guest account cannot make reports" in answer.text
        assert 'name="round"' not in answer.text
    assert copies(demo_db) == []


def test_a_hidden_round_is_refused_as_a_missing_one(analyst: SignedIn, demo_db: Database) -> None:
    add_round(demo_db, "gra-2030", "2030-01-01", classification="public", owned_by="aivd")
    hidden = post(analyst, round="gra-2030", classification="dep-v", format="md")
    missing = post(analyst, round="gra-2031", classification="dep-v", format="md")
    assert hidden.status_code == missing.status_code == 404
    assert "no round with key 'gra-2030'" in alert(hidden.text)
    assert hidden.text.replace("gra-2030", "<key>") == missing.text.replace("gra-2031", "<key>")
    assert "Round gra-2030" not in hidden.text


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"classification": "secret"}, "unknown classification 'secret'"),
        ({"format": "../../x.md"}, "unknown format '../../x.md'"),
        ({"lang": "de"}, "unknown language 'de'"),
        ({"recipient": "x" * 201}, "the recipient's name must be 1 to 200 characters"),
        ({"recipient": "M.\x00"}, "the recipient's name may hold no control characters"),
        ({"round": "NOT A KEY"}, "no round with key 'NOT A KEY'"),
    ],
)
def test_what_the_form_cannot_take_is_said_on_it(
    analyst: SignedIn, demo_db: Database, fields: dict[str, str], says: str
) -> None:
    answer = post(analyst, **{"format": "md", "classification": "dep-v", **fields})
    assert answer.status_code in (404, 422), answer.text
    assert says in alert(answer.text)
    assert copies(demo_db) == []


def test_a_third_report_at_once_is_asked_to_wait(analyst: SignedIn, demo_db: Database) -> None:
    with making_slot(), making_slot():
        answer = post(analyst, format="md")
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0
    assert "too many reports are being made at once" in alert(answer.text)
    assert copies(demo_db) == []
    assert post(analyst, format="md").status_code == 200
