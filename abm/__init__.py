"""abm: household-level microsimulation of urbanization in Chinese cities."""

__version__ = "0.1.0"
