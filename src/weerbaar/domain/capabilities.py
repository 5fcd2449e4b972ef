"""Capability analysis: per scenario, the capabilities each link of the security chain
needs, how well they exist, the gaps, and which measures close them.

This is the evidence behind the strategy's first question (is there a comprehensive
approach?): a large gap with no measure closing it says there is not.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from weerbaar.domain.entities.strategy import Capability, CapabilityNeed, Measure
from weerbaar.domain.enums import MeasureStatus, Phase


@dataclass(frozen=True, slots=True)
class CapabilityLevel:
    key: str
    name: str
    name_en: str
    meaning: str


@dataclass(frozen=True, slots=True)
class CapabilityScale:
    """Ordered levels, lowest first; a gap is counted in steps of this scale."""

    levels: tuple[CapabilityLevel, ...]

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(level.key for level in self.levels)

    def step(self, key: str) -> int:
        try:
            return self.keys.index(key)
        except ValueError:
            raise KeyError(key) from None

    def shortfall(self, needed: str, current: str) -> int:
        """Steps by which the current level falls short of the needed one (0: none)."""
        return max(0, self.step(needed) - self.step(current))

    def label(self, key: str) -> str:
        found = next((lv for lv in self.levels if lv.key == key), None)
        return key if found is None else f"{found.name_en} ({found.name})"


# A measure that was stopped closes nothing; one that is merely proposed still counts,
# because the analysis asks whether the approach, as planned, covers the gap.
_CLOSING = frozenset(MeasureStatus) - {MeasureStatus.STOPPED}


@dataclass(frozen=True, slots=True)
class Gap:
    scenario: str
    capability: str
    phase: Phase
    needed: str
    current: str
    shortfall: int
    closed_by: tuple[str, ...]  # measures that build the capability for this scenario

    @property
    def open(self) -> bool:
        return self.shortfall > 0 and not self.closed_by


def closes(measure: Measure, scenario: str, capability: str) -> bool:
    """A measure closes a scenario's gap in a capability when it builds that capability
    and either addresses the scenario or no scenario in particular (generic)."""
    return (
        measure.status in _CLOSING
        and capability in measure.capabilities
        and (not measure.scenarios or scenario in measure.scenarios)
    )


def analyse(
    needs: Iterable[CapabilityNeed],
    capabilities: Mapping[str, Capability],
    measures: Iterable[Measure],
    scale: CapabilityScale,
) -> tuple[Gap, ...]:
    """Every need, with its shortfall and the measures closing it, ordered by scenario,
    then by the security chain's order, then by capability."""
    measure_list = list(measures)
    order = list(Phase)
    out = []
    for need in needs:
        capability = capabilities.get(need.capability)
        if capability is None:
            continue  # hidden from this reader, or gone: nothing to analyse
        shortfall = scale.shortfall(need.needed, need.current)
        out.append(
            Gap(
                scenario=need.scenario,
                capability=need.capability,
                phase=capability.phase,
                needed=need.needed,
                current=need.current,
                shortfall=shortfall,
                closed_by=tuple(
                    m.key for m in measure_list if closes(m, need.scenario, need.capability)
                )
                if shortfall
                else (),
            )
        )
    return tuple(sorted(out, key=lambda g: (g.scenario, order.index(g.phase), g.capability)))


@dataclass(frozen=True, slots=True)
class GapSummary:
    """A group of needs (a theme's scenarios): the share that falls short, and the
    largest shortfall."""

    needs: int
    short: int
    open: int  # short and no measure closes them
    largest: int

    @property
    def share(self) -> float | None:
        return self.short / self.needs if self.needs else None


def summarise(gaps: Iterable[Gap]) -> GapSummary:
    listed = list(gaps)
    return GapSummary(
        needs=len(listed),
        short=sum(1 for g in listed if g.shortfall),
        open=sum(1 for g in listed if g.open),
        largest=max((g.shortfall for g in listed), default=0),
    )
