import numpy as np

from weerbaar.simulation.synthetic import synthetic_assessment
from weerbaar.simulation.validate import check_assessment


def test_synthetic_assessment_is_valid_and_seeded() -> None:
    a = synthetic_assessment(50, 12, seed=3)
    check_assessment(a)
    assert a.low.shape == (50, 12) and a.thresholds.shape == (12, 10) and a.values.shape == (11,)
    assert np.array_equal(a.mode, synthetic_assessment(50, 12, seed=3).mode)
    assert np.all(a.low < a.high)  # no point scores: every score is sampled
