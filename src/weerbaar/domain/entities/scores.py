"""The assessment of a round: each scenario's impact scores and likelihood."""

from __future__ import annotations

from weerbaar.domain.entities.base import Marked, derived_key, number, record, ref, text

__all__ = ["ImpactScore", "LikelihoodScore"]


@record
class ImpactScore(Marked):
    """One scenario's score on one impact criterion in one round: a class (with
    lowest and highest) or a quantity (with low and high, and a duration for
    criteria read off a table)."""

    key: str = derived_key()
    round: str = ref("rounds", "assessment round", required=True)
    scenario: str = ref("scenarios", "scenario", required=True)
    criterion: str = text("criterion code of the round's edition, e.g. 2.1", required=True)
    expected: str | None = text("expected class (EV), e.g. C or Chigh")
    lowest: str | None = text("lowest class (LL); default the expected class")
    highest: str | None = text("highest class (UL); default the expected class")
    quantity: float | None = number("expected quantity, in the criterion's unit", minimum=0)
    quantity_low: float | None = number("lowest quantity", minimum=0)
    quantity_high: float | None = number("highest quantity", minimum=0)
    duration: float | None = number("expected duration (table criteria), days", minimum=0)
    duration_low: float | None = number("shortest duration, days", minimum=0)
    duration_high: float | None = number("longest duration, days", minimum=0)
    note: str | None = text("why this score: sources, reasoning")


@record
class LikelihoodScore(Marked):
    """One scenario's likelihood in one round: a probability over a horizon (hazards),
    or a class (threats: how concrete the indications of intent and capability are)."""

    key: str = derived_key()
    round: str = ref("rounds", "assessment round", required=True)
    scenario: str = ref("scenarios", "scenario", required=True)
    expected: str | None = text("expected class, e.g. C or Chigh")
    lowest: str | None = text("lowest class; default the expected class")
    highest: str | None = text("highest class; default the expected class")
    probability: float | None = number(
        "probability of occurring within horizon_years", minimum=0, maximum=1
    )
    probability_low: float | None = number("lowest probability", minimum=0, maximum=1)
    probability_high: float | None = number("highest probability", minimum=0, maximum=1)
    horizon_years: float | None = number(
        "horizon of the probabilities, years (default: the scenario's)", minimum=0.01, maximum=100
    )
    note: str | None = text("why this score: sources, reasoning")
