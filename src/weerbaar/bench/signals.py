"""``weerbaar bench signals``: signals per second end to end (parse, dedupe, classify,
store) over a generated archive, against parsing alone in the same run, and memory
as the stream goes by.

The archive is JSON Lines built from the shipped labelled texts: each new event
joins a text with a clause of another (so events differ), a share of the items are
the same event again from other sources (one of the 2,000 latest events), some
reworded. It is read line by line, as
``weerbaar signals ingest archive.jsonl`` reads it.

The semantic layer (``weerbaar[semantic]``), when installed, is measured on the same
archive: encoding and zero-shot alone on up to 5,000 of its texts in this process,
then end to end with ``semantic=True`` over up to 20,000 items in a fresh register.
Its count of repeats across languages says little about false merges: a generated
event joins a text with a clause of another, often in the other language, so two
events can share half their words across languages.
"""

from __future__ import annotations

import datetime as dt
import json
import resource
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from weerbaar.bench.memory import children_peak_rss, current_rss
from weerbaar.config import TrailConfig
from weerbaar.errors import ConfigError
from weerbaar.reference.signals import labelled_signals, theme_descriptions
from weerbaar.services.context import Context
from weerbaar.services.executors import batch_executor
from weerbaar.services.signal_ingest import CHUNK, ingest
from weerbaar.services.signal_sources import open_inputs
from weerbaar.signals.readers import read_json_lines
from weerbaar.storage.db import Database

__all__ = ["SEMANTIC_TARGET_RATE", "TARGET_RATE", "SignalsBench", "bench_signals", "write_archive"]

TARGET_RATE = 5000.0
"""End to end, signals per second: the stream of a national feed set at its peak."""
SEMANTIC_TARGET_RATE = 1000.0
"""End to end with the semantic layer, signals per second."""
SEMANTIC_ENCODE_ITEMS = 5000
SEMANTIC_INGEST_ITEMS = 20_000
REPEAT_SHARE = 0.3
RECENT_EVENTS = 2000
SOURCES = 60
DAYS = 120


def write_archive(path: Path, items: int, seed: int) -> int:
    """Write ``items`` generated signals as JSON Lines; return the number of events."""
    rng = np.random.default_rng(seed)
    texts = [e.text for e in labelled_signals()["train"] + labelled_signals()["heldout"]]
    start = dt.date(2026, 1, 1)
    events: list[tuple[str, dt.date]] = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(items):
            if events and rng.random() < REPEAT_SHARE:
                # Other sources report an event soon after it: repeat a recent one.
                recent = min(len(events), RECENT_EVENTS)
                title, day = events[len(events) - 1 - int(rng.integers(recent))]
                if rng.random() < 0.5:
                    title += " (ANP)"
            else:
                a, b = rng.integers(len(texts), size=2)
                clause = texts[b].split(";")[0].split(".")[0]
                title = f"{texts[a].rstrip('.')}; {clause[:80]}"
                day = start + dt.timedelta(days=int(rng.integers(DAYS)))
                events.append((title, day))
            record = {
                "title": title,
                "published": day.isoformat(),
                "source": f"bron-{int(rng.integers(SOURCES))}",
                "id": f"item-{i}",
            }
            out.write(json.dumps(record, ensure_ascii=False))
            out.write("\n")
    return len(events)


