"""Run configs: YAML, loaded safely, validated into frozen typed objects.

Every problem in a config is reported at once, one line per field path, with what is allowed:
the schema (types, ranges, unknown keys), the city profile, the policies and their parameters, and
the precedence rules are all checked in one pass (`check_run`), so a config never needs a second
round of fixing for a problem the first could have named. `ConfigError` carries them and the CLI
exits with code 2. The sweep and calibration configs reuse these stages.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, get_args

from pydantic import (AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, TypeAdapter, ValidationError,
                      field_validator)

from abm.city import BUILTIN_CITIES, CityProfile, load_profile, profile_path
from abm.parameters import BEHAVIOUR_BY_NAME, check_values
from abm.policies import PolicyError, instantiate, resolve_rules
from abm.spec import RunSpec
from abm.yamlio import YamlError, load_yaml

MAX_SEED = 2**63 - 1
NAME_RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 100 characters"


class ConfigError(ValueError):
    """A config that cannot run; `problems` lists one message per bad field."""

    def __init__(self, source: str, problems: list[str]):
        self.source = source
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


def _whole(v: Any) -> int:
    # a bool is an int to Python and a float may have lost digits (a 62-bit seed read back through a float):
    # counts, months and seeds must be written as integers
    if isinstance(v, bool) or not isinstance(v, numbers.Integral):
        raise ValueError("must be a whole number written as an integer, e.g. 1000")
    return int(v)


def _number(v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, numbers.Real):
        raise ValueError("must be a number")
    return float(v)


def _name(v: str) -> str:
    ok = 0 < len(v) <= 100 and v[0].isascii() and v[0].isalnum() and all(
        c.isascii() and (c.isalnum() or c in "._-") for c in v)
    if not ok:  # `.` and `..` would write outside results/, a leading dot would hide the folder
        raise ValueError(f"a name may hold {NAME_RULE}")
    return v


Whole = Annotated[int, BeforeValidator(_whole)]
Number = Annotated[float, BeforeValidator(_number)]
Name = Annotated[str, AfterValidator(_name)]
PolicyItem = Any  # a name or {name: {parameter: value}}; checked by abm.policies.instantiate


class RunConfig(BaseModel):
    """A run: one city, one policy package, one seed."""
    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Name = Field(description=f"run name, used for the output folder: {NAME_RULE}")
    city: str = Field(description=f"built-in profile ({', '.join(BUILTIN_CITIES)}) or a profile file path")
    households: Whole = Field(ge=10, le=50_000_000, description="number of agents (households)")
    horizon_months: Whole = Field(ge=1, le=600, description="months to simulate")
    seed: Whole = Field(ge=0, le=MAX_SEED, description="the run's seed; every draw derives from it")
    policies: list[PolicyItem] = Field(default_factory=lambda: ["baseline"],
                                       description="policy names or {name: {parameter: value}}, applied in order")
    behaviour: dict[str, Number] = Field(default_factory=dict, description="behaviour parameters to override")
    precedence: dict[str, str] = Field(default_factory=dict,
                                       description="which policy wins a rule that two policies set differently")
    start_month: Whole = Field(default=1, ge=1, le=12, description="calendar month of the first step")
    engine: Literal["numba", "mesa"] = Field(default="numba", description="default engine for this config")

    @field_validator("behaviour")
    @classmethod
    def _behaviour(cls, v: dict[str, float]) -> dict[str, float]:
        if problems := check_values(BEHAVIOUR_BY_NAME, v, "behaviour parameter"):
            raise ValueError("; ".join(problems))
        return v


def where(loc: tuple) -> str:
    """A pydantic location as a field path: `policies[1].baseline`, `arms.a.precedence`."""
    out = ""
    for part in loc:
        if part == "[key]":  # pydantic's marker for a bad key of a mapping: the key itself is named already
            continue
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def format_errors(err: ValidationError, model: type[BaseModel] = RunConfig, prefix: str = "",
                  rename: dict[str, str] | None = None) -> list[str]:
    """One line per error: the field path (under `prefix`; a top-level key in `rename` gets that label,
    e.g. the command-line option that set it), what is wrong, and what is allowed."""
    out = []
    for e in err.errors():
        loc = tuple(e["loc"])
        top = loc[0] if loc else None
        if rename and top in rename:
            rest = where(loc[1:])
            path = rename[top] + (rest if not rest or rest.startswith("[") else "." + rest)
        else:
            path = where(loc)
            path = f"{prefix}.{path}" if prefix and path else (prefix or path)
        path = path or "(top level)"
        if e["type"] == "extra_forbidden":
            allowed = ", ".join(_fields_at(model, loc[:-1]))
            out.append(f"{path}: unknown key; allowed keys: {allowed}")
        elif e["type"] == "missing":
            out.append(f"{path}: required, missing")
        elif e["type"] in ("greater_than_equal", "less_than_equal", "greater_than", "less_than") and (
                allowed := _bounds(model, loc)):
            out.append(f"{path}: {e.get('input')!r} is out of range; allowed {allowed}")
        else:
            msg = e["msg"].removeprefix("Value error, ")
            got = e.get("input")
            shown = f" (got {got!r})" if not isinstance(got, (dict, list)) and got is not None else ""
            out.append(f"{path}: {msg}{shown}")
    return out


def _bounds(model: type[BaseModel], loc: tuple) -> str | None:
    """A bounded field's range in words, e.g. `10 .. 50,000,000`, or `more than 0`."""
    field = _model_at(model, loc[:-1]).model_fields.get(loc[-1]) if loc else None
    if field is None:
        return None
    low = high = None
    for m in field.metadata:  # pydantic's Ge, Gt, Le, Lt constraints
        for name, inclusive in (("ge", True), ("gt", False)):
            if getattr(m, name, None) is not None:
                low = (getattr(m, name), inclusive)
        for name, inclusive in (("le", True), ("lt", False)):
            if getattr(m, name, None) is not None:
                high = (getattr(m, name), inclusive)
    fmt = lambda v: f"{v:,}" if isinstance(v, int) else f"{v:g}"  # noqa: E731
    if low and high and low[1] and high[1]:
        return f"{fmt(low[0])} .. {fmt(high[0])}"
    parts = ([f"{'at least' if low[1] else 'more than'} {fmt(low[0])}"] if low else []) + (
        [f"{'at most' if high[1] else 'less than'} {fmt(high[0])}"] if high else [])
    return " and ".join(parts) or None


