"""The compiled engines loaded before anyone waits for them.

The first Monte Carlo assessment and the first cascade in a server process import
Numba and load the compiled kernels from their cache — a second or more, and all of
a compile after an upgrade. ``weerbaar serve`` runs :func:`warm_engines` in each
worker as it starts, so the first reader of the dashboard or the criticality ranking
does not pay for it.
"""

from __future__ import annotations

import numpy as np

from weerbaar.cascade.engine import criticality, ensemble, run
from weerbaar.cascade.network import Disruption
from weerbaar.cascade.synthetic import synthetic_network
from weerbaar.simulation.compiled import PILOT_DRAWS
from weerbaar.simulation.synthetic import synthetic_assessment
from weerbaar.simulation.uncertainty import propagate

__all__ = ["warm_engines"]


def warm_engines() -> None:
    """Run each compiled kernel once on a tiny input."""
    network = synthetic_network(40, 120, seed=0)
    criticality(network, hours=24.0)
    outage = Disruption(np.array([0]), np.array([0.0]), np.array([24.0]))
    run(network, outage)
    ensemble(network, outage, members=2, seed=0)
    propagate(synthetic_assessment(3, 2, seed=0), draws=2 * PILOT_DRAWS, seed=0, engine="compiled")
