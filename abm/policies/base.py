"""The policy plug-in interface.

A policy is one class: typed parameters (each with default, unit, range and
source), the step phases it touches, the rules it sets and, optionally, a hook
that acts on the city as a whole once a step (build schools, add units, fund
staff). Rules reach both engines as plain numbers in the rules record; the
city hook runs in Python on the shared city state, the same for both engines.
A policy never edits the status quo in place: `rules()` returns new values.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from abm.parameters import Param, check_values

if TYPE_CHECKING:
    from abm.world import World

PHASES = ("exogenous", "city", "labour", "housing", "registration", "schooling", "assistance", "settlement",
          "accounts")


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

    def on_city(self, world: "World") -> None:
        """City-level action, once a step after exogenous change. Default: none."""

    def __repr__(self) -> str:
        changed = {k: v for k, v in self.values.items()
                   if v != next(p.default for p in self.parameters if p.name == k)}
        return f"{type(self).__name__}({changed})"
