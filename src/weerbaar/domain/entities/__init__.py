"""The record classes of the register, one module per area.

Each record class is a frozen dataclass built with :mod:`.base`: its fields carry
their description in their metadata, so an entity is described once.
:mod:`weerbaar.domain.register` lists them as the register's entities.
"""
