"""Import and export: lossless round trips, and all-or-nothing imports."""

import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from tests.helpers import seed_small_register, trail_config
from weerbaar import formats
from weerbaar.errors import FileFormatError, ValidationError
from weerbaar.services.context import Context
from weerbaar.services.demo import load_demo
from weerbaar.services.trail_check import verify_trail
from weerbaar.services.transfer import ImportMode, export_register, import_register
from weerbaar.storage.db import Database


def snapshot(db: Database) -> str:
    return json.dumps(export_register(db), sort_keys=True)


def test_json_round_trip_is_byte_identical(ctx: Context, tmp_path: Path, sqlite_url: str) -> None:
    load_demo(ctx)
    first = tmp_path / "first.json"
    formats.write(first, export_register(ctx.db))
    empty = Database(sqlite_url, trail=trail_config())
    empty.upgrade()
    import_register(Context(empty, "test"), doc=formats.read(first))
    second = tmp_path / "second.json"
    formats.write(second, export_register(empty))
    empty.dispose()
    assert first.read_bytes() == second.read_bytes()
    assert len(json.loads(first.read_text("utf-8"))["scenarios"]) >= 40


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "yaml"])
def test_spreadsheet_round_trip_keeps_content(
    ctx: Context, tmp_path: Path, sqlite_url: str, fmt: str
) -> None:
    load_demo(ctx)
    target = tmp_path / ("register" if fmt == "csv" else f"register.{fmt}")
    formats.write(target, export_register(ctx.db), fmt=fmt)
    other = Database(sqlite_url, trail=trail_config())
    other.upgrade()
    import_register(Context(other, "test"), doc=formats.read(target, fmt=fmt))
    assert snapshot(other) == snapshot(ctx.db)
    other.dispose()


def test_reimport_writes_only_what_changed(ctx: Context) -> None:
    first = load_demo(ctx)
    again = load_demo(ctx)
    assert first.written > 100
    assert again.written == 0
    assert sum(again.unchanged.values()) == first.written


BAD_SCENARIOS = """key,title,kind,theme,threat,narrative,horizon_years,actors
good-one,Fine,threat,terrorism,jihadism,Fine story,5,lone-actor
bad-kind,Bad kind,flood,terrorism,,Story,5,
bad-ref,Bad reference,hazard,no-such-theme,,Story,5,
good-one,Duplicate,hazard,terrorism,,Story,5,
missing,,hazard,terrorism,,,5,
bad-years,Years,hazard,terrorism,,Story,many,
"""


