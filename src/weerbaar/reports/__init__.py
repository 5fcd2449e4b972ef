"""Reports: plots and exports. Pure rendering over plain input dataclasses; no
database, no command line.

The national risk diagram (:mod:`.diagram`): build a ``RiskDiagram`` of
``DiagramPoint`` values and draw it with ``render_static`` (PNG/SVG) or
``render_html`` (one self-contained offline HTML file).
"""
