"""The help under each field of a record form reads in the reader's language: Dutch
for a Dutch reader, with no English help left, and as declared for an English one."""

from __future__ import annotations

import html
import re

import pytest

from tests.web.conftest import MakeUser, SignedIn, SignIn
from weerbaar import i18n
from weerbaar.domain.fields import FieldSpec
from weerbaar.domain.register import ENTITIES
from weerbaar.i18n.vocabulary import field_help
from weerbaar.services.records import list_records
from weerbaar.storage.db import Database

HINT = re.compile(r'<small id="help-([a-z_]+)" class="hint">(.*?)</small>', re.S)
SCENARIO = next(e for e in ENTITIES if e.name == "scenarios")


@pytest.fixture
def analyst(make_user: MakeUser, sign_in: SignIn) -> SignedIn:
    return sign_in(make_user("analyst", role="analyst", clearance="stg-g"))


def _differs(field: FieldSpec) -> bool:
    with i18n.speaking("nl"):
        return field_help(field) != field.help


def _hints(page: str) -> dict[str, str]:
    """Each field's help as read, without the note on choosing several."""
    found = {name: html.unescape(" ".join(text.split())) for name, text in HINT.findall(page)}
    return {
        name: re.sub(r" \((hold Ctrl|houd Ctrl).*\)$", "", text) for name, text in found.items()
    }


def test_the_new_scenario_form_helps_a_dutch_reader_in_dutch(analyst: SignedIn) -> None:
    page = analyst.client.get("/scenarios/-/new?lang=nl")
    assert page.status_code == 200 and '<html lang="nl">' in page.text
    hints = _hints(page.text)
    assert hints["narrative"] == "wat er gebeurt, waar en hoe lang"
    assert hints["title_en"] == "titel in het Engels, voor Engelstalige lezers"
    assert hints["key"] == "unieke sleutel: kleine letters, cijfers, koppeltekens"
    assert (
        hints["horizon_years"]
        == "tijdshorizon van de inschatting van de waarschijnlijkheid, in jaren"
    )
    assert hints["classification"] == "rubriceringsniveau, bijv. public of dep-v"
    text = html.unescape(page.text)
    shown = 0
    for field in SCENARIO.fields:
        if field.name not in hints:
            continue  # not on the form (derived or set elsewhere)
        shown += 1
        with i18n.speaking("nl"):
            assert hints[field.name] == field_help(field), field.name
    assert shown >= 10
    # No field's help is left in English: none of the declared helps whose Dutch
    # differs is read under a field, nor, where long enough to tell, on the page.
    english = {f.help for e in ENTITIES for f in e.fields if _differs(f)}
    assert set(hints.values()) & english == set()
    assert [h for h in english if len(h) > 15 and h in text] == []
    assert "in English, for English readers" not in text


def test_the_new_scenario_form_helps_an_english_reader_in_english(analyst: SignedIn) -> None:
    page = analyst.client.get("/scenarios/-/new?lang=en")
    assert page.status_code == 200 and '<html lang="en">' in page.text
    hints = _hints(page.text)
    assert hints["narrative"] == "what happens, where, how long"
    assert hints["title_en"] == "title in English, for English readers"
    on_form = [f for f in SCENARIO.fields if f.name in hints]
    assert len(on_form) >= 10
    assert all(hints[f.name] == f.help for f in on_form)
    assert "wat er gebeurt" not in page.text


def test_the_edit_form_helps_in_the_readers_language(
    make_user: MakeUser, sign_in: SignIn, demo_db: Database
) -> None:
    admin = sign_in(make_user("admin", role="administrator", clearance="stg-g"))
    first = list_records(demo_db, entity_name="measures")[0]
    page = admin.client.get(f"/measures/{first.key}/edit?lang=nl")
    assert page.status_code == 200
    hints = _hints(page.text)
    assert hints["kind"] == (
        "generieke weerbaarheidsmaatregel, themamaatregel, wetgevingstraject of "
        "internationale verplichting"
    )
    assert hints["description_en"] == "beschrijving in het Engels, voor Engelstalige lezers"
