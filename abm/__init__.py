"""abm: household-level microsimulation of urbanization in Chinese cities."""

from abm import jitcache  # noqa: F401  (must run before any kernel is compiled: see abm/jitcache.py)
from abm import threadlayer  # noqa: F401  (must run before any kernel runs: see abm/threadlayer.py)

__version__ = "0.1.0"
