"""Checks on the arrays of an :class:`~weerbaar.simulation.model.UncertainAssessment`.

Every problem found becomes one :class:`~weerbaar.errors.Issue` whose place names the
array and the scenario and criterion index (``"low[3, 7]"``), and all of them are
raised together in one :class:`~weerbaar.errors.ValidationError`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from weerbaar.errors import Issue, ValidationError
from weerbaar.simulation.model import F64, Pool, UncertainAssessment

__all__ = ["MAX_LISTED", "CheckedPool", "as_float_arrays", "check_assessment", "check_pools"]

MAX_LISTED = 20
"""At most this many issues per kind of problem are listed; the rest are counted."""

_WEIGHT_TOLERANCE = 1e-9
_FIELDS = (
    "low",
    "mode",
    "high",
    "thresholds",
    "values",
    "weights",
    "lik_low",
    "lik_mode",
    "lik_high",
    "lik_thresholds",
    "lik_positions",
    "lik_scale",
)


def as_float_arrays(assessment: UncertainAssessment) -> dict[str, F64]:
    """Each field as a float64 array (no copy when it already is one)."""
    arrays: dict[str, F64] = {}
    issues: list[Issue] = []
    for name in _FIELDS:
        try:
            arrays[name] = np.asarray(getattr(assessment, name), dtype=np.float64)
        except (TypeError, ValueError) as exc:
            issues.append(Issue(place=name, field="", reason=f"not an array of numbers ({exc})"))
    if issues:
        raise ValidationError(issues, summary="invalid uncertain assessment")
    return arrays


Reason = str | Callable[[tuple[int, ...]], str]


def _where(
    issues: list[Issue], name: str, bad: np.ndarray[Any, np.dtype[np.bool_]], reason: Reason
) -> None:
    """One issue per True element of ``bad``, placed as ``name[i, j]``."""
    places = [tuple(int(i) for i in index) for index in np.argwhere(bad)]
    for index in places[:MAX_LISTED]:
        where = ", ".join(str(i) for i in index)
        text = reason if isinstance(reason, str) else reason(index)
        issues.append(Issue(place=f"{name}[{where}]", field="", reason=text))
    if len(places) > MAX_LISTED:
        text = reason if isinstance(reason, str) else "the same problem"
        issues.append(
            Issue(place=name, field="", reason=f"… and {len(places) - MAX_LISTED} more: {text}")
        )


def _label(prefix: str, index: tuple[int, ...]) -> str:
    if prefix:
        return f"scenario {index[0]}"
    return f"scenario {index[0]}, criterion {index[1]}"


def _shapes(a: dict[str, F64]) -> list[Issue]:
    issues: list[Issue] = []

    def expect(name: str, shape: tuple[int, ...], meaning: str) -> None:
        if a[name].shape != shape:
            issues.append(
                Issue(
                    place=name,
                    field="",
                    reason=f"shape {a[name].shape} does not match {meaning} {shape}",
                )
            )

    low = a["low"]
    if low.ndim != 2 or low.shape[0] < 1 or low.shape[1] < 1:
        return [
            Issue(
                place="low",
                field="",
                reason=f"must be (scenarios, criteria) ≥ (1, 1), got {low.shape}",
            )
        ]
    s, c = low.shape
    expect("mode", (s, c), "(scenarios, criteria) of low")
    expect("high", (s, c), "(scenarios, criteria) of low")
    thresholds = a["thresholds"]
    if thresholds.ndim != 2 or thresholds.shape[0] != c:
        issues.append(
            Issue(
                place="thresholds",
                field="",
                reason=f"must be (criteria={c}, T), got {thresholds.shape}",
            )
        )
    else:
        expect("values", (thresholds.shape[1] + 1,), "T + 1 of thresholds")
    expect("weights", (c,), "(criteria,) of low")
    for name in ("lik_low", "lik_mode", "lik_high"):
        expect(name, (s,), "(scenarios,) of low")
    lik_thresholds = a["lik_thresholds"]
    if lik_thresholds.ndim != 1:
        issues.append(
            Issue(
                place="lik_thresholds", field="", reason=f"must be 1-D, got {lik_thresholds.shape}"
            )
        )
    else:
        expect("lik_positions", (lik_thresholds.shape[0] + 1,), "T + 1 of lik_thresholds")
        expect("lik_scale", (lik_thresholds.shape[0] + 1,), "T + 1 of lik_thresholds")
    return issues


def check_assessment(assessment: UncertainAssessment) -> dict[str, F64]:
    """Check shapes, order and ranges; return the fields as float64 arrays.

    Raises
    ------
    ValidationError
        Listing every problem: shapes that disagree, non-finite numbers, thresholds
        out of order, ranges with ``not low ≤ mode ≤ high``, negative weights or
        weights that do not sum to 1 (within 1e-9), negative class values or scales.
    """
    a = as_float_arrays(assessment)
    issues = _shapes(a)
    if issues:
        raise ValidationError(issues, summary="invalid uncertain assessment")
    for name, array in a.items():
        _where(issues, name, ~np.isfinite(array), "not a finite number")
    if issues:
        raise ValidationError(issues, summary="invalid uncertain assessment")

    th = a["thresholds"]
    _where(
        issues,
        "thresholds",
        th[:, 1:] < th[:, :-1],
        lambda i: (
            f"criterion {i[0]}: threshold {i[1] + 1} ({th[i[0], i[1] + 1]!r}) is below "
            f"threshold {i[1]} ({th[i]!r}); thresholds must be ascending"
        ),
    )
    lth = a["lik_thresholds"]
    _where(
        issues,
        "lik_thresholds",
        lth[1:] < lth[:-1],
        lambda i: (
            f"threshold {i[0] + 1} ({lth[i[0] + 1]!r}) is below threshold {i[0]} "
            f"({lth[i]!r}); thresholds must be ascending"
        ),
    )
    for prefix in ("", "lik_"):
        low, mode, high = a[prefix + "low"], a[prefix + "mode"], a[prefix + "high"]

        def order(i: tuple[int, ...], p: str = prefix, lo: F64 = low, mo: F64 = mode) -> str:
            return f"{_label(p, i)}: low {float(lo[i])!r} is above mode {float(mo[i])!r}"

        def order2(i: tuple[int, ...], p: str = prefix, mo: F64 = mode, hi: F64 = high) -> str:
            return f"{_label(p, i)}: mode {float(mo[i])!r} is above high {float(hi[i])!r}"

        _where(issues, prefix + "low", low > mode, order)
        _where(issues, prefix + "mode", mode > high, order2)
    weights = a["weights"]
    _where(issues, "weights", weights < 0, lambda i: f"criterion {i[0]}: negative weight")
    total = float(weights.sum())
    if abs(total - 1.0) > _WEIGHT_TOLERANCE:
        issues.append(
            Issue(place="weights", field="", reason=f"sum to {total!r}, not 1 (within 1e-9)")
        )
    _where(issues, "values", a["values"] < 0, "negative class value")
    _where(issues, "lik_scale", a["lik_scale"] < 0, "negative likelihood scale")
    if issues:
        raise ValidationError(issues, summary="invalid uncertain assessment")
    return a


CheckedPool = tuple[int, int, F64, F64, F64, F64]
"""A checked pool: scenario, slot (the criterion's column, or C for the likelihood),
and its weights, lows, modes and highs as float64 arrays of one length."""


def _index_in(value: object, count: int) -> bool:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        return False
    return 0 <= int(value) < count


def _pool_arrays(place: str, pool: Pool, issues: list[Issue]) -> list[F64] | None:
    arrays: list[F64] = []
    for name in ("weights", "low", "mode", "high"):
        try:
            arrays.append(np.asarray(getattr(pool, name), dtype=np.float64))
        except (TypeError, ValueError) as exc:
            issues.append(
                Issue(place=f"{place}.{name}", field="", reason=f"not an array of numbers ({exc})")
            )
    if len(arrays) < 4:
        return None
    shapes = [a.shape for a in arrays]
    if arrays[0].ndim != 1 or arrays[0].shape[0] < 1 or len(set(shapes)) > 1:
        issues.append(
            Issue(
                place=place,
                field="",
                reason=(
                    "weights, low, mode and high must be 1-D arrays of one length ≥ 1 "
                    f"(one entry per expert), got shapes {', '.join(map(str, shapes))}"
                ),
            )
        )
        return None
    return arrays


def _pool_values(place: str, weights: F64, low: F64, mode: F64, high: F64) -> list[Issue]:
    found: list[Issue] = []
    for name, array in (("weights", weights), ("low", low), ("mode", mode), ("high", high)):
        _where(found, f"{place}.{name}", ~np.isfinite(array), "not a finite number")
    if found:
        return found
    _where(found, f"{place}.weights", weights < 0, lambda k: f"expert {k[0]}: negative weight")
    total = float(weights.sum())
    if abs(total - 1.0) > _WEIGHT_TOLERANCE:
        found.append(
            Issue(
                place=f"{place}.weights", field="", reason=f"sum to {total!r}, not 1 (within 1e-9)"
            )
        )
    _where(
        found,
        f"{place}.low",
        low > mode,
        lambda k: f"expert {k[0]}: low {float(low[k])!r} is above mode {float(mode[k])!r}",
    )
    _where(
        found,
        f"{place}.mode",
        mode > high,
        lambda k: f"expert {k[0]}: mode {float(mode[k])!r} is above high {float(high[k])!r}",
    )
    return found


def check_pools(pools: object, scenarios: int, criteria: int) -> list[CheckedPool]:
    """Check an assessment's pools against its ``scenarios`` × ``criteria``.

    Raises
    ------
    ValidationError
        Listing every problem: a pool outside the scenarios or criteria, two pools for
        one cell, weights, lows, modes and highs of unequal length or none, non-finite
        numbers, negative weights or weights that do not sum to 1 (within 1e-9), and
        ranges with ``not low ≤ mode ≤ high``.
    """
    issues: list[Issue] = []
    checked: list[CheckedPool] = []
    seen: dict[tuple[int, int], int] = {}
    if not isinstance(pools, tuple | list):
        raise ValidationError(
            [Issue(place="pools", field="", reason="must be a tuple of Pool")],
            summary="invalid uncertain assessment",
        )
    for i, pool in enumerate(pools):
        place = f"pools[{i}]"
        before = len(issues)
        if not isinstance(pool, Pool):
            issues.append(Issue(place=place, field="", reason="not a Pool"))
            continue
        if not _index_in(pool.scenario, scenarios):
            issues.append(
                Issue(
                    place=f"{place}.scenario",
                    field="",
                    reason=f"{pool.scenario!r} is not a scenario index in 0 … {scenarios - 1}",
                )
            )
        if pool.criterion is not None and not _index_in(pool.criterion, criteria):
            issues.append(
                Issue(
                    place=f"{place}.criterion",
                    field="",
                    reason=(
                        f"{pool.criterion!r} is not a criterion index in 0 … {criteria - 1} "
                        "(or None for the likelihood)"
                    ),
                )
            )
        arrays = _pool_arrays(place, pool, issues)
        if arrays is None:
            continue
        weights, low, mode, high = arrays
        found = _pool_values(place, weights, low, mode, high)
        issues += found
        if len(issues) > before:
            continue
        slot = criteria if pool.criterion is None else int(pool.criterion)
        cell = (int(pool.scenario), slot)
        if cell in seen:
            what = "likelihood" if pool.criterion is None else f"criterion {slot}"
            issues.append(
                Issue(
                    place=place,
                    field="",
                    reason=f"scenario {cell[0]}, {what} already has pools[{seen[cell]}]",
                )
            )
            continue
        seen[cell] = i
        checked.append((cell[0], slot, weights, low, mode, high))
    if issues:
        raise ValidationError(issues, summary="invalid uncertain assessment")
    return checked
