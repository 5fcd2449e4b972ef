"""Engines over arrays: Monte Carlo propagation of expert ranges, rank robustness and
weight sensitivity. Randomness comes only from :mod:`weerbaar.compute.rng`."""
