"""`abm calibrate`: ABC-SMC against target marginals, evaluated on Ray, written generation by generation.

    DIR/manifest.json             config, resolved base run, versions, git commit, input checksums
    DIR/targets.csv               the targets used (made from the truth runs in a recovery)
    DIR/population_fit.csv        how well the initial synthetic population matches its marginals (IPF)
    DIR/generations/gen_NN.parquet each finished generation: parameters, weight, distance, model seed,
                                  and the simulated value of every target (one column per target)
    DIR/posterior.parquet         the last generation: parameter samples and normalised weights
    DIR/summary.json              estimates with 95% intervals, the fit of every target, the history
    DIR/calibrated.yaml           the base run config with the estimates filled in
    DIR/report.html               the fit report (see abm.calibration.report)

Every evaluation is a fresh synthetic population and history (its own model seed), `draws` of them
averaged per parameter set, so the posterior carries the population draw as a source of uncertainty.
A killed calibration resumes from its last finished generation and ends with the same posterior.
"""

from __future__ import annotations

import json
import math
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import pandas as pd

from abm.calibration import abc
from abm.calibration.config import Calibration
from abm.calibration.targets import Extractor, is_share
from abm.store import OutputExists, atomic_file, clean_temporaries, git_commit, sha256, versions, write_json_atomic



def summarise(specs: list, extractor: Extractor) -> np.ndarray:
    """Simulate each spec (one per draw) and average the targets' simulated values."""
    from abm.runner import simulate

    values = []
    for spec in specs:
        world = simulate(spec, "numba", warm=False).world
        values.append(extractor(np.asarray(world.history), world.background_urban))
    return np.mean(values, axis=0)


def evaluate_batch(batch: list[list], extractor: Extractor) -> list[np.ndarray]:
    import numba

    numba.set_num_threads(1)
    return [summarise(specs, extractor) for specs in batch]


class RayEvaluator:
    """Evaluates lists of specs on Ray in batches of about a second; results in input order."""

    def __init__(self, cal: Calibration, workers: Optional[int], address: Optional[str],
                 tick: Optional[Callable[[int], None]] = None):
        import ray

        from abm.runner import warm_up
        from abm.sweep.execute import THROUGHPUT, connect_ray

        warm_up(cal.spec)
        self.started = connect_ray(workers, address)
        self.workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        self.remote = ray.remote(num_cpus=1, max_retries=3)(evaluate_batch)
        per_eval = cal.base.households * cal.base.horizon_months * cal.config.abc.draws / THROUGHPUT["numba"] + 0.02
        self.chunk = max(1, math.ceil(1.0 / per_eval))
        self.tick = tick
        self.count = 0

    def __call__(self, specs: list[list], extractor: Extractor) -> np.ndarray:
        import ray

        size = max(1, min(self.chunk, math.ceil(len(specs) / (2 * self.workers))))
        chunks = [specs[i:i + size] for i in range(0, len(specs), size)]
        ext = ray.put(extractor)
        refs = [self.remote.remote(c, ext) for c in chunks]
        pending = set(refs)
        while pending:
            done, _ = ray.wait(list(pending), num_returns=1)
            pending -= set(done)
            if self.tick is not None:
                self.tick(len(chunks[refs.index(done[0])]))
        self.count += len(specs)
        return np.array([v for part in ray.get(refs) for v in part])

    def close(self) -> None:
        import ray

        if self.started:
            ray.shutdown()


def scales(targets: pd.DataFrame) -> np.ndarray:
    """What one unit of distance is for each target: its sd, else 5% of it (at least 0.01 of a share, and
    at least 0.002 of a yearly growth rate, i.e. 0.2 points a year: an assumption)."""
    obs = targets["observed"].to_numpy(float)
    growth = targets["since"].to_numpy(int) >= 0 if "since" in targets else np.zeros(len(targets), bool)
    floor = np.where(growth, 0.002, np.where([is_share(n) for n in targets["indicator"]], 0.01, 1.0))
    fallback = np.maximum(0.05 * np.abs(obs), floor)
    sd = targets["sd"].to_numpy(float)
    return np.where(np.isfinite(sd) & (sd > 0), sd, fallback)


