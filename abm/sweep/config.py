"""Sweep configs: a base run, named policy arms, an optional parameter design, replicates.

    name: smoke
    base: ../quickstart.yaml        # a run config file (relative to this file) or an inline mapping
    overrides: {households: 2000, horizon_months: 24}
    arms:
      baseline: [baseline]
      zhengzhou: [baseline, {zhengzhou: {permit_years: 0.5}}]
    design:
      method: grid                  # grid | lhs | sobol
      parameters:
        behaviour.matching_efficiency: [0.5, 0.7]     # grid: a list expands, a scalar holds
        zhengzhou.permit_years: {low: 0, high: 1}     # lhs / sobol: a range
      samples: 8                    # lhs: points; sobol: base rows (each gives D + 2 points)
      seed: 0
    replicates: 2
    seed: 100                       # replicate r runs on seed + r in every arm and design point

A design parameter is `behaviour.<name>` or `<policy>.<lever>`; a lever is set in every arm that has
that policy. An arm is a policy list or `{policies: [...], precedence: {rule: policy}}`; the base's
`precedence` entries apply to the arms that hold the policy they name. Every run is resolved here, before
anything runs, so a bad value fails the whole sweep at once with every problem of every stage listed, like
a run config.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator, model_validator

from abm.config import (MAX_SEED, ConfigError, Name, Number, PolicyItem, RunConfig, Whole, check_city, check_run,
                        format_errors, load_base, policy_names, validate_fields)
from abm.parameters import BEHAVIOUR_BY_NAME, Param
from abm.policies import PolicyError, get
from abm.sweep import design as designs
from abm.yamlio import YamlError, load_yaml

ARM_NAME = r"^[A-Za-z0-9_-]+$"


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    low: Number
    high: Number

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


def _design_value(name: str, v: Any) -> Union[float, list[float], Range]:
    """A design parameter's value: a number (held), a list of numbers (grid) or {low, high} (lhs, sobol)."""
    is_number = lambda x: isinstance(x, (int, float)) and not isinstance(x, bool)  # noqa: E731
    if is_number(v):
        return float(v)
    if isinstance(v, list) and all(is_number(x) for x in v):
        return [float(x) for x in v]
    if isinstance(v, dict):
        try:
            return Range.model_validate(v)
        except ValidationError as err:
            raise ValueError("; ".join(format_errors(err, Range, name))) from None
    raise ValueError(f"{name}: expected a number, a list of numbers or {{low, high}} (got {v!r})")


