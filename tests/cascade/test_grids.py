import numpy as np
import pytest


def test_power_grid_cascade() -> None:
    pytest.importorskip("pandapower")
    from weerbaar.cascade import Disruption, criticality, run
    from weerbaar.cascade.grids import power_grid_network

    grid = power_grid_network("case118", seed=0)
    assert grid.n == 118
    # Every branch is a dependency both ways.
    pairs = set(zip(grid.supplier.tolist(), grid.dependent.tolist(), strict=True))
    assert all((v, u) in pairs for u, v in pairs)
    busiest = int(np.argmax(grid.out_degree()))
    result = run(grid, Disruption.at([busiest], hours=24.0))
    assert result.affected_count >= 1
    ranking = criticality(grid, hours=24.0)
    assert ranking.taken_down[busiest] == result.taken_down
