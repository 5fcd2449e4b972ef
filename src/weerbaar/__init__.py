"""weerbaar: the national register of threats and scenarios and the strengthened approach."""

__version__ = "0.1.0"
