import numpy as np
import pytest

from weerbaar.cascade import Disruption, Network, ensemble, run
from weerbaar.errors import ValidationError


def places(error: ValidationError) -> list[str]:
    return [f"{i.place}/{i.field}" for i in error.issues]


def test_unknown_node_is_named() -> None:
    with pytest.raises(ValidationError) as caught:
        Network.from_edges(3, [0, 1, 5], [1, 2, 0])
    assert places(caught.value) == ["edge 2/supplier"]
    assert "unknown process" in str(caught.value)


def test_negative_nan_and_inverted_durations() -> None:
    with pytest.raises(ValidationError) as caught:
        Network.from_edges(
            3,
            [0, 1, 2],
            [1, 2, 0],
            lag=[0.0, -1.0, 0.0],
            buffer=([0.0, 2.0, np.nan], [1.0, 1.0, 1.0]),
            restart=(1.0, 0.5),
            strength=[1.0, 0.0, 1.5],
            people=[-1.0, 0.0, 0.0],
        )
    found = places(caught.value)
    assert "edge 1/lag_low" in found
    assert "edge 2/buffer_low" in found
    assert "edge 1/buffer" in found  # low 2 > high 1
    assert {"edge 1/strength", "edge 2/strength"} <= set(found)
    assert "node 0/restart" in found
    assert "node 0/people" in found


def test_only_the_first_few_positions_are_listed() -> None:
    with pytest.raises(ValidationError) as caught:
        Network.from_edges(20, np.arange(19), np.arange(1, 20), lag=-np.ones(19))
    lags = [i for i in caught.value.issues if i.field == "lag_low"]
    assert len(lags) == 6
    assert lags[-1].place == "14 more edges"


def test_disruption_checks() -> None:
    with pytest.raises(ValidationError, match="duration"):
        Disruption.of([(0, 0.0, -1.0)])
    with pytest.raises(ValidationError, match="start"):
        Disruption.of([(0, np.nan, 1.0)])
    net = Network.from_edges(2, [0], [1])
    with pytest.raises(ValidationError, match="unknown process"):
        run(net, Disruption.of([(2, 0.0, 1.0)]))


def test_keep_times_refuses_huge_ensembles(monkeypatch: pytest.MonkeyPatch) -> None:
    from weerbaar.cascade import engine

    monkeypatch.setattr(engine, "MAX_KEPT_CELLS", 10)
    net = Network.from_edges(4, [0], [1])
    with pytest.raises(ValidationError, match="keep_times"):
        ensemble(net, Disruption.of([(0, 0.0, 1.0)]), members=3, keep_times=True)
