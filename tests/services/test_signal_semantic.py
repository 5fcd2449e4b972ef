"""Signal ingestion with the semantic layer: a Dutch and an English report of one event
are stored as one event (and as two without the layer); unthemed signals get a
zero-shot theme where it is near enough."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import trail_config
from tests.signals.test_semantic import SAME_EVENT
from weerbaar.reference.signals import classifier_settings, labelled_signals, semantic_settings
from weerbaar.services.context import Context
from weerbaar.services.records import create_record, list_records
from weerbaar.services.signal_ingest import ingest, shipped_descriptions, signal_key
from weerbaar.signals.items import RawSignal
from weerbaar.signals.prepare import ModelSpec, ZeroShot, prepare_chunk
from weerbaar.storage.db import Database

THEMES = {
    "terrorism-extremism": ("Terrorisme en extremisme", "Terrorism and extremism"),
    "infectious-diseases": ("Infectieziekten", "Infectious diseases"),
    "cyber": ("Cybersecurity en digitale dreigingen", "Cyber security and digital threats"),
}


@pytest.fixture
def threads() -> Iterator[ThreadPoolExecutor]:
    with ThreadPoolExecutor(max_workers=2) as pool:
        yield pool


def _themes(ctx: Context) -> None:
    for key, (name, name_en) in THEMES.items():
        create_record(
            ctx,
            entity_name="themes",
            raw={"key": key, "name": name, "name_en": name_en, "tier": "continued_focus"},
        )


def _signal(n: int, day: int, title: str, language: str) -> RawSignal:
    return RawSignal(
        title=title,
        summary="",
        published_on=dt.date(2026, 11, day),
        source=f"bron-{n}",
        origin=f"bron-{n} item 1",
        language=language,
        external_id=f"item-{n}",
    )


ITEMS = [
    _signal(1, 10, SAME_EVENT[2][0], "nl"),  # arrests in Rotterdam, first report
    _signal(2, 11, SAME_EVENT[2][1], "en"),  # the same, in English, a day later
    _signal(3, 11, SAME_EVENT[5][1], "en"),  # bird flu: another event
    _signal(4, 11, SAME_EVENT[10][0], "nl"),  # a data breach: another event
    # The same event in other English words, but too late to match.
    _signal(
        5, 20, "Three men held in Rotterdam over an alleged plot to commit a terror attack.", "en"
    ),
]


def _duplicates(db: Database) -> dict[str, str | None]:
    return {s.key: s.duplicate_of for s in list_records(db, entity_name="signals")}


def test_a_dutch_and_an_english_report_are_one_event_only_with_semantic(
    ctx: Context, db: Database, threads: ThreadPoolExecutor, tmp_path: Path
) -> None:
    keys = [signal_key(s.source, s.external_id or "") for s in ITEMS]
    _themes(ctx)
    plain = ingest(ctx, ITEMS, executor=threads, chunk=2)
    assert plain.created == 5 and plain.near_repeats == 0
    assert set(_duplicates(db).values()) == {None}

    other = Database(f"sqlite:///{tmp_path}/semantic.db", trail=trail_config())
    other.upgrade()
    try:
        semantic_ctx = Context(db=other, actor="test:analyst")
        _themes(semantic_ctx)
        report = ingest(semantic_ctx, ITEMS, executor=threads, chunk=2, semantic=True)
        assert report.created == 5
        assert (report.near_repeats, report.cross_language_repeats) == (1, 1)
        stored = _duplicates(other)
        assert stored[keys[1]] == keys[0]
        assert [stored[k] for k in (keys[0], *keys[2:])] == [None] * 4

        # A later run matches against the register's first reports too.
        later = [_signal(6, 12, SAME_EVENT[2][1].replace("Police", "Dutch police"), "en")]
        again = ingest(semantic_ctx, later, executor=threads, semantic=True)
        assert again.cross_language_repeats == 1
        assert _duplicates(other)[signal_key("bron-6", "item-6")] == keys[0]
    finally:
        other.dispose()


def test_prepare_gives_vectors_and_zero_shot_themes_only_when_asked() -> None:
    texts = [h.text for h in labelled_signals()["heldout"]]
    chunk = [_signal(i, 1, text, "en") for i, text in enumerate(texts)]
    examples = labelled_signals()["train"]
    plain = prepare_chunk(chunk, ModelSpec(classifier_settings(), examples))
    assert all(p.embedding is None and not p.prediction.by_zero_shot for p in plain)

    threshold = semantic_settings().zero_shot_min
    zero_shot_spec = ZeroShot(tuple(sorted(shipped_descriptions(examples).items())), threshold)
    semantic = prepare_chunk(chunk, ModelSpec(classifier_settings(), examples, zero_shot_spec))
    assert all(p.embedding is not None and len(p.embedding) == 1024 for p in semantic)
    zero_shot = [s for s in semantic if s.prediction.by_zero_shot]
    for before, after in zip(plain, semantic, strict=True):
        if before.prediction.theme is not None:
            # The model's theme stands (the confidence to float rounding: a spec is a
            # model of its own, trained again).
            assert after.prediction.theme == before.prediction.theme
            assert after.prediction.confidence == pytest.approx(before.prediction.confidence)
            assert not after.prediction.by_zero_shot
        elif after.prediction.by_zero_shot:
            assert after.prediction.theme is not None
            assert after.prediction.confidence >= threshold
        else:
            assert after.prediction.theme is None
    # A few held-out texts the model leaves out get a theme this way (5 when measured).
    assert 1 <= len(zero_shot) < sum(p.prediction.theme is None for p in plain) // 4
