"""Running a sweep's runs as Ray tasks, writing each as it comes back, resuming what is missing.

Runs are grouped into batches that last about `batch_seconds` each, so Ray's per-task overhead stays
small next to the work; at most one batch per worker is in flight, so `--workers` is the concurrency on
a cluster too. Each worker runs its runs one at a time on one Numba thread (results do not depend on the
thread count, and two single-threaded workers use two cores better than one two-threaded run). The
driver compiles the kernels once before any task starts, and workers load them from the same Numba
cache. Results come back to the driver, which writes them, so workers need no shared filesystem.

A run that raises is recorded as failed with its error and the sweep goes on; a worker that dies
(killed, out of memory) has its batch retried by Ray, up to `MAX_RETRIES` times.
"""

from __future__ import annotations

import math
import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

import numpy as np

from abm.store import OutputExists, clean_temporaries, write_json_atomic
from abm.sweep import store
from abm.sweep.config import Sweep

MAX_RETRIES = 3
THROUGHPUT = {"numba": 2.5e6, "mesa": 1.0e4}  # household-steps per second on one core, for batch sizing


@dataclass
class Outcome:
    out: Path
    total: int
    skipped: int
    ok: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    workers: int = 0


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def _record(task) -> dict:
    """What a run's record starts with: who it is and what it was given."""
    return {"run_id": task.run_id, "arm": task.arm, "point": task.point, "replicate": task.replicate,
            "seed": task.seed, "params": task.params}


def pyramid_record(world) -> dict:
    """Persons by [group, sex, five-year age band] at month 0 and the last month (real-city units), kept in the
    run's record for the report's age pyramid."""
    from abm.indicators import pyramid

    return {"start": world.pyramids[0].tolist(), "end": (pyramid(world.h, world.n) * world.scale).tolist()}


def run_batch(items: list[tuple[dict, object]], engine: str, inject: dict) -> list[tuple[dict, Optional[np.ndarray]]]:
    """Worker side: simulate each (record, spec); never raises for a run's own error."""
    import numba

    from abm.runner import simulate

    numba.set_num_threads(1)
    results = []
    for record, spec in items:
        run_id = record["run_id"]
        rec = dict(record, started=_now(), host=socket.gethostname(), pid=os.getpid())
        t = time.perf_counter()
        try:
            marker = inject.get("die_once", {}).get(run_id)
            if marker and not os.path.exists(marker):  # testing hook: the worker dies on its first try
                Path(marker).touch()
                os._exit(1)
            if run_id in inject.get("fail", ()):  # testing hook: this run raises
                raise RuntimeError(f"injected failure in {run_id}")
            res = simulate(spec, engine)
            hist = np.asarray(res.world.history)
            rec["pyramid"] = pyramid_record(res.world)
            rec |= {"status": "ok", "error": None, "init_seconds": res.init_seconds,
                    "step_seconds": res.step_seconds}
        except Exception as exc:  # a run's failure is data; the sweep goes on
            hist = None
            tb = traceback.format_exc(limit=6)
            rec |= {"status": "failed", "error": f"{type(exc).__name__}: {exc}", "traceback": tb}
        rec |= {"total_seconds": time.perf_counter() - t, "finished": _now()}
        results.append((rec, hist))
    return results


def prepare(sweep: Sweep, out: Path, resume: bool) -> dict[str, dict]:
    """Create or check the sweep folder; return the runs already finished there."""
    from abm.sweep.manifest import manifest

    out = Path(out)
    visible = [p for p in out.iterdir() if not p.name.startswith(".")] if out.is_dir() else []
    if out.exists() and not out.is_dir():
        raise OutputExists(f"{out} exists and is not a folder; choose another --out")
    if visible:
        if not resume:
            raise OutputExists(f"sweep folder {out} already exists and is not empty; "
                               "choose another --out, or pass --resume to finish it")
        try:
            old = store.read_manifest(out)
        except FileNotFoundError as exc:
            raise OutputExists(str(exc)) from None
        if old.get("fingerprint") != sweep.fingerprint():
            raise OutputExists(f"{out} holds a different sweep (its runs differ from {sweep.source}'s); "
                               "resume it with the config it was started with, or choose another --out")
        clean_temporaries(out)
        (out / store.INDICATORS).mkdir(exist_ok=True)
        return store.finished(out)
    out.mkdir(parents=True, exist_ok=True)
    clean_temporaries(out)  # a sweep killed while writing its manifest left only a hidden file
    write_json_atomic(out / "manifest.json", manifest(sweep))
    (out / store.INDICATORS).mkdir(exist_ok=True)
    return {}


