"""Policy modules: `baseline` (the status quo) and the pilots, one file each."""

from abm.policies.base import PHASES, Policy, PolicyError
from abm.policies.registry import available, get, instantiate, resolve_rules

__all__ = ["PHASES", "Policy", "PolicyError", "available", "get", "instantiate", "resolve_rules"]
