"""``weerbaar bench report``: how long the national risk profile takes to make.

Two parts, each in a fresh temporary SQLite register:

* the demo profile's report in its four editions (Dutch and English, public and
  ``dep-v``) as PDF, each against the 10-second target, with the same document as
  HTML in the same run as the baseline (reading the register, drawing the figures
  and filling the template, without typesetting), so the ratio shows what the PDF
  typesetting costs;
* a register of ``scenarios`` scenarios (the demo profile topped up with generated
  ones, each scored on five criteria and its likelihood in the demo round, one in
  ten classified and owned by another organisation), its ``dep-v`` PDF in Dutch
  timed and its peak resident memory measured, against 60 seconds and 1 GiB; the
  baseline is the demo's ``dep-v`` PDF in Dutch from the first part.

Each copy is made as ``weerbaar report profile`` makes it (numbered, recorded in the
audit trail); the timings include reading the register and writing the file.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from weerbaar.bench.memory import peak_rss, reset_peak
from weerbaar.config import TrailConfig
from weerbaar.formats.raw import RawDocument, RawRow
from weerbaar.reports.risk_profile import make_profile
from weerbaar.services.context import Context
from weerbaar.services.demo import load_demo
from weerbaar.services.records import list_records
from weerbaar.services.transfer import import_register
from weerbaar.storage.db import Database

__all__ = ["ReportBench", "bench_report"]

ACTOR = "bench:report"
ROUND = "gra-2019"
EDITION_TARGET = 10.0  # seconds per edition of the demo profile
LARGE_TARGET = 60.0  # seconds for the large register
MEMORY_TARGET = 2**30  # bytes
# Criteria of the demo round's edition that take a class directly.
CRITERIA = ("1.2", "1.3", "3.2", "5.2", "5.3")
CLASSES = ("A", "B", "C", "D", "E")
EDITIONS = (("nl", "public"), ("en", "public"), ("nl", "dep-v"), ("en", "dep-v"))


@dataclass(frozen=True, slots=True)
class Timed:
    label: str
    seconds: float
    pages: int | None


@dataclass
class ReportBench:
    demo_scenarios: int = 0
    editions: list[Timed] = field(default_factory=list)
    baselines: list[Timed] = field(default_factory=list)
    scenarios: int = 0
    generated: int = 0
    large: Timed | None = None
    large_peak: int = 0
    peak_covers: str = ""

    def format(self) -> str:
        rows = [
            f"Risk profile report, demo profile ({self.demo_scenarios} scenarios, round {ROUND})",
            f"  {'edition':24}{'PDF s':>8}{'pages':>7}{'HTML s':>8}{'ratio':>7}  target",
        ]
        for pdf, html in zip(self.editions, self.baselines, strict=True):
            ratio = pdf.seconds / html.seconds if html.seconds else float("nan")
            rows.append(
                f"  {pdf.label:24}{pdf.seconds:8.2f}{pdf.pages or 0:7d}{html.seconds:8.2f}"
                f"{ratio:6.1f}×  < {EDITION_TARGET:.0f} s "
                f"{_verdict(pdf.seconds < EDITION_TARGET)}"
            )
        rows.append("  baseline: the same edition as HTML (no typesetting), same run")
        if self.large is not None:
            large = self.large
            base = self.editions[2].seconds if len(self.editions) > 2 else float("nan")
            rows += [
                f"Large register: {self.scenarios:,} scenarios ({self.generated:,} generated)",
                f"  {large.label}: {large.seconds:.1f} s, {large.pages or 0:,} pages",
                f"  {large.seconds / base:.1f}× the demo's in the same run ({base:.2f} s)",
                f"  time < {LARGE_TARGET:.0f} s: {_verdict(self.large.seconds < LARGE_TARGET)}",
                f"  peak memory {self.large_peak / 2**20:,.0f} MiB ({self.peak_covers}) "
                f"< {MEMORY_TARGET / 2**20:,.0f} MiB: "
                f"{_verdict(self.large_peak < MEMORY_TARGET)}",
            ]
        return "\n".join(rows)


def _verdict(met: bool) -> str:
    return "MET" if met else "MISSED"


def _generated(db: Database, count: int, seed: int) -> RawDocument:
    """``count`` scenarios with their scores in the demo round."""
    rng = np.random.default_rng(seed)
    themes = [t.key for t in list_records(db, entity_name="themes")]
    scenarios, impacts, likelihoods = [], [], []
    for i in range(count):
        key = f"bench-scenario-{i:05d}"
        marking: dict[str, object] = (
            {"classification": "dep-v", "owned_by": "aivd"} if i % 10 == 9 else {}
        )
        scenarios.append(
            RawRow(
                key,
                {
                    "key": key,
                    "title": f"Generated scenario {i}",
                    "kind": "hazard",
                    "theme": themes[i % len(themes)],
                    "narrative": f"A generated scenario for the report benchmark, number {i}.",
                    **marking,
                },
            )
        )
        for criterion in CRITERIA:
            low, high = sorted(int(c) for c in rng.integers(0, len(CLASSES), size=2))
            impacts.append(
                RawRow(
                    f"{key} {criterion}",
                    {
                        "round": ROUND,
                        "scenario": key,
                        "criterion": criterion,
                        "expected": CLASSES[(low + high) // 2],
                        "lowest": CLASSES[low],
                        "highest": CLASSES[high],
                        **marking,
                    },
                )
            )
        expected = CLASSES[int(rng.integers(len(CLASSES)))]
        likelihoods.append(
            RawRow(key, {"round": ROUND, "scenario": key, "expected": expected, **marking})
        )
    return RawDocument(
        {"scenarios": scenarios, "impact_scores": impacts, "likelihood_scores": likelihoods}
    )


def _register(folder: Path, scenarios: int, seed: int) -> tuple[Database, int]:
    db = Database(f"sqlite:///{folder / 'register.db'}", trail=TrailConfig.within(folder))
    db.upgrade()
    operator = Context(db=db, actor=ACTOR)
    load_demo(operator)
    present = len(list_records(db, entity_name="scenarios"))
    generated = max(0, scenarios - present)
    if generated:
        import_register(operator, doc=_generated(db, generated, seed))
    return db, generated


def _timed(label: str, make: Callable[[], int | None]) -> Timed:
    start = time.perf_counter()
    pages = make()
    return Timed(label, time.perf_counter() - start, pages)


def bench_report(*, scenarios: int, seed: int, large: bool = True) -> ReportBench:
    report = ReportBench()
    with tempfile.TemporaryDirectory(prefix="weerbaar-bench-report-") as tmp:
        folder = Path(tmp)
        demo_folder = folder / "demo"
        demo_folder.mkdir()
        db, _ = _register(demo_folder, 0, seed)
        report.demo_scenarios = len(list_records(db, entity_name="scenarios"))
        ctx = Context(db=db, actor=ACTOR)

        def edition(language: str, level: str, suffix: str) -> Callable[[], int | None]:
            def make() -> int | None:
                return make_profile(
                    ctx,
                    round_key=ROUND,
                    level=level,
                    language=language,
                    output=folder / f"profile-{language}-{level}.{suffix}",
                    organisation="nctv",
                ).pages

            return make

        # One untimed copy first, so imports and font discovery are not counted in
        # the first edition alone.
        edition("nl", "public", "pdf")()
        for language, level in EDITIONS:
            label = f"{language}, {level}"
            report.baselines.append(_timed(label, edition(language, level, "html")))
            report.editions.append(_timed(label, edition(language, level, "pdf")))
        db.engine.dispose()
        if not large:
            return report
        large_folder = folder / "large"
        large_folder.mkdir()
        db, report.generated = _register(large_folder, scenarios, seed)
        report.scenarios = len(list_records(db, entity_name="scenarios"))
        ctx = Context(db=db, actor=ACTOR)
        reset = reset_peak()
        report.large = _timed("nl, dep-v, PDF", edition("nl", "dep-v", "pdf"))
        report.large_peak, report.peak_covers = peak_rss(reset)
        db.engine.dispose()
    return report
