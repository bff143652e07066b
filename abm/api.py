"""The Python API: simulate a config with parameter values and a seed; evaluate calibration targets without Ray.

    from abm import api

    table = api.simulate("quickstart", {"behaviour.hazard_migrant": 0.006, "households": 2000,
                                        "horizon_months": 24}, seed=11)
    cal = api.load_calibration("calibration/recovery")
    fit = api.evaluate(cal, {"behaviour.reg_const": -4.0}, seed=1)
    found = api.discover("results/sweeps/discovery", "public_school_share", group="migrant", below=0.08,
                         arm="zhengzhou", effect=True)       # found.box: the chosen box; found.boxes: all
    experiments, outcomes = api.ema_results("results/sweeps/discovery")   # EMA workbench's results

A config is a file path, a built-in name (`quickstart`, `scenarios/kunshan`: see abm.builtin), a run config
mapping, a `RunConfig` or a `RunSpec`. Parameter values are named as in sweeps and calibrations:
`behaviour.<name>` or `<policy>.<lever>` (a lever of a policy the config uses); `households`,
`horizon_months` and `start_month` replace the config's. A seed is an int (a numpy integer too) in
0 .. 2**63-1: a float, even a whole one, is refused, because a 62-bit seed that went through a float (a
mixed-type pandas row, say) has lost digits and would silently be another run.

Every problem with the input is reported at once in one `abm.config.ConfigError` (a ValueError) naming each
field and what is allowed; nothing runs first. Errors of the package itself are not ConfigErrors.

Processes and threads: the kernels run on a fork-safe, thread-safe threading layer (abm.threadlayer), so
these functions work in processes forked or spawned after the parent has simulated (multiprocessing,
pyABC's multicore sampler, EMA workbench, joblib). In such a child process a run uses one Numba thread
unless `threads` says otherwise, as sweep workers do: the pool already uses the cores, and one thread per
worker is faster there than several competing. Results never depend on the thread count.
"""

from __future__ import annotations

import dataclasses
import multiprocessing
import numbers
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator, Mapping, Optional, Union

from abm.config import MAX_SEED, ConfigError, RunConfig, check_data, policy_names, validate_fields
from abm.spec import RunSpec

if TYPE_CHECKING:
    import pandas as pd

    from abm.calibration.config import Calibration

__all__ = ["ConfigError", "check_seed", "discover", "ema_results", "evaluate", "load_calibration", "recovery_targets",
           "save_ema", "simulate"]

RUN_FIELDS = ("households", "horizon_months", "start_month")
_SERIAL = threading.RLock()  # only where Numba's workqueue layer is in use: it cannot run two loops at once


def check_seed(seed: Any, label: str = "seed") -> int:
    """The seed as an int, or ConfigError: an int or numpy integer in 0 .. 2**63-1, never a float or bool."""
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        kind = type(seed).__name__
        hint = " (a seed that went through a float may have lost digits: keep seeds as integers)" \
            if isinstance(seed, numbers.Real) and not isinstance(seed, bool) else ""
        raise ConfigError(label, [f"{label}: must be an integer in 0 .. 2**63-1, not a {kind} ({seed!r}){hint}"])
    if not 0 <= int(seed) <= MAX_SEED:
        raise ConfigError(label, [f"{label}: {int(seed)} is out of range; allowed 0 .. 2**63-1"])
    return int(seed)


def _number(v: Any) -> Any:
    """numpy numbers as Python numbers, so that declared ranges can check them; anything else unchanged."""
    if isinstance(v, numbers.Integral) and not isinstance(v, bool):
        return int(v)
    if isinstance(v, numbers.Real) and not isinstance(v, bool):
        return float(v)
    return v


def _split(params: Optional[Mapping[str, Any]], policies: list[str], allowed_run: tuple = RUN_FIELDS):
    """params -> (run-field overrides, behaviour values, {policy: {lever: value}}, problems)."""
    from abm.sweep.config import find_lever

    run, behaviour, levers, problems = {}, {}, {}, []
    for name, value in dict(params or {}).items():
        value = _number(value)
        if not isinstance(name, str):
            problems.append(f"params: the name {name!r} is not a string")
        elif name in allowed_run:
            run[name] = value
        elif "." not in name:
            problems.append(f"params.{name}: unknown; allowed: behaviour.<name>, <policy>.<lever> or "
                            f"{', '.join(allowed_run)}")
        else:
            owner, key, declared, problem = find_lever(name)
            if problem:
                problems.append(problem.replace("design.parameters.", "params."))
            elif owner != "behaviour" and owner not in policies:
                problems.append(f"params.{name}: the config has no policy {owner!r}; its policies: "
                                f"{', '.join(policies)}")
            elif (msg := declared.check(value)) is not None:
                problems.append(f"params.{name}: {msg}")
            elif owner == "behaviour":
                behaviour[key] = float(value)
            else:
                levers.setdefault(owner, {})[key] = float(value)
    return run, behaviour, levers, problems