def _model_at(model: type[BaseModel], loc: tuple) -> type[BaseModel]:
    """The model whose keys apply at `loc` (the top level, or a nested model's)."""
    for part in loc:
        field = model.model_fields.get(part) if isinstance(part, str) else None
        ann = getattr(field, "annotation", None) if field else None
        for sub in (ann, *get_args(ann), *(a for arg in get_args(ann) for a in get_args(arg))):
            if isinstance(sub, type) and issubclass(sub, BaseModel):
                model = sub
                break
    return model


def _fields_at(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys allowed where an unknown key was found."""
    return list(_model_at(model, loc).model_fields)


def validate_fields(model: type[BaseModel], data: dict, prefix: str = "", rename: dict[str, str] | None = None):
    """Validate `data` as `model`. Returns (instance or None, {field: value} of every field that is valid on
    its own, problems, names of the bad fields), so later stages can still check what is valid."""
    try:
        obj = model.model_validate(data)
        return obj, {k: getattr(obj, k) for k in model.model_fields}, [], set()
    except ValidationError as err:
        problems = format_errors(err, model, prefix, rename)
        bad = {e["loc"][0] if e["loc"] else None for e in err.errors()}
    good: dict[str, Any] = {}
    for key, field in model.model_fields.items():
        if key in bad:
            continue
        if key not in data:
            if not field.is_required():
                good[key] = field.get_default(call_default_factory=True)
            continue
        try:
            good[key] = TypeAdapter(Annotated[field.annotation, field]).validate_python(data[key])
        except ValidationError:
            bad.add(key)
    return None, good, problems, bad


def parse_config(data: dict, source: str = "config") -> RunConfig:
    try:
        return RunConfig.model_validate(data)
    except ValidationError as err:
        raise ConfigError(source, format_errors(err)) from None


def load_config(path: str | Path, overrides: dict[str, Any] | None = None) -> RunConfig:
    """Read, apply command-line overrides, and validate the schema. Raises ConfigError listing every problem."""
    try:
        data = load_yaml(path, "config file")
    except YamlError as exc:
        raise ConfigError(str(path), [str(exc)]) from None
    data.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return parse_config(data, str(path))


# --- the stages after the schema: city, policies, precedence ------------------------------------------------

def check_city(city: str, base_dir: Path | None, label: str = "city") -> tuple[CityProfile | None, list[str]]:
    path = profile_path(city, base_dir)
    if path.is_dir():
        return None, [f"{label}: {path} is a folder, not a city profile file"]
    try:
        return load_profile(city, base_dir), []
    except FileNotFoundError as exc:
        return None, [f"{label}: {exc}"]
    except ValidationError as exc:
        return None, [f"{label}: profile {city!r} is not valid: {'; '.join(format_errors(exc, CityProfile))}"]
    except (YamlError, ValueError, TypeError, OSError) as exc:
        return None, [f"{label}: profile {city!r} is not valid: {exc}"]


def check_policies(items: list, prefix: str = "") -> tuple[list, list[str]]:
    """The policies of a config's list (baseline first) and every problem; when some entries are bad,
    the policies of the good entries, so that their rules can still be checked."""
    # a parameter name that is not text is named as unknown, like any other
    items = [{next(iter(i)): {str(k): v for k, v in next(iter(i.values())).items()}}
             if isinstance(i, dict) and len(i) == 1 and isinstance(next(iter(i.values())), dict) else i
             for i in items]
    try:
        return instantiate(list(items)), []
    except PolicyError as exc:
        problems = [prefix + p for p in str(exc).splitlines()]
    good = []
    for item in items:
        try:
            instantiate([item])
            good.append(item)
        except PolicyError:
            pass
    return instantiate(good), problems


def policy_names(items: list) -> list[str]:
    """The policy names a config's list uses (entries that are not a name or a one-key mapping are skipped)."""
    out = []
    for i in items:
        if isinstance(i, str):
            out.append(i)
        elif isinstance(i, dict) and len(i) == 1:
            out.append(next(iter(i)))
    return out


def check_precedence(policies: list, city_rules: dict, precedence: dict[str, str], label: str = "precedence",
                     prefix: str = "", used: list[str] | None = None) -> tuple[dict | None, list[str]]:
    """The rules in force, and every problem with `precedence`: an unknown rule, a policy the config does not
    use (`used`: the names its list gives, default the policies'), or two policies that set one rule
    differently without a precedence saying which wins."""
    from abm.rules import RULES_BY_NAME

    used = list(dict.fromkeys(["baseline", *(used if used is not None else [p.name for p in policies])]))
    problems, kept = [], {}
    for rule, winner in precedence.items():
        if rule not in RULES_BY_NAME:
            set_here = sorted({k for p in policies[1:] for k in p.rules(policies[0].rules({}))} & set(RULES_BY_NAME))
            problems.append(f"{prefix}{label}.{rule}: unknown rule; every rule is a parameter of "
                            f"`abm policies baseline`; this config's pilots set: {', '.join(set_here) or 'none'}")
        elif winner not in used:
            problems.append(f"{prefix}{label}.{rule}: {winner!r} is not one of this config's policies; "
                            f"its policies: {', '.join(used)}")
        else:
            kept[rule] = winner
    try:
        rules = resolve_rules(policies, city_rules, kept)
    except PolicyError as exc:
        return None, problems + [prefix + p for p in str(exc).splitlines()]
    return (None if problems else rules), problems


def check_run(cfg: dict, base_dir: Path | None, bad: set = frozenset(), profile: CityProfile | None = None,
              labels: dict[str, str] | None = None, prefix: str = "", city_checked: bool = False):
    """The stages after the schema, on the fields that passed it (`bad` names those that did not):
    returns (RunSpec or None, problems). `labels` renames the fields in messages (an override's source)."""

    labels = labels or {}
    problems: list[str] = []
    if not city_checked and "city" not in bad and "city" in cfg:
        profile, problems = check_city(cfg["city"], base_dir, labels.get("city", prefix + "city"))
    policies = None
    if "policies" not in bad:
        policies, found = check_policies(cfg.get("policies", ["baseline"]), prefix)
        problems += found
    rules = None
    if policies is not None and "precedence" not in bad:
        rules, found = check_precedence(policies, profile.rules if profile else {}, cfg.get("precedence", {}),
                                        labels.get("precedence", "precedence"), prefix,
                                        policy_names(cfg.get("policies", ["baseline"])))
        problems += found
    if problems or bad or profile is None or rules is None:
        return None, problems
    return RunSpec(profile=profile, households=cfg["households"], horizon_months=cfg["horizon_months"],
                   seed=cfg["seed"], policies=policies, behaviour=dict(cfg["behaviour"]), rules=rules,
                   start_month=cfg["start_month"]), problems


def resolve(cfg: RunConfig, base_dir: Path | None = None, source: str | None = None):
    """Turn a valid config into a RunSpec: load the city, instantiate the policies, fix the rules.

    Errors in the city file, the policies or the precedence are ConfigErrors too, all listed together.
    """
    spec, problems = check_run(cfg.model_dump(), base_dir)
    if spec is None:
        raise ConfigError(source or cfg.name, problems)
    return spec


OPTIONS = {"households": "--households", "horizon_months": "--months", "seed": "--seed", "engine": "--engine"}


def check_data(data: dict, source: str, base_dir: Path | None, overrides: dict[str, Any] | None = None,
               labels: dict[str, str] | None = None):
    """Validate a run config's mapping with `overrides` applied (problems in an override are named by its
    label in `labels`, e.g. `--households`): every stage in one pass. Returns (RunConfig, RunSpec)."""
    overrides = {k: v for k, v in (overrides or {}).items() if v is not None}
    rename = {k: (labels or {}).get(k, k) for k in overrides}
    cfg, good, problems, bad = validate_fields(RunConfig, dict(data) | overrides, rename=rename)
    spec, found = check_run(good, base_dir, bad)
    problems += found
    if problems:
        raise ConfigError(source, problems)
    return cfg, spec


@dataclass
class Base:
    """The base run of a sweep or a calibration, as far as it validated."""
    config: Optional["RunConfig"]  # None when any field is bad
    good: dict[str, Any]  # the fields that passed the schema
    bad: set  # the fields that did not (`base` itself when there is no base at all)
    run_dir: Path  # where the base's relative paths (its city file) are read from
    rename: dict[str, str]  # field -> the name problems use (`overrides.<key>`, or the outer config's field)
    path: Optional[Path] = None  # the run config file, when the base is one


def load_base(good: dict, base_dir: Path, replaced: dict[str, Any]) -> tuple[Base, list[str]]:
    """The base run of a sweep or calibration config: `good["base"]` is a run config file (relative to
    `base_dir`) or a mapping; `good["overrides"]` replaces fields in it, and so does `replaced` (fields the
    outer config sets itself, such as its name, named in messages by that field). Returns the base and every
    problem, by field path (`base.<field>`, `overrides.<key>`)."""
    problems: list[str] = []
    data, run_dir, path = None, base_dir, None
    if "base" in good:
        if isinstance(good["base"], str):
            path = base_dir / good["base"]
            try:
                data = load_yaml(path, "run config file")
            except YamlError as exc:
                problems.append(f"base: cannot read run config {good['base']!r}: {exc}")
            run_dir = path.parent
        else:
            data = dict(good["base"])
    if data is None:
        return Base(None, {}, {"base"}, run_dir, {}, path), problems
    overrides = good.get("overrides", {})
    rename = {k: f"overrides.{k}" for k in overrides} | {k: k for k in replaced}
    cfg, base_good, found, base_bad = validate_fields(RunConfig, data | overrides | replaced, "base", rename)
    return Base(cfg, base_good, base_bad, run_dir, rename, path), problems + found


def load_run(path: str | Path, overrides: dict[str, Any] | None = None, labels: dict[str, str] | None = None):
    """Read a run config file, apply overrides, validate every stage at once: (RunConfig, RunSpec)."""
    path = Path(path)
    try:
        data = load_yaml(path, "config file")
    except YamlError as exc:
        raise ConfigError(str(path), [str(exc)]) from None
    return check_data(data, str(path), path.parent, overrides, OPTIONS if labels is None else labels)


# --- which kind of config a file holds --------------------------------------------------------------------

KIND_KEYS = {"sweep": ("arms", "design", "replicates", "baseline_arm"),
             "calibration": ("parameters", "targets", "recovery", "abc"),
             "run": ("city", "households", "horizon_months", "policies", "behaviour", "precedence", "start_month",
                     "engine")}
KINDS_HELP = ("a run config has city, households, horizon_months and seed (`abm run`); a sweep config has base "
              "and arms (`abm sweep`); a calibration config has base, parameters and targets or recovery "
              "(`abm calibrate`)")


def config_kind(data: dict) -> tuple[str | None, str]:
    """('run' | 'sweep' | 'calibration', the keys that say so), or (None, why it cannot tell)."""
    marks = {kind: [k for k in keys if k in data] for kind, keys in KIND_KEYS.items()}
    special = [k for k in ("sweep", "calibration") if marks[k]]
    if len(special) == 2:
        return None, (f"it has keys of a sweep config ({', '.join(marks['sweep'])}) and of a calibration config "
                      f"({', '.join(marks['calibration'])}); {KINDS_HELP}")
    if special:
        return special[0], ", ".join(marks[special[0]])
    if marks["run"]:
        return "run", ", ".join(marks["run"])
    return None, f"none of its keys ({', '.join(map(str, data)) or 'none'}) marks a kind of config; {KINDS_HELP}"


# --- output locations, checked before anything runs ----------------------------------------------------------

def _nearest_existing(path: Path) -> Path:
    while not (path.exists() or path.is_symlink()) and path != path.parent:
        path = path.parent
    return path


def _cannot_write_in(folder: Path) -> str | None:
    """Why nothing can be created in `folder` (None if something can): tried, not guessed from the mode bits,
    which say nothing for root, read-only mounts or virtual filesystems. The probe is removed at once."""
    import tempfile

    try:
        probe = tempfile.mkdtemp(prefix=".abm-probe-", dir=folder)
    except OSError as exc:
        return exc.strerror or str(exc)
    Path(probe).rmdir()
    return None


def out_folder_problem(path: Path, label: str = "--out", resume: bool | None = None) -> str | None:
    """What stops `path` from becoming an output folder, or None. `resume`: None for a command that cannot
    resume (the folder must be empty or new), False/True for one that can (with True an existing folder is
    what is resumed)."""
    path = Path(path)
    if path.exists() or path.is_symlink():
        if not path.is_dir():
            kind = "a file" if path.is_file() else "not a folder"
            return f"{label}: {path} is {kind}; an output folder is needed, choose another --out"
        if resume is not True and any(not p.name.startswith(".") or resume is None for p in path.iterdir()):
            hint = "" if resume is None else ", or pass --resume to finish it"
            return f"{label}: folder {path} already exists and is not empty; choose another --out{hint}"
        if why := _cannot_write_in(path):
            return f"{label}: folder {path} is not writable ({why})"
        return None
    found = _nearest_existing(path)
    if not found.is_dir():
        return f"{label}: {path} cannot be created: {found} is a file, not a folder"
    if why := _cannot_write_in(found):
        return f"{label}: {path} cannot be created: nothing can be written in {found} ({why})"
    return None


def out_file_problem(path: Path, label: str) -> str | None:
    """What stops a file from being written at `path` (replacing a file there is fine), or None. A missing
    folder is not created: a mistyped path should not leave folders behind."""
    path = Path(path)
    if path.is_dir():
        return f"{label}: {path} is a folder; give a file name"
    parent = path.parent
    if not parent.exists():
        found = _nearest_existing(parent)
        if not found.is_dir():
            return f"{label}: {path} cannot be written: {found} is a file, not a folder"
        return f"{label}: {path} cannot be written: folder {parent} does not exist; create it first"
    if not parent.is_dir():
        return f"{label}: {path} cannot be written: {parent} is a file, not a folder"
    if why := _cannot_write_in(parent):
        return f"{label}: {path} cannot be written: nothing can be written in {parent} ({why})"
    return None
