"""``--help`` in the language of the command line (``WEERBAAR_LANG``): the commands,
their options and arguments, and the generated record commands' fields."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from tests.cli.test_cli_in_dutch import absent, words
from weerbaar.cli.main import app


def help_of(monkeypatch: pytest.MonkeyPatch, language: str, *args: str) -> str:
    monkeypatch.setenv("WEERBAAR_LANG", language)
    result = CliRunner().invoke(app, [*args, "--help"], terminal_width=200)
    assert result.exit_code == 0, result.output
    return words(result.output)


def test_the_main_help_in_dutch(monkeypatch: pytest.MonkeyPatch) -> None:
    dutch = help_of(monkeypatch, "nl")
    assert "Het nationale register van dreigingen en scenario's" in dutch
    assert "toon de versie en stop" in dutch
    assert "Maak de registerdatabase aan" in dutch
    assert "Beoordeling" in dutch and "Strategie" in dutch
    absent(dutch, "The national register", "print the version", "Create the register database")

    english = help_of(monkeypatch, "en")
    assert "The national register of threats and scenarios" in english
    assert "print the version and stop" in english
    assert "Assessment" in english and "Strategy" in english
    absent(english, "Het nationale register", "toon de versie")


def test_a_group_and_its_options_in_dutch(monkeypatch: pytest.MonkeyPatch) -> None:
    dutch = help_of(monkeypatch, "nl", "levels")
    assert "Dreigingsniveaus, de per niveau afgesproken maatregelen" in dutch
    assert "Stel een niveau vast" in dutch
    absent(dutch, "Threat levels, the measures", "Set a level")

    options = help_of(monkeypatch, "nl", "levels", "set")
    assert "waarom; verplicht bij een wijziging" in options
    absent(options, "why; required for a change")
    assert "why; required for a change" in help_of(monkeypatch, "en", "levels", "set")


def test_a_record_command_in_dutch(monkeypatch: pytest.MonkeyPatch) -> None:
    dutch = help_of(monkeypatch, "nl", "scenario", "add")
    assert "Voeg een scenario toe." in dutch
    assert "thema; sleutel van een thema; verplicht" in dutch
    assert "een van: hazard, threat" in dutch
    absent(dutch, "Add a scenario", "key of a theme", "required;", "one of:")

    listed = help_of(monkeypatch, "nl", "scenario", "list")
    assert "alleen records waarvan theme dit is" in listed

    english = help_of(monkeypatch, "en", "scenario", "add")
    assert "Add a scenario." in english
    assert "theme; key of a theme; required" in english
    absent(english, "Voeg een", "sleutel van")
