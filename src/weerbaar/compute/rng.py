"""The only source of randomness in weerbaar.

Two kinds of random numbers live here, both derived from one integer seed that a
result reports, so that every run can be repeated exactly:

* :func:`make_generator` and :func:`spawn_generators` give ``numpy.random.Generator``
  objects (PCG64). Work split into chunks draws each chunk from its own child of
  ``SeedSequence(seed).spawn(...)``, so a result never depends on how many workers ran.
* :func:`counter_bits` is a *counter-based* generator: the bits for one draw, scenario
  and criterion are a hash of ``(key, counter)`` and nothing else, so any draw can be
  computed on its own, in any order, on any thread. It is the SplitMix64 output
  function [1]_ applied to ``key + counter · γ``, i.e. term ``counter`` of the
  SplitMix64 sequence started at ``key``; SplitMix64 passes BigCrush [1]_, [2]_. The
  compiled kernels repeat the same arithmetic, with the constants below, in Numba
  (:func:`weerbaar.compute.jit.mix`).

References
----------
.. [1] G. L. Steele, D. Lea, C. H. Flood, "Fast splittable pseudorandom number
   generators", OOPSLA 2014, doi:10.1145/2660193.2660195.
.. [2] J. K. Salmon, M. A. Moraes, R. O. Dror, D. E. Shaw, "Parallel random numbers:
   as easy as 1, 2, 3", SC 2011, doi:10.1145/2063384.2063405 (counter-based generators).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from weerbaar.errors import Issue, ValidationError

__all__ = [
    "GOLDEN",
    "MIX1",
    "MIX2",
    "SEED_BITS",
    "counter_bits",
    "counter_key",
    "make_generator",
    "resolve_seed",
    "spawn_generators",
    "spawn_seeds",
    "split_bits",
]

SEED_BITS = 63
"""A seed drawn from fresh entropy has this many bits (fits a signed 64-bit column)."""

GOLDEN = 0x9E3779B97F4A7C15
"""SplitMix64's increment γ: 2^64 divided by the golden ratio, rounded to odd."""
MIX1 = 0xBF58476D1CE4E5B9
MIX2 = 0x94D049BB133111EB
"""Multipliers of the SplitMix64 output function (Stafford's 'Mix13' variant)."""

_LOW32 = np.uint64(0xFFFFFFFF)
_U32 = np.uint64(32)


def resolve_seed(seed: int | None) -> int:
    """Return the seed a run will use.

    Parameters
    ----------
    seed
        A non-negative integer, or ``None`` for fresh operating-system entropy.

    Returns
    -------
    int
        ``seed`` itself, or a new ``SEED_BITS``-bit seed taken from
        ``SeedSequence().entropy``. Report it: passing it back repeats the run.
    """
    if seed is None:
        entropy = np.random.SeedSequence().entropy
        assert isinstance(entropy, int)
        return entropy & ((1 << SEED_BITS) - 1)
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValidationError(
            [Issue(place="seed", field="", reason=f"must be a non-negative integer, not {seed!r}")]
        )
    return int(seed)


def make_generator(seed: int | None) -> tuple[np.random.Generator, int]:
    """A ``numpy.random.Generator`` and the seed it was made from.

    ``seed is None`` draws a fresh seed (see :func:`resolve_seed`); the returned seed
    repeats the stream.
    """
    used = resolve_seed(seed)
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(used))), used


def spawn_seeds(seed: int, count: int) -> list[np.random.SeedSequence]:
    """``count`` independent child seed sequences of ``seed``, one per chunk of work."""
    return np.random.SeedSequence(resolve_seed(seed)).spawn(count)


def spawn_generators(seed: int, count: int) -> list[np.random.Generator]:
    """One independent generator per chunk, from :func:`spawn_seeds`."""
    return [np.random.Generator(np.random.PCG64(child)) for child in spawn_seeds(seed, count)]


def counter_key(seed: int) -> int:
    """The 64-bit key of the counter-based generator for ``seed``.

    Taken from ``SeedSequence(seed)`` so that nearby seeds give unrelated keys.
    """
    state = np.random.SeedSequence(resolve_seed(seed)).generate_state(1, np.uint64)
    return int(state[0])


def counter_bits(key: int, counters: NDArray[np.uint64]) -> NDArray[np.uint64]:
    """64 random bits per counter: SplitMix64 term ``counter`` of the stream at ``key``.

    Parameters
    ----------
    key
        From :func:`counter_key`.
    counters
        Any shape, unsigned 64-bit; each value must be used once per run.

    Returns
    -------
    numpy.ndarray
        Same shape, ``uint64``. Arithmetic wraps modulo 2^64, as the algorithm intends
        (array arithmetic in NumPy wraps silently).
    """
    z = counters * np.uint64(GOLDEN)
    z += np.uint64(key)
    z ^= z >> np.uint64(30)
    z *= np.uint64(MIX1)
    z ^= z >> np.uint64(27)
    z *= np.uint64(MIX2)
    z ^= z >> np.uint64(31)
    return z


def split_bits(bits: NDArray[np.uint64]) -> tuple[NDArray[np.uint64], NDArray[np.uint64]]:
    """The high and the low 32 bits of each value: two independent 32-bit integers."""
    return bits >> _U32, bits & _LOW32
