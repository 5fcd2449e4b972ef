"""``weerbaar bench``: performance figures, each with the ratio to a baseline measured
in the same run, one module per benchmark.

The package sits at the top of the layers: a benchmark may drive any part of weerbaar
(the engines, the services, a served web app), and nothing but the CLI imports it.
"""
