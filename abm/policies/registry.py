"""Finding policies: the built-ins plus any installed under the entry-point group `abm.policies`.

A package adds a policy without editing abm by declaring, in its pyproject.toml,

    [project.entry-points."abm.policies"]
    mypolicy = "mypackage.policies:MyPolicy"
"""

from __future__ import annotations

from importlib.metadata import entry_points

from abm.policies.base import Policy, PolicyError, phase_problems
from abm.policies.baseline import Baseline
from abm.policies.changshu import Changshu
from abm.policies.coproduction import Coproduction
from abm.policies.jinnan import Jinnan
from abm.policies.kunshan import Kunshan
from abm.policies.yanta import Yanta
from abm.policies.yiwu import Yiwu
from abm.policies.zhengzhou import Zhengzhou

ENTRY_POINT_GROUP = "abm.policies"
BUILTIN: dict[str, type[Policy]] = {p.name: p for p in (Baseline, Zhengzhou, Yanta, Jinnan, Changshu, Kunshan,
                                                        Yiwu, Coproduction)}


def available() -> dict[str, type[Policy]]:
    found = dict(BUILTIN)
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        if ep.name not in found:
            found[ep.name] = ep.load()
    return found


_CHECKED: set[str] = set()  # policies whose declared phases were checked in this process


def get(name: str) -> type[Policy]:
    policies = available()
    if name not in policies:
        raise PolicyError(f"unknown policy {name!r}; available: {', '.join(sorted(policies))}")
    if name not in _CHECKED:
        if problems := phase_problems(policies[name]):
            raise PolicyError("\n".join(problems))
        _CHECKED.add(name)
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


def resolve_rules(policies: list[Policy], city_rules: dict[str, float],
                  precedence: dict[str, str] | None = None) -> dict[str, float]:
    """The rules in force: the status quo, then the city's own schedule, then each pilot.

    Each pilot states its rules against the status quo, so pilots do not depend on their
    order. Where two pilots set one rule to different values, the more generous (or less
    demanding) value wins for the rules in abm.rules.COMBINE; for any other rule the config
    must say which policy wins (`precedence: {rule: policy}`), or loading fails naming both.
    """
    from abm.rules import COMBINE, RULES_BY_NAME

    precedence = precedence or {}
    rules = policies[0].rules({})
    rules.update(city_rules)
    status_quo = dict(rules)
    setter: dict[str, str] = {}
    problems = []
    for pol in policies[1:]:
        for key, value in pol.rules(dict(status_quo)).items():
            if key not in RULES_BY_NAME:
                problems.append(f"policy {pol.name} sets an unknown rule {key!r}")
                continue
            if key in setter and rules[key] != value:
                other = setter[key]
                if key in precedence:
                    if precedence[key] not in (other, pol.name):
                        problems.append(f"precedence.{key}: {precedence[key]!r} does not set this rule; "
                                        f"choose {other!r} or {pol.name!r}")
                    elif precedence[key] == other:
                        continue
                elif key in COMBINE:
                    value = max(rules[key], value) if COMBINE[key] == "max" else min(rules[key], value)
                else:
                    problems.append(f"policies {other!r} and {pol.name!r} both set rule {key!r} "
                                    f"({rules[key]:g} and {value:g}); say which wins with "
                                    f"precedence: {{{key}: {other}}} or {{{key}: {pol.name}}}")
                    continue
            rules[key] = value
            setter[key] = pol.name
    for key in precedence:
        if key not in RULES_BY_NAME:
            problems.append(f"precedence.{key}: unknown rule")
    if problems:
        raise PolicyError("\n".join(problems))
    return rules
