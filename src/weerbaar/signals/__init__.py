"""Horizon scanning: signals taken in, sorted by theme, and new or growing threats
detected in them. Pure logic; storage, files and the web call it."""
