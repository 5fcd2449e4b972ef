"""``weerbaar bench assess``: the Monte Carlo engine's figures against its baselines.

:func:`bench_assess` builds a synthetic assessment
(:func:`~weerbaar.simulation.synthetic.synthetic_assessment`), measures the compiled
engine's first call (Numba import plus compile or cache load) on its own, then the full
run (wall time, scores per second, peak resident memory, see :mod:`.memory`), the same
kernels with every scenario through two passes (no pilot windows, see
:mod:`weerbaar.simulation.windows`; the same result), the plain NumPy baseline
(:func:`~weerbaar.simulation.uncertainty.propagate_plain`) on a slice of the draws when
the full run would take too long, and the weight sensitivity for all scenarios. The
full run is judged against :data:`TARGET_SCORES_PER_SECOND`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from weerbaar.bench.memory import peak_rss, reset_peak
from weerbaar.compute.checks import check_positive
from weerbaar.compute.rng import counter_key
from weerbaar.simulation.compiled import (
    KERNELS,
    PILOT_DRAWS,
    kernel_info,
    load_kernel,
    run_compiled,
)
from weerbaar.simulation.ranking import order_statistics
from weerbaar.simulation.sampling import prepare
from weerbaar.simulation.sensitivity import weight_sensitivity
from weerbaar.simulation.synthetic import synthetic_assessment
from weerbaar.simulation.uncertainty import propagate, propagate_plain

__all__ = [
    "BASELINE_SCORES",
    "SENSITIVITY_SAMPLES",
    "TARGET_SCORES_PER_SECOND",
    "BenchReport",
    "bench_assess",
]

BASELINE_SCORES = 60_000_000
"""The NumPy baseline samples at most this many scores (a slice of the draws)."""
SENSITIVITY_SAMPLES = 4096
"""Sobol samples (rows of A and B) for the timed weight sensitivity."""
TARGET_SCORES_PER_SECOND = 1.2e9
"""The default run's 1.2·10⁹ sampled scores in under a second."""


@dataclass(frozen=True, slots=True)
class BenchReport:
    """Figures of one :func:`bench_assess` run (times in seconds, memory in bytes)."""

    scenarios: int
    criteria: int
    draws: int
    seed: int
    threads: int
    first_call_seconds: float  # Numba import + compile or cache load + a tiny run
    first_call_kind: str  # "loaded from cache" or "compiled"
    wall_seconds: float
    two_pass_seconds: float  # the same run with every scenario through two passes
    peak_rss_bytes: int
    peak_rss_source: str
    baseline_draws: int  # the slice of draws the NumPy baseline ran
    baseline_seconds: float
    sensitivity_samples: int
    sensitivity_seconds: float

    @property
    def scores(self) -> int:
        """Sampled scores of the full run: scenarios × criteria × draws."""
        return self.scenarios * self.criteria * self.draws

    @property
    def scores_per_second(self) -> float:
        return self.scores / self.wall_seconds

    @property
    def baseline_scores_per_second(self) -> float:
        return self.scenarios * self.criteria * self.baseline_draws / self.baseline_seconds

    @property
    def met(self) -> bool:
        """Whether the full run reached :data:`TARGET_SCORES_PER_SECOND`."""
        return self.scores_per_second >= TARGET_SCORES_PER_SECOND

    @property
    def speedup(self) -> float:
        """Compiled scores per second over the baseline's (both per sampled score)."""
        return self.scores_per_second / self.baseline_scores_per_second

    def format(self) -> str:
        """The report as lines of text (each under 80 characters)."""
        pad = " " * 27
        if self.baseline_draws == self.draws:
            baseline = [f"({self.baseline_seconds:.2f} s, the full run)"]
        else:
            share = self.baseline_draws / self.draws
            baseline = [
                f"({self.baseline_seconds:.2f} s on {self.baseline_draws:,} draws = {share:.1%} "
                "of the run;",
                f"{pad}compared per sampled score: cost is linear in draws)",
            ]
        rows = [
            f"Monte Carlo assessment: {self.scenarios:,} scenarios × {self.criteria} criteria "
            f"× {self.draws:,} draws, seed {self.seed}",
            f"  sampled scores           {self.scores:,}",
            f"  first call               {self.first_call_seconds:.2f} s "
            f"(Numba import + {self.first_call_kind})",
            f"  compiled wall time       {self.wall_seconds:.2f} s on {self.threads} threads",
            f"  compiled scores/s        {self.scores_per_second / 1e6:,.0f} M",
            f"  peak memory (RSS)        {self.peak_rss_bytes / 2**20:,.0f} MiB "
            f"({self.peak_rss_source})",
            f"  two passes, no windows   {self.two_pass_seconds:.2f} s (same kernels and "
            "result, same run)",
            f"  windows speed-up         {self.two_pass_seconds / self.wall_seconds:,.2f}× "
            "the two passes",
            f"  NumPy baseline scores/s  {self.baseline_scores_per_second / 1e6:,.1f} M "
            + baseline[0],
            *baseline[1:],
            f"  speed-up                 {self.speedup:,.1f}× the NumPy baseline",
            f"  weight sensitivity       {self.sensitivity_seconds:.2f} s "
            f"({self.scenarios:,} scenarios, {self.sensitivity_samples:,} Sobol samples)",
            f"  target: ≥ {TARGET_SCORES_PER_SECOND / 1e6:,.0f} M scores/s "
            f"(1.2·10⁹ in < 1 s)      {'MET' if self.met else 'MISSED'}",
        ]
        return "\n".join(rows)


