import pytest

from weerbaar.domain.capabilities import analyse, closes, summarise
from weerbaar.domain.entities.strategy import Capability, CapabilityNeed, Measure
from weerbaar.domain.enums import MeasureKind, MeasureStatus, Phase
from weerbaar.domain.register import BY_NAME
from weerbaar.reference.capabilities import capability_scale


def _need(scenario: str, capability: str, needed: str, current: str) -> CapabilityNeed:
    need: CapabilityNeed = BY_NAME["capability_needs"].build(
        {
            "key": f"{scenario}/{capability}",
            "scenario": scenario,
            "capability": capability,
            "needed": needed,
            "current": current,
        }
    )
    return need


def _measure(
    key: str,
    *,
    capabilities: tuple[str, ...],
    scenarios: tuple[str, ...] = (),
    status: MeasureStatus = MeasureStatus.IN_PROGRESS,
) -> Measure:
    measure: Measure = BY_NAME["measures"].build(
        {
            "key": key,
            "title": key,
            "kind": MeasureKind.GENERIC,
            "status": status,
            "owner": "min-jenv",
            "capabilities": capabilities,
            "scenarios": scenarios,
        }
    )
    return measure


def _capability(key: str, phase: Phase) -> Capability:
    capability: Capability = BY_NAME["capabilities"].build(
        {"key": key, "name": key, "phase": phase}
    )
    return capability


CAPABILITIES = {
    "cap-detect": _capability("cap-detect", Phase.PREVENTION),
    "cap-respond": _capability("cap-respond", Phase.RESPONSE),
    "cap-plan": _capability("cap-plan", Phase.PROACTION),
}


def test_the_scale_is_reference_data_in_order() -> None:
    scale = capability_scale()
    assert scale.keys[0] == "absent" and scale.keys[-1] == "strong"
    assert scale.shortfall("adequate", "initial") == 2
    assert scale.shortfall("initial", "strong") == 0
    with pytest.raises(KeyError):
        scale.step("superb")


def test_gaps_are_computed_from_needed_and_current_levels() -> None:
    gaps = analyse(
        [
            _need("flood", "cap-respond", "adequate", "initial"),
            _need("flood", "cap-detect", "developing", "strong"),
            _need("flood", "cap-plan", "strong", "developing"),
        ],
        CAPABILITIES,
        [],
        capability_scale(),
    )
    # The security chain's order: proaction, prevention, …, response.
    assert [g.capability for g in gaps] == ["cap-plan", "cap-detect", "cap-respond"]
    assert [g.shortfall for g in gaps] == [2, 0, 2]
    assert [g.open for g in gaps] == [True, False, True]
    summary = summarise(gaps)
    assert (summary.needs, summary.short, summary.open, summary.largest) == (3, 2, 2, 2)
    assert summary.share == pytest.approx(2 / 3)


def test_measures_close_gaps_for_their_scenario_or_generically() -> None:
    measures = [
        _measure("m-scenario", capabilities=("cap-respond",), scenarios=("flood",)),
        _measure("m-other", capabilities=("cap-respond",), scenarios=("quake",)),
        _measure("m-generic", capabilities=("cap-respond",)),
        _measure("m-stopped", capabilities=("cap-respond",), status=MeasureStatus.STOPPED),
        _measure("m-wrong-capability", capabilities=("cap-detect",), scenarios=("flood",)),
    ]
    (gap,) = analyse(
        [_need("flood", "cap-respond", "adequate", "absent")],
        CAPABILITIES,
        measures,
        capability_scale(),
    )
    assert gap.closed_by == ("m-scenario", "m-generic")
    assert not gap.open
    assert not closes(measures[3], "flood", "cap-respond")


def test_a_need_for_a_capability_the_reader_cannot_see_is_left_out() -> None:
    gaps = analyse(
        [_need("flood", "cap-hidden", "adequate", "absent")], CAPABILITIES, [], capability_scale()
    )
    assert gaps == ()
    assert summarise(gaps).share is None
