"""Every reader refuses a malformed or crafted file with a message that names the
file and the place, never with a traceback (FileFormatError, exit code 7)."""

import io
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from weerbaar import formats
from weerbaar.domain.register import ENTITIES
from weerbaar.errors import FileFormatError
from weerbaar.formats import archive

HEAD = '{"format": "weerbaar-register", "format_version": 1,\n'


def themes_json(name_value: str) -> str:
    return HEAD + '"themes": [{"key": "t1", "name": ' + name_value + "}]}"


def read_text(tmp_path: Path, name: str, text: str | bytes) -> object:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return formats.read(path)


def refused(tmp_path: Path, name: str, text: str | bytes) -> str:
    with pytest.raises(FileFormatError) as caught:
        read_text(tmp_path, name, text)
    return str(caught.value)


# --- JSON -----------------------------------------------------------------------


def test_json_nesting_at_the_limit_reads_and_one_deeper_is_refused(tmp_path: Path) -> None:
    # The document, the themes list and the record are three levels already.
    at_limit = themes_json("[" * 61 + "]" * 61)
    doc = read_text(tmp_path, "ok.json", at_limit)
    assert doc.rows["themes"][0].place == "ok.json themes[0]"  # type: ignore[attr-defined]
    message = refused(tmp_path, "deep.json", themes_json("[" * 62 + "]" * 62))
    assert message == "deep.json line 2: nested deeper than 64 levels"


def test_json_brackets_inside_text_are_not_nesting(tmp_path: Path) -> None:
    read_text(tmp_path, "text.json", themes_json('"' + "[{" * 100 + '\\"' + '"'))


def test_json_5000_deep_is_refused_without_recursion(tmp_path: Path) -> None:
    message = refused(tmp_path, "deep.json", "[" * 5_000 + "]" * 5_000)
    assert message == "deep.json line 1: nested deeper than 64 levels"


@pytest.mark.parametrize("digits", [41, 5_000])
def test_json_long_numbers_are_refused(tmp_path: Path, digits: int) -> None:
    message = refused(tmp_path, "long.json", themes_json("-" + "7" * digits))
    assert message == (
        f"long.json line 2: a number of {digits} digits; a register number has at most 40"
    )


def test_json_long_digit_runs_in_text_and_40_digit_numbers_read(tmp_path: Path) -> None:
    doc = read_text(tmp_path, "ok.json", themes_json('"' + "1" * 5_000 + '", "x": ' + "2" * 40))
    values = doc.rows["themes"][0].values  # type: ignore[attr-defined]
    assert values["name"] == "1" * 5_000 and values["x"] == int("2" * 40)


@pytest.mark.parametrize("word", ["NaN", "Infinity", "-Infinity"])
def test_json_non_numbers_are_refused(tmp_path: Path, word: str) -> None:
    assert word in refused(tmp_path, "nan.json", themes_json(word))


def test_json_and_yaml_must_be_utf8(tmp_path: Path) -> None:
    cp1252 = themes_json('"café"').encode("cp1252")
    message = refused(tmp_path, "latin.json", cp1252)
    assert message.startswith("latin.json line 2: not UTF-8 (bad byte 0xe9")
    assert "save the file as UTF-8" in message
    assert "UTF-16" in refused(tmp_path, "wide.yaml", "format: x\n".encode("utf-16"))


def test_json_with_a_byte_order_mark_reads(tmp_path: Path) -> None:
    doc = read_text(tmp_path, "bom.json", themes_json('"café"').encode("utf-8-sig"))
    assert doc.rows["themes"][0].values["name"] == "café"  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("nul.json", themes_json('"a\x00b"')),
        ("nul.yaml", "format: weerbaar-register\nformat_version: 1\nthemes: [\x00]\n"),
        ("themes.csv", "key,name\nt1,a\x00b\n"),
    ],
)
def test_nul_characters_are_refused_with_their_line(tmp_path: Path, name: str, text: str) -> None:
    message = refused(tmp_path, name, "\n" * 5_000 + text)
    assert message.startswith(f"{name} line 500")
    assert "NUL character" in message


