"""Vital infrastructure as far as the reader may see it: the dependency graph, cascade
runs over it, the criticality ranking, and a run's impact written to a scenario.

Everything runs over the processes and dependencies the reader may see: a
dependency counts only when the reader may see it and both its ends. A reader with
less sight gets the cascade of the graph they know, never a figure that leaks what
they may not see.

One module per concern: :mod:`.graph`, :mod:`.starts`, :mod:`.runs`,
:mod:`.ranking` and :mod:`.scores`.
"""
