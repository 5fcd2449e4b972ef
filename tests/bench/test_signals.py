"""``weerbaar bench signals`` on a small archive: it runs the real pipeline and prints
its figures with the ratio to parsing alone."""

from __future__ import annotations

import json
from pathlib import Path

from weerbaar.bench.signals import (
    SEMANTIC_TARGET_RATE,
    TARGET_RATE,
    bench_signals,
    write_archive,
)


def test_the_archive_has_repeats_and_is_reproducible(tmp_path: Path) -> None:
    one, two = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    events = write_archive(one, 500, seed=4)
    assert write_archive(two, 500, seed=4) == events and one.read_bytes() == two.read_bytes()
    rows = [json.loads(line) for line in one.read_text("utf-8").splitlines()]
    assert len(rows) == 500 and 250 < events < 450
    assert len({r["title"] for r in rows}) < 500  # some events told more than once


def test_the_bench_prints_its_figures() -> None:
    report = bench_signals(items=400, workers=1, seed=1)
    assert report.created == 400 and report.repeats > 0
    text = report.format()
    for part in ("parse only (baseline)", "end to end", "ratio to parse only", "target ≥ 5,000/s"):
        assert part in text
    assert report.main_cpu > 0 and report.workers_cpu > 0 and "CPU per signal" in text
    verdict = "MET" if report.rate >= TARGET_RATE else "MISSED"
    assert f"{report.rate:,.0f}/s: {verdict}" in text
    assert [n for n, _ in report.rss_samples] == [0, 100, 200, 300, 400]
    # The semantic layer is installed with the dev extra: it is measured, not skipped.
    assert not report.semantic_missing and report.semantic_items == 400
    for part in ("encode + zero-shot", "texts/s", "ratio to default", "target ≥ 1,000/s"):
        assert part in text
    verdict = "MET" if report.semantic_rate >= SEMANTIC_TARGET_RATE else "MISSED"
    assert f"{report.semantic_rate:,.0f}/s: {verdict}" in text
