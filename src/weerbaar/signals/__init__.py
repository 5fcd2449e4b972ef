"""Horizon scanning: signals taken in, sorted by theme, and new or growing threats
detected in them. The logic is pure; storage, files and the web call it
(:mod:`weerbaar.bench.signals` runs the whole pipeline to time it)."""
