"""Running one config: build the world, step it with an engine, write the outputs."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Optional

import numpy as np

from abm import __version__
from abm.city import CITIES_DIR, profile_path
from abm.config import RunConfig
from abm.indicators import GROUP_LABELS, KIND, NAMES, SEX_LABELS, SUMMARY, UNIT
from abm.state import HOUSEHOLD_COLUMNS, LABELS
from abm.store import atomic_dir, git_commit, sha256, versions, write_json
from abm.spec import RunSpec
from abm.world import World

if TYPE_CHECKING:
    import pandas as pd

ENGINES = ("numba", "mesa")
# pandas and pyarrow are imported where tables are made, so that simulating starts fast


@dataclass
class RunResult:
    world: World
    engine: str
    init_seconds: float
    step_seconds: float
    compile_seconds: float = 0.0

    @property
    def household_steps_per_second(self) -> float:
        steps = self.world.spec.horizon_months
        return self.world.spec.households * steps / self.step_seconds if self.step_seconds > 0 else float("inf")


def make_engine(world: World, engine: str):
    if engine == "numba":
        from abm.engine import FastEngine
        return FastEngine(world)
    if engine == "mesa":
        from abm.model import UrbanModel
        return UrbanModel(world)
    raise ValueError(f"engine must be one of {ENGINES}, not {engine!r}")


COMPILING = "compiling kernels (first run only, about a minute)"


def compile_notice() -> Optional[str]:
    """The line to show before a warm-up that will compile the kernels (the cache is cold), else None."""
    from abm.jitcache import cold

    return COMPILING if cold() else None


def warm_up(spec: RunSpec) -> float:
    """Compile (or load from the cache) every kernel the run will use, on a tiny copy of the run.

    Two months from August cover the school-year phase. Returns the seconds it took, so that
    init and step timings measure the model, not the compiler.
    """
    t = time.perf_counter()
    tiny = RunSpec(profile=spec.profile, households=60, horizon_months=2, seed=spec.seed, policies=spec.policies,
                   behaviour=spec.behaviour, rules=spec.rules, start_month=8)
    stepper = make_engine(World(tiny), "numba")  # the mesa engine calls the same compiled functions
    for _ in range(2):
        stepper.step()
    return time.perf_counter() - t


def simulate(spec: RunSpec, engine: str = "numba", progress: Optional[Callable[[int], None]] = None,
             warm: bool = True) -> RunResult:
    """Build the world and step it. `warm=False` skips the warm-up run, for callers that simulate many
    runs in one process after compiling once (calibration); its compile time is then not measured."""
    compile_s = warm_up(spec) if warm else 0.0
    t0 = time.perf_counter()
    world = World(spec)
    stepper = make_engine(world, engine)
    t1 = time.perf_counter()
    for _ in range(spec.horizon_months):
        stepper.step()
        if progress is not None:
            progress(world.step)
    t2 = time.perf_counter()
    return RunResult(world, engine, t1 - t0, t2 - t1, compile_s)


def indicators_frame(world: World) -> "pd.DataFrame":
    """Long format: step, group, sex, indicator, value (values in real-city units)."""
    import pandas as pd

    hist = np.asarray(world.history)  # [step, indicator, group, sex]
    steps, n_ind, n_g, n_s = hist.shape
    s, k, g, x = np.meshgrid(np.arange(steps), np.arange(n_ind), np.arange(n_g), np.arange(n_s), indexing="ij")
    return pd.DataFrame({
        "step": s.ravel().astype(np.int32),
        "group": pd.Categorical.from_codes(g.ravel(), GROUP_LABELS),
        "sex": pd.Categorical.from_codes(x.ravel(), SEX_LABELS),
        "indicator": pd.Categorical.from_codes(k.ravel(), NAMES),
        "value": hist.ravel(),
    })


def pyramid_frame(world: World) -> "pd.DataFrame":
    """Persons by step (every 12 months and the last), group, sex and five-year age band, in real-city units."""
    import pandas as pd

    from abm.indicators import AGE_BANDS, pyramid

    pyramids = dict(world.pyramids)
    last = len(world.history) - 1
    if last not in pyramids:
        pyramids[last] = pyramid(world.h, world.n) * world.scale
    rows = []
    for step, p in sorted(pyramids.items()):
        g, x, b = np.meshgrid(np.arange(3), np.arange(2), np.arange(len(AGE_BANDS)), indexing="ij")
        rows.append(pd.DataFrame({"step": np.full(p.size, step, np.int32), "group": g.ravel(), "sex": x.ravel(),
                                  "age_band": b.ravel(), "persons": p.ravel()}))
    df = pd.concat(rows, ignore_index=True)
    df["group"] = pd.Categorical.from_codes(df["group"], GROUP_LABELS[:3])
    df["sex"] = pd.Categorical.from_codes(df["sex"], SEX_LABELS[:2])
    df["age_band"] = pd.Categorical.from_codes(df["age_band"], AGE_BANDS, ordered=True)
    return df


PYRAMID_SUMMARY_BANDS = 10  # years per row of the run summary's age pyramid (the last row open: 80+)


def pyramid_summary(world: World) -> "pd.DataFrame":
    """Persons by ten-year age band and sex, every group, at month 0 and the last month (real-city units)."""
    df = pyramid_frame(world)
    last = int(df["step"].max())
    df = df[df["step"].isin((0, last))].copy()
    start = df["age_band"].cat.codes * 5
    df["band"] = np.minimum(start // PYRAMID_SUMMARY_BANDS, 8)
    table = df.pivot_table(index="band", columns=["step", "sex"], values="persons", aggfunc="sum", observed=True)
    table.index = [f"{10 * b}-{10 * b + 9}" if b < 8 else "80+" for b in table.index]
    table.columns = [f"{sex} month {step}" for step, sex in table.columns]
    return table


def households_frame(world: World) -> "pd.DataFrame":
    """Every household row at the end of the run, codes turned into their labels."""
    import pandas as pd

    n = world.n
    cols = {"household": np.arange(n, dtype=np.int64)}
    for name in HOUSEHOLD_COLUMNS:
        values = getattr(world.h, name)[:n]
        if name in LABELS:
            labels = ("none",) + LABELS[name] if name in ("sector", "tenure") else LABELS[name]
            codes = values.astype(np.int64) + (1 if name in ("sector", "tenure") else 0)
            cols[name] = pd.Categorical.from_codes(codes, labels)
        else:
            cols[name] = values
    return pd.DataFrame(cols)


def _write_parquet(df: "pd.DataFrame", path: Path, meta: dict[str, str]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), **{k.encode(): v.encode()
                                                                               for k, v in meta.items()}})
    pq.write_table(table, path)


def manifest(cfg: RunConfig, result: RunResult, config_path: Optional[Path]) -> dict:
    spec, w = result.world.spec, result.world
    inputs = {"city_profile": str(profile_path(cfg.city, config_path.parent if config_path else None)),
              "city_defaults": str(CITIES_DIR / "_defaults.yaml")}
    if config_path is not None:
        inputs["config"] = str(config_path)
    return {
        "abm_version": __version__,
        "config": cfg.model_dump(mode="json") | {"engine": result.engine},
        "seed": spec.seed,
        "engine": result.engine,
        "scale": w.scale,
        "households_real": w.scale * spec.households,
        "policies": [{"name": p.name, "parameters": p.values} for p in spec.policies],
        "rules": {k: float(v) for k, v in spec.rules.items()},
        "behaviour": {name: float(w.p[0][name]) for name in w.p.dtype.names},
        "versions": versions(),
        "git": git_commit(),
        "inputs": {k: {"path": v, "sha256": sha256(Path(v))} for k, v in inputs.items()},
        "timings": {"compile_seconds": result.compile_seconds, "init_seconds": result.init_seconds,
                    "step_seconds": result.step_seconds,
                    "household_steps_per_second": result.household_steps_per_second},
    }


def write_outputs(cfg: RunConfig, result: RunResult, out: Path, config_path: Optional[Path] = None) -> Path:
    meta = {"abm.seed": str(cfg.seed), "abm.engine": result.engine, "abm.name": cfg.name}
    with atomic_dir(out) as tmp:
        _write_parquet(indicators_frame(result.world), tmp / "indicators.parquet", meta)
        _write_parquet(households_frame(result.world), tmp / "households.parquet", meta)
        _write_parquet(pyramid_frame(result.world), tmp / "pyramid.parquet", meta)
        write_json(tmp / "manifest.json", manifest(cfg, result, config_path))
    return out


FLOW_WINDOW = 12  # months a flow is summed over in the summary, as `abm compare` does (a year's flow)


def summary_months(world: World, window: int = FLOW_WINDOW) -> tuple[int, int]:
    """The first and last month the summary's flows are summed over (the whole run if shorter)."""
    last = len(world.history) - 1
    return max(last - window + 1, 1 if last > 0 else 0), last


def summary(world: World, names=SUMMARY, window: int = FLOW_WINDOW) -> "pd.DataFrame":
    """Headline indicators by group (sex: all), in real-city units, with a `unit` column.

    Stocks and rates are read at the last month; flows are summed over the last `window` months
    (`summary_months`), so a quota used up early in the last year does not show as 0, and their unit
    reads per year (or per N months when the run is shorter than a year).
    """
    import pandas as pd

    hist = np.asarray(world.history)  # [step, indicator, group, sex]
    first, last = summary_months(world, window)
    span = last - first + 1
    per = "/year" if span == 12 else f"/{span} months" if span != 1 else "/month"
    rows, units = {}, []
    for n in names:
        k = NAMES.index(n)
        flow = KIND[n] == "flow"
        rows[n] = hist[first:last + 1, k, :, 2].sum(axis=0) if flow else hist[last, k, :, 2]
        units.append(UNIT[n].replace("/month", per) if flow else UNIT[n])
    frame = pd.DataFrame(rows, index=GROUP_LABELS).T
    frame.insert(0, "unit", units)
    return frame
