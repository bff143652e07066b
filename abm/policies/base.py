"""The policy plug-in interface.

A policy is one class: typed parameters (each with default, unit, range and
source), the step phases it touches, the rules it sets and, optionally, a hook
that acts on the city as a whole once a step (build schools, add units, fund
staff). Rules reach both engines as plain numbers in the rules record; the
city hook runs in Python on the shared city state, the same for both engines,
and sees it only through the narrow `City` interface (the world implements
it; this module never imports the world). A policy never edits the status quo
in place: `rules()` returns new values.
"""

from __future__ import annotations

from typing import Any, ClassVar, Optional, Protocol

import numpy as np

from abm.parameters import Param, check_values
from abm.rules import PHASE_OF, RULES

PHASES = ("lifecourse", "exogenous", "city", "labour", "housing", "registration", "schooling", "health",
          "assistance", "settlement", "accounts")


class City(Protocol):
    """What a policy's city hook sees: when it is, the rules in force, the districts' capacities (which it
    may add to), counts of the city's households, and booking its spending on a budget line."""
    month: int  # calendar month (1-12) of the step being taken
    step: int
    scale: float  # real households per simulated household
    prices: float  # nominal money values relative to the base year (the wage index): base-year yuan x prices
    rv: Any  # the rules in force, as attributes (rv.land_requisition_rate)
    districts: Any  # abm.state.Districts: units, public_seats, staff, ... per district
    committees: np.ndarray  # residents' committees per district

    def active_by_district(self, group: Optional[int] = None) -> np.ndarray:
        """Active households per district, of one group or all."""

    def land_holders_by_district(self) -> np.ndarray:
        """Active farmer households that still hold land, per district."""

    def public_claims(self) -> np.ndarray:
        """Children per district with a claim to a public seat under the rules in force."""

    def spend(self, line: str, yuan: float) -> None:
        """Book city-level spending (real yuan) this month on a budget line, e.g. "budget_education"."""


class PolicyError(ValueError):
    """A policy or one of its parameters is not allowed; the message names it."""


class Policy:
    name: ClassVar[str]
    title: ClassVar[str]
    parameters: ClassVar[tuple[Param, ...]] = ()
    phases: ClassVar[tuple[str, ...]] = ()

    def __init__(self, **values: float):
        declared = {p.name: p for p in self.parameters}
        if problems := check_values(declared, values, "parameter", prefix=f"{self.name}."):
            raise PolicyError("\n".join(problems))
        self.values = {p.name: float(values.get(p.name, p.default)) for p in self.parameters}

    def rules(self, current: dict[str, float]) -> dict[str, float]:
        """New values for rules in force, given the rules so far. Default: none."""
        return {}

    def on_city(self, city: City) -> None:
        """City-level action, once a step after exogenous change. Default: none."""

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.values.items()
                   if v != next(p.default for p in self.parameters if p.name == k)}
        return f"{type(self).__name__}({changed})"


def phase_problems(cls: type[Policy]) -> list[str]:
    """Where a policy's declared `phases` differ from what it does: every phase that reads a rule it sets
    (probed at its defaults and at each parameter's bounds, against the status quo) must be declared, and
    `city` is declared exactly when it has a city hook."""
    problems = [f"policy {cls.name!r}: unknown phase {p!r}; phases: {', '.join(PHASES)}"
                for p in cls.phases if p not in PHASES]
    status_quo = {p.name: float(p.default) for p in RULES}
    trials = [{}] + [{p.name: v} for p in cls.parameters for v in (p.low, p.high)]
    touched: dict[str, str] = {}
    for values in trials:
        for rule in cls(**values).rules(dict(status_quo)):
            touched.setdefault(PHASE_OF[rule], rule)
    for phase, rule in touched.items():
        if phase not in cls.phases:
            problems.append(f"policy {cls.name!r} sets {rule} (read in the {phase} phase) but does not declare "
                            f"that phase; declared: {', '.join(cls.phases)}")
    hook = cls.on_city is not Policy.on_city
    if hook != ("city" in cls.phases):
        problems.append(f"policy {cls.name!r} " + ("has a city hook but does not declare the city phase" if hook
                                                    else "declares the city phase but has no city hook"))
    return problems
