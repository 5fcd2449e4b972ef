"""A command is one request: the audit entries it writes carry an id of its own, and
``weerbaar audit log --request ID`` shows that command's entries alone."""

from typer.testing import CliRunner

from tests.helpers import trail_config
from weerbaar.cli.main import app
from weerbaar.domain.request_ids import current_request_id
from weerbaar.storage import audit_log
from weerbaar.storage.db import Database


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_each_command_writes_under_an_id_of_its_own(runner: CliRunner, db_url: str) -> None:
    _ok(runner, "init")
    for key in ("aivd", "mivd"):
        _ok(runner, "organisation", "add", key, "--name", key.upper(), "--kind", "agency")
    assert current_request_id.get() is None  # put back after each command
    db = Database(db_url, trail=trail_config())
    try:
        with db.transaction() as connection:
            written = {e.key: e.request_id for e in audit_log.entries(connection)}
    finally:
        db.dispose()
    assert written["aivd"] and written["mivd"]
    assert written["aivd"] != written["mivd"]

    shown = _ok(runner, "audit", "log", "--request", written["mivd"])
    assert "mivd" in shown and "aivd" not in shown
    assert written["mivd"] in shown
    assert "aivd" in _ok(runner, "audit", "log")