def test_csv_with_bad_rows_writes_nothing_and_lists_every_row(ctx: Context, tmp_path: Path) -> None:
    seed_small_register(ctx)
    before = snapshot(ctx.db)
    trail_before = verify_trail(ctx.db)
    assert trail_before.intact
    path = tmp_path / "scenarios.csv"
    path.write_text(BAD_SCENARIOS, encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        import_register(ctx, doc=formats.read(path))
    problems = [str(i) for i in caught.value.issues]
    assert any("line 3, column 'kind'" in p and "bad value 'flood'" in p for p in problems)
    assert any("line 4, column 'theme'" in p and "unknown reference" in p for p in problems)
    assert any("line 5, column 'key'" in p and "duplicate key 'good-one'" in p for p in problems)
    assert any("line 6, column 'title'" in p and "missing" in p for p in problems)
    assert any("line 6, column 'narrative'" in p for p in problems)
    assert any("line 7, column 'horizon_years'" in p for p in problems)
    assert not any("line 2," in p for p in problems)
    assert snapshot(ctx.db) == before
    assert verify_trail(ctx.db) == trail_before


def _append(sheet: Any, **values: object) -> None:
    """A row by column name: the sheet's columns follow the entity's fields."""
    header = [cell.value for cell in sheet[1]]
    assert set(values) <= set(header), set(values) - set(header)
    sheet.append([values.get(name) for name in header])


def test_xlsx_with_bad_rows_writes_nothing_and_names_sheet_and_row(
    ctx: Context, tmp_path: Path
) -> None:
    seed_small_register(ctx)
    path = tmp_path / "register.xlsx"
    formats.write(path, export_register(ctx.db))
    book = load_workbook(path)
    _append(
        book["scenarios"],
        key="new-one",
        title="New",
        kind="threat",
        theme="terrorism",
        narrative="Story",
        horizon_years=5,
        actors="ghost",
    )
    _append(
        book["scenarios"],
        key="new-two",
        title="New",
        kind="hazard",
        theme="terrorism",
        narrative="Story",
        horizon_years="5",
    )
    _append(
        book["decisions"],
        key="d1",
        theme="terrorism",
        tier="strengthened",
        cycle="nss-2019",
        decided_on="07-06-2019",
        decided_by="Ministerraad",
        rationale="Because.",
    )
    book.save(path)
    before = snapshot(ctx.db)
    with pytest.raises(ValidationError) as caught:
        import_register(ctx, doc=formats.read(path))
    problems = [str(i) for i in caught.value.issues]
    assert len(problems) == 2
    assert "sheet scenarios row 3, column 'actors': unknown reference" in problems[0]
    assert "sheet decisions row 2, column 'decided_on': bad date" in problems[1]
    assert snapshot(ctx.db) == before


def test_create_mode_refuses_existing_keys(ctx: Context, tmp_path: Path) -> None:
    seed_small_register(ctx)
    path = tmp_path / "all.json"
    formats.write(path, export_register(ctx.db))
    with pytest.raises(ValidationError, match="already exists"):
        import_register(ctx, doc=formats.read(path), mode=ImportMode.CREATE)


def test_import_creates_parents_before_children(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "organisations.csv"
    path.write_text(
        "key,name,kind,parent\nnctv,NCTV,agency,min-jenv\nmin-jenv,JenV,ministry,\n",
        encoding="utf-8",
    )
    summary = import_register(ctx, doc=formats.read(path))
    assert summary.created["organisations"] == 2


ORGS_DUTCH = (
    "key;name;kind;description\n"
    "min-bzk;Binnenlandse Zaken;ministry;Coördinatie ’s-Gravenhage, café\n"
)


@pytest.mark.parametrize(
    "encoding", ["utf-8", "utf-8-sig", "cp1252"], ids=["utf8", "utf8-bom", "windows-1252"]
)
def test_csv_encodings_dutch_excel(ctx: Context, tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "organisations.csv"
    path.write_bytes(ORGS_DUTCH.encode(encoding))
    import_register(ctx, doc=formats.read(path))
    org = export_register(ctx.db)["organisations"][0]
    assert org["description"] == "Coördinatie ’s-Gravenhage, café"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (ORGS_DUTCH.encode("utf-16"), "UTF-16"),
        (ORGS_DUTCH.encode("cp1252") + b"\x81\x8d", "neither UTF-8"),
        (b"", "empty"),
        (b'key,name\n"unclosed,x\n', "line"),
    ],
    ids=["utf16", "undefined-bytes", "empty", "broken-quote"],
)
def test_unreadable_csv_is_refused_clearly(
    ctx: Context, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "organisations.csv"
    path.write_bytes(content)
    with pytest.raises(FileFormatError, match=message):
        import_register(ctx, doc=formats.read(path))


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[]", "expected an object"),
        ('{"format": "other"}', "'format' must be"),
        ('{"format": "weerbaar-register", "format_version": 9}', "not supported"),
        ('{"format": "weerbaar-register", "format_version": 1, "weapons": []}', "unknown"),
        ('{"format": "weerbaar-register", "format_version": 1, "themes": {}}', "list"),
        ('{"format": "weerbaar-register", "format_version": 1, "themes": [1]}', "record"),
        ('{"format": "weerbaar-register",', "line 1"),
    ],
)
def test_malformed_documents(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "register.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(FileFormatError, match=message):
        formats.read(path)


def test_wrong_types_in_json_are_listed(ctx: Context, tmp_path: Path) -> None:
    doc = {
        "format": "weerbaar-register",
        "format_version": 1,
        "themes": [{"key": "t1", "name": ["x"], "name_en": 3, "tier": True}],
    }
    path = tmp_path / "register.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        import_register(ctx, doc=formats.read(path))
    fields = sorted(i.field for i in caught.value.issues)
    assert fields == ["name", "tier"]


def test_unknown_sheet_and_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "register.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(FileFormatError, match="not a readable XLSX"):
        formats.read(path)


def test_oversized_file_is_refused_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from weerbaar.formats import common

    monkeypatch.setattr(common, "MAX_FILE_BYTES", 1_000)
    path = tmp_path / "register.json"
    path.write_text(" " * 2_000, encoding="utf-8")
    with pytest.raises(FileFormatError, match="more than the 1,000"):
        formats.read(path)


def test_csv_with_ragged_rows_and_unknown_columns(ctx: Context, tmp_path: Path) -> None:
    path = tmp_path / "themes.csv"
    path.write_text(
        "key,name,name_en,tier,colour\nt-one,A,A,strengthened,red\nt-two,B,B\n",
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as caught:
        import_register(ctx, doc=formats.read(path))
    problems = [str(i) for i in caught.value.issues]
    assert problems == [
        "themes.csv line 2, column 'colour': unknown column for themes",
        "themes.csv line 3: 3 cells, but the header has 5 columns",
    ]