def _config_data(config: Any) -> tuple[dict, str, Optional[Path]]:
    """(mapping, source label, folder relative paths resolve against) of a file, built-in, mapping or RunConfig."""
    from abm.builtin import locate
    from abm.yamlio import YamlError, load_yaml

    if isinstance(config, RunConfig):
        return config.model_dump(), config.name, None
    if isinstance(config, Mapping):
        return dict(config), "config", None
    if isinstance(config, (str, Path)):
        path = locate(Path(config))
        if path.is_dir():
            raise ConfigError(str(config), [f"{config} is a folder, not a run config file or built-in name"])
        try:
            return load_yaml(path, "config file"), str(path), path.parent
        except YamlError as exc:
            from abm.builtin import names

            hint = f"; built-in run configs: {', '.join(names('run'))}" if not path.exists() else ""
            raise ConfigError(str(config), [f"{exc}{hint}"]) from None
    raise ConfigError("config", [f"config: expected a file path, a built-in name, a mapping, a RunConfig or a "
                                 f"RunSpec, not a {type(config).__name__}"])


def make_spec(config: Any, params: Optional[Mapping[str, Any]] = None, seed: Any = None) -> RunSpec:
    """The RunSpec of `config` with `params` and `seed` applied; ConfigError listing every problem."""
    from abm.policies import PolicyError, instantiate, resolve_rules
    from abm.sweep.config import with_levers

    problems: list[str] = []
    try:
        seed = None if seed is None else check_seed(seed)
    except ConfigError as exc:
        problems += exc.problems
    if isinstance(config, RunSpec):
        run, behaviour, levers, found = _split(params, [p.name for p in config.policies])
        problems += found
        if run:  # checked as the config's fields are
            fields = {"name": "spec", "city": "spec", "households": config.households,
                      "horizon_months": config.horizon_months, "seed": 0, "start_month": config.start_month}
            problems += validate_fields(RunConfig, fields | run, rename={k: f"params.{k}" for k in run})[2]
        if problems:
            raise ConfigError("params", problems)
        spec = dataclasses.replace(config, behaviour=dict(config.behaviour) | behaviour, **run)
        if levers:
            items = with_levers([{p.name: dict(p.values)} for p in config.policies], levers)
            try:
                pols = instantiate(items)
                spec = dataclasses.replace(spec, policies=pols, rules=resolve_rules(pols, spec.profile.rules, {}))
            except PolicyError as exc:
                raise ConfigError("params", [f"params: {p} (pass the config, with its precedence, instead of the "
                                             "RunSpec)" for p in str(exc).splitlines()]) from None
        return spec if seed is None else dataclasses.replace(spec, seed=seed)
    data, source, base_dir = _config_data(config)
    run, behaviour, levers, found = _split(params, policy_names(data.get("policies", ["baseline"]))
                                           if isinstance(data.get("policies", []), list) else [])
    problems += found
    labels = {k: f"params.{k}" for k in run} | {"seed": "seed"}
    if problems:  # report the config's own problems (and the run fields') with ours, all at once
        try:
            check_data(data, source, base_dir, run, labels)
        except ConfigError as exc:
            problems = exc.problems + problems
        raise ConfigError(source, problems)
    if behaviour:
        data["behaviour"] = dict(data.get("behaviour") or {}) | behaviour
    if levers:
        data["policies"] = with_levers(list(data.get("policies", ["baseline"])), levers)
    overrides = run | ({} if seed is None else {"seed": seed})
    return check_data(data, source, base_dir, overrides, labels)[1]