@dataclass
class SignalsBench:
    items: int
    events: int
    workers: int
    archive_bytes: int
    generate_seconds: float = 0.0
    parse_seconds: float = 0.0
    ingest_seconds: float = 0.0
    created: int = 0
    repeats: int = 0
    unthemed: int = 0
    main_cpu: float = 0.0  # seconds of CPU, end to end, this process
    workers_cpu: float = 0.0  # the worker processes', starting and training included
    rss_samples: list[tuple[int, int]] = field(default_factory=list)  # (items read, bytes)
    peak_children: int = 0
    semantic_missing: str = ""  # why the semantic layer was not measured
    semantic_encoded: int = 0
    semantic_encode_seconds: float = 0.0  # encode + zero-shot, one thread, this process
    semantic_items: int = 0
    semantic_seconds: float = 0.0  # end to end with semantic=True
    semantic_main_cpu: float = 0.0
    semantic_workers_cpu: float = 0.0
    semantic_repeats: int = 0
    semantic_cross_language: int = 0
    semantic_unthemed: int = 0

    @property
    def semantic_rate(self) -> float:
        return self.semantic_items / self.semantic_seconds if self.semantic_seconds else 0.0

    @property
    def parse_rate(self) -> float:
        return self.items / self.parse_seconds

    @property
    def rate(self) -> float:
        return self.items / self.ingest_seconds

    def format(self) -> str:
        """Each figure with its baseline from this run, the ratio and the verdict."""
        verdict = "MET" if self.rate >= TARGET_RATE else "MISSED"
        samples = ", ".join(f"{n:,}: {b / 2**20:,.0f}" for n, b in self.rss_samples)
        growth = (
            (self.rss_samples[-1][1] - self.rss_samples[0][1]) / 2**20
            if len(self.rss_samples) > 1
            else 0.0
        )
        return "\n".join(
            [
                f"Signals: {self.items:,} generated items ({self.events:,} events, "
                f"{self.archive_bytes / 2**20:,.1f} MiB of JSON Lines) in "
                f"{self.generate_seconds:.1f} s",
                f"  parse only (baseline)    {self.parse_rate:,.0f} signals/s "
                f"({self.parse_seconds:.2f} s)",
                f"  end to end               {self.rate:,.0f} signals/s "
                f"({self.ingest_seconds:.1f} s: parse, dedupe, classify, store in SQLite; "
                f"{self.workers} worker processes)",
                f"      ratio to parse only  {self.rate / self.parse_rate:.3f}×",
                f"      CPU per signal       main process "
                f"{1e6 * self.main_cpu / self.items:,.0f} µs, workers "
                f"{1e6 * self.workers_cpu / self.items:,.0f} µs (their start and training "
                f"included)",
                f"      target ≥ {TARGET_RATE:,.0f}/s     {self.rate:,.0f}/s: {verdict}",
                f"  stored                   {self.created:,} signals, {self.repeats:,} of them "
                f"repeats of an earlier report; {self.unthemed:,} fit no theme",
                f"  main process RSS (MiB)   by items read: {samples}",
                f"      growth over the run  {growth:+,.0f} MiB",
                f"  worker peak RSS          {self.peak_children / 2**20:,.0f} MiB",
                *self._semantic_lines(),
            ]
        )

    def _semantic_lines(self) -> list[str]:
        if self.semantic_missing:
            return [f"  semantic path            not measured: {self.semantic_missing}"]
        encode_rate = self.semantic_encoded / self.semantic_encode_seconds
        met = self.semantic_rate >= SEMANTIC_TARGET_RATE
        return [
            f"  semantic: encode + zero-shot  {encode_rate:,.0f} texts/s "
            f"({self.semantic_encoded:,} texts, one thread)",
            f"  semantic: end to end     {self.semantic_rate:,.0f} signals/s "
            f"({self.semantic_items:,} items in {self.semantic_seconds:.1f} s; "
            f"{self.workers} worker processes)",
            f"      ratio to default     {self.semantic_rate / self.rate:.3f}× "
            f"(default {self.rate:,.0f}/s, the baseline)",
            f"      CPU per signal       main process "
            f"{1e6 * self.semantic_main_cpu / self.semantic_items:,.0f} µs, workers "
            f"{1e6 * self.semantic_workers_cpu / self.semantic_items:,.0f} µs",
            f"      target ≥ {SEMANTIC_TARGET_RATE:,.0f}/s     {self.semantic_rate:,.0f}/s: "
            f"{'MET' if met else 'MISSED'}",
            f"      stored               {self.semantic_repeats:,} repeats, "
            f"{self.semantic_cross_language:,} of them across languages; "
            f"{self.semantic_unthemed:,} fit no theme",
        ]