class Design(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    method: Literal["grid", "lhs", "sobol"] = Field(default="grid", description="grid, lhs or sobol")
    parameters: dict[str, Any] = Field(
        description="`behaviour.<name>` or `<policy>.<lever>`: a value, a list (grid) or {low, high} (lhs, sobol)")
    samples: Optional[Whole] = Field(default=None, ge=1, le=100_000,
                                     description="lhs: points; sobol: base rows (each gives D + 2 points)")
    seed: Whole = Field(default=0, ge=0, le=MAX_SEED, description="seed of the lhs or sobol sample")

    @field_validator("parameters")
    @classmethod
    def _values(cls, v: dict) -> dict:
        problems, out = [], {}
        for name, value in v.items():
            try:
                out[name] = _design_value(name, value)
            except ValueError as exc:
                problems.append(str(exc))
        if problems:
            raise ValueError("; ".join(problems))
        return out

    @model_validator(mode="after")
    def _consistent(self):
        kinds = {k: type(v) for k, v in self.parameters.items()}
        if self.method == "grid":
            bad = [k for k, t in kinds.items() if t is Range]
            if bad:
                raise ValueError(f"grid designs take lists of values, not ranges: {', '.join(bad)}")
            if any(isinstance(v, list) and not v for v in self.parameters.values()):
                raise ValueError("a grid list must hold at least one value")
        else:
            bad = [k for k, t in kinds.items() if t is list]
            if bad:
                raise ValueError(f"{self.method} designs take {{low, high}} ranges, not lists: {', '.join(bad)}")
            if self.samples is None:
                raise ValueError(f"{self.method} designs need `samples`")
            if not any(t is Range for t in kinds.values()):
                raise ValueError(f"a {self.method} design needs at least one {{low, high}} range")
            if self.method == "sobol" and not designs.is_power_of_two(self.samples):
                raise ValueError(f"sobol samples must be a power of two (got {self.samples})")
        return self


class Arm(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    policies: list[PolicyItem]
    precedence: dict[str, str] = Field(default_factory=dict)


class SweepConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name = Field(description="sweep name")
    base: Union[str, dict[str, Any]] = Field(description="run config file (relative to the sweep file) or mapping")
    overrides: dict[str, Any] = Field(default_factory=dict, description="run-config fields replaced in the base")
    arms: dict[str, Arm] = Field(min_length=1, description="arm name: policy list, or {policies, precedence}")
    baseline_arm: Optional[str] = Field(default=None, description="arm effects are measured against (default: first)")
    design: Optional[Design] = Field(default=None, description="parameter design; none: one design point")
    replicates: Whole = Field(default=1, ge=1, le=10_000, description="replicates per arm and design point")
    seed: Optional[Whole] = Field(default=None, ge=0, le=MAX_SEED - 10_000,
                                  description="replicate r uses seed + r (default: the base config's seed)")

    @field_validator("arms", mode="before")
    @classmethod
    def _arm_lists(cls, arms: Any) -> Any:
        if not isinstance(arms, dict):
            return arms
        bad = [a for a, v in arms.items() if not isinstance(v, (list, dict))]
        if bad:
            raise ValueError(f"an arm is a list of policies or {{policies: [...], precedence: {{...}}}}: "
                             f"{', '.join(map(repr, bad))}")
        return {a: {"policies": v} if isinstance(v, list) else v for a, v in arms.items()}

    @field_validator("baseline_arm")
    @classmethod
    def _baseline(cls, v: Optional[str], info: ValidationInfo) -> Optional[str]:
        arms = info.data.get("arms")
        if v is not None and arms is not None and v not in arms:
            raise ValueError(f"baseline_arm {v!r} is not an arm; arms: {', '.join(arms)}")
        return v


@dataclasses.dataclass(frozen=True)
class RunTask:
    run_id: str
    arm: str
    point: int
    replicate: int
    seed: int
    params: dict[str, float]
    config: RunConfig


@dataclasses.dataclass
class Sweep:
    """A validated sweep: its config, the design points and every run, resolved."""
    config: SweepConfig
    base: RunConfig
    source: str
    base_dir: Path
    baseline_arm: str
    design_names: list[str]
    points: list[dict[str, float]]
    tasks: list[RunTask]
    specs: dict[tuple[str, int], Any]  # (arm, point) -> RunSpec with the base seed
    inputs: dict[str, Path]

    @property
    def method(self) -> str:
        return self.config.design.method if self.config.design else "none"

    def spec_for(self, task: RunTask):
        return dataclasses.replace(self.specs[(task.arm, task.point)], seed=task.seed)

    def fingerprint(self) -> str:
        """What a resumed sweep must match: the resolved runs, not the file's wording."""
        blob = json.dumps([[t.run_id, t.seed, t.params, t.config.model_dump(mode="json")] for t in self.tasks],
                          sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()


def find_lever(name: str) -> tuple[str, str, Param | None, str | None]:
    """(owner, key, declared param, problem) for a design parameter name."""
    owner, _, key = name.partition(".")
    if not key:
        return owner, key, None, f"design.parameters.{name}: expected behaviour.<name> or <policy>.<lever>"
    if owner == "behaviour":
        p = BEHAVIOUR_BY_NAME.get(key)
        allowed = ", ".join(sorted(BEHAVIOUR_BY_NAME))
        problem = f"design.parameters.{name}: unknown behaviour parameter; allowed: {allowed}"
        return owner, key, p, None if p else problem
    try:
        cls = get(owner)
    except PolicyError as exc:
        return owner, key, None, f"design.parameters.{name}: {exc}"
    declared = {p.name: p for p in cls.parameters}
    if key not in declared:
        return owner, key, None, (f"design.parameters.{name}: unknown lever of {owner}; allowed: "
                                  f"{', '.join(sorted(declared)) or '(none)'}")
    return owner, key, declared[key], None


def with_levers(items: list, levers: dict[str, dict[str, float]]) -> list:
    out = []
    for item in items:
        name = item if isinstance(item, str) else next(iter(item))
        values = {} if isinstance(item, str) else dict(item[name] or {})
        if name in levers:
            values.update(levers[name])
        out.append({name: values} if values else name)
    return out


def split_values(values: dict[str, float]) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Values named `behaviour.<name>` or `<policy>.<lever>` -> (behaviour values, {policy: {lever: value}})."""
    behaviour: dict[str, float] = {}
    levers: dict[str, dict[str, float]] = {}
    for name, v in values.items():
        owner, _, key = name.partition(".")
        if owner == "behaviour":
            behaviour[key] = v
        else:
            levers.setdefault(owner, {})[key] = v
    return behaviour, levers


def _points(d: Design, params: dict[str, Param]) -> list[dict[str, float]]:
    integer = {n for n, p in params.items() if p.integer}
    held = {n: float(v) for n, v in d.parameters.items() if not isinstance(v, (list, Range))}
    if d.method == "grid":
        factors = {n: list(v) for n, v in d.parameters.items() if isinstance(v, list)}
        return designs.grid(factors, held)
    ranges = {n: (v.low, v.high) for n, v in d.parameters.items() if isinstance(v, Range)}
    make = designs.lhs if d.method == "lhs" else designs.sobol
    return make(ranges, held, d.samples, d.seed, integer)


def parse_sweep(data: dict, source: str = "sweep", base_dir: Path = Path(".")) -> Sweep:
    """Validate a sweep config and resolve every run, listing every problem of every stage at once: the
    sweep's own fields, the base run (its file, then each field, named `overrides.<key>` where an override
    set it), the city, the design parameters, and each arm's policies and precedence."""
    cfg, good, problems, bad = validate_fields(SweepConfig, data)
    inputs: dict[str, Path] = {}
    # the base run config, with the overrides, the sweep's name and seed
    replaced = {"name": good.get("name", "sweep")}  # a bad sweep name is named once, at `name`
    if good.get("seed") is not None:
        replaced["seed"] = good["seed"]
    b, found = load_base(good, base_dir, replaced)
    problems += found
    base, base_good, base_bad, run_dir, rename, profile = b.config, b.good, b.bad, b.run_dir, b.rename, None
    if b.path is not None:
        inputs["base"] = b.path
    if "city" in base_good:
        profile, found = check_city(base_good["city"], run_dir, rename.get("city", "base.city"))
        problems += found
        if profile is None:
            base_bad = base_bad | {"city"}
    # the arms: their names (run ids and file names are made of them); when some arms are bad (already
    # named), the others are still resolved below
    arms: dict[str, Arm] = dict(good.get("arms", {}))
    raw_arms = data.get("arms")
    if isinstance(raw_arms, dict):
        names = [a for a in raw_arms if not re.match(ARM_NAME, str(a))]
        if names:
            problems.append(f"arms: arm names may hold letters, digits, '_' and '-' only: "
                            f"{', '.join(map(repr, names))}")
            arms = {a: v for a, v in arms.items() if a not in names}
    if "arms" in bad and isinstance(raw_arms, dict):
        for arm, value in raw_arms.items():
            try:
                if re.match(ARM_NAME, str(arm)) and isinstance(value, (list, dict)):
                    arms[arm] = Arm.model_validate({"policies": value} if isinstance(value, list) else value)
            except ValidationError:
                pass
        baseline = data.get("baseline_arm")
        if isinstance(baseline, str) and baseline not in raw_arms:
            problems.append(f"baseline_arm: {baseline!r} is not an arm; arms: {', '.join(map(str, raw_arms))}")
    arm_policies = {a: policy_names(v.policies) for a, v in arms.items()}
    # the design: parameter names are checked even when a value is bad (that value is already named)
    params: dict[str, Param] = {}
    design = good.get("design")
    raw_design = data.get("design")
    names = list(design.parameters) if design is not None else (
        list(raw_design["parameters"]) if "design" in bad and isinstance(raw_design, dict)
        and isinstance(raw_design.get("parameters"), dict) else [])
    design_ok = design is not None
    for name in names:
        owner, key, p, problem = find_lever(str(name))
        if problem:
            problems.append(problem)
            design_ok = False
            continue
        if owner != "behaviour" and "arms" not in bad and not any(owner in n for n in arm_policies.values()):
            problems.append(f"design.parameters.{name}: no arm has policy {owner!r}; the arms' policies: "
                            f"{', '.join(sorted({n for names in arm_policies.values() for n in names}))}")
            design_ok = False
            continue
        params[name] = p
        if design is None:
            continue
        value = design.parameters[name]
        for v in [value.low, value.high] if isinstance(value, Range) else (
                value if isinstance(value, list) else [value]):
            if (msg := p.check(v)) is not None:
                problems.append(f"design.parameters.{name}: {msg}")
                design_ok = False
    points = _points(design, params) if design_ok else [{}]
    # every (arm, point) resolved once; replicates only change the seed. A base precedence entry applies to
    # the arms that hold the policy it names; an arm's own entries must name the arm's policies.
    from abm.rules import RULES_BY_NAME

    base_precedence = {}
    arm_names = {n for names in arm_policies.values() for n in names} | {"baseline"}
    for rule, winner in base_good.get("precedence", {}).items():
        if rule not in RULES_BY_NAME:
            problems.append(f"base.precedence.{rule}: unknown rule; every rule is a parameter of "
                            "`abm policies baseline`")
        elif winner not in arm_names and "arms" not in bad:
            problems.append(f"base.precedence.{rule}: no arm has policy {winner!r}; the arms' policies: "
                            f"{', '.join(sorted(arm_names))}")
        else:
            base_precedence[rule] = winner
    specs, tasks = {}, []
    for arm, arm_cfg in arms.items():
        names = ["baseline", *arm_policies[arm]]
        precedence = {k: v for k, v in base_precedence.items() if v in names} | dict(arm_cfg.precedence)
        for k, point in enumerate(points):
            behaviour, levers = split_values(point)
            run_data = base_good | {"policies": with_levers(list(arm_cfg.policies), levers),
                                    "behaviour": dict(base_good.get("behaviour", {})) | behaviour,
                                    "precedence": precedence}
            spec, found = check_run(run_data, run_dir, base_bad, profile, prefix=f"arms.{arm}: ", city_checked=True)
            if found:
                problems.extend(found)
                break
            if spec is None:
                break
            try:
                run_cfg = RunConfig(**run_data)
            except ValidationError as err:
                problems.extend(format_errors(err, RunConfig, f"arms.{arm}"))
                break
            specs[(arm, k)] = spec
            for r in range(good.get("replicates", 1)):
                tasks.append(RunTask(run_id=f"{arm}__p{k:04d}__r{r:03d}", arm=arm, point=k, replicate=r,
                                     seed=base.seed + r, params=dict(point), config=run_cfg))
    if problems:
        raise ConfigError(source, problems)
    return Sweep(config=cfg, base=base, source=source, base_dir=base_dir,
                 baseline_arm=cfg.baseline_arm or next(iter(cfg.arms)), design_names=list(params),
                 points=points, tasks=tasks, specs=specs, inputs=inputs)


def load_sweep(path: str | Path) -> Sweep:
    path = Path(path)
    try:
        data = load_yaml(path, "sweep config file")
    except YamlError as exc:
        raise ConfigError(str(path), [str(exc)]) from None
    sweep = parse_sweep(data, str(path), path.parent)
    sweep.inputs = {"sweep": path, **sweep.inputs}
    return sweep
