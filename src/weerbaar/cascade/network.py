"""The dependency graph in compressed sparse row (CSR) form, and a disruption.

A :class:`Network` keeps one array per attribute, never one Python object per process
or dependency, so a graph of millions of processes costs tens of bytes per edge and
the compiled kernels read it directly. Edges are sorted by supplier: the dependents of
process ``u`` are ``dependent[indptr[u]:indptr[u + 1]]``.

All times are float64 hours (float32 would halve the memory, but the compiled run must
equal the event-driven reference to the last bit, and that computes in float64).

Every check names the first few bad positions (``"edge 17"``, ``"node 4"``) in one
:class:`~weerbaar.errors.ValidationError`, so a broken input file can be fixed in one
pass rather than one error at a time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from weerbaar.errors import Issue, ValidationError

__all__ = ["MAX_LISTED", "Disruption", "Network", "Range"]

F64 = NDArray[np.float64]
I64 = NDArray[np.int64]
I32 = NDArray[np.int32]

MAX_LISTED = 5
"""At most this many bad positions are named per kind of problem."""

Range = ArrayLike | tuple[ArrayLike, ArrayLike]
"""A duration given as one value or array (fixed) or as a ``(low, high)`` pair."""


def _bad(mask: NDArray[np.bool_], kind: str, field: str, reason: str) -> list[Issue]:
    """One issue per bad position (the first :data:`MAX_LISTED`), plus a count of the rest."""
    where = np.flatnonzero(mask)
    issues = [
        Issue(place=f"{kind} {int(i)}", field=field, reason=reason) for i in where[:MAX_LISTED]
    ]
    if len(where) > MAX_LISTED:
        issues.append(
            Issue(place=f"{len(where) - MAX_LISTED} more {kind}s", field=field, reason=reason)
        )
    return issues


def _values(name: str, value: ArrayLike, size: int, kind: str, issues: list[Issue]) -> F64:
    """``value`` broadcast to ``size`` float64 values; a shape problem becomes an issue."""
    try:
        array = np.asarray(value, dtype=np.float64)
        return np.ascontiguousarray(np.broadcast_to(array, (size,)), dtype=np.float64)
    except (TypeError, ValueError) as exc:
        issues.append(
            Issue(
                place=name,
                field="",
                reason=f"needs one number or {size} numbers per {kind} ({exc})",
            )
        )
        return np.zeros(size)


def _durations(
    name: str, value: Range, size: int, kind: str, issues: list[Issue]
) -> tuple[F64, F64]:
    """The ``(low, high)`` arrays of a duration, checked finite, ≥ 0 and low ≤ high."""
    if isinstance(value, tuple):
        if len(value) != 2:
            issues.append(Issue(place=name, field="", reason="a range is a (low, high) pair"))
            return np.zeros(size), np.zeros(size)
        low = _values(f"{name}_low", value[0], size, kind, issues)
        high = _values(f"{name}_high", value[1], size, kind, issues)
    else:
        low = _values(name, value, size, kind, issues)
        high = low
    for field, array in ((f"{name}_low", low), (f"{name}_high", high)):
        issues += _bad(~np.isfinite(array), kind, field, "must be a finite number of hours")
        issues += _bad(array < 0, kind, field, "a duration cannot be negative")
    issues += _bad(low > high, kind, name, "low is above high")
    return low, high


def _amounts(name: str, value: ArrayLike, size: int, kind: str, issues: list[Issue]) -> F64:
    array = _values(name, value, size, kind, issues)
    issues += _bad(~np.isfinite(array) | (array < 0), kind, name, "must be a finite number ≥ 0")
    return array


def _indices(name: str, value: ArrayLike, n: int | None, kind: str, issues: list[Issue]) -> I64:
    """Node indices as int64; unknown nodes (negative, or ≥ ``n`` if given) become issues."""
    array = np.asarray(value)
    if array.ndim != 1 or not (array.size == 0 or np.issubdtype(array.dtype, np.integer)):
        reason = f"needs a one-dimensional array of integers, not {array.dtype} {array.shape}"
        issues.append(Issue(place=name, field="", reason=reason))
        return np.zeros(0, dtype=np.int64)
    array = array.astype(np.int64, copy=False)
    if n is None:
        issues += _bad(array < 0, kind, name, "unknown process (a negative index)")
    else:
        issues += _bad(
            (array < 0) | (array >= n), kind, name, f"unknown process (nodes are 0 … {n - 1})"
        )
    return array


# One record per edge: a settling node reads all of an edge's fields at once, and one
# or two cache lines hold them, where six arrays would cost six. The edge arrays of a
# Network are views of these fields.
EDGE_ROW = np.dtype(
    [
        ("buffer_low", np.float64),
        ("buffer_high", np.float64),
        ("strength", np.float64),
        ("lag_low", np.float64),
        ("lag_high", np.float64),
        ("dependent", np.int32),
        ("pad", np.int32),
    ]
)


@dataclass(frozen=True, eq=False)
class Network:
    """Vital processes and their dependencies, in CSR form sorted by supplier.

    Build one with :meth:`from_edges`, which checks every value; the fields are then
    trusted by the kernels as they are.
    """

    indptr: I64  # (n + 1,) edges of supplier u: indptr[u] … indptr[u + 1] − 1
    dependent: I32  # (m,) the process that needs the supply
    lag_low: F64  # (m,) hours before a change of supply arrives at the dependent
    lag_high: F64
    buffer_low: F64  # (m,) hours the dependent bridges a missing supply
    buffer_high: F64
    strength: F64  # (m,) probability in (0, 1] that losing the supply takes it down
    restart_low: F64  # (n,) hours to restart once every needed supply is back
    restart_high: F64
    people: F64  # (n,) people served
    cost_per_hour: F64  # (n,) cost of one hour of outage

    @property
    def n(self) -> int:
        """Number of processes."""
        return len(self.indptr) - 1

    @property
    def m(self) -> int:
        """Number of dependencies."""
        return len(self.dependent)

    @property
    def supplier(self) -> I64:
        """Supplier of every edge (expanded from ``indptr``)."""
        return np.repeat(np.arange(self.n, dtype=np.int64), np.diff(self.indptr))

    def out_degree(self) -> I64:
        """Dependents per process."""
        return np.diff(self.indptr)

    def edges_of(self, u: int) -> slice:
        """The edge positions of supplier ``u``."""
        return slice(int(self.indptr[u]), int(self.indptr[u + 1]))

    def nbytes(self) -> int:
        """Memory held by the arrays."""
        return sum(int(getattr(self, f).nbytes) for f in self.__dataclass_fields__)

    @classmethod
    def from_edges(
        cls,
        n: int,
        supplier: ArrayLike,
        dependent: ArrayLike,
        *,
        lag: Range = 0.0,
        buffer: Range = 0.0,
        strength: ArrayLike = 1.0,
        restart: Range = 0.0,
        people: ArrayLike = 0.0,
        cost_per_hour: ArrayLike = 0.0,
    ) -> Network:
        """Check the edge list and sort it into CSR form.

        Parameters
        ----------
        n
            Number of processes (nodes ``0 … n−1``).
        supplier, dependent
            One entry per dependency: ``dependent[j]`` needs what ``supplier[j]`` delivers.
        lag, buffer, restart
            Hours, one value for all or one per edge (node for ``restart``), or a
            ``(low, high)`` pair of such for a range.
        strength
            Per edge, in ``(0, 1]``.
        people, cost_per_hour
            Per node, ≥ 0.

        Raises
        ------
        ValidationError
            Naming the first few bad positions of every kind of problem.
        """
        if isinstance(n, bool) or not isinstance(n, int | np.integer) or n < 0:
            raise ValidationError([Issue(place="n", field="", reason=f"not a node count: {n!r}")])
        n = int(n)
        issues: list[Issue] = []
        src = _indices("supplier", supplier, n, "edge", issues)
        dst = _indices("dependent", dependent, n, "edge", issues)
        if len(src) != len(dst):
            issues.append(
                Issue(
                    place="dependent",
                    field="",
                    reason=f"{len(dst)} dependents for {len(src)} suppliers",
                )
            )
            raise ValidationError(issues, summary="invalid network")
        m = len(src)
        lag_low, lag_high = _durations("lag", lag, m, "edge", issues)
        buffer_low, buffer_high = _durations("buffer", buffer, m, "edge", issues)
        power = _values("strength", strength, m, "edge", issues)
        issues += _bad(~((power > 0) & (power <= 1)), "edge", "strength", "must be in (0, 1]")
        restart_low, restart_high = _durations("restart", restart, n, "node", issues)
        served = _amounts("people", people, n, "node", issues)
        cost = _amounts("cost_per_hour", cost_per_hour, n, "node", issues)
        if issues:
            raise ValidationError(issues, summary="invalid network")
        order = np.argsort(src, kind="stable")
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(src, minlength=n), out=indptr[1:])
        edges = np.empty(len(order), dtype=EDGE_ROW)
        edges["dependent"] = dst[order]
        edges["lag_low"] = lag_low[order]
        edges["lag_high"] = lag_high[order]
        edges["buffer_low"] = buffer_low[order]
        edges["buffer_high"] = buffer_high[order]
        edges["strength"] = power[order]
        return cls(
            indptr=indptr,
            dependent=edges["dependent"],
            lag_low=edges["lag_low"],
            lag_high=edges["lag_high"],
            buffer_low=edges["buffer_low"],
            buffer_high=edges["buffer_high"],
            strength=edges["strength"],
            restart_low=restart_low,
            restart_high=restart_high,
            people=served,
            cost_per_hour=cost,
        )


@dataclass(frozen=True, eq=False)
class Disruption:
    """Processes knocked out from outside: ``sources[i]`` is down from ``start[i]`` for
    ``duration[i]`` hours (its own restart included). A process may appear more than
    once; its outages then merge into one span."""

    sources: I64
    start: F64
    duration: F64

    def __post_init__(self) -> None:
        issues: list[Issue] = []
        sources = _indices("sources", self.sources, None, "disruption", issues)
        k = len(sources)
        start = _values("start", self.start, k, "disruption", issues)
        duration = _values("duration", self.duration, k, "disruption", issues)
        issues += _bad(~np.isfinite(start), "disruption", "start", "must be a finite hour")
        issues += _bad(
            ~np.isfinite(duration) | (duration < 0),
            "disruption",
            "duration",
            "must be a finite number of hours ≥ 0",
        )
        if issues:
            raise ValidationError(issues, summary="invalid disruption")
        object.__setattr__(self, "sources", sources)
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "duration", duration)

    @classmethod
    def of(cls, items: Sequence[tuple[int, float, float]]) -> Disruption:
        """From ``(source, start hour, duration hours)`` triples."""
        rows: list[Any] = list(items)
        return cls(
            sources=np.asarray([r[0] for r in rows], dtype=np.int64),
            start=np.asarray([r[1] for r in rows], dtype=np.float64),
            duration=np.asarray([r[2] for r in rows], dtype=np.float64),
        )

    @classmethod
    def at(cls, sources: ArrayLike, *, hours: float, start: float = 0.0) -> Disruption:
        """The same outage (``start``, ``hours``) at each of ``sources``."""
        nodes = np.asarray(sources, dtype=np.int64).ravel()
        return cls(
            sources=nodes,
            start=np.full(len(nodes), start, dtype=np.float64),
            duration=np.full(len(nodes), hours, dtype=np.float64),
        )

    def check(self, n: int) -> None:
        """Raise a ValidationError if a source is not one of the ``n`` processes."""
        issues = _bad(
            (self.sources < 0) | (self.sources >= n),
            "disruption",
            "sources",
            f"unknown process (nodes are 0 … {n - 1})",
        )
        if issues:
            raise ValidationError(issues, summary="invalid disruption")
