"""Weight sets over the criteria of an edition.

The method's baseline is equal weights over the criteria (method/NRA.md 5.2);
preference profiles weigh the national security interests differently. A weight set
the user supplies must name every criterion of the edition and sum to 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from weerbaar.domain.catalogue import Edition
from weerbaar.errors import Issue, ValidationError, said

TOLERANCE = 1e-9


@dataclass(frozen=True, slots=True)
class Profile:
    """A preference profile as shipped: equal per criterion, or weights per interest."""

    key: str
    name: str  # Dutch, with the English beside it
    description: str
    per_interest: Mapping[str, float] | None  # None: equal weight per criterion
    name_en: str | None = None
    description_en: str | None = None


@dataclass(frozen=True, slots=True)
class WeightSet:
    """Weights per criterion code of one edition, summing to 1."""

    key: str
    name: str
    weights: Mapping[str, float]
    name_en: str | None = None


def resolve(profile: Profile, edition: Edition) -> WeightSet:
    """The profile's weights for the criteria of ``edition``.

    An interest's weight is shared equally by its criteria; interests the edition
    lacks drop out and the others are scaled up so the set sums to 1 again.
    """
    codes = [c.code for c in edition.criteria]
    if profile.per_interest is None:
        return WeightSet(
            profile.key, profile.name, {code: 1 / len(codes) for code in codes}, profile.name_en
        )
    by_interest: dict[str, list[str]] = {}
    for criterion in edition.criteria:
        by_interest.setdefault(criterion.interest_code, []).append(criterion.code)
    present = {i: w for i, w in profile.per_interest.items() if i in by_interest}
    total = sum(present.values())
    if total <= 0:
        raise ValidationError(
            [
                Issue(
                    profile.key,
                    "",
                    said("no weight on the interests of edition %(key)s", key=edition.key),
                )
            ],
            summary=said("bad weight set"),
        )
    weights = {
        code: present.get(interest, 0.0) / total / len(members)
        for interest, members in by_interest.items()
        for code in members
    }
    return WeightSet(
        profile.key, profile.name, {code: weights[code] for code in codes}, profile.name_en
    )


def custom(key: str, weights: Mapping[str, object], edition: Edition) -> WeightSet:
    """A user's weight set, checked: every criterion of the edition, numbers ≥ 0,
    summing to 1."""
    issues: list[Issue] = []
    codes = {c.code for c in edition.criteria}
    clean: dict[str, float] = {}
    for code, raw in weights.items():
        if code not in codes:
            issues.append(
                Issue(
                    key,
                    code,
                    said(
                        "edition %(edition)s has no criterion %(criterion)s",
                        edition=edition.key,
                        criterion=code,
                    ),
                )
            )
            continue
        if isinstance(raw, bool) or not isinstance(raw, int | float) or not math.isfinite(raw):
            issues.append(
                Issue(key, code, said("weight must be a number, got %(raw)s", raw=repr(raw)))
            )
            continue
        if raw < 0:
            issues.append(
                Issue(key, code, said("weight must not be negative, got %(raw)s", raw=raw))
            )
            continue
        clean[code] = float(raw)
    issues += [Issue(key, code, said("no weight given")) for code in sorted(codes - set(weights))]
    if not issues and abs(sum(clean.values()) - 1.0) > TOLERANCE:
        issues.append(
            Issue(
                key,
                "",
                said(
                    "weights sum to %(sum)s; the method's weighted sum needs them to sum to 1",
                    sum=format(sum(clean.values()), ".6g"),
                ),
            )
        )
    if issues:
        raise ValidationError(issues, summary=said("bad weight set"))
    return WeightSet(key, key, {c.code: clean[c.code] for c in edition.criteria})
