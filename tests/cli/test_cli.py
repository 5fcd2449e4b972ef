"""The weerbaar command as a user drives it, against SQLite and PostgreSQL."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weerbaar.cli.main import app
from weerbaar.domain.register import ENTITIES, EntitySpec
from weerbaar.reference.method import editions
from weerbaar.services.demo import demo_data


def ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_init_demo_profile_shows_every_theme_and_tier(runner: CliRunner) -> None:
    assert "created" in ok(runner, "init")
    assert "already current" in ok(runner, "init")
    ok(runner, "demo", "load")
    out = ok(runner, "profile")
    data = demo_data()
    assert isinstance(data, dict)
    for theme in data["themes"]:
        assert theme["name_en"] in out
    for heading in ("Strengthened approach", "Continued focus on resilience"):
        assert heading in out
    scenario_titles = [s["title"] for s in data["scenarios"]]
    shown = sum(1 for title in scenario_titles if title[:30] in out)
    assert shown == len(scenario_titles)


def test_commands_before_init_say_what_to_do(runner: CliRunner) -> None:
    result = runner.invoke(app, ["profile"])
    assert result.exit_code == 6
    assert "weerbaar init" in result.output


def test_crud_with_versions_and_exit_codes(runner: CliRunner) -> None:
    ok(runner, "init")
    ok(
        runner,
        "organisation",
        "add",
        "min-jenv",
        "--name",
        "Justitie en Veiligheid",
        "--kind",
        "ministry",
    )
    ok(
        runner,
        "theme",
        "add",
        "cyber",
        "--name",
        "Cyberdreigingen",
        "--name-en",
        "Cyber threats",
        "--tier",
        "strengthened",
        "--lead",
        "min-jenv",
    )
    bad = runner.invoke(app, ["theme", "add", "bad", "--name", "x", "--tier", "nope"])
    assert bad.exit_code == 3
    assert "name_en" in bad.output and "bad value 'nope'" in bad.output
    assert "saved theme cyber (version 2)" in ok(
        runner,
        "theme",
        "edit",
        "cyber",
        "--description",
        "Digitale dreigingen",
        "--expect-version",
        "1",
    )
    stale = runner.invoke(app, ["theme", "edit", "cyber", "--name", "x", "--expect-version", "1"])
    assert stale.exit_code == 4
    assert "theme 'cyber'" in stale.output and "version 2" in stale.output
    shown = json.loads(ok(runner, "theme", "show", "cyber", "--format", "json"))
    assert shown["version"] == 2 and shown["description"] == "Digitale dreigingen"
    listed = json.loads(ok(runner, "theme", "list", "--tier", "strengthened", "-f", "json"))
    assert [t["key"] for t in listed] == ["cyber"]
    assert json.loads(ok(runner, "theme", "list", "--tier", "continued_focus", "-f", "json")) == []
    refused = runner.invoke(app, ["organisation", "delete", "min-jenv", "--yes"])
    assert refused.exit_code == 8 and "theme cyber" in refused.output
    missing = runner.invoke(app, ["theme", "show", "nope"])
    assert missing.exit_code == 5
    ok(runner, "theme", "delete", "cyber", "--yes")
    assert "4 entries" in ok(runner, "audit", "verify")
    log = ok(runner, "audit", "log")
    assert "test:cli" in log and "delete" in log


@pytest.mark.usefixtures("demo_register")
def test_bad_import_exits_non_zero_and_changes_nothing(runner: CliRunner, tmp_path: Path) -> None:
    before = tmp_path / "before.json"
    ok(runner, "export", str(before))
    bad = tmp_path / "scenarios.csv"
    bad.write_text(
        "key,title,kind,theme,narrative\nx1,T,hazard,ghost-theme,N\nx2,T,monster,ghost-theme,N\n",
        encoding="utf-8",
    )
    result = runner.invoke(app, ["import", str(bad)])
    assert result.exit_code == 3
    assert "scenarios.csv line 2" in result.output and "scenarios.csv line 3" in result.output
    after = tmp_path / "after.json"
    ok(runner, "export", str(after))
    assert before.read_bytes() == after.read_bytes()
    unreadable = runner.invoke(app, ["import", str(tmp_path / "nothing.xlsx")])
    assert unreadable.exit_code == 7


@pytest.mark.usefixtures("demo_register")
def test_export_formats(runner: CliRunner, tmp_path: Path) -> None:
    ok(runner, "export", str(tmp_path / "r.xlsx"))
    ok(runner, "export", str(tmp_path / "csv"), "--format", "csv")
    assert sorted(p.stem for p in (tmp_path / "csv").glob("*.csv")) == sorted(
        e.name for e in ENTITIES
    )
    out = ok(runner, "import", str(tmp_path / "r.xlsx"))
    assert "0 records written" in out


@pytest.mark.parametrize("spec", ENTITIES, ids=lambda e: e.singular.replace(" ", "-"))
def test_every_entity_command_has_help(spec: EntitySpec) -> None:
    runner = CliRunner()
    entity = spec.singular.replace(" ", "-")
    writes = ("add", "edit", "delete")
    for command in ("list", "show", *writes):
        result = runner.invoke(app, [entity, command, "--help"])
        # Records kept in step by one use case (a level change) are only read here.
        expected = 2 if spec.written_by and command in writes else 0
        assert result.exit_code == expected, result.output


def test_bad_database_url_is_a_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--db", "mysql://nope", "init"])
    assert result.exit_code == 6
    assert "unsupported database" in result.output


@pytest.mark.usefixtures("demo_register")
def test_the_profile_in_dutch(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    out = ok(runner, "profile")
    for heading in ("Versterkte aanpak", "Onverminderde inzet op weerbaarheid", "thema's"):
        assert heading in out
    assert "Strengthened approach" not in out and "no scenarios yet" not in out
    data = demo_data()
    assert isinstance(data, dict)
    for theme in data["themes"]:
        assert theme["name"] in out  # the theme's Dutch name alone
    monkeypatch.setenv("WEERBAAR_LANG", "fr")
    refused = runner.invoke(app, ["profile"])
    assert refused.exit_code != 0 and "WEERBAAR_LANG" in refused.output


@pytest.mark.usefixtures("demo_register")
def test_errors_in_dutch(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    english = runner.invoke(app, ["theme", "show", "nope"])
    assert english.exit_code == 5 and "error: no theme with key 'nope'" in english.output
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    missing = runner.invoke(app, ["theme", "show", "nope"])
    assert missing.exit_code == 5
    assert "fout: geen thema met sleutel 'nope'" in missing.output
    bad = runner.invoke(app, ["theme", "add", "bad", "--name", "x", "--tier", "nope"])
    assert bad.exit_code == 3
    said = " ".join(bad.output.split())
    assert "fout: thema niet opgeslagen: 2 problemen" in said
    assert "ongeldige waarde 'nope': verwacht een van" in said
    assert "name_en: waarde ontbreekt (verplicht)" in said
    assert "bad value" not in said and "missing value" not in said
    rows = tmp_path / "scenarios.csv"
    rows.write_text("key,title,kind,theme,narrative\nx1,T,hazard,ghost-theme,N\n", "utf-8")
    refused = runner.invoke(app, ["import", str(rows)])
    assert refused.exit_code == 3
    told = " ".join(refused.output.split())
    assert "fout: niets geïmporteerd: 1 probleem" in told
    assert "scenarios.csv regel 2, kolom 'theme': onbekende verwijzing" in told
    unreadable = runner.invoke(app, ["import", str(tmp_path / "nothing.xlsx")])
    assert unreadable.exit_code == 7
    assert "bestand of map bestaat niet" in unreadable.output


@pytest.mark.usefixtures("demo_register")
def test_the_assessment_in_dutch(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    english = ok(runner, "assess", "--draws", "200", "--seed", "7")
    for words in ("Round ", "weights:", "likelihood", "medal", "200 draws", "not official"):
        assert words in english
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    out = ok(runner, "assess", "--draws", "200", "--seed", "7")
    for words in ("Ronde ", "gewichten:", "waarschijnlijkheid", "medaille", "rang", "klasse"):
        assert words in out
    assert "200 trekkingen, seed 7" in out and "gekalibreerd, niet officieel" in out
    for words in ("Round ", "weights:", "likelihood", "medal", "draws", "not official"):
        assert words not in out
    # The machine-readable answer does not change with the reader's language.
    monkeypatch.setenv("WEERBAAR_LANG", "en")
    as_json = ok(runner, "assess", "--draws", "0", "--format", "json")
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    assert ok(runner, "assess", "--draws", "0", "--format", "json") == as_json

    edition = editions()["gra-2019"]
    listed = ok(runner, "criteria")
    assert "criterium" in listed and "criterion" not in listed
    for interest in edition.interests:
        assert interest.name in listed and interest.name_en not in listed


@pytest.mark.usefixtures("demo_register")
def test_the_threat_levels_in_dutch(runner: CliRunner, monkeypatch: pytest.MonkeyPatch) -> None:
    english = ok(runner, "levels", "show")
    for words in ("Threat levels", "national", "3 Significant", "set by", "19 Mar 2019"):
        assert words in english
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    out = ok(runner, "levels", "show")
    for words in ("Dreigingsniveaus", "landelijk", "3 Aanzienlijk", "4 Substantieel"):
        assert words in out
    assert "vastgesteld door" in out and "sinds" in out and "19 mrt 2019" in out
    for words in ("Threat levels", "national", "Significant", "Substantial", "set by", "since"):
        assert words not in out
    changed = ok(
        runner,
        "levels",
        "set",
        "drinking water",
        "Moderate threat",
        "--rationale",
        "Aanwijzingen van belangstelling voor productielocaties",
        "--no-deliver",
    )
    assert "atb: drinking water" in changed and "1 Basisniveau → 3 Matige dreiging" in changed
    assert "aan Verscherpte toegangscontrole" in changed and "in de wachtrij" in changed
    assert "Moderate threat" not in changed and "queued" not in changed
    pictures = ok(runner, "levels", "history", "--limit", "3")
    assert "Dreigingsbeelden" in pictures and "landelijk" in pictures
    assert "Threat pictures" not in pictures and "national" not in pictures


@pytest.mark.parametrize("form", ["register.json", "register.yaml", "csv", "register.graphml"])
@pytest.mark.usefixtures("demo_register")
def test_exports_are_the_same_bytes_in_either_language(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    written = {}
    for language in ("nl", "en"):
        monkeypatch.setenv("WEERBAAR_LANG", language)
        target = tmp_path / language / form
        target.parent.mkdir()
        ok(runner, "export", str(target), *(["--format", "csv"] if form == "csv" else []))
        files = sorted(target.glob("*.csv")) if form == "csv" else [target]
        written[language] = {f.name: f.read_bytes() for f in files}
    assert written["nl"] and all(written["nl"].values())
    assert written["nl"] == written["en"]


@pytest.mark.usefixtures("demo_register")
def test_a_workbook_and_its_round_trip_do_not_depend_on_the_language(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A workbook stamps its creation time, so its cells are compared, not its bytes.
    from openpyxl import load_workbook

    cells = {}
    for language in ("nl", "en"):
        monkeypatch.setenv("WEERBAAR_LANG", language)
        target = tmp_path / f"{language}.xlsx"
        ok(runner, "export", str(target))
        book = load_workbook(target, read_only=True)
        cells[language] = {
            sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)]
            for sheet in book.worksheets
        }
        book.close()
    assert cells["nl"] == cells["en"]
    # Exported in Dutch, read back in English: nothing changes, and the export after
    # it has the same bytes.
    monkeypatch.setenv("WEERBAAR_LANG", "nl")
    ok(runner, "export", str(tmp_path / "before.json"))
    monkeypatch.setenv("WEERBAAR_LANG", "en")
    assert "0 records written" in ok(runner, "import", str(tmp_path / "before.json"))
    ok(runner, "export", str(tmp_path / "after.json"))
    assert (tmp_path / "before.json").read_bytes() == (tmp_path / "after.json").read_bytes()
