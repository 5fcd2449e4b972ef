"""Malformed files given to ``weerbaar import``: a message naming the file and the
place, exit code 7, and the register as it was, never a traceback."""

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from weerbaar.cli.main import app

HEAD = '{"format": "weerbaar-register", "format_version": 1, '


def deep_json() -> bytes:
    return (HEAD + '"themes": ' + "[" * 5_000 + "]" * 5_000 + "}").encode()


def long_integer_json() -> bytes:
    return (HEAD + '"themes": [{"key": "t1", "tier": ' + "9" * 5_000 + "}]}").encode()


def damaged_xlsx() -> bytes:
    """A workbook whose sheet's compressed bytes are overwritten: zlib cannot inflate
    them (or, if it can, the CRC no longer matches)."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "themes"
    sheet.append(["key", "name", "name_en", "tier"])
    for i in range(200):
        sheet.append([f"t{i}", f"Thema {i}", f"Theme {i}", "strengthened"])
    buffer = io.BytesIO()
    book.save(buffer)
    data = bytearray(buffer.getvalue())
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    data[start + 10 : start + 60] = b"\xff" * 50
    return bytes(data)


def export_json(runner: CliRunner, path: Path) -> bytes:
    result = runner.invoke(app, ["export", str(path)])
    assert result.exit_code == 0, result.output
    return path.read_bytes()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("deep.json", deep_json(), "deep.json line 1: nested deeper than 64 levels"),
        ("long.json", long_integer_json(), "long.json line 1: a number of 5000 digits"),
        ("damaged.xlsx", damaged_xlsx(), "damaged.xlsx: the archive is damaged"),
    ],
    ids=["json-5000-deep", "json-5000-digit-integer", "damaged-xlsx"],
)
@pytest.mark.usefixtures("demo_register")
def test_reported_malformed_files_exit_7_and_change_nothing(
    runner: CliRunner, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    before = export_json(runner, tmp_path / "before.json")
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 7, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert message in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert export_json(runner, tmp_path / "after.json") == before


def zip_bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", "<Relationships/>")
        archive.writestr("xl/media/zeros.bin", b"\0" * 50_000_000)
    return buffer.getvalue()


LAUGHS = "format: weerbaar-register\nformat_version: 1\na: &a [lol, lol]\nb: [*a, *a]\n"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("laughs.yaml", LAUGHS.encode(), "laughs.yaml line 4: an alias (*a)"),
        ("bomb.xlsx", zip_bomb(), "bomb.xlsx: part xl/media/zeros.bin inflates"),
        ("themes.csv", b"key,name\nt1,a\x00b\n", "themes.csv: looks like UTF-16 or a binary file"),
        ("latin.json", (HEAD + '"x": "caf\xe9"}').encode("cp1252"), "latin.json line 1: not UTF-8"),
        ("wide.yaml", LAUGHS.encode("utf-16"), "wide.yaml: looks like UTF-16"),
    ],
    ids=["yaml-aliases", "zip-bomb", "nul-byte", "not-utf8", "utf16"],
)
def test_crafted_files_exit_7_with_their_place(
    runner: CliRunner, tmp_path: Path, name: str, content: bytes, message: str
) -> None:
    init = runner.invoke(app, ["init"])
    assert init.exit_code == 0, init.output
    path = tmp_path / name
    path.write_bytes(content)
    result = runner.invoke(app, ["import", str(path)])
    assert result.exit_code == 7, result.output
    assert message in " ".join(result.output.split())
    listed = runner.invoke(app, ["theme", "list", "--format", "json"])
    assert listed.exit_code == 0 and listed.output.strip() == "[]"
