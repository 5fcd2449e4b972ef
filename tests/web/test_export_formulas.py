"""The list pages' CSV and XLSX downloads are written by the register's own writers:
text a spreadsheet would run as a formula arrives inert, and reads back unchanged."""

import csv
import io
from pathlib import Path

from openpyxl import load_workbook

from tests.web.conftest import MakeUser, SignIn
from weerbaar import formats
from weerbaar.services.context import Context
from weerbaar.services.records import create_record
from weerbaar.storage.db import Database

TITLE = '=HYPERLINK("http://evil.example/","click")'


def test_downloads_neutralise_formulas(
    demo_db: Database, make_user: MakeUser, sign_in: SignIn, tmp_path: Path
) -> None:
    create_record(
        Context(db=demo_db, actor="test:setup"),
        entity_name="scenarios",
        raw={
            "key": "formula-title",
            "title": TITLE,
            "kind": "hazard",
            "theme": "natural-disasters",
            "narrative": "@SUM(A1)",
        },
    )
    client = sign_in(make_user("admin", role="administrator", clearance="stg-g")).client
    as_csv = client.get("/scenarios/export.csv", params={"theme": "natural-disasters"})
    rows = csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"), newline=""))
    row = next(r for r in rows if r["key"] == "formula-title")
    assert (row["title"], row["narrative"]) == ("'" + TITLE, "'@SUM(A1)")
    as_xlsx = client.get("/scenarios/export.xlsx", params={"theme": "natural-disasters"})
    sheet = load_workbook(io.BytesIO(as_xlsx.content))["scenarios"]
    header = [cell.value for cell in sheet[1]]
    cell = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == "formula-title")[
        header.index("title")
    ]
    assert (cell.data_type, cell.value) == ("s", "'" + TITLE)
    path = tmp_path / "scenarios.xlsx"
    path.write_bytes(as_xlsx.content)
    (read,) = [
        r for r in formats.read(path).rows["scenarios"] if r.values["key"] == "formula-title"
    ]
    assert read.values["title"] == TITLE
