"""Finding policies: the built-ins plus any installed under the entry-point group `abm.policies`.

A package adds a policy without editing abm by declaring, in its pyproject.toml,

    [project.entry-points."abm.policies"]
    mypolicy = "mypackage.policies:MyPolicy"
"""

from __future__ import annotations

from importlib.metadata import entry_points

from abm.policies.base import Policy, PolicyError
from abm.policies.baseline import Baseline

ENTRY_POINT_GROUP = "abm.policies"
BUILTIN: dict[str, type[Policy]] = {Baseline.name: Baseline}


def available() -> dict[str, type[Policy]]:
    found = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in found:
            found[ep.name] = ep.load()
    return found


def get(name: str) -> type[Policy]:
    policies = available()
    if name not in policies:
        raise PolicyError(f"unknown policy {name!r}; available: {', '.join(sorted(policies))}")
    return policies[name]


def instantiate(spec: list) -> list[Policy]:
    """Policies from a config's list: names, or {name: {param: value}} mappings, in order.

    The status quo (`baseline`) always comes first; listing it lets a config
    restate its parameters. Errors from every entry are collected into one.
    """
    out: list[Policy] = []
    problems = []
    for k, item in enumerate(spec):
        if isinstance(item, str):
            name, values = item, {}
        elif isinstance(item, dict) and len(item) == 1:
            name, values = next(iter(item.items()))
            values = values or {}
            if not isinstance(values, dict):
                problems.append(f"policies[{k}].{name}: parameters must be a mapping of name to value")
                continue
        else:
            problems.append(f"policies[{k}]: expected a policy name or {{name: {{parameter: value}}}}")
            continue
        try:
            out.append(get(name)(**values))
        except PolicyError as exc:
            problems.extend(f"policies[{k}].{line}" if line.startswith(f"{name}.") else f"policies[{k}]: {line}"
                            for line in str(exc).splitlines())
    if problems:
        raise PolicyError("\n".join(problems))
    if not any(isinstance(p, Baseline) for p in out):
        out.insert(0, Baseline())
    else:
        base = next(p for p in out if isinstance(p, Baseline))
        out.remove(base)
        out.insert(0, base)
    return out


def resolve_rules(policies: list[Policy], city_rules: dict[str, float]) -> dict[str, float]:
    """The rules in force: the status quo, then the city's own schedule, then each policy in order."""
    from abm.rules import RULES_BY_NAME
    rules = policies[0].rules({})
    rules.update(city_rules)
    for pol in policies[1:]:
        new = pol.rules(dict(rules))
        unknown = set(new) - set(RULES_BY_NAME)
        if unknown:
            raise PolicyError(f"policy {pol.name} sets unknown rules: {sorted(unknown)}")
        rules.update(new)
    return rules
