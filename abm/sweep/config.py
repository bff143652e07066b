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
that policy. Every run is resolved here, before anything runs, so a bad value fails the whole sweep at
once with every problem listed, like a run config.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from abm.config import MAX_SEED, ConfigError, PolicyItem, RunConfig, format_errors, resolve
from abm.parameters import BEHAVIOUR_BY_NAME, Param
from abm.policies import PolicyError, get
from abm.sweep import design as designs
from abm.yamlio import YamlError, load_yaml

NAME = r"^[A-Za-z0-9_-]+$"


class Range(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    low: float
    high: float

    @model_validator(mode="after")
    def _ordered(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        return self


class Design(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    method: Literal["grid", "lhs", "sobol"] = Field(default="grid", description="grid, lhs or sobol")
    parameters: dict[str, Union[float, list[float], Range]] = Field(
        description="`behaviour.<name>` or `<policy>.<lever>`: a value, a list (grid) or {low, high} (lhs, sobol)")
    samples: Optional[int] = Field(default=None, ge=1, le=100_000,
                                   description="lhs: points; sobol: base rows (each gives D + 2 points)")
    seed: int = Field(default=0, ge=0, le=MAX_SEED, description="seed of the lhs or sobol sample")

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
    name: str = Field(min_length=1, max_length=100, pattern=NAME, description="sweep name")
    base: Union[str, dict[str, Any]] = Field(description="run config file (relative to the sweep file) or mapping")
    overrides: dict[str, Any] = Field(default_factory=dict, description="run-config fields replaced in the base")
    arms: dict[str, Union[list[PolicyItem], Arm]] = Field(min_length=1, description="arm name: policy list")
    baseline_arm: Optional[str] = Field(default=None, description="arm effects are measured against (default: first)")
    design: Optional[Design] = Field(default=None, description="parameter design; none: one design point")
    replicates: int = Field(default=1, ge=1, le=10_000, description="replicates per arm and design point")
    seed: Optional[int] = Field(default=None, ge=0, le=MAX_SEED - 10_000,
                                description="replicate r uses seed + r (default: the base config's seed)")

    @field_validator("arms")
    @classmethod
    def _arm_names(cls, arms: dict) -> dict:
        bad = [a for a in arms if not re.match(NAME, a)]
        if bad:
            raise ValueError(f"arm names may hold letters, digits, _ and - only: {', '.join(map(repr, bad))}")
        return arms

    @model_validator(mode="after")
    def _baseline(self):
        if self.baseline_arm is not None and self.baseline_arm not in self.arms:
            raise ValueError(f"baseline_arm {self.baseline_arm!r} is not an arm; arms: {', '.join(self.arms)}")
        return self


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


def policy_names(items: list) -> list[str]:
    return [i if isinstance(i, str) else next(iter(i)) for i in items if isinstance(i, (str, dict)) and i]


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
    try:
        cfg = SweepConfig(**data)
    except ValidationError as err:
        raise ConfigError(source, format_errors(err, SweepConfig)) from None
    problems: list[str] = []
    inputs: dict[str, Path] = {}
    # the base run config
    if isinstance(cfg.base, str):
        path = Path(cfg.base) if Path(cfg.base).is_absolute() else base_dir / cfg.base
        try:
            base_data = load_yaml(path)
        except (YamlError, FileNotFoundError, OSError) as exc:
            raise ConfigError(source, [f"base: cannot read run config {cfg.base!r}: {exc}"]) from None
        run_dir, inputs["base"] = path.parent, path
    else:
        base_data, run_dir = dict(cfg.base), base_dir
    base_data.update(cfg.overrides)
    base_data["name"] = cfg.name
    if cfg.seed is not None:
        base_data["seed"] = cfg.seed
    try:
        base = RunConfig(**base_data)
    except ValidationError as err:
        raise ConfigError(source, [f"base.{p}" for p in format_errors(err)]) from None
    # the design
    params: dict[str, Param] = {}
    arm_policies = {a: policy_names(v if isinstance(v, list) else v.policies) for a, v in cfg.arms.items()}
    if cfg.design is not None:
        for name, value in cfg.design.parameters.items():
            owner, key, p, problem = find_lever(name)
            if problem:
                problems.append(problem)
                continue
            if owner != "behaviour" and not any(owner in names for names in arm_policies.values()):
                problems.append(f"design.parameters.{name}: no arm has policy {owner!r}")
                continue
            values = [value.low, value.high] if isinstance(value, Range) else (
                value if isinstance(value, list) else [value])
            for v in values:
                if (msg := p.check(v)) is not None:
                    problems.append(f"design.parameters.{name}: {msg}")
            params[name] = p
    if problems:
        raise ConfigError(source, problems)
    points = _points(cfg.design, params) if cfg.design else [{}]
    # every (arm, point) resolved once; replicates only change the seed
    specs, tasks = {}, []
    for arm, value in cfg.arms.items():
        arm_cfg = value if isinstance(value, Arm) else Arm(policies=value)
        for k, point in enumerate(points):
            behaviour, levers = split_values(point)
            run_data = base.model_dump() | {"policies": with_levers(list(arm_cfg.policies), levers),
                                            "behaviour": dict(base.behaviour) | behaviour,
                                            "precedence": dict(base.precedence) | dict(arm_cfg.precedence)}
            try:
                run_cfg = RunConfig(**run_data)
                specs[(arm, k)] = resolve(run_cfg, run_dir, f"{source}: arm {arm}")
            except ValidationError as err:
                problems.extend(f"arms.{arm}.{p}" for p in format_errors(err))
                break
            except ConfigError as exc:
                problems.extend(f"arms.{arm}: {p}" for p in exc.problems)
                break
            for r in range(cfg.replicates):
                tasks.append(RunTask(run_id=f"{arm}__p{k:04d}__r{r:03d}", arm=arm, point=k, replicate=r,
                                     seed=base.seed + r, params=dict(point), config=run_cfg))
    if problems:
        raise ConfigError(source, problems)
    return Sweep(config=cfg, base=base, source=source, base_dir=base_dir,
                 baseline_arm=cfg.baseline_arm or next(iter(cfg.arms)), design_names=list(params),
                 points=points, tasks=tasks, specs=specs, inputs=inputs)


def load_sweep(path: str | Path) -> Sweep:
    path = Path(path)
    if not path.is_file():
        raise ConfigError(str(path), [f"sweep config {path} not found"])
    try:
        data = load_yaml(path)
    except YamlError as exc:
        raise ConfigError(str(path), [str(exc)]) from None
    sweep = parse_sweep(data, str(path), path.parent)
    sweep.inputs = {"sweep": path, **sweep.inputs}
    return sweep