# --- YAML -----------------------------------------------------------------------

YAML_HEAD = "format: weerbaar-register\nformat_version: 1\n"


@pytest.mark.parametrize("style", ["flow", "block"])
def test_yaml_deep_nesting_is_refused_with_its_line(tmp_path: Path, style: str) -> None:
    if style == "flow":
        text = YAML_HEAD + "themes: " + "[" * 5_000 + "]" * 5_000 + "\n"
        line = 3
    else:
        text = YAML_HEAD + "themes:\n" + "".join(" " * i + "-\n" for i in range(100))
        line = 65 + 2  # level n starts on line n + 2; the document is level 1
    message = refused(tmp_path, "deep.yaml", text)
    assert message == f"deep.yaml line {line}: nested deeper than 64 levels"


def test_yaml_aliases_are_refused(tmp_path: Path) -> None:
    laughs = YAML_HEAD + 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in "bcdefghi":
        laughs += f"{level}: [" + ", ".join([f"*{chr(ord(level) - 1)}"] * 9) + "]\n"
    message = refused(tmp_path, "laughs.yaml", laughs)
    assert message == (
        "laughs.yaml line 4: an alias (*a); register files use no anchors and aliases"
    )


def test_yaml_long_numbers_and_bad_dates_are_refused(tmp_path: Path) -> None:
    long = YAML_HEAD + "themes:\n- key: t1\n  name: " + "9" * 5_000 + "\n"
    assert refused(tmp_path, "long.yaml", long) == (
        "long.yaml line 5: a number of 5000 digits; a register number has at most 40"
    )
    date = YAML_HEAD + "cycles:\n- key: c1\n  starts_on: 2020-13-45\n"
    assert refused(tmp_path, "date.yaml", date) == (
        "date.yaml line 5: '2020-13-45' is not a valid timestamp"
    )


def test_yaml_export_has_no_aliases_and_reads_back(tmp_path: Path) -> None:
    shared = ["a", "b"]
    data = {
        "format": "weerbaar-register",
        "format_version": 1,
        **{spec.name: [] for spec in ENTITIES},
        "themes": [{"key": "t1", "tags": shared}, {"key": "t2", "tags": shared}],
    }
    path = tmp_path / "out.yaml"
    formats.write(path, data)
    assert "*id" not in path.read_text("utf-8")
    assert [row.values["tags"] for row in formats.read(path).rows["themes"]] == [shared, shared]


# --- XLSX -----------------------------------------------------------------------


