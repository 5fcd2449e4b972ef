"""Per-draw values: the sample whose percentiles are the engines' bands, draw for draw."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np
import pytest

from weerbaar.errors import ValidationError
from weerbaar.simulation import uncertainty
from weerbaar.simulation.model import Pool, UncertainAssessment
from weerbaar.simulation.synthetic import synthetic_assessment
from weerbaar.simulation.uncertainty import latent_draws, propagate, scenario_draws

from .builders import point_assessment, random_assessment

QUANTILES = (5, 50, 95)


def pooled(a: UncertainAssessment) -> UncertainAssessment:
    """``a`` with one impact cell and one likelihood drawn from experts' pools."""
    return dataclasses.replace(
        a,
        pools=(
            Pool(
                scenario=1,
                criterion=0,
                weights=np.array([0.6, 0.4]),
                low=np.array([0.0, 2.0]),
                mode=np.array([0.5, 3.0]),
                high=np.array([1.5, 4.0]),
            ),
            Pool(
                scenario=2,
                criterion=None,
                weights=np.array([0.5, 0.5]),
                low=np.array([0.0, 2.5]),
                mode=np.array([0.2, 3.0]),
                high=np.array([1.0, 3.5]),
            ),
        ),
    )


@pytest.mark.parametrize(
    "assessment",
    [
        random_assessment(9, 4, seed=3),
        synthetic_assessment(12, 5, seed=8),
        pooled(random_assessment(6, 3, seed=1)),
    ],
    ids=["random", "synthetic", "pooled"],
)
@pytest.mark.parametrize("draws", [1, 2, 999, 4000])
def test_the_percentiles_of_the_draws_are_the_numpy_runs_bands(
    assessment: UncertainAssessment, draws: int
) -> None:
    sample = scenario_draws(assessment, draws=draws, seed=21)
    run = propagate(assessment, draws=draws, seed=21, engine="numpy")
    s = assessment.low.shape[0]
    assert (sample.seed, sample.draws) == (21, draws)
    assert sample.impact.shape == sample.likelihood.shape == (draws, s)
    # The engines mix order statistics as ``lo + w (hi − lo)``, NumPy's percentile in
    # its own order: equal up to rounding.
    np.testing.assert_allclose(
        np.percentile(sample.impact, QUANTILES, axis=0).T, run.impact, rtol=1e-12, atol=1e-12
    )
    np.testing.assert_allclose(
        np.percentile(sample.likelihood, QUANTILES, axis=0).T,
        run.likelihood,
        rtol=1e-12,
        atol=1e-12,
    )
    assert set(np.unique(sample.likelihood)) <= set(assessment.lik_positions)


def test_the_draws_are_the_compiled_runs_too() -> None:
    a = random_assessment(20, 6, seed=4)
    sample = scenario_draws(a, draws=3001, seed=5)
    run = propagate(a, draws=3001, seed=5, engine="compiled")
    np.testing.assert_allclose(
        np.percentile(sample.impact, QUANTILES, axis=0).T, run.impact, rtol=1e-12, atol=1e-12
    )


def test_the_likelihood_draws_are_the_classes_of_the_latent_draws() -> None:
    a = pooled(random_assessment(6, 3, seed=1))
    sample = scenario_draws(a, draws=500, seed=2)
    for scenario in range(6):
        latent = latent_draws(a, scenario=scenario, criterion=None, draws=500, seed=2)
        index = np.searchsorted(a.lik_thresholds, latent, side="right")
        assert np.array_equal(sample.likelihood[:, scenario], a.lik_positions[index])


def test_point_ranges_give_constant_columns() -> None:
    # Scenario 0: classes A (1) and B (3) → 0.25·1 + 0.75·3 = 2.5, likelihood B (2);
    # scenario 1: B and A → 1.5, likelihood A (1).
    a = point_assessment([[0.5, 2.0], [1.5, 0.2]], [1.5, 0.5], [0.25, 0.75])
    sample = scenario_draws(a, draws=300, seed=0)
    assert np.array_equal(sample.impact, np.tile([2.5, 1.5], (300, 1)))
    assert np.array_equal(sample.likelihood, np.tile([2.0, 1.0], (300, 1)))


def test_chunks_and_more_draws_do_not_change_the_draws(monkeypatch: pytest.MonkeyPatch) -> None:
    a = random_assessment(7, 3, seed=6)
    whole = scenario_draws(a, draws=500, seed=9)
    # Each draw has uniforms of its own: fewer draws are a prefix, chunking is invisible.
    assert np.array_equal(scenario_draws(a, draws=120, seed=9).impact, whole.impact[:120])
    monkeypatch.setattr(uncertainty, "default_chunk", lambda scenarios, criteria: 7)
    chunked = scenario_draws(a, draws=500, seed=9)
    assert np.array_equal(chunked.impact, whole.impact)
    assert np.array_equal(chunked.likelihood, whole.likelihood)
    assert not np.array_equal(scenario_draws(a, draws=500, seed=10).impact, whole.impact)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"draws": 0}, "draws: must be an integer ≥ 1"),
        ({"draws": -5}, "draws: must be an integer ≥ 1"),
        ({"draws": 2**33}, "draws: at most 2\\*\\*32"),
        ({"draws": 5, "seed": -3}, "seed: must be a non-negative integer"),
    ],
)
def test_run_parameters_are_checked(kwargs: dict[str, Any], message: str) -> None:
    kwargs.setdefault("seed", 0)
    with pytest.raises(ValidationError, match=message):
        scenario_draws(random_assessment(3, 2, seed=0), **kwargs)


def test_more_values_than_are_kept_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uncertainty, "MAX_SCENARIO_DRAWS", 30)
    a = random_assessment(3, 2, seed=0)
    assert scenario_draws(a, draws=10, seed=0).impact.shape == (10, 3)
    with pytest.raises(ValidationError, match=r"at most 30 draws × scenarios.*11 × 3"):
        scenario_draws(a, draws=11, seed=0)


def test_the_default_cap_is_fifty_million_values() -> None:
    with pytest.raises(ValidationError, match="draws × scenarios"):
        scenario_draws(random_assessment(100, 2, seed=0), draws=500_001, seed=0)
