"""What changed between two assessed rounds: scenarios that moved in rank, impact
class or likelihood, and scenarios new in or gone from the newer round."""

from __future__ import annotations

from dataclasses import dataclass

from weerbaar.domain.entities.strategy import Scenario
from weerbaar.method.classes import describe_position
from weerbaar.services.assessment import RoundAssessment, ScenarioResult


@dataclass(frozen=True, slots=True)
class Standing:
    rank: int
    impact_class: str
    likelihood: str

    @classmethod
    def of(cls, result: ScenarioResult) -> Standing:
        return cls(
            result.rank, describe_position(result.impact_position), str(result.likelihood.expected)
        )


@dataclass(frozen=True, slots=True)
class Movement:
    scenario: Scenario
    kind: str  # changed, new, removed
    before: Standing | None
    after: Standing | None

    @property
    def what(self) -> list[str]:
        """The aspects that changed, in words."""
        if self.before is None or self.after is None:
            return []
        out = []
        if self.before.rank != self.after.rank:
            out.append("rank")
        if self.before.impact_class != self.after.impact_class:
            out.append("impact class")
        if self.before.likelihood != self.after.likelihood:
            out.append("likelihood")
        return out


def movements(current: RoundAssessment, previous: RoundAssessment) -> list[Movement]:
    """Changed scenarios by their new rank, then new ones, then removed ones."""
    before = {r.scenario.key: r for r in previous.results}
    after = {r.scenario.key: r for r in current.results}
    changed = []
    new = []
    for key, result in after.items():
        if key not in before:
            new.append(Movement(result.scenario, "new", None, Standing.of(result)))
            continue
        movement = Movement(
            result.scenario, "changed", Standing.of(before[key]), Standing.of(result)
        )
        if movement.what:
            changed.append(movement)
    removed = [
        Movement(result.scenario, "removed", Standing.of(result), None)
        for key, result in before.items()
        if key not in after
    ]
    return changed + new + removed
