"""The rules an impact or likelihood score must meet, beyond its fields' types.

A score is either classes (expected, optionally lowest and highest) or quantities
(expected, optionally low and high); which one depends on the criterion's kind in the
round's edition: quantity criteria take either, table criteria take a quantity and a
duration or a class, qualitative criteria take a class.
"""

from __future__ import annotations

from collections.abc import Mapping

from weerbaar.domain.classes import ClassScore, ClassSyntaxError
from weerbaar.domain.entities.scores import ImpactScore, LikelihoodScore
from weerbaar.errors import message_of, said

Problems = list[tuple[str, str]]

QUANTITY, MATRIX, QUALITATIVE = "quantity", "matrix", "qualitative"


def _classes(
    record: ImpactScore | LikelihoodScore, *, allow_x: bool
) -> tuple[dict[str, ClassScore], Problems]:
    parsed: dict[str, ClassScore] = {}
    problems: Problems = []
    for name in ("lowest", "expected", "highest"):
        text = getattr(record, name)
        if text is None:
            continue
        try:
            parsed[name] = ClassScore.parse(text, allow_x=allow_x)
        except ClassSyntaxError as exc:
            problems.append((name, message_of(exc)))
    if problems:
        return parsed, problems
    if "expected" not in parsed and parsed:
        problems.append(("expected", said("lowest or highest given without the expected class")))
    low, mid, high = (
        parsed.get(n, parsed.get("expected")) for n in ("lowest", "expected", "highest")
    )
    if low and mid and low > mid:
        problems.append(
            (
                "lowest",
                said("%(low)s is above the expected class %(mid)s", low=str(low), mid=str(mid)),
            )
        )
    if high and mid and high < mid:
        problems.append(
            (
                "highest",
                said("%(high)s is below the expected class %(mid)s", high=str(high), mid=str(mid)),
            )
        )
    return parsed, problems


def _ordered(record: object, names: tuple[str, str, str]) -> Problems:
    low_name, mid_name, high_name = names
    low, mid, high = (getattr(record, n) for n in names)
    problems: Problems = []
    if mid is None:
        problems += [
            (n, said("given without %(field)s", field=mid_name))
            for n in (low_name, high_name)
            if getattr(record, n) is not None
        ]
        return problems
    if low is not None and low > mid:
        problems.append(
            (
                low_name,
                said(
                    "%(value)s is above %(field)s %(other)s",
                    value=format(low, "g"),
                    field=mid_name,
                    other=format(mid, "g"),
                ),
            )
        )
    if high is not None and high < mid:
        problems.append(
            (
                high_name,
                said(
                    "%(value)s is below %(field)s %(other)s",
                    value=format(high, "g"),
                    field=mid_name,
                    other=format(mid, "g"),
                ),
            )
        )
    return problems


def impact_problems(record: ImpactScore, kind: str | None, edition: str) -> Problems:
    """Problems of an impact score whose criterion has ``kind`` in ``edition``
    (None: the edition has no such criterion)."""
    if kind is None:
        return [
            (
                "criterion",
                said(
                    "edition %(edition)s has no criterion %(criterion)s",
                    edition=edition,
                    criterion=repr(record.criterion),
                ),
            )
        ]
    classes, problems = _classes(record, allow_x=True)
    problems += _ordered(record, ("quantity_low", "quantity", "quantity_high"))
    problems += _ordered(record, ("duration_low", "duration", "duration_high"))
    has_class = record.expected is not None
    has_quantity = record.quantity is not None
    if has_class and has_quantity:
        problems.append(("quantity", said("give a class or a quantity, not both")))
    elif not has_class and not has_quantity:
        problems.append(("expected", said("give the expected class or the expected quantity")))
    elif kind == QUALITATIVE and has_quantity:
        problems.append(
            (
                "quantity",
                said(
                    "criterion %(criterion)s is scored as a class (qualitative), not from a "
                    "quantity",
                    criterion=record.criterion,
                ),
            )
        )
    if kind == MATRIX and has_quantity and record.duration is None:
        problems.append(
            (
                "duration",
                said(
                    "criterion %(criterion)s is read off a table of quantity × duration: give "
                    "the duration too",
                    criterion=record.criterion,
                ),
            )
        )
    if kind != MATRIX and record.duration is not None:
        problems.append(
            (
                "duration",
                said("criterion %(criterion)s takes no duration", criterion=record.criterion),
            )
        )
    del classes
    return problems


def likelihood_problems(record: LikelihoodScore) -> Problems:
    _, problems = _classes(record, allow_x=False)
    problems += _ordered(record, ("probability_low", "probability", "probability_high"))
    has_class = record.expected is not None
    has_probability = record.probability is not None
    if has_class and has_probability:
        problems.append(("probability", said("give a class or a probability, not both")))
    elif not has_class and not has_probability:
        problems.append(("expected", said("give the expected class or the probability")))
    if record.horizon_years is not None and not has_probability:
        problems.append(("horizon_years", said("a horizon goes with a probability")))
    return problems


def criterion_kind(kinds: Mapping[str, Mapping[str, str]], edition: str, code: str) -> str | None:
    return kinds.get(edition, {}).get(code)
