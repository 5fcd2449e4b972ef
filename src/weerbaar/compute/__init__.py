"""Numerical helpers the engines share: the one source of randomness (:mod:`.rng`),
checks on their arguments (:mod:`.checks`), and the Numba plumbing of the compiled
kernels (:mod:`.numba_cache`, :mod:`.jit`).

It sits below the engines (simulation, cascade, signals) so that they share code
without importing one another; it imports nothing of weerbaar but :mod:`weerbaar.errors`."""