def bench_signals(*, items: int = 100_000, workers: int = 2, seed: int = 0) -> SignalsBench:
    with tempfile.TemporaryDirectory(prefix="weerbaar-bench-") as folder:
        archive = Path(folder) / "archive.jsonl"
        started = time.perf_counter()
        events = write_archive(archive, items, seed)
        report = SignalsBench(items, events, workers, archive.stat().st_size)
        report.generate_seconds = time.perf_counter() - started

        started = time.perf_counter()
        with archive.open("rb") as handle:
            parsed = sum(1 for _ in read_json_lines(handle, archive.name))
        report.parse_seconds = time.perf_counter() - started
        assert parsed == items

        db = Database(f"sqlite:///{folder}/bench.db", trail=TrailConfig.within(Path(folder)))
        db.upgrade()
        ctx = Context(db=db, actor="bench:signals")
        _themes(ctx)
        marks = {items * k // 4 for k in range(1, 5)}

        def sample(done: int) -> None:
            if any(done >= m for m in marks):
                for m in sorted(m for m in marks if done >= m):
                    marks.discard(m)
                report.rss_samples.append((done, current_rss()))

        report.rss_samples.append((0, current_rss()))
        cpu = _cpu()
        started = time.perf_counter()
        with batch_executor(workers=workers) as executor:
            result = ingest(
                ctx,
                open_inputs([str(archive)]),
                executor=executor,
                chunk=max(20, min(CHUNK, items // 20)),  # small runs still sample memory
                progress=sample,
            )
        report.ingest_seconds = time.perf_counter() - started
        report.main_cpu, report.workers_cpu = (b - a for a, b in zip(cpu, _cpu(), strict=True))
        report.created = result.created
        report.repeats = result.exact_repeats + result.near_repeats
        report.unthemed = result.unthemed
        report.peak_children = children_peak_rss()
        db.dispose()
        _bench_semantic(report, archive, Path(folder), workers)
    return report


def _bench_semantic(report: SignalsBench, archive: Path, folder: Path, workers: int) -> None:
    from weerbaar.signals.semantic import describe_themes, semantic_model

    themes = sorted({e.theme for e in labelled_signals()["train"]})
    descriptions = describe_themes(((t, t, None) for t in themes), theme_descriptions())
    texts: list[str] = []
    with archive.open("rb") as handle:
        for item in read_json_lines(handle, archive.name):
            if len(texts) >= SEMANTIC_ENCODE_ITEMS:
                break
            texts.append(getattr(item, "text", ""))
    try:
        model = semantic_model()
        model.encode(["warm up"])  # loading the weights is no part of the rate
    except ConfigError as exc:
        report.semantic_missing = str(exc)
        return
    started = time.perf_counter()
    model.zero_shot(texts, descriptions)
    report.semantic_encode_seconds = time.perf_counter() - started
    report.semantic_encoded = len(texts)

    count = min(report.items, SEMANTIC_INGEST_ITEMS)
    part = folder / "semantic.jsonl"
    with archive.open("rb") as source, part.open("wb") as out:
        for _, line in zip(range(count), source, strict=False):
            out.write(line)
    db = Database(f"sqlite:///{folder}/semantic.db", trail=TrailConfig.within(Path(folder)))
    db.upgrade()
    ctx = Context(db=db, actor="bench:signals")
    _themes(ctx)
    cpu = _cpu()
    started = time.perf_counter()
    with batch_executor(workers=workers) as executor:
        result = ingest(
            ctx,
            open_inputs([str(part)]),
            executor=executor,
            chunk=max(20, min(CHUNK, count // 20)),
            semantic=True,
        )
    report.semantic_seconds = time.perf_counter() - started
    report.semantic_main_cpu, report.semantic_workers_cpu = (
        b - a for a, b in zip(cpu, _cpu(), strict=True)
    )
    report.semantic_items = count
    report.semantic_repeats = result.exact_repeats + result.near_repeats
    report.semantic_cross_language = result.cross_language_repeats
    report.semantic_unthemed = result.unthemed
    db.dispose()


def _cpu() -> tuple[float, float]:
    """CPU seconds so far of this process and of its finished child processes: on a
    shared machine a rate says little, the work done per signal more."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


def _themes(ctx: Context) -> None:
    from weerbaar.services.records import Create, write_together

    themes = sorted({e.theme for e in labelled_signals()["train"]})
    write_together(
        ctx,
        [
            Create("themes", {"key": t, "name": t, "name_en": t, "tier": "continued_focus"})
            for t in themes
        ],
    )
