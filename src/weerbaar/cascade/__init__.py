"""Cascades of outages through the dependencies between vital processes.

Semantics
---------
Times are hours (float64). Nodes ``0 … n−1`` are vital processes; a directed edge
``j`` goes from a *supplier* ``u`` to a *dependent* ``v``.

Per edge:

* lag ``L_j ≥ 0``: the time the effect takes to arrive; it delays both the loss and
  the return of the supply at ``v``;
* buffer ``B_j ≥ 0``: how long ``v`` bridges the missing supply;
* strength ``s_j`` in ``(0, 1]``: the probability that losing this supply takes ``v``
  down.

Per node: restart time ``R_v ≥ 0``, people served ``P_v ≥ 0``, cost per hour of
outage ``C_v ≥ 0``.

Every ``L``, ``B`` and ``R`` may be a range ``[low, high]``: a deterministic run uses
the midpoint, a Monte Carlo member draws uniformly in ``[low, high]``. In a
deterministic run an edge transmits when ``s_j ≥ min_strength`` (default 0.5); in a
member it transmits with probability ``s_j``.

A disruption is a list of ``(source node, start hour, duration hours)``; several are
allowed, and the same node may repeat. A source's duration includes its restart.

Each node fails at most once per run: its outage is one span ``[f_v, e_v)``. Several
outages of one process in one run merge into one span from its first failure to its
last recovery (conservative).

The algorithm is Dijkstra-like on the failure hour. Each node is settled once, so it
always terminates, also on cycles with zero lag and zero buffer::

    f = +inf; restore = -inf; src_end = -inf
    for each (s, start, dur):
        f[s] = min(f[s], start); src_end[s] = max(src_end[s], start + dur); push s
    repeat: pop the unsettled node u with the smallest f (ties: smaller index first);
    settle it:
        e[u] = max(src_end[u], restore[u] + R_u if restore[u] > -inf else -inf)
        D = e[u] - f[u]
        for each edge j = u -> v with v not settled and edge transmitting:
            if D > B_j:          # strictly longer than the buffer: at D == B_j nothing happens
                restore[v] = max(restore[v], e[u] + L_j)
                t = f[u] + L_j + B_j
                if t < f[v]: f[v] = t; push v

So a process stays down until every supplier that failed before it (was settled
earlier) and outlasted its buffer is back, plus that edge's lag, plus its own restart
time. Suppliers that fail after it cannot extend its outage: in a loop they are its
own dependents. A documented consequence: a loop with zero lag and zero buffer does
not keep itself down forever; a source recovers at ``start + duration`` unless a
supplier settled earlier keeps it down longer.

Outputs
-------
Per node: ``f`` (fail hour, ``+inf`` if untouched), ``e`` (end hour, ``+inf`` if
untouched) and the *cause*, the node whose edge set ``f`` (−1 for sources), so the
cause tree can be shown. Per run: ``affected`` (nodes with a finite ``f``),
``taken_down`` (affected minus disrupted sources), ``people_hours = Σ P_v (e_v − f_v)``,
``cost = Σ C_v (e_v − f_v)``, ``end = max e`` and ``longest = max (e_v − f_v)``.

Modules
-------
:mod:`~weerbaar.cascade.network` holds the graph in CSR arrays,
:mod:`~weerbaar.cascade.engine` runs it (one run, ensembles, criticality) through the
Numba kernels of :mod:`~weerbaar.cascade.kernel`, :mod:`~weerbaar.cascade.oracle`
is the event-driven networkx version used as test oracle and benchmark baseline,
:mod:`~weerbaar.cascade.synthetic` and :mod:`~weerbaar.cascade.grids` make graphs.
"""

from weerbaar.cascade.engine import (
    CascadeRun,
    Criticality,
    Ensemble,
    criticality,
    ensemble,
    run,
)
from weerbaar.cascade.network import Disruption, Network

__all__ = [
    "CascadeRun",
    "Criticality",
    "Disruption",
    "Ensemble",
    "Network",
    "criticality",
    "ensemble",
    "run",
]
