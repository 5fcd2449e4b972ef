"""The uniforms of a Monte Carlo member, computed in NumPy.

The compiled kernel (:mod:`weerbaar.cascade.kernel`) draws each number lazily, when
the cascade reaches the edge or node it belongs to. This module computes the same
numbers for any indices, so a member's draws can be checked from outside, and so
someone can reproduce a member without Numba.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from weerbaar.compute.rng import counter_bits, counter_key

__all__ = ["SLOT_BUFFER", "SLOT_LAG", "SLOT_RESTART", "SLOT_TRANSMIT", "member_key", "uniforms"]

SLOT_TRANSMIT = 0
"""Per edge: the edge transmits when the uniform is below its strength."""
SLOT_LAG = 1
"""Per edge: lag = low + u · (high − low)."""
SLOT_BUFFER = 2
"""Per edge: buffer = low + u · (high − low)."""
SLOT_RESTART = 3
"""Per node: restart = low + u · (high − low)."""

_SLOTS = np.uint64(4)
_SHIFT = np.uint64(32)
_MANTISSA = np.uint64(11)


def member_key(seed: int) -> int:
    """The 64-bit generator key of an ensemble run with ``seed``."""
    return counter_key(seed)


def uniforms(seed: int, member: ArrayLike, item: ArrayLike, slot: int) -> NDArray[np.float64]:
    """The uniforms in [0, 1) that member ``member`` uses for ``item`` in ``slot``.

    Parameters
    ----------
    seed
        The ensemble's seed (as reported by it).
    member, item
        Broadcast against each other: member numbers and edge (slots 0-2) or node
        (slot 3) indices.
    slot
        One of the ``SLOT_*`` constants.

    Returns
    -------
    numpy.ndarray
        The top 53 bits of SplitMix64 term ``(4·member + slot)·2³² + item`` of the
        stream at :func:`member_key`, scaled to [0, 1).
    """
    members = np.asarray(member, dtype=np.uint64)
    items = np.asarray(item, dtype=np.uint64)
    counters = ((members * _SLOTS + np.uint64(slot)) << _SHIFT) + items
    bits = counter_bits(member_key(seed), np.asarray(counters, dtype=np.uint64))
    return (bits >> _MANTISSA).astype(np.float64) * 2.0**-53
