"""CSV written to the terminal is as inert in a spreadsheet as an exported file."""

import csv
import io

from typer.testing import CliRunner

from weerbaar.cli.main import app


def test_list_as_csv_neutralises_formula_text(runner: CliRunner) -> None:
    assert runner.invoke(app, ["init"]).exit_code == 0
    added = runner.invoke(
        app,
        [
            "organisation",
            "add",
            "evil",
            "--name",
            '=HYPERLINK("http://x","y")',
            "--kind",
            "ministry",
        ],
    )
    assert added.exit_code == 0, added.output
    listed = runner.invoke(app, ["organisation", "list", "--format", "csv"])
    assert listed.exit_code == 0, listed.output
    rows = list(csv.DictReader(io.StringIO(listed.output)))
    assert [r["name"] for r in rows] == ['\'=HYPERLINK("http://x","y")']