def distances(sim: np.ndarray, targets: pd.DataFrame) -> np.ndarray:
    obs = targets["observed"].to_numpy(float)
    w = targets["weight"].to_numpy(float)
    return np.sqrt((w * ((sim - obs) / scales(targets)) ** 2).sum(axis=1))


def make_recovery_targets(cal: Calibration, evaluator: RayEvaluator) -> pd.DataFrame:
    rec = cal.config.recovery
    frame = pd.DataFrame([t.model_dump() for t in rec.targets]).assign(observed=0.0)
    from abm.calibration.targets import validate_targets

    targets = validate_targets(frame, cal.base.horizon_months)
    seeds = [abc.model_seed(rec.seed, 0, 0, r) for r in range(rec.runs)]
    runs = evaluator([[cal.spec_for(rec.truth, s)] for s in seeds], Extractor.of(targets))
    targets["observed"] = runs.mean(axis=0)
    targets["sd"] = runs.std(axis=0, ddof=1)
    targets["source"] = f"mean of {rec.runs} runs at the true values (seed {rec.seed})"
    return targets


def population_fit(cal: Calibration) -> pd.DataFrame:
    from abm.synthesis import margin_report, synthesize

    rows = []
    for k in range(3):
        seed = abc.model_seed(cal.config.abc.seed, 99, 0, k)
        for row in margin_report(cal.spec.profile, synthesize(cal.spec.profile, cal.base.households, seed)):
            rows.append({"draw": k, "seed": seed} | row)
    return pd.DataFrame(rows)


def _gen_path(out: Path, t: int) -> Path:
    return out / "generations" / f"gen_{t:02d}.parquet"


def save_generation(out: Path, gen: abc.Generation, names: list[str], n_targets: int) -> None:
    frame = pd.DataFrame(gen.particles, columns=names).assign(weight=gen.weights, distance=gen.distances,
                                                              seed=gen.seeds)
    for k in range(n_targets):
        frame[f"target_{k}"] = gen.summaries[:, k]
    meta = {"t": gen.t, "epsilon": gen.epsilon, "proposed": gen.proposed, "seconds": gen.seconds,
            "passed": gen.passed}
    frame.attrs = {}
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), b"abm.generation": json.dumps(meta)})
    with atomic_file(_gen_path(out, gen.t)) as tmp:
        pq.write_table(table, tmp)


def load_generation(path: Path, names: list[str], n_targets: int) -> abc.Generation:
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = json.loads(table.schema.metadata[b"abm.generation"])
    f = table.to_pandas()
    return abc.Generation(t=meta["t"], epsilon=meta["epsilon"], particles=f[names].to_numpy(float),
                          weights=f["weight"].to_numpy(float), distances=f["distance"].to_numpy(float),
                          summaries=f[[f"target_{k}" for k in range(n_targets)]].to_numpy(float),
                          seeds=f["seed"].to_numpy(np.int64), proposed=meta["proposed"], seconds=meta["seconds"],
                          passed=meta.get("passed", 0))


@dataclass
class Result:
    out: Path
    generations: list[abc.Generation]
    targets: pd.DataFrame
    evaluations: int
    seconds: float
    stopped: str
    summary: dict


