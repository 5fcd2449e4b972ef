"""Lowering a classification from the command line: never by ``edit`` or ``import``,
only by ``weerbaar declassify`` with a reason, which the audit trail keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from weerbaar import formats
from weerbaar.cli.main import app
from weerbaar.services.audit import recent_entries
from weerbaar.services.records import get_record
from weerbaar.storage.db import Database

REASON = "Published in the annual report of the intelligence service."


def ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def refused(runner: CliRunner, code: int, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return " ".join(result.output.split())  # as one line, whatever the terminal wrapped


@pytest.fixture
def secret(runner: CliRunner, db: Database) -> Database:
    """A register with one scenario and one vital process, both AIVD's and raised to
    state secret, confidential: raising is an ordinary edit."""
    ok(runner, "organisation", "add", "aivd", "--name", "AIVD", "--kind", "agency")
    ok(
        runner,
        "theme",
        "add",
        "cyber",
        "--name",
        "Cyber",
        "--name-en",
        "Cyber",
        "--tier",
        "strengthened",
    )
    ok(
        runner,
        "scenario",
        "add",
        "ransomware-water",
        "--title",
        "Ransomware at a water company",
        "--kind",
        "threat",
        "--theme",
        "cyber",
        "--narrative",
        "Drinking water stops in a province.",
    )
    ok(
        runner,
        "vital-process",
        "add",
        "water",
        "--name",
        "Drinking water",
        "--sector",
        "water",
        "--category",
        "A",
    )
    for command, key in (("scenario", "ransomware-water"), ("vital-process", "water")):
        ok(runner, command, "edit", key, "--classification", "stg-c", "--owned-by", "aivd")
    return db


def classification(db: Database, entity_name: str, key: str) -> tuple[str, int]:
    found = get_record(db, entity_name=entity_name, key=key)
    return found.record.classification, found.version


def test_an_edit_that_lowers_is_refused_and_names_declassify(
    runner: CliRunner, secret: Database
) -> None:
    out = refused(runner, 10, "scenario", "edit", "ransomware-water", "--classification", "public")
    assert "weerbaar declassify" in out
    assert classification(secret, "scenarios", "ransomware-water") == ("stg-c", 2)


def test_declassify_lowers_with_the_reason_in_the_audit_trail(
    runner: CliRunner, secret: Database
) -> None:
    out = ok(
        runner,
        "declassify",
        "scenario",
        "ransomware-water",
        "--to",
        "dep-v",
        "--reason",
        REASON,
        "--expect-version",
        "2",
    )
    assert "declassified scenario ransomware-water to Departmental confidential" in out
    assert "(version 3)" in out
    assert classification(secret, "scenarios", "ransomware-water") == ("dep-v", 3)
    entry = recent_entries(secret, entity="scenarios", key="ransomware-water", limit=1)[0]
    assert (entry.action, entry.actor, entry.note) == ("declassify", "test:cli", REASON)


@pytest.mark.parametrize(
    ("args", "code", "says"),
    [
        (["--to", "public", "--reason", "because"], 3, "10 to 2000 characters"),
        (["--to", "stg-g", "--reason", REASON], 3, "raising a classification is an ordinary edit"),
        (["--to", "public", "--reason", REASON, "--expect-version", "1"], 4, "changed by"),
    ],
    ids=["short-reason", "upwards", "stale-version"],
)
def test_declassify_refuses_what_it_cannot_do(
    runner: CliRunner, secret: Database, args: list[str], code: int, says: str
) -> None:
    out = refused(runner, code, "declassify", "scenario", "ransomware-water", *args)
    assert says in out
    assert classification(secret, "scenarios", "ransomware-water") == ("stg-c", 2)


def test_declassify_names_the_entities_it_knows(runner: CliRunner, secret: Database) -> None:
    out = refused(runner, 2, "declassify", "scenery", "x", "--to", "public", "--reason", REASON)
    assert "'scenery' is no entity" in out and "vital-process" in out
    assert "no scenario with key 'nothing'" in refused(
        runner, 5, "declassify", "scenarios", "nothing", "--to", "public", "--reason", REASON
    )


@pytest.mark.parametrize(
    ("name", "entity_name", "key"),
    [
        ("register.json", "scenarios", "ransomware-water"),
        ("register.yaml", "scenarios", "ransomware-water"),
        ("register.xlsx", "scenarios", "ransomware-water"),
        ("csv-folder", "scenarios", "ransomware-water"),
        ("infrastructure.graphml", "vital_processes", "water"),
    ],
    ids=["json", "yaml", "xlsx", "csv", "graphml"],
)
def test_an_import_that_lowers_is_refused_in_every_format(
    runner: CliRunner, secret: Database, tmp_path: Path, name: str, entity_name: str, key: str
) -> None:
    ok(runner, "export", str(tmp_path / "register.json"))
    data = json.loads((tmp_path / "register.json").read_text("utf-8"))
    (record,) = (r for r in data[entity_name] if r["key"] == key)
    record["classification"] = "public"
    lowered = tmp_path / "lowered" / name
    lowered.parent.mkdir()
    formats.write(lowered, data)
    out = refused(runner, 3, "import", str(lowered))
    assert "nothing imported" in out and "declassif" in out
    assert classification(secret, entity_name, key) == ("stg-c", 2)