def workbook_bytes(rows: int = 3) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "themes"
    sheet.append(["key", "name", "name_en", "tier"])
    for i in range(rows):
        sheet.append([f"t{i}", f"Thema {i}", f"Theme {i}", "strengthened"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def rezip(
    data: bytes,
    *,
    replace: dict[str, bytes] | None = None,
    drop: tuple[str, ...] = (),
    add: dict[str, bytes] | None = None,
    method: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", method) as target:
        for info in source.infolist():
            if info.filename in drop:
                continue
            target.writestr(info.filename, (replace or {}).get(info.filename) or source.read(info))
        for name, content in (add or {}).items():
            target.writestr(name, content)
    return out.getvalue()


def sheet_xml(data: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as source:
        return source.read("xl/worksheets/sheet1.xml")


def test_xlsx_with_a_bad_crc_is_refused(tmp_path: Path) -> None:
    stored = bytearray(rezip(workbook_bytes(), method=zipfile.ZIP_STORED))
    with zipfile.ZipFile(io.BytesIO(bytes(stored))) as source:
        info = source.getinfo("xl/worksheets/sheet1.xml")
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    at = bytes(stored).index(b"Thema 1", start)
    stored[at : at + 7] = b"Thema X"  # same length, still XML: only the CRC tells
    message = refused(tmp_path, "crc.xlsx", bytes(stored))
    assert message.startswith("crc.xlsx")
    assert "the archive is damaged (Bad CRC-32" in message


def test_xlsx_zip_bomb_is_refused_before_inflating(tmp_path: Path) -> None:
    bomb = rezip(workbook_bytes(), add={"xl/media/zeros.bin": b"\0" * 20_000_000})
    message = refused(tmp_path, "bomb.xlsx", bomb)
    assert message.startswith("bomb.xlsx: part xl/media/zeros.bin inflates 20,000,000 bytes")
    assert "zip bomb" in message


def test_xlsx_with_too_many_parts_or_too_much_to_inflate_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    many = rezip(workbook_bytes(), add={f"xl/media/{i}.bin": b"" for i in range(1_000)})
    assert "parts; a workbook has at most 1,000" in refused(tmp_path, "many.xlsx", many)
    monkeypatch.setattr(archive, "MAX_UNCOMPRESSED_BYTES", 10_000)
    assert "more than the 10,000 an import reads" in refused(
        tmp_path, "big.xlsx", workbook_bytes(rows=200)
    )


@pytest.mark.parametrize(
    ("part", "message"),
    [
        ("[Content_Types].xml", "the archive lacks [Content_Types].xml"),
        ("xl/workbook.xml", "not a readable XLSX workbook"),
        ("xl/worksheets/sheet1.xml", "the part of sheet(s) themes is missing"),
    ],
)
def test_xlsx_missing_parts_are_refused(tmp_path: Path, part: str, message: str) -> None:
    text = refused(tmp_path, "parts.xlsx", rezip(workbook_bytes(), drop=(part,)))
    assert text.startswith("parts.xlsx: ") and message in text


def test_xlsx_5000_digit_number_is_refused_with_sheet_and_row(tmp_path: Path) -> None:
    data = workbook_bytes()
    cell = b'<c r="B3" t="inlineStr"><is><t>Thema 1</t></is></c>'
    xml = sheet_xml(data).replace(cell, b'<c r="B3"><v>' + b"9" * 5_000 + b"</v></c>")
    message = refused(tmp_path, "long.xlsx", rezip(data, replace={"xl/worksheets/sheet1.xml": xml}))
    assert message.startswith("long.xlsx sheet themes row 3: not a readable XLSX workbook")


def test_xlsx_long_number_cell_is_a_row_problem(tmp_path: Path) -> None:
    data = workbook_bytes()
    cell = b'<c r="B3" t="inlineStr"><is><t>Thema 1</t></is></c>'
    xml = sheet_xml(data).replace(cell, b'<c r="B3"><v>1' + b"0" * 45 + b"</v></c>")
    path = tmp_path / "long.xlsx"
    path.write_bytes(rezip(data, replace={"xl/worksheets/sheet1.xml": xml}))
    rows = formats.read(path).rows["themes"]
    assert (rows[1].place, rows[1].problem) == ("sheet themes row 3", "a number of 46 digits")


def test_xlsx_row_beyond_excels_last_is_refused(tmp_path: Path) -> None:
    data = workbook_bytes()
    far = sheet_xml(data).replace(b'<row r="4"', b'<row r="2000000"', 1)
    far = far.replace(b'r="A4"', b'r="A2000000"').replace(b'r="B4"', b'r="B2000000"')
    message = refused(tmp_path, "far.xlsx", rezip(data, replace={"xl/worksheets/sheet1.xml": far}))
    assert message == "far.xlsx sheet themes: more than the 1,048,576 rows a sheet has"


def test_xlsx_stated_dimension_is_not_trusted(tmp_path: Path) -> None:
    data = workbook_bytes()
    xml = sheet_xml(data)
    start = xml.index(b"<dimension ref=")
    end = xml.index(b"/>", start)
    wide = xml[:start] + b'<dimension ref="A1:XFD1048576"' + xml[end:]
    doc = read_text(tmp_path, "wide.xlsx", rezip(data, replace={"xl/worksheets/sheet1.xml": wide}))
    assert [row.values["key"] for row in doc.rows["themes"]] == ["t0", "t1", "t2"]  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", ["register.json", "register.yaml", "register.xlsx"])
def test_a_folder_named_like_a_file_is_refused_plainly(tmp_path: Path, name: str) -> None:
    (tmp_path / name).mkdir()
    with pytest.raises(FileFormatError, match=r"cannot be read \(Is a directory\)"):
        formats.read(tmp_path / name)
