"""The command line in Dutch (``WEERBAAR_LANG=nl``): what a command prints for people
reads in Dutch, with no English left beside it, while what it prints for programs
(JSON, CSV) is the same in either language."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from tests.helpers import seed_small_register
from weerbaar.cli.main import app
from weerbaar.services.context import Context
from weerbaar.storage.db import Database


def ok(runner: CliRunner, *args: str, given: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=given)
    assert result.exit_code == 0, result.output
    return result.output


def words(text: str) -> str:
    """The output with Rich's line wrapping and table borders undone."""
    return " ".join(re.sub(r"[│┃┏┓┗┛┡┩┠┨━─└┘┌┐╇╈┳┻┴┬╭╮╰╯]", " ", text).split())


def both(runner: CliRunner, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[str, str]:
    """The output of a command in English and in Dutch."""
    monkeypatch.setenv("WEERBAAR_LANG", "en")
    english = ok(runner, *args)
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    return english, ok(runner, *args)


def absent(text: str, *english: str) -> None:
    for phrase in english:
        assert phrase not in text, phrase


def test_init_and_the_demo_profile_in_dutch(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    created = words(ok(runner, "init"))
    assert "registerdatabase" in created and ": aangemaakt (schema" in created
    assert (
        "auditspoor verzegeld met sleutel" in created and "Maak van die map een back-up" in created
    )
    absent(created, "created", "sealed with key", "Back that folder up", "checkpoints in")
    again = ok(runner, "init")
    assert "al actueel" in again
    absent(again, "already current")

    loaded = words(ok(runner, "demo", "load"))
    assert "demoprofiel geladen; weggeschreven records:" in loaded
    for heading in ("entiteit", "aangemaakt", "bijgewerkt", "ongewijzigd"):
        assert heading in loaded
    for entity in (
        "Organisaties",
        "Thema's",
        "Scenario's",
        "Mijlpalen",
        "Waarschijnlijkheidsscores",
    ):
        assert entity in loaded
    absent(loaded, "demo profile loaded", "records written", "entity", "unchanged", "Themes")


def test_records_listed_and_shown_in_dutch(
    runner: CliRunner, demo_register: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    english, dutch = both(runner, monkeypatch, "theme", "list")
    assert "Themes (13)" in english and "Thema's (13)" in dutch
    for header in ("Key", "Name", "Tier"):
        assert header in english
    assert "Sleutel" in dutch and "Naam" in dutch
    # Enumerated values in words, and the label in the reader's language.
    assert "Strengthened approach" in english and "Versterkte aanpak" in dutch
    assert "Cyber" in english and "Cybersecurity en digitale dreigingen" in dutch
    absent(dutch, "Themes", "Key", "Name", "Tier", "Strengthened approach", "strengthened")

    english, dutch = both(runner, monkeypatch, "organisation", "show", "nctv")
    assert "organisation nctv (version 1)" in english and "organisatie nctv (versie 1)" in dutch
    kind = next(line for line in dutch.splitlines() if "Soort" in line)
    assert "uitvoeringsorganisatie" in kind and "agency" not in kind
    for title in ("Naam (Engels)", "Afkorting", "Rubricering", "Openbaar", "Verwezen door"):
        assert title in dutch
    # What refers to it, named in Dutch: "maatregel m-…", "mijlpaal ms-…".
    assert re.search(r"maatregel m-", dutch) and re.search(r"mijlpaal ms-", dutch)
    absent(dutch, "version", "Referenced by", "Abbreviation", "Classification", "measure m-")

    # For programs, the same in either language.
    for args in (
        ("theme", "list", "--format", "json"),
        ("theme", "show", "cyber", "--format", "json"),
        ("milestone", "list", "--format", "csv"),
    ):
        english, dutch = both(runner, monkeypatch, *args)
        assert english == dutch, args


def test_adding_editing_and_deleting_in_dutch(
    runner: CliRunner, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    added = ok(runner, "organisation", "add", "min-jenv", "--name", "JenV", "--kind", "ministry")
    assert "organisatie min-jenv toegevoegd (versie 1)" in added
    saved = ok(runner, "organisation", "edit", "min-jenv", "--abbreviation", "JenV")
    assert "organisatie min-jenv opgeslagen (versie 2)" in saved
    nothing = runner.invoke(app, ["organisation", "edit", "min-jenv"])
    assert nothing.exit_code == 2 and "zeg wat er moet veranderen" in words(nothing.output)
    absent(added + saved, "added", "saved", "version")

    kept = runner.invoke(app, ["organisation", "delete", "min-jenv"], input="nee\n")
    assert kept.exit_code == 1
    assert "organisatie min-jenv verwijderen? [j/N]" in kept.output
    assert "niets verwijderd" in kept.output
    asked = runner.invoke(app, ["organisation", "delete", "min-jenv"], input="misschien\nj\n")
    assert asked.exit_code == 0, asked.output
    assert "antwoord j (ja) of n (nee)" in asked.output
    assert "organisatie min-jenv verwijderd" in asked.output
    absent(kept.output + asked.output, "Delete", "deleted", "[y/N]")


def test_the_progress_report_in_dutch(
    runner: CliRunner, demo_register: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ("report", "progress", "--today", "2021-06-01", "--since", "2021-01-01")
    english, dutch = both(runner, monkeypatch, *args)
    assert "Progress as of 2021-06-01" in english
    dutch = words(dutch)
    for text in (
        "Voortgang per 2021-06-01",
        "Te late mijlpalen (",
        "Mijlpalen gepland binnen 90 dagen (",
        "Gereedgekomen mijlpalen (",
        "Mijlpalen later gepland (",
        "Uitwerkingen per ministerie (",
        "Wijzigingen sinds 2021-01-01",
        "Mijlpalen die te laat zijn geraakt",
        "Statuswijzigingen",
        "hoort bij",
        "ministerie",
    ):
        assert text in dutch, text
    absent(
        dutch,
        "Progress as of",
        "Late milestones",
        "Milestones due",
        "Concretisation records",
        "Changes since",
        "belongs to",
        "not yet concretised",
    )
    english, dutch = both(runner, monkeypatch, *args, "--format", "json")
    assert english == dutch


def test_the_audit_trail_in_dutch(
    runner: CliRunner, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_small_register(Context(db, "test:seed"))
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    ok(runner, "organisation", "add", "aivd", "--name", "AIVD", "--kind", "agency")
    ok(runner, "organisation", "delete", "aivd", "--yes")

    log = words(ok(runner, "audit", "log", "--limit", "2"))
    assert "auditspoor (2 vermeldingen)" in log
    for header in ("nr.", "tijdstip", "actor", "actie", "entiteit", "sleutel"):
        assert header in log
    assert "verwijderd Organisaties aivd" in log and "aangemaakt Organisaties aivd" in log
    assert "oudere vermeldingen volgen: --offset 2" in log
    absent(log, "audit trail", "action", "entity", "create", "delete", "older entries")

    verified = words(ok(runner, "audit", "verify"))
    assert "auditspoor intact" in verified and "verzegeld onder sleutel" in verified
    absent(verified, "audit trail intact", "entries sealed", "records and accounts")
    signed = ok(runner, "audit", "checkpoint")
    assert "controlepunt van vermelding" in signed and "checkpoint of entry" not in signed


def test_accounts_in_dutch(
    runner: CliRunner, db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed_small_register(Context(db, "test:seed"))
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    added = ok(
        runner,
        *("user", "add", "anna", "--role", "analyst", "--organisation", "nctv"),
        "--password-stdin",
        given="a long enough passphrase\n",
    )
    assert "anna toegevoegd (analyst, nctv, public)" in added
    changed = ok(
        runner,
        "user",
        "passwd",
        "anna",
        given="another long passphrase\nanother long passphrase\n",
    )
    assert "Nieuw wachtwoord" in changed and "Herhaal het ter bevestiging" in changed
    assert "wachtwoord van anna gewijzigd" in changed
    assert "anna uitgeschakeld" in ok(runner, "user", "disable", "anna")
    assert "anna weer ingeschakeld" in ok(runner, "user", "disable", "anna", "--enable")
    ok(runner, "user", "disable", "anna")

    listed = words(ok(runner, "user", "list"))
    for text in ("Accounts (1)", "gebruikersnaam", "rol", "screeningsniveau", "uitgeschakeld"):
        assert text in listed
    assert re.search(r"anna .* ja\b", listed)
    absent(listed, "username", "clearance", "disabled", "yes")

    ok(runner, "user", "token", "anna", "--name", "etl")
    tokens = words(ok(runner, "user", "token-list"))
    for text in ("API-tokens (1)", "gebruiker", "verloopt", "laatst gebruikt", "nooit", "actief"):
        assert text in tokens
    absent(tokens, "user", "expires", "last used", "never", "active")
    sessions = words(ok(runner, "user", "sessions"))
    assert "Sessies (0)" in sessions and "laatste verzoek" in sessions
    ended = ok(runner, "user", "session-end", "anna", "--all")
    assert "0 sessies beëindigd" in ended
    absent(added + changed + sessions + ended, "added", "password", "sessions", "ended")

    english, dutch = both(runner, monkeypatch, "user", "token-list", "--format", "json")
    assert english == dutch