def bench_assess(
    scenarios: int = 1000, criteria: int = 12, draws: int = 100_000, seed: int = 0
) -> BenchReport:
    """Time the compiled engine on a synthetic assessment against the NumPy baseline.

    Parameters
    ----------
    scenarios, criteria, draws
        Size of the run; ``scenarios · criteria · draws`` scores are sampled.
    seed
        Seed of the synthetic assessment and of every run.
    """
    scenarios = check_positive("scenarios", scenarios)
    criteria = check_positive("criteria", criteria)
    draws = check_positive("draws", draws)
    assessment = synthetic_assessment(scenarios, criteria, seed=seed)

    # The first call runs every kernel (a pilot, then both passes), so that none is
    # loaded inside a timed run.
    started = time.perf_counter()
    load_kernel()
    tiny = synthetic_assessment(3, 2, seed=seed)
    propagate(tiny, draws=2 * PILOT_DRAWS, seed=seed, engine="compiled")
    run_compiled(prepare(tiny), counter_key(seed), 10, 10, order_statistics(10), windowed=False)
    first_call = time.perf_counter() - started
    info = kernel_info()
    misses = sum(info[name]["cache_misses"] for name in KERNELS)

    reset = reset_peak()
    started = time.perf_counter()
    propagate(assessment, draws=draws, seed=seed, engine="compiled")
    wall = time.perf_counter() - started
    peak, source = peak_rss(reset)

    # What propagate does, but every scenario through two passes.
    started = time.perf_counter()
    run_compiled(
        prepare(assessment), counter_key(seed), draws, draws, order_statistics(draws),
        windowed=False,
    )  # fmt: skip
    two_pass = time.perf_counter() - started

    per_draw = scenarios * criteria
    baseline_draws = min(draws, max(1, BASELINE_SCORES // per_draw))
    started = time.perf_counter()
    propagate_plain(assessment, draws=baseline_draws, seed=seed)
    baseline = time.perf_counter() - started

    point = assessment.values[
        np.sum(assessment.thresholds[None, :, :] <= assessment.mode[:, :, None], axis=2)
    ]
    started = time.perf_counter()
    weight_sensitivity(point, assessment.weights, samples=SENSITIVITY_SAMPLES, seed=seed)
    sensitivity = time.perf_counter() - started

    return BenchReport(
        scenarios=scenarios,
        criteria=criteria,
        draws=draws,
        seed=seed,
        threads=int(info["threads"]),
        first_call_seconds=first_call,
        first_call_kind="compiled" if misses else "loaded from cache",
        wall_seconds=wall,
        two_pass_seconds=two_pass,
        peak_rss_bytes=peak,
        peak_rss_source=source,
        baseline_draws=baseline_draws,
        baseline_seconds=baseline,
        sensitivity_samples=SENSITIVITY_SAMPLES,
        sensitivity_seconds=sensitivity,
    )
