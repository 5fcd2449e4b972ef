"""``weerbaar audit log``: the operator's view of the trail, a page at a time."""

from typer.testing import CliRunner

from weerbaar.cli.main import app


def _ok(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_the_log_pages_through_the_trail_by_its_sequence(runner: CliRunner) -> None:
    _ok(runner, "init")
    for key in ("aivd", "mivd", "nctv"):
        _ok(runner, "organisation", "add", key, "--name", key.upper(), "--kind", "agency")

    newest = _ok(runner, "audit", "log", "--limit", "2")
    assert "nctv" in newest and "mivd" in newest and "aivd" not in newest
    assert "older entries follow: --offset 2" in newest

    older = _ok(runner, "audit", "log", "--limit", "2", "--offset", "2")
    assert "aivd" in older and "mivd" not in older
    assert "older entries follow" not in older
    # The operator is shown the trail's own numbers.
    assert "│ 1 " in older