def _batches(todo: list, sweep: Sweep, workers: int, batch_seconds: float) -> list[list]:
    base = sweep.base
    per_run = base.households * base.horizon_months / THROUGHPUT[base.engine] + 0.05
    size = max(1, math.ceil(batch_seconds / per_run))
    size = max(1, min(size, math.ceil(len(todo) / (2 * max(workers, 1)))))
    return [todo[i:i + size] for i in range(0, len(todo), size)]


def connect_ray(workers: Optional[int], address: Optional[str]) -> bool:
    """Start or join Ray unless this process already has; True if we must shut it down.

    Ray's own log lines below ERROR (its token-authentication advice, "Started a local Ray instance") are not
    shown: they say nothing about the sweep; workers' output is not forwarded either (log_to_driver)."""
    import logging

    import ray

    if ray.is_initialized():
        return False
    env = {"env_vars": {k: os.environ[k] for k in ("NUMBA_CACHE_DIR",) if k in os.environ}}
    quiet = {"log_to_driver": False, "logging_level": logging.ERROR}
    if address:
        ray.init(address=address, runtime_env=env, **quiet)
    else:
        ray.init(num_cpus=workers or os.cpu_count() or 1, include_dashboard=False, runtime_env=env, **quiet)
    return True


def run_sweep(sweep: Sweep, out: Path, workers: Optional[int] = None, address: Optional[str] = None,
              resume: bool = False, progress: Optional[Callable[[Optional[dict], int, int], None]] = None,
              inject: Optional[dict] = None, batch_seconds: float = 1.0) -> Outcome:
    """Run every (arm, design point, replicate) not yet in `out`; write each as it finishes.

    `progress(record, done, total)` is called once with no record when the folder is ready, then
    after every run that comes back (done counts runs finished before a resume too).
    """
    import ray

    from abm.runner import warm_up

    out = Path(out)
    done = prepare(sweep, out, resume)
    records = dict(done)
    todo = [t for t in sweep.tasks if t.run_id not in done]
    outcome = Outcome(out=out, total=len(sweep.tasks), skipped=len(done))
    if progress is not None:
        progress(None, len(done), outcome.total)
    if not todo:
        store.write_runs_table(out, records.values(), sweep.design_names)
        return outcome
    t0 = time.perf_counter()
    warm_up(sweep.specs[(todo[0].arm, todo[0].point)])  # compile once here; workers read the cache
    started = connect_ray(workers, address)
    try:
        n_workers = workers or max(1, int(ray.cluster_resources().get("CPU", 1)))
        outcome.workers = n_workers
        remote = ray.remote(num_cpus=1, max_retries=MAX_RETRIES, retry_exceptions=False)(run_batch)
        queue = _batches(todo, sweep, n_workers, batch_seconds)
        pending: dict = {}
        last_table = 0.0
        completed = len(done)

        def submit():
            batch = queue.pop(0)
            items = [(_record(t), sweep.spec_for(t)) for t in batch]
            pending[remote.remote(items, sweep.base.engine, inject or {})] = batch

        while queue and len(pending) < n_workers:
            submit()
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            ref = ready[0]
            batch = pending.pop(ref)
            try:
                results = ray.get(ref)
            except Exception as exc:  # the batch could not run at all, even after retries
                error = f"{type(exc).__name__}: {str(exc).splitlines()[0][:500]}"
                results = [(_record(t) | {"status": "failed", "error": error, "finished": _now()}, None)
                           for t in batch]
            if queue:
                submit()
            for rec, hist in results:
                if hist is not None:
                    store.write_run(out, hist, rec, sweep.design_names)
                    outcome.ok.append(rec["run_id"])
                else:
                    store.write_failed(out, rec)
                    outcome.failed[rec["run_id"]] = rec["error"]
                records[rec["run_id"]] = rec
                completed += 1
                if progress is not None:
                    progress(rec, completed, outcome.total)
            if time.perf_counter() - last_table > 2.0 or not pending:
                store.write_runs_table(out, records.values(), sweep.design_names)
                last_table = time.perf_counter()
    finally:
        if started:
            ray.shutdown()
    outcome.seconds = time.perf_counter() - t0
    return outcome
