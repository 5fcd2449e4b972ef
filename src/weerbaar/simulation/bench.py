"""``weerbaar bench assess``: the Monte Carlo engine's figures against plain NumPy.

:func:`bench_assess` builds a synthetic assessment, measures the compiled engine's
first call (Numba import plus compile or cache load) on its own, then the full run
(wall time, scores per second, peak resident memory), the plain NumPy baseline
(:func:`~weerbaar.simulation.uncertainty.propagate_plain`) on a slice of the draws when
the full run would take too long, and the weight sensitivity for all scenarios.

Peak memory is the resident-set high-water mark (``VmHWM``) of the process, reset just
before the run by writing ``5`` to ``/proc/self/clear_refs`` (Linux); where that is not
possible the process-lifetime peak (``getrusage``) is reported and labelled so. Numba's
allocations are invisible to ``tracemalloc``, hence the resident set.
"""

from __future__ import annotations

import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from weerbaar.compute.checks import check_positive
from weerbaar.compute.rng import make_generator
from weerbaar.simulation.compiled import kernel_info, load_kernel
from weerbaar.simulation.model import UncertainAssessment
from weerbaar.simulation.sensitivity import weight_sensitivity
from weerbaar.simulation.uncertainty import propagate, propagate_plain

__all__ = [
    "BASELINE_SCORES",
    "SENSITIVITY_SAMPLES",
    "BenchReport",
    "bench_assess",
    "synthetic_assessment",
]

BASELINE_SCORES = 60_000_000
"""The NumPy baseline samples at most this many scores (a slice of the draws)."""
SENSITIVITY_SAMPLES = 4096
"""Sobol samples (rows of A and B) for the timed weight sensitivity."""

_THRESHOLDS = 10  # A, A-high, B, B-high, … E, E-high


def synthetic_assessment(scenarios: int, criteria: int, *, seed: int) -> UncertainAssessment:
    """A random assessment shaped like the method's (NRA §3-5).

    Each criterion has ten thresholds half a decade apart on a log10 axis (classes A-E,
    each with a "high" mark; a criterion-specific offset), class values
    ``0, 1, √3, 3, 3√3, …, 81√3`` (×3 per class, ×√3 per half class) and equal weights.
    Every scenario gets a random mode per criterion across the whole scale (below A =
    X included) and a range of up to one decade on either side (no point scores).
    Likelihood: log10 of the annual probability, classes A-E from 0.005 %/year, ten
    thresholds half a decade apart, positions 1, 1.5, …, 5.5 and relative probability
    ×10 per class (X: 0).
    """
    rng, _ = make_generator(seed)
    offset = rng.uniform(-1.0, 3.0, criteria)
    thresholds = offset[:, None] + 0.5 * np.arange(_THRESHOLDS)[None, :]
    values = np.concatenate([[0.0], 3.0 ** (0.5 * np.arange(_THRESHOLDS))])
    mode = offset[None, :] + rng.uniform(-0.5, 0.5 * _THRESHOLDS, (scenarios, criteria))
    low = mode - rng.uniform(0.0, 1.0, (scenarios, criteria))
    high = mode + rng.uniform(0.0, 1.0, (scenarios, criteria))
    lik_thresholds = np.asarray(-4.3 + 0.5 * np.arange(_THRESHOLDS), dtype=np.float64)
    positions = np.concatenate([[0.0], 1.0 + 0.5 * np.arange(_THRESHOLDS)])
    scale = np.concatenate([[0.0], 10.0 ** (0.5 * np.arange(_THRESHOLDS))])
    lik_mode = rng.uniform(-4.8, 0.0, scenarios)
    return UncertainAssessment(
        low=low,
        mode=mode,
        high=high,
        thresholds=thresholds,
        values=values,
        weights=np.full(criteria, 1.0 / criteria),
        lik_low=lik_mode - rng.uniform(0.0, 1.0, scenarios),
        lik_mode=lik_mode,
        lik_high=np.minimum(lik_mode + rng.uniform(0.0, 1.0, scenarios), 0.0),
        lik_thresholds=lik_thresholds,
        lik_positions=positions,
        lik_scale=scale,
    )


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
            f"  NumPy baseline scores/s  {self.baseline_scores_per_second / 1e6:,.1f} M "
            + baseline[0],
            *baseline[1:],
            f"  speed-up                 {self.speedup:,.1f}× the NumPy baseline",
            f"  weight sensitivity       {self.sensitivity_seconds:.2f} s "
            f"({self.scenarios:,} scenarios, {self.sensitivity_samples:,} Sobol samples)",
        ]
        return "\n".join(rows)


def _reset_peak() -> bool:
    """Reset the resident-set high-water mark (Linux ≥ 4.0); False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def _peak_rss(reset: bool) -> tuple[int, str]:
    status = Path("/proc/self/status")
    if reset and status.exists():
        for line in status.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024, "high-water mark during the run"
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    scale = 1 if sys.platform == "darwin" else 1024  # bytes on macOS, KiB on Linux
    return peak * scale, "process lifetime peak"


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

    started = time.perf_counter()
    load_kernel()
    propagate(synthetic_assessment(3, 2, seed=seed), draws=10, seed=seed, engine="compiled")
    first_call = time.perf_counter() - started
    info = kernel_info()
    misses = sum(
        info[name]["cache_misses"] for name in ("pass_rank", "pass_impact", "sort_segments")
    )

    reset = _reset_peak()
    started = time.perf_counter()
    propagate(assessment, draws=draws, seed=seed, engine="compiled")
    wall = time.perf_counter() - started
    peak, source = _peak_rss(reset)

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
        peak_rss_bytes=peak,
        peak_rss_source=source,
        baseline_draws=baseline_draws,
        baseline_seconds=baseline,
        sensitivity_samples=SENSITIVITY_SAMPLES,
        sensitivity_seconds=sensitivity,
    )
