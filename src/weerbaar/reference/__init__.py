"""The reference data shipped in ``weerbaar/data``, loaded and checked: one module
per area (:mod:`~weerbaar.reference.access`, :mod:`~weerbaar.reference.method`,
:mod:`~weerbaar.reference.alerting`, :mod:`~weerbaar.reference.tiering`,
:mod:`~weerbaar.reference.capabilities`, :mod:`~weerbaar.reference.cascade`,
:mod:`~weerbaar.reference.signals`, :mod:`~weerbaar.reference.public`,
:mod:`~weerbaar.reference.validation`).

Each file is validated with pydantic once and turned into the frozen types of the
layer that uses it (domain, method, or an engine's settings); a broken data file is
a packaging fault and fails loudly with the file named. Import from the area module.
"""
