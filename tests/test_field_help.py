"""The help text of every register field reads in its reader's language: each help
written where a field is declared reaches the catalogue (babel.cfg reads the field
declarations of the domain), and has its Dutch there; an English companion's help
names its Dutch field by that field's title in the reader's language; English
readers read the help as declared."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from tests.test_catalogues import DUTCH, _extracted
from weerbaar import i18n
from weerbaar.domain.entities import base
from weerbaar.domain.fields import FieldKind, FieldSpec
from weerbaar.domain.register import ENTITIES
from weerbaar.i18n import vocabulary
from weerbaar.i18n.vocabulary import field_help

FIELDS: list[tuple[str, FieldSpec]] = [(e.name, f) for e in ENTITIES for f in e.fields]


def _is_english_companion(field: FieldSpec) -> bool:
    dutch = field.name.removesuffix("_en")
    return dutch != field.name and field.help == base.ENGLISH_HELP % {"field": dutch}


@pytest.fixture(scope="module")
def dutch() -> Catalog:
    with DUTCH.open("rb") as handle:
        return read_po(handle, locale="nl")


def test_the_register_has_fields_to_describe() -> None:
    assert len(ENTITIES) >= 25 and len(FIELDS) >= 300
    assert all(field.help for _entity, field in FIELDS), "every field says what it holds"
    assert sum(_is_english_companion(f) for _e, f in FIELDS) >= 25


def test_every_field_help_is_extracted_for_the_catalogue(tmp_path: Path) -> None:
    extracted = {str(m.id) for m in _extracted(tmp_path) if m.context is None}
    missing = sorted(
        f"{entity}.{field.name}: {field.help!r}"
        for entity, field in FIELDS
        if not _is_english_companion(field) and field.help not in extracted
    )
    assert missing == [], "declare the help with a helper babel.cfg reads"
    assert vocabulary.ENGLISH_HELP in extracted


def test_the_english_companions_template_is_the_domains() -> None:
    assert vocabulary.ENGLISH_HELP == base.ENGLISH_HELP


def test_every_field_help_has_its_dutch(dutch: Catalog) -> None:
    wanted = {vocabulary.ENGLISH_HELP} | {
        field.help for _e, field in FIELDS if not _is_english_companion(field)
    }
    untranslated = sorted(h for h in wanted if (found := dutch.get(h)) is None or not found.string)
    assert untranslated == []


def test_every_field_has_a_title_in_both_languages(dutch: Catalog) -> None:
    untitled = sorted({f.name for _e, f in FIELDS} - set(vocabulary.FIELD_TITLES))
    assert untitled == []
    for name, title in vocabulary.FIELD_TITLES.items():
        found = dutch.get(title, context=vocabulary.FIELD)
        assert found is not None and found.string, name


@pytest.mark.parametrize(("entity", "field"), FIELDS, ids=lambda v: getattr(v, "name", v))
def test_a_dutch_reader_reads_the_help_in_dutch(entity: str, field: FieldSpec) -> None:
    with i18n.speaking("nl"):
        shown = field_help(field)
        title = vocabulary.field_title(field.name.removesuffix("_en"))
    assert shown and "English" not in shown and "%(" not in shown
    assert shown == i18n.translations("nl").gettext(field.help) or _is_english_companion(field)
    if _is_english_companion(field):
        assert shown == f"{title[0].lower()}{title[1:]} in het Engels, voor Engelstalige lezers"


@pytest.mark.parametrize(("entity", "field"), FIELDS, ids=lambda v: getattr(v, "name", v))
def test_an_english_reader_reads_the_help_as_declared(entity: str, field: FieldSpec) -> None:
    with i18n.speaking("en"):
        assert field_help(field) == field.help


def test_the_help_of_some_fields_in_dutch() -> None:
    scenario = {f.name: f for f in next(e for e in ENTITIES if e.name == "scenarios").fields}
    with i18n.speaking("nl"):
        assert field_help(scenario["narrative"]) == "wat er gebeurt, waar en hoe lang"
        assert field_help(scenario["title_en"]) == ("titel in het Engels, voor Engelstalige lezers")
        assert field_help(scenario["key"]) == (
            "unieke sleutel: kleine letters, cijfers, koppeltekens"
        )
        assert field_help(scenario["kind"]) == (
            "dreiging zonder kwade opzet of moedwillige dreiging"
        )
        assert field_help(scenario["classification"]) == (
            "rubriceringsniveau, bijv. public of dep-v"
        )


def test_a_field_without_help_shows_none() -> None:
    bare = FieldSpec("note", FieldKind.TEXT, False)
    with i18n.speaking("nl"):
        assert field_help(bare) == ""  # not the catalogue's header