def _prepare(cal: Calibration, out: Path, resume: bool) -> list[abc.Generation]:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputExists(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(not p.name.startswith(".") for p in out.iterdir()):
        if not resume:
            raise OutputExists(f"calibration folder {out} already exists and is not empty; choose another --out, "
                               "or pass --resume to finish it")
        man = out / "manifest.json"
        if not man.is_file() or json.loads(man.read_text())["fingerprint"] != cal.fingerprint():
            raise OutputExists(f"{out} holds a different calibration; resume it with the config it was started "
                               "with, or choose another --out")
        clean_temporaries(out)
        (out / "generations").mkdir(exist_ok=True)
        return []
    out.mkdir(parents=True, exist_ok=True)
    clean_temporaries(out)  # a calibration killed while writing its manifest left only a hidden file
    inputs = dict(cal.inputs)
    write_json_atomic(out / "manifest.json", {
        "kind": "calibration", "name": cal.config.name, "source": cal.source,
        "config": cal.config.model_dump(mode="json"), "base": cal.base.model_dump(mode="json"),
        "fingerprint": cal.fingerprint(), "versions": versions(), "git": git_commit(),
        "inputs": {k: {"path": str(v), "sha256": sha256(v)} for k, v in inputs.items() if Path(v).is_file()}})
    (out / "generations").mkdir(exist_ok=True)
    return []


def calibrate(cal: Calibration, out: Path, workers: Optional[int] = None, address: Optional[str] = None,
              resume: bool = False, progress: Optional[Callable[[str, int, int], None]] = None) -> Result:
    """Run (or finish) the calibration into `out`. `progress(stage, done, total)` reports evaluations."""
    out = Path(out)
    _prepare(cal, out, resume)
    s = cal.config.abc
    names = cal.names
    prior = abc.Prior(tuple(names), np.array([cal.config.parameters[n].low for n in names]),
                      np.array([cal.config.parameters[n].high for n in names]),
                      np.array([cal.config.parameters[n].prior == "loguniform" for n in names]))
    settings = abc.Settings(particles=s.particles, generations=s.generations, quantile=s.quantile,
                            min_acceptance=s.min_acceptance, max_evaluations=s.max_evaluations, seed=s.seed,
                            kernel=s.kernel, parents=s.parents, rounds=s.rounds)
    state = {"stage": "", "done": 0, "total": 0}

    def tick(n: int) -> None:
        state["done"] += n
        if progress is not None:
            progress(state["stage"], state["done"], state["total"])

    t0 = time.perf_counter()
    evaluator = RayEvaluator(cal, workers, address, tick)
    try:
        tpath = out / "targets.csv"
        if tpath.is_file():
            targets = pd.read_csv(tpath, keep_default_na=True)
            targets["source"] = targets["source"].fillna("")
        else:
            state.update(stage="targets from the truth", done=0, total=cal.config.recovery.runs
                         if cal.config.recovery else 0)
            targets = cal.targets if cal.targets is not None else make_recovery_targets(cal, evaluator)
            with atomic_file(tpath) as tmp:
                targets.to_csv(tmp, index=False)
        if not (out / "population_fit.csv").is_file():
            with atomic_file(out / "population_fit.csv") as tmp:
                population_fit(cal).to_csv(tmp, index=False)
        extractor = Extractor.of(targets)

        def evaluate(theta: np.ndarray, seeds: np.ndarray):
            specs = [[cal.spec_for(dict(zip(names, row)), int(sd) + r) for r in range(s.draws)]
                     for row, sd in zip(theta, seeds)]
            sims = evaluator(specs, extractor)
            return distances(sims, targets), sims

        gens: list[abc.Generation] = []
        t, stopped, budget = 0, "", s.max_evaluations
        while _gen_path(out, t).is_file():
            gens.append(load_generation(_gen_path(out, t), names, len(targets)))
            budget -= gens[-1].proposed
            t += 1
        while t < s.generations:
            if gens and gens[-1].acceptance < s.min_acceptance:
                stopped = f"acceptance {gens[-1].acceptance:.3f} fell below min_acceptance {s.min_acceptance}"
                break
            state.update(stage=f"generation {t + 1}/{s.generations}", done=0, total=s.particles)
            g0 = time.perf_counter()
            gen = abc.next_generation(prior, settings, gens[-1] if gens else None, t, evaluate, budget)
            if gen is None:
                stopped = f"max_evaluations ({s.max_evaluations}) reached"
                break
            gen.seconds = time.perf_counter() - g0
            save_generation(out, gen, names, len(targets))
            budget -= gen.proposed
            gens.append(gen)
            t += 1
        stopped = stopped or f"all {s.generations} generations"
    finally:
        evaluator.close()
    seconds = time.perf_counter() - t0
    from abm.calibration.outputs import write_outputs

    summary = write_outputs(cal, out, gens, targets, seconds, evaluator.count, stopped)
    return Result(out, gens, targets, evaluator.count, seconds, stopped, summary)
