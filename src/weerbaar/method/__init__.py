"""The national risk assessment method: class scales, scoring, likelihood,
aggregation and weight sets, as pure functions over data loaded by
:mod:`weerbaar.reference.method`. See method/NRA.md for the sources of every rule."""
