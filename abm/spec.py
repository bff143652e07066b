"""A resolved run: what `World` is built from and what a config resolves into.

It sits below both the config layer (which builds it) and the world (which reads it), so neither
reaches up to the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from abm.city import CityProfile
from abm.policies.base import Policy


@dataclass
class RunSpec:
    """Everything a run needs, resolved: no names left to look up."""
    profile: CityProfile
    households: int
    horizon_months: int
    seed: int
    policies: list[Policy]
    behaviour: dict[str, float] = field(default_factory=dict)
    rules: dict[str, float] = field(default_factory=dict)
    start_month: int = 1
