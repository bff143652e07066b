"""Calibration configs: the base run, the free parameters and their priors, the targets, the sampler.

    name: recovery
    base: ../quickstart.yaml            # a run config file (relative to this file) or a mapping
    overrides: {households: 1500, horizon_months: 36}
    parameters:                         # behaviour.<name> or <policy>.<lever>; prior range inside the declared one
      behaviour.reg_const: {low: -6, high: -2}
      behaviour.hazard_migrant: {low: 0.002, high: 0.02, prior: loguniform}
    targets: targets/zhengzhou.csv      # a targets table (see abm.calibration.targets), or
    recovery:                           # targets made from runs with known values
      truth: {behaviour.reg_const: -4.0, behaviour.hazard_migrant: 0.008}
      targets: [{indicator: registration_rate, group: migrant, when: 12}]
      runs: 4                           # runs at the truth (fresh populations), averaged; their sd is the targets' sd
      seed: 999
    abc: {particles: 100, generations: 6, draws: 1, quantile: 0.5, min_acceptance: 0.02, seed: 1}
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal, Optional, Union

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from abm.calibration.targets import TargetError, load_targets, validate_targets
from abm.config import MAX_SEED, ConfigError, RunConfig, format_errors, resolve
from abm.parameters import Param
from abm.sweep.config import find_lever, policy_names
from abm.yamlio import YamlError, load_yaml


class Prior(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    low: float
    high: float
    prior: Literal["uniform", "loguniform"] = "uniform"

    @model_validator(mode="after")
    def _ok(self):
        if not self.low < self.high:
            raise ValueError(f"low ({self.low:g}) must be below high ({self.high:g})")
        if self.prior == "loguniform" and self.low <= 0:
            raise ValueError("a loguniform prior needs low > 0")
        return self


class TargetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    indicator: str
    group: str = "all"
    sex: str = "all"
    when: Union[int, str] = "horizon"
    weight: float = 1.0


class Recovery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    truth: dict[str, float] = Field(description="the known values, by parameter name")
    targets: list[TargetSpec] = Field(min_length=1)
    runs: int = Field(default=4, ge=2, le=100, description="runs at the truth, averaged")
    seed: int = Field(default=999, ge=0, le=MAX_SEED)


class Sampler(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    particles: int = Field(default=100, ge=10, le=100_000)
    generations: int = Field(default=6, ge=1, le=50)
    draws: int = Field(default=1, ge=1, le=20, description="runs per parameter set, each a fresh population")
    quantile: float = Field(default=0.5, gt=0.0, lt=1.0)
    min_acceptance: float = Field(default=0.02, ge=0.0, lt=1.0)
    max_evaluations: int = Field(default=50_000, ge=10)
    seed: int = Field(default=0, ge=0, le=MAX_SEED)

    @model_validator(mode="after")
    def _budget(self):
        if self.max_evaluations < self.particles:
            raise ValueError(f"max_evaluations ({self.max_evaluations}) must be at least particles "
                             f"({self.particles}): the first generation evaluates one proposal per particle")
        return self


class CalibrationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_-]+$")
    base: Union[str, dict[str, Any]]
    overrides: dict[str, Any] = Field(default_factory=dict)
    parameters: dict[str, Prior] = Field(min_length=1)
    targets: Optional[str] = None
    recovery: Optional[Recovery] = None
    abc: Sampler = Field(default_factory=Sampler)

    @model_validator(mode="after")
    def _one_source(self):
        if (self.targets is None) == (self.recovery is None):
            raise ValueError("give exactly one of `targets` (a file) and `recovery` (targets from known values)")
        return self


class Calibration:
    """A validated calibration: the base run resolved, the parameters declared, the targets checked."""

    def __init__(self, cfg: CalibrationConfig, base: RunConfig, base_dir: Path, run_dir: Path, source: str,
                 params: dict[str, Param], targets: pd.DataFrame | None, inputs: dict[str, Path]):
        self.config, self.base, self.base_dir, self.run_dir = cfg, base, base_dir, run_dir
        self.source, self.declared, self.inputs = source, params, inputs
        self.names = list(cfg.parameters)
        self.targets = targets  # None for recovery until they are made
        self.spec = resolve(base, run_dir, source)

    def spec_for(self, values: dict[str, float], seed: int):
        """The run spec with these parameter values and this seed."""
        import dataclasses

        from abm.policies import instantiate, resolve_rules
        from abm.sweep.config import split_values, with_levers

        behaviour, levers = split_values({name: float(round(v)) if self.declared[name].integer else float(v)
                                          for name, v in values.items()})
        spec = self.spec
        if levers:
            pols = instantiate(with_levers(list(self.base.policies), levers))
            spec = dataclasses.replace(spec, policies=pols, rules=resolve_rules(pols, spec.profile.rules,
                                                                                dict(self.base.precedence)))
        return dataclasses.replace(spec, behaviour=dict(self.base.behaviour) | behaviour, seed=int(seed))

    def fingerprint(self) -> str:
        blob = json.dumps([self.config.model_dump(mode="json"), self.base.model_dump(mode="json"),
                           None if self.targets is None else self.targets.to_dict("records")],
                          sort_keys=True, default=str)
        return hashlib.sha256(blob.encode()).hexdigest()


def load_calibration(path: str | Path) -> Calibration:
    path = Path(path)
    source = str(path)
    if not path.is_file():
        raise ConfigError(source, [f"calibration config {path} not found"])
    try:
        data = load_yaml(path)
    except YamlError as exc:
        raise ConfigError(source, [str(exc)]) from None
    try:
        cfg = CalibrationConfig(**data)
    except ValidationError as err:
        raise ConfigError(source, format_errors(err, CalibrationConfig)) from None
    base_dir, inputs = path.parent, {"calibration": path}
    if isinstance(cfg.base, str):
        bpath = base_dir / cfg.base
        try:
            base_data = load_yaml(bpath)
        except (YamlError, OSError) as exc:
            raise ConfigError(source, [f"base: cannot read run config {cfg.base!r}: {exc}"]) from None
        run_dir, inputs["base"] = bpath.parent, bpath
    else:
        base_data, run_dir = dict(cfg.base), base_dir
    base_data = base_data | cfg.overrides | {"name": cfg.name}
    try:
        base = RunConfig(**base_data)
    except ValidationError as err:
        raise ConfigError(source, [f"base.{p}" for p in format_errors(err)]) from None
    problems, params = [], {}
    policies = policy_names(list(base.policies))
    for name, prior in cfg.parameters.items():
        owner, _, p, problem = find_lever(name)
        if problem:
            problems.append(problem.replace("design.parameters.", "parameters."))
            continue
        if owner != "behaviour" and owner not in policies:
            problems.append(f"parameters.{name}: the base run has no policy {owner!r}")
            continue
        for v in (prior.low, prior.high):
            if (msg := p.check(v)) is not None:
                problems.append(f"parameters.{name}: prior bound {msg}")
        params[name] = p
    if cfg.recovery is not None:
        for name, v in cfg.recovery.truth.items():
            if name not in cfg.parameters:
                problems.append(f"recovery.truth.{name}: not a calibrated parameter; calibrated: "
                                f"{', '.join(cfg.parameters)}")
            elif not cfg.parameters[name].low <= v <= cfg.parameters[name].high:
                problems.append(f"recovery.truth.{name}: {v:g} lies outside its prior "
                                f"[{cfg.parameters[name].low:g}, {cfg.parameters[name].high:g}]")
        missing = [n for n in cfg.parameters if n not in cfg.recovery.truth and n in params]
        if missing:
            problems.append(f"recovery.truth: missing {', '.join(missing)}")
    targets = None
    try:
        if cfg.targets is not None:
            tpath = base_dir / cfg.targets
            targets = load_targets(tpath, base.horizon_months)
            inputs["targets"] = tpath
        else:
            frame = pd.DataFrame([t.model_dump() for t in cfg.recovery.targets]).assign(observed=0.0)
            validate_targets(frame, base.horizon_months, f"{source}: recovery.targets")
    except TargetError as exc:
        if cfg.targets is None:  # inline targets: name them by position, not by file row
            problems.extend(re.sub(r"^row (\d+):", lambda m: f"recovery.targets[{int(m.group(1)) - 2}]:", p)
                            for p in exc.problems)
        else:
            problems.append(str(exc))
    if problems:
        raise ConfigError(source, problems)
    return Calibration(cfg, base, base_dir, run_dir, source, params, targets, inputs)