@contextmanager
def _threads(threads: Optional[int]) -> Iterator[None]:
    """Numba's thread count for one call (1 in a worker process unless asked otherwise), then restored."""
    import numba

    from abm import threadlayer

    if threads is not None and (isinstance(threads, bool) or not isinstance(threads, numbers.Integral)
                                or not 1 <= threads <= numba.config.NUMBA_NUM_THREADS):
        raise ConfigError("threads", [f"threads: must be an integer in 1 .. {numba.config.NUMBA_NUM_THREADS} "
                                      f"(got {threads!r})"])
    if threads is None and multiprocessing.parent_process() is not None:
        threads = 1
    before = numba.get_num_threads()
    lock = _SERIAL if threadlayer.REQUESTED != "tbb" else None
    if lock is not None:
        lock.acquire()
    try:
        if threads is not None:
            numba.set_num_threads(int(threads))
        yield
    finally:
        numba.set_num_threads(before)
        if lock is not None:
            lock.release()


def simulate(config: Union[str, Path, Mapping, RunConfig, RunSpec], params: Optional[Mapping[str, Any]] = None,
             seed: Any = None, threads: Optional[int] = None) -> "pd.DataFrame":
    """Simulate `config` with `params` and `seed` (default: the config's) and return the indicator table.

    The table is indicators.parquet's: long format, columns step, group, sex, indicator, value (real-city
    units); `table.attrs` holds the seed and the scale. Raises ConfigError for bad input.
    """
    from abm.runner import indicators_frame
    from abm.runner import simulate as run

    spec = make_spec(config, params, seed)
    with _threads(threads):
        world = run(spec, "numba", warm=False).world
    table = indicators_frame(world)
    table.attrs = {"seed": spec.seed, "scale": float(world.scale), "households": spec.households,
                   "horizon_months": spec.horizon_months}
    return table


def load_calibration(config: Union[str, Path, "Calibration"]) -> "Calibration":
    """A calibration config (a file or a built-in name such as `calibration/recovery`), checked; ConfigError."""
    from abm.builtin import locate
    from abm.calibration.config import Calibration
    from abm.calibration.config import load_calibration as load

    if isinstance(config, Calibration):
        return config
    if not isinstance(config, (str, Path)):
        raise ConfigError("calibration", [f"calibration: expected a file path or built-in name, not a "
                                          f"{type(config).__name__}"])
    return load(locate(Path(config)))


def _local(specs: list[list], extractor) -> "Any":
    """An evaluator for abm.calibration.run that runs here, in this process, instead of on Ray."""
    import numpy as np

    from abm.calibration.run import summarise

    return np.array([summarise(group, extractor) for group in specs])


def recovery_targets(calibration: Union[str, Path, "Calibration"], threads: Optional[int] = None) -> "pd.DataFrame":
    """A recovery calibration's targets: the mean (and sd) of its runs at the true values, as `abm calibrate`
    makes them on Ray, computed here. Raises ConfigError if the calibration has a targets file instead."""
    from abm.calibration.run import make_recovery_targets

    cal = load_calibration(calibration)
    if cal.config.recovery is None:
        raise ConfigError(cal.source, [f"recovery: {cal.source} has a targets file ({cal.config.targets}), "
                                       "not recovery targets; its targets are calibration.targets"])
    with _threads(threads):
        return make_recovery_targets(cal, _local)


def evaluate(calibration: Union[str, Path, "Calibration"], values: Mapping[str, Any], seed: Any,
             draws: Optional[int] = None, targets: Optional["pd.DataFrame"] = None,
             threads: Optional[int] = None) -> "pd.DataFrame":
    """Simulate the calibration's base run at `values` (its parameters by name, e.g. `behaviour.reg_const`;
    parameters not given keep the base run's values) and read off its targets, without Ray.

    `draws` runs (default: the config's `abc.draws`) with seeds seed, seed + 1, ... are averaged, as one
    ABC evaluation does. Returns the targets table with a `simulated` column; `table.attrs["distance"]` is the
    ABC distance to the observed values. A recovery calibration's targets are made first (see
    `recovery_targets`) unless given as `targets`.
    """
    import numpy as np

    from abm.calibration.run import distances, summarise
    from abm.calibration.targets import Extractor

    cal = load_calibration(calibration)
    problems = []
    try:
        seed = check_seed(seed)
    except ConfigError as exc:
        problems += exc.problems
    draws = cal.config.abc.draws if draws is None else draws
    if isinstance(draws, bool) or not isinstance(draws, numbers.Integral) or not 1 <= draws <= 100:
        problems.append(f"draws: must be an integer in 1 .. 100 (got {draws!r})")
    elif isinstance(seed, int) and seed + int(draws) - 1 > MAX_SEED:
        problems.append(f"seed: {seed} + {int(draws) - 1} draws runs past 2**63-1")
    checked = {}
    for name, value in dict(values).items():
        value = _number(value)
        if name not in cal.declared:
            problems.append(f"values.{name}: not a parameter of this calibration; its parameters: "
                            f"{', '.join(cal.names)}")
        elif (msg := cal.declared[name].check(value)) is not None:
            problems.append(f"values.{name}: {msg}")
        else:
            checked[name] = value
    if problems:
        raise ConfigError(cal.source, problems)
    with _threads(threads):
        table = (recovery_targets(cal, threads) if targets is None and cal.targets is None
                 else (cal.targets if targets is None else targets)).copy()
        sims = summarise([cal.spec_for(checked, seed + r) for r in range(int(draws))], Extractor.of(table))
    table["simulated"] = sims
    table.attrs = {"distance": float(distances(sims[None, :], table)[0]), "seed": seed, "draws": int(draws)}
    return table


