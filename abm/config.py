"""Run configs: YAML, loaded safely, validated into frozen typed objects.

Every problem in a config is reported at once, one line per field path, with
what is allowed; `ConfigError` carries them and the CLI exits with code 2.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal, Optional, Union, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from abm.city import BUILTIN_CITIES, CityProfile, load_profile
from abm.parameters import BEHAVIOUR_BY_NAME, check_values
from abm.policies import PolicyError, instantiate, resolve_rules
from abm.yamlio import YamlError, load_yaml

MAX_SEED = 2**63 - 1


class ConfigError(ValueError):
    """A config that cannot run; `problems` lists one message per bad field."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


PolicyItem = Union[str, dict[str, Optional[dict[str, Any]]]]


class RunConfig(BaseModel):
    """A run: one city, one policy package, one seed."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$",
                      description="run name, used for the output folder")
    city: str = Field(description=f"built-in profile ({', '.join(BUILTIN_CITIES)}) or a profile file path")
    households: int = Field(ge=10, le=50_000_000, description="number of agents (households)")
    horizon_months: int = Field(ge=1, le=600, description="months to simulate")
    seed: int = Field(ge=0, le=MAX_SEED, description="the run's seed; every draw derives from it")
    policies: list[PolicyItem] = Field(default_factory=lambda: ["baseline"],
                                       description="policy names or {name: {parameter: value}}, applied in order")
    behaviour: dict[str, float] = Field(default_factory=dict, description="behaviour parameters to override")
    precedence: dict[str, str] = Field(default_factory=dict,
                                       description="which policy wins a rule that two policies set differently")
    start_month: int = Field(default=1, ge=1, le=12, description="calendar month of the first step")
    engine: Literal["numba", "mesa"] = Field(default="numba", description="default engine for this config")

    @field_validator("behaviour")
    @classmethod
    def _behaviour(cls, v: dict[str, float]) -> dict[str, float]:
        if problems := check_values(BEHAVIOUR_BY_NAME, v, "behaviour parameter"):
            raise ValueError("; ".join(problems))
        return v


def format_errors(err: ValidationError, model: type[BaseModel] = RunConfig) -> list[str]:
    out = []
    for e in err.errors():
        loc = ".".join(str(x) for x in e["loc"]) or "(top level)"
        if e["type"] == "extra_forbidden":
            allowed = ", ".join(_fields_at(model, e["loc"][:-1]))
            out.append(f"{loc}: unknown key; allowed keys: {allowed}")
        elif e["type"] == "missing":
            out.append(f"{loc}: required, missing")
        else:
            msg = e["msg"].removeprefix("Value error, ")
            got = e.get("input")
            shown = f" (got {got!r})" if not isinstance(got, (dict, list)) and got is not None else ""
            out.append(f"{loc}: {msg}{shown}")
    return out


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed where an unknown key was found (top level, or a nested model's)."""
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        ann = getattr(field, "annotation", None) if field else None
        for sub in (ann, *get_args(ann)):
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                model = sub
                break
    return list(model.model_fields)


def parse_config(data: dict, source: str = "config") -> RunConfig:
    try:
        return RunConfig(**data)
    except ValidationError as err:
        raise ConfigError(source, format_errors(err)) from None


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> RunConfig:
    """Read, apply command-line overrides, and validate. Raises ConfigError listing every problem."""
    try:
        data = load_yaml(path)
    except YamlError as exc:
        raise ConfigError(str(path), [str(exc)]) from None
    data.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return parse_config(data, str(path))


def resolve(cfg: RunConfig, base_dir: Path | None = None, source: str | None = None):
    """Turn a valid config into a RunSpec: load the city, instantiate the policies, fix the rules.

    Errors in the city file or the policies are ConfigErrors too, all listed together.
    """
    from abm.world import RunSpec

    problems: list[str] = []
    profile: CityProfile | None = None
    try:
        profile = load_profile(cfg.city, base_dir)
    except FileNotFoundError as exc:
        problems.append(f"city: {exc}")
    except (YamlError, ValidationError, ValueError) as exc:
        detail = "; ".join(format_errors(exc)) if isinstance(exc, ValidationError) else str(exc)
        problems.append(f"city: profile {cfg.city!r} is not valid: {detail}")
    policies = []
    try:
        policies = instantiate(list(cfg.policies))
    except PolicyError as exc:
        problems.extend(str(exc).splitlines())
    if problems:
        raise ConfigError(source or cfg.name, problems)
    try:
        rules = resolve_rules(policies, profile.rules, dict(cfg.precedence))
    except PolicyError as exc:
        raise ConfigError(source or cfg.name, str(exc).splitlines()) from None
    return RunSpec(profile=profile, households=cfg.households, horizon_months=cfg.horizon_months, seed=cfg.seed,
                   policies=policies, behaviour=dict(cfg.behaviour), rules=rules, start_month=cfg.start_month)
