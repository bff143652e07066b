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
    abc: {particles: 100, generations: 6, draws: 1, quantile: 0.5, min_acceptance: 0.02, seed: 1,
          kernel: silverman, parents: within, rounds: adaptive}
    # kernel: silverman | olcm | twice_covariance; parents: within | all; rounds: adaptive | fixed
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any, Literal, Optional, Union

import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from abm.calibration.abc import ROUNDS
from abm.calibration.kernels import KERNELS, PARENTS
from abm.calibration.targets import TargetError, load_targets, validate_targets
from abm.config import (MAX_SEED, ConfigError, Name, Number, RunConfig, Whole, check_run, load_base,
                        policy_names, validate_fields)
from abm.parameters import Param
from abm.sweep.config import find_lever
from abm.yamlio import YamlError, load_yaml


class Prior(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    low: Number
    high: Number
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
    when: Union[Whole, str] = "horizon"
    weight: Number = 1.0


class Recovery(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    truth: dict[str, Number] = Field(description="the known values, by parameter name")
    targets: list[TargetSpec] = Field(min_length=1)
    runs: Whole = Field(default=4, ge=2, le=100, description="runs at the truth, averaged")
    seed: Whole = Field(default=999, ge=0, le=MAX_SEED)


class Sampler(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    particles: Whole = Field(default=100, ge=10, le=100_000)
    generations: Whole = Field(default=6, ge=1, le=50)
    draws: Whole = Field(default=1, ge=1, le=20, description="runs per parameter set, each a fresh population")
    quantile: Number = Field(default=0.5, gt=0.0, lt=1.0)
    min_acceptance: Number = Field(default=0.02, ge=0.0, lt=1.0)
    max_evaluations: Whole = Field(default=50_000, ge=10)
    seed: Whole = Field(default=0, ge=0, le=MAX_SEED)
    kernel: Literal[KERNELS] = Field(
        default="silverman", description="how far proposals move their parents (abm.calibration.kernels)")
    parents: Literal[PARENTS] = Field(
        default="within", description="the last generation's particles that are moved: those within the new "
                                      "tolerance, or all")
    rounds: Literal[ROUNDS] = Field(
        default="adaptive", description="proposal rounds sized to the acceptance rate, or one per particle")

    @model_validator(mode="after")
    def _budget(self):
        if self.max_evaluations < self.particles:
            raise ValueError(f"max_evaluations ({self.max_evaluations}) must be at least particles "
                             f"({self.particles}): the first generation evaluates one proposal per particle")
        return self


class CalibrationConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    name: Name
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
                 params: dict[str, Param], targets: pd.DataFrame | None, inputs: dict[str, Path], spec=None):
        from abm.config import resolve

        self.config, self.base, self.base_dir, self.run_dir = cfg, base, base_dir, run_dir
        self.source, self.declared, self.inputs = source, params, inputs
        self.names = list(cfg.parameters)
        self.targets = targets  # None for recovery until they are made
        self.spec = spec if spec is not None else resolve(base, run_dir, source)

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
    """Read and validate a calibration config, listing every problem of every stage at once: its own fields,
    the base run (file, fields, city, policies, precedence; `overrides.<key>` where an override set it), the
    parameters, the recovery truth and the targets."""
    path = Path(path)
    source = str(path)
    try:
        data = load_yaml(path, "calibration config file")
    except YamlError as exc:
        raise ConfigError(source, [str(exc)]) from None
    cfg, good, problems, bad = validate_fields(CalibrationConfig, data)
    base_dir, inputs = path.parent, {"calibration": path}
    # the base run
    b, found = load_base(good, base_dir, {"name": good.get("name", "calibration")})
    problems += found
    base, base_good, base_bad, run_dir, spec = b.config, b.good, b.bad, b.run_dir, None
    if b.path is not None:
        inputs["base"] = b.path
    if "base" not in base_bad:  # the base was read
        spec, found = check_run(base_good, run_dir, base_bad, labels=b.rename, prefix="base.")
        problems += found
    # the parameters: names are checked even when a prior is bad (that prior is already named)
    params: dict[str, Param] = {}
    raw = data.get("parameters")
    names = list(good["parameters"]) if "parameters" in good else (list(raw) if isinstance(raw, dict) else [])
    each = dict(good.get("parameters", {}))  # the priors that are valid on their own
    for name, value in (raw.items() if "parameters" in bad and isinstance(raw, dict) else ()):
        try:
            each[name] = Prior.model_validate(value)
        except (ValidationError, TypeError):
            pass
    policies = policy_names(base_good["policies"]) if "policies" in base_good else None
    for name in names:
        owner, _, p, problem = find_lever(str(name))
        if problem:
            problems.append(problem.replace("design.parameters.", "parameters."))
            continue
        if owner != "behaviour" and policies is not None and owner not in ["baseline", *policies]:
            problems.append(f"parameters.{name}: the base run has no policy {owner!r}; its policies: "
                            f"{', '.join(dict.fromkeys(['baseline', *policies]))}")
            continue
        params[name] = p
        if name in each:
            for v in (each[name].low, each[name].high):
                if (msg := p.check(v)) is not None:
                    problems.append(f"parameters.{name}: prior bound {msg}")
    priors = good.get("parameters", {})
    recovery = good.get("recovery")
    if recovery is not None and "parameters" in good:
        for name, v in recovery.truth.items():
            if name not in priors:
                problems.append(f"recovery.truth.{name}: not a calibrated parameter; calibrated: "
                                f"{', '.join(priors)}")
            elif not priors[name].low <= v <= priors[name].high:
                problems.append(f"recovery.truth.{name}: {v:g} lies outside its prior "
                                f"[{priors[name].low:g}, {priors[name].high:g}]")
        missing = [n for n in priors if n not in recovery.truth and n in params]
        if missing:
            problems.append(f"recovery.truth: missing {', '.join(missing)}")
    # the targets, against the base run's horizon when it is known
    horizon = base_good.get("horizon_months")
    targets = None
    try:
        if good.get("targets") is not None:
            tpath = base_dir / good["targets"]
            targets = load_targets(tpath, horizon)
            inputs["targets"] = tpath
        elif recovery is not None:
            frame = pd.DataFrame([t.model_dump() for t in recovery.targets]).assign(observed=0.0)
            validate_targets(frame, horizon, f"{source}: recovery.targets")
    except TargetError as exc:
        if good.get("targets") is None:  # inline targets: name them by position, not by file row
            problems.extend(re.sub(r"^row (\d+):", lambda m: f"recovery.targets[{int(m.group(1)) - 2}]:", p)
                            for p in exc.problems)
        else:
            problems.extend(f"targets: {good['targets']}, {p}" for p in exc.problems)
    if problems:
        raise ConfigError(source, problems)
    return Calibration(cfg, base, base_dir, run_dir, source, params, targets, inputs, spec)
