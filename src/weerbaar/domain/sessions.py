"""Expert sessions: how a scenario's scores come out of independent expert judgement.

A session belongs to a round and covers one or more of its scenarios. Its experts
(participants) score every criterion and the likelihood on their own; the chair
watches the scores arrive, the experts discuss where they differ, the chair may open
another scoring round (Delphi) and finally concludes: per criterion an outcome with
its reasoning, which becomes the round's score.

The rules here are pure:

* the order of a session's statuses (planned → scoring → discussion → concluded, and
  back from discussion to scoring when the chair opens another round);
* the blind rule of structured elicitation: an expert sees no one else's score of a
  scoring round until they have submitted their own for it (nor does anyone outside
  the session until it is concluded); only the chair watches them arrive;
* the spread of the experts' classes per criterion, flagged from a threshold that is
  data, and the aggregate the chair may take: the median class and the hull of the
  ranges.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from enum import StrEnum

from weerbaar.domain.classes import ClassScore
from weerbaar.errors import said

__all__ = [
    "LIKELIHOOD",
    "Aggregate",
    "Confidence",
    "ExpertClasses",
    "SessionStatus",
    "Spread",
    "aggregate",
    "may_see_scores",
    "spread_of",
    "transition_problem",
]

LIKELIHOOD = "likelihood"
"""The criterion code under which an expert's likelihood is kept."""


class SessionStatus(StrEnum):
    PLANNED = "planned"
    SCORING = "scoring"
    DISCUSSION = "discussion"
    CONCLUDED = "concluded"


class Confidence(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


_NEXT = {
    SessionStatus.PLANNED: SessionStatus.SCORING,
    SessionStatus.SCORING: SessionStatus.DISCUSSION,
    SessionStatus.DISCUSSION: SessionStatus.CONCLUDED,
}


def transition_problem(current: SessionStatus, target: SessionStatus) -> str | None:
    """Why a session cannot go from ``current`` to ``target`` (None: it can). Going
    back from discussion to scoring is opening another round, which is allowed."""
    if current is SessionStatus.CONCLUDED:
        return said("the session is concluded; its outcome can no longer change")
    if _NEXT.get(current) is target:
        return None
    if current is SessionStatus.DISCUSSION and target is SessionStatus.SCORING:
        return None
    return said(
        "a session goes from %(current)s to %(next)s, not to %(target)s",
        current=current.value,
        next=_NEXT[current].value,
        target=target.value,
    )


def may_see_scores(
    *,
    reader: str | None,
    chair: str,
    participants: Collection[str],
    status: SessionStatus,
    current_round: int,
    scoring_round: int,
    submitted: Collection[tuple[str, int]],
) -> bool:
    """Whether ``reader`` may see other experts' scores of ``scoring_round``.

    ``reader`` None is the local operator, who runs the installation. ``submitted``
    holds (username, round) pairs. An expert's own scores are theirs to see always;
    this rule is about everyone else's.
    """
    if reader is None or reader == chair:
        return True
    if reader in participants:
        # Earlier rounds were discussed in the open before this one began.
        return scoring_round < current_round or (reader, scoring_round) in submitted
    return status is SessionStatus.CONCLUDED


@dataclass(frozen=True, slots=True)
class ExpertClasses:
    """One expert's score on one criterion, as classes."""

    username: str
    lowest: ClassScore
    expected: ClassScore
    highest: ClassScore


def _position(score: ClassScore) -> float:
    return score.index + (0.5 if score.high else 0.0)


@dataclass(frozen=True, slots=True)
class Spread:
    """How far the experts lie apart on one criterion: ``classes`` is the distance in
    whole classes between the lowest and highest expected class (A to C is two)."""

    experts: int
    classes: int
    lowest_expected: ClassScore
    highest_expected: ClassScore
    flagged: bool


def spread_of(scores: Sequence[ExpertClasses], *, flag_from: int) -> Spread | None:
    """The spread of the experts' expected classes; flagged at ``flag_from`` classes or
    more. None when nobody scored."""
    if not scores:
        return None
    low = min((s.expected for s in scores), key=_position)
    high = max((s.expected for s in scores), key=_position)
    classes = high.index - low.index
    return Spread(len(scores), classes, low, high, classes >= flag_from)


@dataclass(frozen=True, slots=True)
class Aggregate:
    """The outcome a chair may take: the median expected class and the hull of the
    experts' ranges (lowest of the lowest, highest of the highest)."""

    lowest: ClassScore
    expected: ClassScore
    highest: ClassScore


def aggregate(scores: Sequence[ExpertClasses]) -> Aggregate | None:
    """The proposed aggregate; for an even number of experts the lower of the two
    middle classes, so that the proposal is one of the classes given. None when nobody
    scored."""
    if not scores:
        return None
    ordered = sorted((s.expected for s in scores), key=_position)
    median = ordered[(len(ordered) - 1) // 2]
    lowest = min((s.lowest for s in scores), key=_position)
    highest = max((s.highest for s in scores), key=_position)
    return Aggregate(
        min(lowest, median, key=_position), median, max(highest, median, key=_position)
    )
