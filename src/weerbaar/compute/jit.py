"""What the Numba kernels of the engines share: a typed ``njit`` and the SplitMix64 hash.

Importing this module imports Numba (slow): only the kernel modules do, and they are
imported only when an engine runs, after :func:`weerbaar.compute.numba_cache.
configure_numba_cache` has chosen the cache folder.

:func:`mix` is the SplitMix64 output function of :func:`weerbaar.compute.rng.
counter_bits`, with the same constants, for kernels to inline. Numba freezes inlined
functions and module-level constants into each kernel's cached machine code and checks
only the kernel file's timestamp: after changing :func:`mix` or the constants in
:mod:`weerbaar.compute.rng`, touch the kernel modules (the tests comparing compiled
draws with the NumPy ones would catch a stale cache).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import numpy as np
from numba import njit

from weerbaar.compute.rng import MIX1, MIX2

__all__ = ["jit", "mix"]

_MIX1 = np.uint64(MIX1)
_MIX2 = np.uint64(MIX2)
_U30 = np.uint64(30)
_U27 = np.uint64(27)
_U31 = np.uint64(31)

_F = TypeVar("_F", bound=Callable[..., Any])


def jit(**options: Any) -> Callable[[_F], _F]:
    """``numba.njit`` with a type mypy can follow."""
    decorator: Callable[[_F], _F] = njit(**options)
    return decorator


@jit(inline="always", cache=True)
def mix(z: Any) -> Any:
    """SplitMix64's output function of a ``uint64`` (arithmetic wraps modulo 2^64)."""
    z = (z ^ (z >> _U30)) * _MIX1
    z = (z ^ (z >> _U27)) * _MIX2
    return z ^ (z >> _U31)
