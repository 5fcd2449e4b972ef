"""Class thresholds and the method's published facts (method/NRA.md section 12)."""

import math
from itertools import pairwise

import pytest

from weerbaar.domain.classes import ClassScore, ClassSyntaxError
from weerbaar.method.scales import MatrixScale, QuantityScale, ScoringError
from weerbaar.reference.method import editions, scales_for, scales_sets

SCALES = scales_sets()["weerbaar-calibrated"]
QUANTITY = {c: s for c, s in SCALES.criteria.items() if isinstance(s, QuantityScale)}
MATRIX = {c: s for c, s in SCALES.criteria.items() if isinstance(s, MatrixScale)}
LETTERS = "XABCDE"


def test_calibrated_scales_say_they_are_not_official() -> None:
    assert SCALES.official is False
    assert "NOT OFFICIAL" in SCALES.notice
    for edition in editions().values():
        assert scales_for(edition).key == "weerbaar-calibrated"


def test_labels_from_nra6() -> None:
    scheme = SCALES.classes
    assert scheme.impact_label("C") == "serious"
    assert scheme.impact_label("E") == "catastrophic"
    assert scheme.likelihood_label("A") == "highly unlikely"


def test_impact_classes_three_apart_and_likelihood_ten_apart() -> None:
    scheme = SCALES.classes
    values = [scheme.value(ClassScore(k)) for k in range(1, 6)]
    assert all(b / a == 3 for a, b in pairwise(values))
    assert scheme.value(ClassScore(0)) == 0
    lik = SCALES.likelihood
    uppers = [lik.upper(k) for k in range(1, 5)]
    assert all(math.isclose(b / a, 10) for a, b in pairwise(uppers))


@pytest.mark.parametrize("deaths", [200, 300, 500, 999])
def test_lek_dike_several_hundred_deaths_is_c(deaths: int) -> None:
    assert QUANTITY["2.1"].classify(deaths).score.letter == "C"


def test_lek_dike_thirteen_billion_is_d() -> None:
    found = QUANTITY["3.1"].classify(13e9)
    assert found.score.letter == "D"
    assert "13,000,000,000 EUR → D" in found.rule
    assert "D from 10,000,000,000 EUR" in found.rule


@pytest.mark.parametrize("code", sorted(QUANTITY))
def test_quantity_thresholds_at_and_around_every_boundary(code: str) -> None:
    scale = QUANTITY[code]
    for k, bound in enumerate(scale.bounds, start=1):
        assert scale.classify(bound).score == ClassScore(k)
        below = scale.classify(bound * (1 - 1e-9)).score
        assert below.index == k - 1
        high = scale.high_bound(k)
        assert scale.classify(high).score == ClassScore(k, high=True)
        assert scale.classify(high * (1 - 1e-9)).score == ClassScore(k)
    assert scale.classify(0).score == ClassScore(0)


@pytest.mark.parametrize("code", sorted(MATRIX))
def test_matrix_cells_at_every_row_and_column_boundary(code: str) -> None:
    scale = MATRIX[code]
    for row, bound in enumerate(scale.rows):
        for col, (_, start) in enumerate(scale.columns):
            expected = scale.table[row][col]
            assert str(scale.classify(bound, start).score) == expected
            if col + 1 < len(scale.columns):
                just_before = scale.columns[col + 1][1] * (1 - 1e-9)
                assert str(scale.classify(bound, just_before).score) == expected
    assert scale.classify(scale.rows[0] * 0.999, 10_000).score == ClassScore(0)


def test_likelihood_at_band_edges() -> None:
    lik = SCALES.likelihood
    for k, bound in enumerate(lik.hazard_bounds, start=1):
        if bound > 0:
            assert lik.classify_probability(bound, 5).score.index == k
            assert lik.classify_probability(bound * (1 - 1e-9), 5).score.index == k - 1
    assert lik.classify_probability(0.0, 5).score.letter == "A"
    assert lik.classify_probability(1.0, 5).score.letter == "E"


def test_probability_over_another_horizon_is_converted() -> None:
    lik = SCALES.likelihood
    found = lik.classify_probability(0.002, 1)
    assert math.isclose(lik.over_horizon(0.002, 1), 1 - 0.998**5)
    assert found.score.letter == "C"
    assert "over 1 years" in found.rule


@pytest.mark.parametrize("bad", [-1, float("nan"), float("inf"), "many", True])
def test_bad_quantities_are_refused(bad: object) -> None:
    with pytest.raises(ScoringError):
        QUANTITY["2.1"].classify(bad)  # type: ignore[arg-type]
    with pytest.raises(ScoringError):
        SCALES.likelihood.classify_probability(bad, 5)  # type: ignore[arg-type]


def test_probability_above_one_is_refused() -> None:
    with pytest.raises(ScoringError, match="between 0 and 1"):
        SCALES.likelihood.classify_probability(1.5, 5)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("C", ClassScore(3)),
        ("Chigh", ClassScore(3, True)),
        (" d+ ", ClassScore(4, True)),
        ("X", ClassScore(0)),
        ("Ehoog", ClassScore(5, True)),
    ],
)
def test_class_syntax(text: str, expected: ClassScore) -> None:
    assert ClassScore.parse(text) == expected


@pytest.mark.parametrize("text", ["F", "Xhigh", "", "CC", "high"])
def test_bad_class_syntax(text: str) -> None:
    with pytest.raises(ClassSyntaxError):
        ClassScore.parse(text)


def test_x_is_no_likelihood_class() -> None:
    with pytest.raises(ClassSyntaxError, match="not a likelihood class"):
        ClassScore.parse("X", allow_x=False)


def test_classes_order_with_high_between_classes() -> None:
    assert ClassScore(3) < ClassScore(3, True) < ClassScore(4)


def test_probability_latent_is_monotone_across_all_bands() -> None:
    from weerbaar.method.resolve import probability_latent

    lik = SCALES.likelihood
    grid = [0.0, 1e-6, 4e-5, 5e-4, 0.002, 0.005, 0.03, 0.05, 0.2, 0.5, 0.7, 1.0]
    latents = [probability_latent(lik, p) for p in grid]
    assert latents == sorted(latents)
    assert latents[0] == 0.5
    for p in (0.0005, 0.005, 0.05, 0.5):
        k = lik.classify_probability(p, 5).score.index
        assert math.isclose(probability_latent(lik, p), k - 0.5)