def discover(sweep: Union[str, Path], outcome: str, group: str = "all", below: Optional[float] = None,
             above: Optional[float] = None, arm: Optional[str] = None, effect: bool = False, method: str = "prim",
             write: bool = False) -> "Any":
    """Scenario discovery on a sweep folder, as `abm discover` does: the boxes of design-parameter values where
    `outcome` of `group` at the horizon (of `arm`, default the baseline arm; with `effect`, the arm's paired
    difference from the baseline arm) is below `below` or above `above`, by `method` (prim or cart).

    Returns an abm.sweep.discover.Discovery: `.boxes` (each with coverage, density, mass, runs, cases and the
    restricted parameters' limits and quasi-p values), `.chosen` and `.box` (the chosen one). `write=True`
    also writes the table and the record `abm report` shows, in SWEEP/discovery/. Raises ConfigError for a
    bad query or folder (every problem at once), abm.sweep.discover.NoCases (a ValueError) when no run, or
    every run, is a case of interest.
    """
    from abm.sweep import discover as sd
    from abm.sweep.store import read_manifest

    q = sd.Query(outcome=outcome, group=group, below=below, above=above, arm=arm, effect=effect, method=method)
    if write:
        manifest, problems = sd.check(Path(sweep), q)
    else:
        manifest, problems = None, []
        try:
            manifest = read_manifest(Path(sweep))
        except FileNotFoundError as exc:
            problems.append(str(exc))
        problems += sd.problems(manifest, q)
    if problems:
        raise ConfigError(str(sweep), problems)
    found = sd.discover(Path(sweep), manifest, q)
    if write:
        sd.write(Path(sweep), manifest, found)
    return found


def _pairs(outcomes: Optional[list]) -> Optional[list]:
    from abm.indicators import GROUP_LABELS, NAMES

    if outcomes is None:
        return None
    pairs = [(o, "all") if isinstance(o, str) else tuple(o) for o in outcomes]
    problems = [f"outcomes: {p!r} is not an indicator or (indicator, group); indicators: see abm.indicators.NAMES, "
                f"groups: {', '.join(GROUP_LABELS)}" for p in pairs
                if len(p) != 2 or p[0] not in NAMES or p[1] not in GROUP_LABELS]
    if problems:
        raise ConfigError("outcomes", problems)
    return pairs


def ema_results(sweep: Union[str, Path], outcomes: Optional[list] = None, series: bool = False
                ) -> "tuple[pd.DataFrame, dict]":
    """A sweep folder as EMA workbench's (experiments, outcomes): one row per finished run (the design
    parameters, `scenario`, `policy` = the arm, `model`), outcomes `<indicator>__<group>` at the horizon, shape
    (runs,); `series=True` adds the monthly values `<indicator>__<group>__series` and `TIME`, shape (runs,
    months). `outcomes`: indicator names (group all) or (indicator, group) pairs, default the headline
    outcomes of `abm compare`. See abm.sweep.export."""
    from abm.sweep.export import ema_results as results

    return results(Path(sweep), _pairs(outcomes), series)


def save_ema(sweep: Union[str, Path], dest: Union[str, Path], outcomes: Optional[list] = None,
             series: bool = False) -> Path:
    """Write `ema_results(sweep, outcomes, series)` to `dest`, a .tar.gz that ema_workbench.load_results reads
    (`abm export SWEEP --to ema`); returns `dest`."""
    from abm.sweep.export import save_ema as save

    return save(Path(sweep), Path(dest), _pairs(outcomes), series)[0]
