"""Messages written once in English with ``said`` read in each reader's language:
the English text is the message itself (logs, ``str(exc)``), and the edges say it in
Dutch or English, nested values and all; an error's place and column, its summary
and its count of problems are framed in the reader's language too."""

from __future__ import annotations

import pickle

import pytest

from weerbaar import i18n
from weerbaar.domain.fields import FieldKind, FieldSpec, FieldValueError, coerce
from weerbaar.errors import (
    DuplicateError,
    Issue,
    NotFoundError,
    ReferencedError,
    ValidationError,
    grouped,
    joined,
    message_of,
    named,
    said,
    said_in,
)


def test_a_said_message_is_its_english_text_and_keeps_what_it_was_made_of() -> None:
    text = said("no %(entity)s with key %(key)s", entity="scenario", key="'x'")
    assert text == "no scenario with key 'x'" and isinstance(text, str)
    assert f"{text}" == "no scenario with key 'x'" and str(text) == text
    assert text.template == "no %(entity)s with key %(key)s"  # type: ignore[attr-defined]
    assert text.values == {"entity": "scenario", "key": "'x'"}  # type: ignore[attr-defined]
    assert said("100% sure") == "100% sure"  # no values: the text as written
    # Pickled to a worker and back, it is still a message to translate.
    again = pickle.loads(pickle.dumps(text))
    assert again == text and again.template == text.template  # type: ignore[attr-defined]


def test_translated_says_it_in_the_current_language_values_and_all() -> None:
    inner = said("sign-in not finished: %(what)s", what=said("set up a second factor first"))
    with i18n.speaking("en"):
        assert i18n.translated(inner) == "sign-in not finished: set up a second factor first"
    with i18n.speaking("nl"):
        assert i18n.translated(inner) == (
            "aanmelding niet voltooid: stel eerst een tweede factor in"
        )
        # A word read in a context, and plain text (a key, a name) left as it is.
        assert i18n.translated(said_in("record", "threat picture")) == "dreigingsbeeld"
        assert i18n.translated("lek-dike-breach") == "lek-dike-breach"
        # Messages one after the other, and numbers in the reader's form.
        both = joined([said("the register"), "nctv"], ", ")
        assert both == "the register, nctv"
        assert i18n.translated(both) == "het register, nctv"
        assert grouped(1_048_576) == "1,048,576"
        assert i18n.translated(grouped(1_048_576)) == "1.048.576"
        assert i18n.gettext("at most %(most)s characters", most=grouped(20_000)) == (
            "hoogstens 20.000 tekens"
        )


def test_a_name_is_said_in_dutch_to_a_dutch_reader() -> None:
    level = named("Substantieel", "Substantial")
    raised = said("%(scale)s raised to %(level)s", scale="dtn", level=level)
    assert raised == "dtn raised to Substantial"
    assert pickle.loads(pickle.dumps(level)).dutch == "Substantieel"
    with i18n.speaking("nl"):
        assert i18n.translated(level) == "Substantieel"
    with i18n.speaking("en"):
        assert i18n.translated(level) == "Substantial"
        assert i18n.translated(named("Basisniveau")) == "Basisniveau"


def test_an_errors_own_words_are_said_in_the_readers_language() -> None:
    missing = NotFoundError("threat picture", "x")
    duplicate = DuplicateError("user", "anna")
    referenced = ReferencedError(
        "theme", "cyber", [said("%(entity)s %(key)s", entity="scenario", key="s1")]
    )
    assert str(missing) == "no threat picture with key 'x'"
    assert str(referenced) == "theme 'cyber' cannot be deleted: it is referenced by scenario s1"
    with i18n.speaking("nl"):
        assert i18n.error_text(missing) == "geen dreigingsbeeld met sleutel 'x'"
        assert i18n.error_text(duplicate) == "gebruiker 'anna' bestaat al"
        assert i18n.error_text(referenced) == (
            "thema 'cyber' kan niet worden verwijderd: er wordt naar verwezen door scenario s1"
        )
        assert i18n.error_text(ValueError("plain")) == "plain"
    assert message_of(missing) == str(missing)
    assert message_of(missing).template == "no %(entity)s with key %(key)s"  # type: ignore[attr-defined]


def test_a_validation_error_counts_and_places_its_problems_in_the_readers_words() -> None:
    with pytest.raises(FieldValueError) as caught:
        coerce(FieldSpec("title", FieldKind.TEXT, True), " ")
    issues = [
        Issue(
            said("%(file)s line %(line)s", file="themes.csv", line=3),
            "title",
            message_of(caught.value),
        ),
        Issue("", "key", said("key %(key)s is listed twice", key="'a'")),
    ]
    error = ValidationError(issues, summary=said("nothing imported"))
    assert str(error) == (
        "nothing imported: 2 problem(s)\n"
        "  - themes.csv line 3, column 'title': missing value (required)\n"
        "  - key: key 'a' is listed twice"
    )
    with i18n.speaking("en"):
        assert i18n.error_text(error) == str(error)
    with i18n.speaking("nl"):
        assert i18n.error_text(error) == (
            "niets geïmporteerd: 2 problemen\n"
            "  - themes.csv regel 3, kolom 'title': waarde ontbreekt (verplicht)\n"
            "  - key: sleutel 'a' staat er twee keer in"
        )
        one = ValidationError(issues[1:])
        assert i18n.summary_text(one) == "ongeldige invoer: 1 probleem"
        assert i18n.issue_text(issues[0], place=False) == "title: waarde ontbreekt (verplicht)"
