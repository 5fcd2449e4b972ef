"""``weerbaar init``, ``audit verify`` and ``audit checkpoint`` as a person runs them."""

from pathlib import Path

from sqlalchemy import update
from typer.testing import CliRunner

from tests.helpers import trail_config
from weerbaar.cli.main import app
from weerbaar.storage.db import Database
from weerbaar.storage.tables import entity_tables

ORGANISATION = ["organisation", "add", "min-jenv", "--name", "JenV", "--kind", "ministry"]


def test_init_names_the_keys_and_verify_finds_an_unaudited_edit(
    runner: CliRunner, db_url: str
) -> None:
    init = runner.invoke(app, ["init"])
    assert init.exit_code == 0, init.output
    assert "sealed with key" in init.output and "Back that folder up" in init.output
    added = runner.invoke(app, ORGANISATION)
    assert added.exit_code == 0, added.output
    intact = runner.invoke(app, ["audit", "verify"])
    assert intact.exit_code == 0, intact.output
    assert "audit trail intact: 1 entries" in intact.output
    signed = runner.invoke(app, ["audit", "checkpoint"])
    assert signed.exit_code == 0 and "checkpoint of entry 1 written to" in signed.output

    db = Database(db_url, trail=trail_config())
    try:
        organisations = entity_tables["organisations"]
        with db.engine.begin() as connection:
            connection.execute(update(organisations).values(name="Quietly renamed"))
    finally:
        db.dispose()
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 9
    assert (
        "replay: organisation min-jenv: differs from its newest audit entry in name"
        in broken.output
    )


def test_init_refuses_new_keys_for_a_sealed_trail(
    runner: CliRunner, tmp_path: Path, monkeypatch: object
) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    assert hasattr(monkeypatch, "setenv")
    monkeypatch.setenv("WEERBAAR_KEY_DIR", str(tmp_path / "empty-key-folder"))
    again = runner.invoke(app, ["init"])
    assert again.exit_code == 6
    assert "is sealed with key" in again.output and "restore that folder" in again.output
    refused = runner.invoke(app, ORGANISATION)
    assert refused.exit_code == 6 and "key is missing" in refused.output
