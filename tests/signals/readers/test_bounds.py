"""Every reader stays within bounds on hostile input: nesting depth, number length,
line length, patterns and encodings. A bad item is rejected with its place and the
rest is read; an input that cannot be read at all is a FileFormatError; nothing
else escapes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from weerbaar.errors import FileFormatError
from weerbaar.signals.items import ActorSighting, RawSignal, Rejected
from weerbaar.signals.readers import read, read_json, read_json_lines, read_misp, read_stix
from weerbaar.signals.readers._common import parse_date
from weerbaar.signals.readers._json import MAX_DEPTH, MAX_LINE_BYTES, MAX_NUMBER_CHARS

GOOD = {"title": "Storing bij drinkwaterbedrijf", "date": "2026-11-02"}
HUGE = "7" * 5000  # past Python's own limit of 4,300 digits for int()


def _titles(items: list[RawSignal | ActorSighting | Rejected]) -> list[str]:
    return [item.title for item in items if isinstance(item, RawSignal)]


@pytest.mark.parametrize("kind", [None, "json"])
def test_a_number_of_5000_digits_rejects_its_item_only(kind: str | None) -> None:
    data = f'[{{"title": "A", "date": "2026-11-01", "id": {HUGE}}}, {json.dumps(GOOD)}]'
    first, second = read(data.encode(), "numbers.json", kind=kind)
    assert first == Rejected(
        "numbers.json item 1",
        f"field 'id': a number of 5,000 characters (at most {MAX_NUMBER_CHARS}), not text",
    )
    assert isinstance(second, RawSignal)


def test_a_long_number_is_rejected_in_json_lines_too() -> None:
    lines = [f'{{"title": "A", "id": {HUGE}.5}}'.encode(), json.dumps(GOOD).encode()]
    first, second = read_json_lines(lines, "n.jsonl")
    assert isinstance(first, Rejected)
    assert first.origin == "n.jsonl line 1"
    assert "a number of 5,002 characters" in first.reason
    assert isinstance(second, RawSignal)


def test_a_number_of_the_last_allowed_length_is_read() -> None:
    (item,) = read_json(f'[{{"title": "A", "date": "2026-11-01", "x": {"9" * 100}}}]'.encode(), "a")
    assert isinstance(item, RawSignal)


@pytest.mark.parametrize("kind", [None, "json", "stix", "misp"])
def test_nesting_past_the_limit_is_refused_with_its_place(kind: str | None) -> None:
    deep = b'{"items": [' + b"[" * 5000 + b"]" * 5000 + b"]}"
    with pytest.raises(
        FileFormatError,
        match=rf"deep\.json: JSON nested too deeply \(more than {MAX_DEPTH} levels\) "
        r"at line 1, column 74",
    ):
        list(read(deep, "deep.json", kind=kind))


def test_nesting_up_to_the_limit_is_read() -> None:
    inner = "[" * (MAX_DEPTH - 2) + "]" * (MAX_DEPTH - 2)
    data = f'[{{"title": "A", "date": "2026-11-01", "x": {inner}}}]'.encode()
    (item,) = read_json(data, "a.json")
    assert isinstance(item, RawSignal)
    with pytest.raises(FileFormatError, match="nested too deeply"):
        list(read_json(data.replace(b"[[", b"[[[", 1).replace(b"]]", b"]]]", 1), "b.json"))


def test_brackets_inside_strings_are_not_nesting() -> None:
    title = "[" * 5000 + '\\"{' * 100
    (item,) = read_json(json.dumps([{"title": title, "date": "2026-11-01"}]).encode(), "s.json")
    assert isinstance(item, RawSignal)


def test_a_deep_line_in_json_lines_is_rejected_and_the_rest_read() -> None:
    text = "\n".join([json.dumps(GOOD), "[" * 5000 + "]" * 5000, json.dumps(GOOD)])
    for items in (
        list(read(text.encode(), "mixed.jsonl")),
        list(read_json_lines(io.BytesIO(text.encode()), "mixed.jsonl")),
    ):
        first, deep, third = items
        assert deep == Rejected(
            "mixed.jsonl line 2",
            f"JSON nested too deeply (more than {MAX_DEPTH} levels) at column 65",
        )
        assert isinstance(first, RawSignal)
        assert isinstance(third, RawSignal)


def test_a_huge_line_is_skipped_unread_and_the_next_one_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    huge = json.dumps({"title": "x" * (3 * MAX_LINE_BYTES)}).encode()
    path.write_bytes(b"\n".join([json.dumps(GOOD).encode(), huge, json.dumps(GOOD).encode()]))
    with path.open("rb") as handle:
        first, long_line, third = read_json_lines(handle, path.name)
    assert long_line == Rejected(
        "huge.jsonl line 2", f"a line of {len(huge):,} bytes (at most {MAX_LINE_BYTES:,})"
    )
    assert isinstance(first, RawSignal)
    assert isinstance(third, RawSignal)
    # The same from a list of lines, and a line of exactly the limit is still read.
    exact = json.dumps({**GOOD, "body": "y" * MAX_LINE_BYTES}).encode()[:MAX_LINE_BYTES]
    assert len(exact) == MAX_LINE_BYTES
    (rejected,) = read_json_lines([huge], "list.jsonl")
    assert isinstance(rejected, Rejected)
    assert rejected.reason.startswith("a line of")
    (broken,) = read_json_lines(io.BytesIO(exact + b"\n"), "exact.jsonl")
    assert isinstance(broken, Rejected)
    assert broken.reason.startswith("not JSON")  # read and parsed, cut short by the test


def test_json_lines_with_a_bom_or_in_utf16() -> None:
    lines = [b"\xef\xbb\xbf" + json.dumps(GOOD).encode(), b"\xff\xfe\x00"]
    first, second = read_json_lines(lines, "bom.jsonl")
    assert isinstance(first, RawSignal)
    assert second == Rejected("bom.jsonl line 2", "not UTF-8: bad byte at offset 0")
    utf16 = io.BytesIO(json.dumps(GOOD).encode("utf-16"))
    with pytest.raises(FileFormatError, match=r"u16\.jsonl: looks like UTF-16"):
        list(read_json_lines(utf16, "u16.jsonl"))


@pytest.mark.parametrize(
    "text",
    [
        "Mon, 20 Nov 99999999999999999999 10:00:00 +0000",  # year beyond a C long
        "Mon, 20 Nov 2026 10:00:00 +99999999999999",  # zone beyond a C int
    ],
)
def test_dates_with_numbers_beyond_a_machine_word_are_unreadable(text: str) -> None:
    assert parse_date(text) is None
    (item,) = read_json(json.dumps([{"title": "A", "date": text}]).encode(), "d.json")
    assert isinstance(item, Rejected)
    assert item.reason.startswith("unreadable publication date")


@pytest.mark.parametrize("stamp", [HUGE, "\u00b2", "١٢٣٤٥٦٧٨٩٠"])
def test_misp_timestamps_that_are_not_ascii_digits_give_no_date(stamp: str) -> None:
    events = [{"Event": {"uuid": "e1", "info": "Eerste", "timestamp": stamp}}]
    (event,) = read_misp(json.dumps(events).encode(), "m.json")
    assert event == Rejected("m.json event e1", "no publication date")


def test_misp_timestamp_of_5000_digits_as_a_number() -> None:
    data = f'{{"Event": {{"uuid": "e1", "info": "Eerste", "timestamp": {HUGE}}}}}'
    (event,) = read_misp(data.encode(), "m.json")
    assert event == Rejected("m.json event e1", "no publication date")


def test_misp_object_whose_attributes_are_no_list_is_rejected_with_its_place() -> None:
    events = [
        {"Event": {"uuid": "e1", "info": "Eerste", "date": "2026-11-02", "Object": [{}, 5]}},
        {
            "Event": {
                "uuid": "e2",
                "info": "Tweede",
                "date": "2026-11-02",
                "Object": [{"Attribute": 5}],
            }
        },
        {
            "Event": {
                "uuid": "e3",
                "info": "Derde",
                "date": "2026-11-02",
                "Object": {"Attribute": {"type": "text", "value": "Een enkel attribuut"}},
            }
        },
    ]
    first, second, third = read_misp(json.dumps(events).encode(), "m.json")
    assert isinstance(first, RawSignal)
    assert second == Rejected(
        "m.json event e2", "object 1: field 'Attribute': a number, not a list"
    )
    assert isinstance(third, RawSignal)
    assert "Een enkel attribuut" in third.summary


def test_a_huge_misp_uuid_is_cut_in_the_place() -> None:
    events = [{"Event": {"uuid": "u" * 10_000, "info": "Eerste"}}]
    (event,) = read_misp(json.dumps(events).encode(), "m.json")
    assert isinstance(event, Rejected)
    assert len(event.origin) < 250
    assert event.origin.endswith("…")


_INDICATOR = {
    "type": "indicator",
    "spec_version": "2.1",
    "created": "2026-11-01T10:00:00Z",
    "modified": "2026-11-01T10:00:00Z",
    "pattern_type": "stix",
    "valid_from": "2026-11-01T00:00:00Z",
}
_TERM = "[ipv4-addr:value = '198.51.100.1']"


def _nested(depth: int) -> str:
    return "(" * depth + _TERM + ")" * depth


@pytest.mark.parametrize(
    ("pattern", "reason"),
    [
        (_nested(3000), "a pattern nested 3001 deep (at most 32)"),
        (" OR ".join([_TERM] * 1000), "a pattern of 37,996 characters (at most 10,000)"),
        (" OR ".join([_TERM] * 200), "a pattern of 199 operators (at most 100)"),
    ],
)
def test_indicator_patterns_beyond_the_bounds_are_rejected(pattern: str, reason: str) -> None:
    good = {**_INDICATOR, "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}
    bad = {**good, "id": "indicator--a932fcc6-e032-476c-826f-cb970a5a1ade", "pattern": pattern}
    bundle = {"type": "bundle", "id": "bundle--1", "objects": [bad, {**good, "pattern": _TERM}]}
    rejected, kept = read_stix(json.dumps(bundle).encode(), "b.json")
    assert rejected == Rejected(f"b.json {bad['id']}", f"invalid STIX indicator: {reason}")
    assert isinstance(kept, RawSignal)


def test_indicator_patterns_within_the_bounds_are_read() -> None:
    quoted = "[file:name = '" + "(" * 200 + " OR " * 200 + "']"
    for pattern in (_nested(31), " OR ".join([_TERM] * 100), quoted):
        obj = {**_INDICATOR, "id": "indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"}
        (item,) = read_stix(json.dumps({**obj, "pattern": pattern}).encode(), "i.json")
        assert isinstance(item, RawSignal), item


def test_a_stix_object_holding_a_long_number_is_rejected_and_its_id_cut() -> None:
    obj = {**_INDICATOR, "id": "indicator--" + "a" * 5000, "pattern": _TERM}
    text = json.dumps(obj).replace('"pattern_type"', f'"x_count": {HUGE}, "pattern_type"')
    (item,) = read_stix(text.encode(), "n.json")
    assert isinstance(item, Rejected)
    assert item.reason == (
        f"invalid STIX indicator: a number of 5,000 characters (at most {MAX_NUMBER_CHARS})"
    )
    assert len(item.origin) < 250
