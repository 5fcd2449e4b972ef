"""``weerbaar bench report``: the generated register it measures is scored and marked
as described, and its figures are judged against their targets (no timing is
asserted: the command itself is run by hand, it typesets thousands of pages)."""

from __future__ import annotations

import shutil
from pathlib import Path

from tests.helpers import trail_config
from weerbaar.bench.report import (
    CRITERIA,
    EDITIONS,
    ROUND,
    ReportBench,
    Timed,
    _generated,
)
from weerbaar.domain.access import Subject
from weerbaar.reference.access import roles
from weerbaar.services.assessment import assess_round
from weerbaar.services.context import Context
from weerbaar.services.transfer import import_register
from weerbaar.storage.db import Database


def test_the_generated_scenarios_are_scored_and_one_in_ten_is_hidden(
    sqlite_demo_template: Path, tmp_path: Path
) -> None:
    path = tmp_path / "register.db"
    shutil.copyfile(sqlite_demo_template, path)
    db = Database(f"sqlite:///{path}", trail=trail_config())
    try:
        import_register(Context(db=db, actor="test"), doc=_generated(db, 20, seed=3))
        everything = assess_round(db, round_key=ROUND)
        outsider = Subject("analyst-nctv", roles()["analyst"], "nctv", "stg-g")
        seen = assess_round(db, round_key=ROUND, subject=outsider)
    finally:
        db.dispose()
    generated = {
        r.scenario.key: r for r in everything.results if r.scenario.key.startswith("bench-")
    }
    assert len(generated) == 20
    for result in generated.values():
        assert sorted(c.code for c in result.criteria if c.resolved) == sorted(CRITERIA)
    hidden = {k for k in generated if int(k.rsplit("-", 1)[1]) % 10 == 9}
    assert len(hidden) == 2
    shown = {r.scenario.key for r in seen.results}
    assert not hidden & shown  # dep-v and owned by the AIVD: not for the NCTV analyst
    assert set(generated) - hidden <= shown


def _bench(pdf: float, large: float, peak: int) -> ReportBench:
    report = ReportBench(demo_scenarios=65, scenarios=1000, generated=935)
    for language, level in EDITIONS:
        report.editions.append(Timed(f"{language}, {level}", pdf, 98))
        report.baselines.append(Timed(f"{language}, {level}", pdf / 4, None))
    report.large = Timed("nl, dep-v, PDF", large, 1045)
    report.large_peak, report.peak_covers = peak, "high-water mark during the run"
    return report


def test_each_figure_is_judged_against_its_target() -> None:
    good = _bench(pdf=8.0, large=50.0, peak=900 * 2**20).format()
    assert good.count("MET") == len(EDITIONS) + 2 and "MISSED" not in good
    assert "4.0×" in good  # the PDF against the same edition as HTML
    assert "6.2× the demo's in the same run (8.00 s)" in good
    bad = _bench(pdf=12.0, large=70.0, peak=2**30 + 1).format()
    assert bad.count("MISSED") == len(EDITIONS) + 2 and "MET" not in bad
    assert all(len(line) <= 80 for line in good.splitlines())
