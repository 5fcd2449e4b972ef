"""Tables and plain data as the bytes of a download: formulas inert in every cell."""

import io
import json

from openpyxl import load_workbook

from weerbaar.formats.tables import csv_bytes, json_bytes, xlsx_bytes

ROWS: list[list[object]] = [
    ["scenario", "title", "measures"],
    ["s1", '=HYPERLINK("http://evil.example/")', 2],
    ["s2", "#N/A", None],
]


def test_csv_has_a_bom_and_inert_formulas() -> None:
    data = csv_bytes(ROWS)
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "scenario,title,measures",
        's1,"\'=HYPERLINK(""http://evil.example/"")",2',
        "s2,#N/A,",
    ]


def test_xlsx_keeps_text_as_text() -> None:
    book = load_workbook(io.BytesIO(xlsx_bytes(ROWS, sheet="portfolio", freeze="C2")))
    assert book.sheetnames == ["portfolio"]
    sheet = book["portfolio"]
    assert sheet.freeze_panes == "C2"
    assert all(cell.font.b for cell in sheet[1])
    assert [[cell.value for cell in row] for row in sheet.iter_rows(min_row=2)] == [
        ["s1", '\'=HYPERLINK("http://evil.example/")', 2],
        ["s2", "#N/A", None],
    ]
    assert sheet["B3"].data_type == "s"  # "#N/A" as text, not an error cell


def test_json_is_indented_utf8_with_a_final_newline() -> None:
    data = json_bytes({"title": "Dijkdoorbraak ’s winters", "n": [1]})
    assert data.endswith(b"}\n")
    assert "’" in data.decode("utf-8")
    assert json.loads(data) == {"title": "Dijkdoorbraak ’s winters", "n": [1]}
    assert data.decode("utf-8").splitlines()[1] == '  "title": "Dijkdoorbraak ’s winters",'
