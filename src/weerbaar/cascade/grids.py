"""A real power-grid topology as a cascade network, from the ``pandapower`` package.

pandapower ships the published test cases (MATPOWER/PEGASE European grids) inside the
package, so this works offline. Buses become processes; every in-service line and
transformer becomes a dependency both ways (power can flow either way), with lag 0
(electricity has no transport delay at this time scale) and a small buffer drawn from
the seed: a bus rides through a short loss of one connection as long as the grid can
reroute. Buses with a generator or an external grid connection can island on their
own, so their incoming dependencies get buffers of a day or more. Restart times are
those of reconnecting and re-energising a substation (hours). People served follow the
load at the bus (about 1,000 people per MW, a common planning figure for households
and services).
"""

from __future__ import annotations

import warnings

import numpy as np

from weerbaar.cascade.network import Network
from weerbaar.compute.rng import make_generator
from weerbaar.errors import ConfigError

__all__ = ["PEOPLE_PER_MW", "power_grid_network"]

PEOPLE_PER_MW = 1000.0
"""People served per MW of load at a bus."""

_INSTALL = "pip install 'weerbaar[grids]' (or: pip install pandapower)"


def _case(name: str) -> object:
    """The pandapower network of test case ``name`` (e.g. ``case9241pegase``)."""
    try:
        import pandapower.networks as networks
    except ImportError as exc:
        raise ConfigError(
            f"the power-grid topologies need the pandapower package: {_INSTALL}"
        ) from exc
    factory = getattr(networks, name, None)
    if factory is None or not name.startswith("case"):
        raise ConfigError(f"pandapower has no grid case {name!r} (e.g. case9241pegase, case118)")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandapower's own deprecation notices
        return factory()


def power_grid_network(name: str = "case9241pegase", *, seed: int = 0) -> Network:
    """The buses and branches of pandapower case ``name`` as a :class:`Network`.

    Parameters
    ----------
    name
        A pandapower test case (``pandapower.networks.<name>``).
    seed
        Seed of the drawn buffers, strengths, restart times and costs.

    Raises
    ------
    ConfigError
        If pandapower is not installed (with the command that installs it) or has no
        such case.
    """
    net = _case(name)
    rng, _ = make_generator(seed)
    bus_ids = np.asarray(net.bus.index, dtype=np.int64)  # type: ignore[attr-defined]
    lookup = np.full(int(bus_ids.max()) + 1, -1, dtype=np.int64)
    lookup[bus_ids] = np.arange(len(bus_ids))
    n = len(bus_ids)
    ends = []
    for table, a, b in (("line", "from_bus", "to_bus"), ("trafo", "hv_bus", "lv_bus")):
        frame = getattr(net, table)
        frame = frame[frame["in_service"].to_numpy(dtype=bool)]
        ends.append((frame[a].to_numpy(dtype=np.int64), frame[b].to_numpy(dtype=np.int64)))
    a = lookup[np.concatenate([x for x, _ in ends])]
    b = lookup[np.concatenate([y for _, y in ends])]
    pairs = np.unique(np.concatenate([a * n + b, b * n + a]))
    supplier, dependent = pairs // n, pairs % n
    keep = supplier != dependent
    supplier, dependent = supplier[keep], dependent[keep]
    m = len(supplier)

    islanding = np.zeros(n, dtype=bool)
    for table in ("gen", "ext_grid"):
        frame = getattr(net, table)
        islanding[lookup[frame["bus"].to_numpy(dtype=np.int64)]] = True
    buffer_low = np.where(
        islanding[dependent], rng.uniform(24.0, 48.0, m), rng.uniform(0.0, 2.0, m)
    )
    buffer_high = buffer_low * rng.uniform(1.0, 1.5, m)
    load = np.zeros(n)
    np.add.at(load, lookup[net.load["bus"].to_numpy(dtype=np.int64)], net.load["p_mw"].to_numpy())  # type: ignore[attr-defined]
    people = np.round(np.maximum(load, 0.0) * PEOPLE_PER_MW)
    restart_low = rng.uniform(1.0, 6.0, n)
    return Network.from_edges(
        n,
        supplier,
        dependent,
        lag=0.0,
        buffer=(buffer_low, buffer_high),
        strength=rng.uniform(0.3, 1.0, m),
        restart=(restart_low, restart_low * rng.uniform(1.0, 2.0, n)),
        people=people,
        cost_per_hour=people * rng.uniform(5.0, 50.0, n),
    )
