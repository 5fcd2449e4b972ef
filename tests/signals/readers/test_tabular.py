from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import RawSignal, Rejected
from weerbaar.signals.readers import read, read_csv, read_json
from weerbaar.signals.readers._common import parse_date


def test_semicolon_csv_in_windows_1252(signals_dir: Path) -> None:
    path = signals_dir / "signals-cp1252.csv"
    items = list(read(path.read_bytes(), path.name))
    assert all(isinstance(item, RawSignal) for item in items)
    first, second, third = items
    assert isinstance(first, RawSignal)
    assert isinstance(second, RawSignal)
    assert isinstance(third, RawSignal)
    assert first.title == "Stroomstoring in Flevoland"
    assert first.summary == "Een storing in een hoogspanningsstation trof 30.000 huishoudens."
    assert first.published_on == dt.date(2026, 11, 28)  # 28-11-2026
    assert (first.source, first.url, first.language) == (
        "Netbeheerder Nieuws",
        "https://example.nl/storing",
        "nl",
    )
    assert first.external_id == "n-1"
    assert first.origin == "signals-cp1252.csv line 2"
    assert second.summary == "Rijkswaterstaat meldt; de piek is voorbij."  # quoted ;
    assert second.published_on == dt.date(2026, 11, 27)  # 27/11/2026
    assert second.language == "nl"  # "NL"
    # The empty row (line 4) is skipped; line numbers stay those of the file.
    assert third.origin == "signals-cp1252.csv line 5"
    assert third.title == "Café-eigenaren in Enschedé melden phishing"
    assert third.summary == "Oplichters doen zich voor als de ‘Belastingdienst’."
    assert third.source == "signals-cp1252.csv"


def test_csv_with_bad_dates_rejects_those_rows_only(signals_dir: Path) -> None:
    path = signals_dir / "bad-date.csv"
    items = list(read_csv(path.read_bytes(), path.name, source="Import"))
    assert [item.origin for item in items] == [f"bad-date.csv line {n}" for n in range(2, 7)]
    drones, leak, measles, jamming, future = items
    assert isinstance(drones, RawSignal)
    assert drones.title == "Drone sightings over Eemshaven"
    assert drones.published_on == dt.date(2026, 11, 20)
    assert drones.source == "Dagblad van het Noorden"
    assert leak == Rejected("bad-date.csv line 3", "unreadable publication date '31-02-2026'")
    assert isinstance(measles, RawSignal)
    assert measles.published_on == dt.date(2026, 11, 24)  # RFC 2822
    assert measles.url is None
    assert jamming == Rejected("bad-date.csv line 5", "unreadable publication date 'next tuesday'")
    assert future == Rejected("bad-date.csv line 6", "publication date 2099-01-01 is in the future")


def test_csv_without_a_text_column_is_refused() -> None:
    with pytest.raises(FileFormatError, match=r"x\.csv: no title or text column"):
        list(read_csv(b"naam,datum\nA,2026-11-01\n", "x.csv"))


def test_csv_row_with_too_many_cells_is_rejected() -> None:
    data = b"title,date\nGood,2026-11-01\nBad,2026-11-01,extra\n"
    good, bad = read_csv(data, "x.csv")
    assert isinstance(good, RawSignal)
    assert bad == Rejected("x.csv line 3", "3 cells, the header row has 2")


def test_csv_in_utf16_is_refused_with_the_decoder_message() -> None:
    data = "title,date\nA,2026-11-01\n".encode("utf-16")
    with pytest.raises(FileFormatError, match="UTF-16"):
        list(read_csv(data, "x.csv"))


def test_json_with_wrong_types(signals_dir: Path) -> None:
    path = signals_dir / "wrong-types.json"
    items = list(read(path.read_bytes(), path.name))
    good = items[0]
    assert isinstance(good, RawSignal)
    assert good.title == "Cyberattack on water board"
    assert (good.source, good.language, good.external_id) == ("NOS", "nl", "17")
    assert items[1:5] == [
        Rejected("wrong-types.json item 2", "field 'title': a number, not text"),
        Rejected("wrong-types.json item 3", "field 'published': a list, not text"),
        Rejected("wrong-types.json item 4", "no publication date"),
        Rejected("wrong-types.json item 5", "text, not an object"),
    ]
    tagged = items[5]
    assert isinstance(tagged, RawSignal)
    assert tagged.tags == ("drones", "kritieke infrastructuur")
    assert tagged.source == "wrong-types.json"
    assert items[6] == Rejected("wrong-types.json item 7", "no title or text")


def test_json_lines_with_a_broken_line(signals_dir: Path) -> None:
    path = signals_dir / "broken.jsonl"
    items = list(read(path.read_bytes(), path.name))
    assert len(items) == 4
    sabotage, broken, chemical, a_list = items
    assert isinstance(sabotage, RawSignal)
    assert sabotage.title == "Sabotage suspected at rail junction"
    assert sabotage.summary == "ProRail investigates a cable fire near Amersfoort."
    assert (sabotage.source, sabotage.language) == ("ProRail", "nl")
    assert sabotage.url == "https://example.nl/prorail"
    assert isinstance(broken, Rejected)
    assert broken.origin == "broken.jsonl line 2"
    assert broken.reason.startswith("not JSON: Expecting value")
    assert isinstance(chemical, RawSignal)  # keys in any case
    assert chemical.origin == "broken.jsonl line 4"
    assert chemical.published_on == dt.date(2026, 11, 22)
    assert chemical.external_id == "c-9"
    assert a_list == Rejected("broken.jsonl line 5", "a list, not an object")


def test_json_wrappers_and_plain_lists() -> None:
    plain = b'[{"title": "A", "date": "2026-11-01"}]'
    wrapped = b'{"signals": [{"title": "A", "date": "2026-11-01"}]}'
    (a,) = read_json(plain, "a.json")
    (b,) = read_json(wrapped, "b.json")
    assert isinstance(a, RawSignal)
    assert isinstance(b, RawSignal)
    assert a.title == b.title == "A"


def test_json_that_is_no_list_or_not_json_is_refused() -> None:
    with pytest.raises(FileFormatError, match=r"x\.json: expected a list of objects"):
        list(read_json(b'{"title": "A"}', "x.json"))
    with pytest.raises(FileFormatError, match=r"y\.json: not JSON \(line 1"):
        list(read_json(b'[{"title": "A",', "y.json"))
    with pytest.raises(FileFormatError, match=r"z\.json: is empty"):
        list(read_json(b"  \n", "z.json"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-11-29", dt.date(2026, 11, 29)),
        ("2026-11-29T23:30:00+01:00", dt.date(2026, 11, 29)),
        ("2026-11-29T08:00:00Z", dt.date(2026, 11, 29)),
        ("29-11-2026", dt.date(2026, 11, 29)),
        ("29/11/2026", dt.date(2026, 11, 29)),
        ("1-2-2026", dt.date(2026, 2, 1)),
        ("Sun, 29 Nov 2026 08:00:00 +0100", dt.date(2026, 11, 29)),
        ("31-02-2026", None),
        ("gisteren", None),
        ("", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize("kind", [None, "json", "stix", "misp"])
def test_json_nested_too_deeply_is_a_file_format_error(kind: str | None) -> None:
    data = b"[" * 100_000 + b"]" * 100_000
    with pytest.raises(FileFormatError, match=r"deep\.json: JSON nested too deeply"):
        list(read(data, "deep.json", kind=kind))
