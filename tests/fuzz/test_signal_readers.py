"""The signal readers on generated input: every item is a signal, an actor or a
rejection with its place; an input that cannot be read at all is a FileFormatError;
nothing else ever comes out."""

from __future__ import annotations

import io
import random

from hypothesis import given
from hypothesis import strategies as st

from tests.fuzz import signal_documents as docs
from tests.fuzz.budget import count, fuzz_settings
from tests.fuzz.mutations import damaged
from weerbaar.errors import FileFormatError
from weerbaar.signals.items import ActorSighting, RawSignal, Rejected
from weerbaar.signals.readers import read, read_json_lines
from weerbaar.signals.readers._common import EARLIEST, MAX_SHOWN_CHARS, MAX_TITLE_CHARS
from weerbaar.signals.text import MAX_TEXT_CHARS

DAMAGED_COPIES = 4  # of each generated document, besides the document itself
# A seed, not st.randoms(): every draw from a hypothesis Random is a choice it records,
# and damage drawn byte by byte cost more than reading the files.
_randoms = st.integers(min_value=0, max_value=2**32 - 1).map(random.Random)


def _check(item: object, name: str) -> None:
    if isinstance(item, RawSignal):
        assert 0 < len(item.title) <= MAX_TITLE_CHARS
        assert len(item.summary) <= MAX_TEXT_CHARS
        assert item.published_on >= EARLIEST
    elif isinstance(item, Rejected):
        assert item.origin.startswith(name)
        assert len(item.origin) <= len(name) + MAX_SHOWN_CHARS + 20
        assert 0 < len(item.reason) <= 600
    else:
        assert isinstance(item, ActorSighting), type(item)


def _read_all(data: bytes, name: str, kind: str | None) -> None:
    """Read every item, as ingestion does; only FileFormatError may stop it."""
    refusal = None
    try:
        for item in read(data, name, kind=kind):
            _check(item, name)
    except FileFormatError as exc:
        refusal = str(exc)
    assert refusal is None or refusal.startswith(name), refusal


def _fuzz(fmt: str, document: bytes, rng: random.Random, name: str, kind: str) -> None:
    files = [document, *damaged(rng, document, DAMAGED_COPIES)]
    for number, data in enumerate(files):
        _read_all(data, name, None if number % 2 else kind)  # sniffed, or as named
    count(fmt, len(files))


@fuzz_settings(200)
@given(document=docs.feeds(), rng=_randoms)
def test_feeds(document: bytes, rng: random.Random) -> None:
    _fuzz("signals rss/atom", document, rng, "feed.xml", "feed")


@fuzz_settings(200)
@given(document=docs.json_files(), rng=_randoms)
def test_json(document: bytes, rng: random.Random) -> None:
    _fuzz("signals json", document, rng, "signals.json", "json")


@fuzz_settings(160)
@given(document=docs.json_lines(), rng=_randoms)
def test_json_lines(document: bytes, rng: random.Random) -> None:
    files = [document, *damaged(rng, document, DAMAGED_COPIES)]
    for number, data in enumerate(files):
        if number % 2:
            _read_all(data, "signals.jsonl", "json")
            continue
        refusal = None
        try:  # a .jsonl file is read line by line from the open file
            for item in read_json_lines(io.BytesIO(data), "signals.jsonl"):
                _check(item, "signals.jsonl")
        except FileFormatError as exc:
            refusal = str(exc)
        assert refusal is None or "UTF-16" in refusal, refusal
    count("signals jsonl", len(files))


@fuzz_settings(200)
@given(document=docs.csv_files(), rng=_randoms)
def test_csv(document: bytes, rng: random.Random) -> None:
    _fuzz("signals csv", document, rng, "signals.csv", "csv")


@fuzz_settings(160)
@given(document=docs.stix_bundles(), rng=_randoms)
def test_stix(document: bytes, rng: random.Random) -> None:
    _fuzz("signals stix", document, rng, "bundle.json", "stix")


@fuzz_settings(160)
@given(document=docs.misp_exports(), rng=_randoms)
def test_misp(document: bytes, rng: random.Random) -> None:
    _fuzz("signals misp", document, rng, "misp.json", "misp")


@fuzz_settings(1500)
@given(
    data=st.binary(max_size=4096),
    name=st.sampled_from(["x.csv", "x.json", "x.xml", "x"]),
    kind=st.sampled_from([None, "feed", "json", "csv", "stix", "misp"]),
)
def test_random_bytes(data: bytes, name: str, kind: str | None) -> None:
    _read_all(data, name, kind)
    count("signals random bytes")
