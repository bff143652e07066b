"""Workers forked or spawned after the parent has simulated run, and give the parent's results for the same seed.

With Numba's default GNU OpenMP layer a forked child was killed ("fork() called from a process already using
GNU OpenMP, this is unsafe") and the pool waited for it for ever: hence the timeouts.
"""

import multiprocessing as mp

import numba
import pytest

from abm import api

CONFIG = {"name": "fork", "city": "changshu", "households": 400, "horizon_months": 4, "seed": 1}
SEEDS = [11, 12, 13, 14]
TIMEOUT = 240


def work(seed):
    return api.simulate(CONFIG, seed=seed)


def threads_in_worker(_):
    with api._threads(None):
        return numba.get_num_threads()


@pytest.fixture(scope="module")
def parent():
    """The parent simulates first (so the threading layer is up in it), then forks."""
    tables = {seed: api.simulate(CONFIG, seed=seed) for seed in SEEDS}
    assert numba.threading_layer() in ("tbb", "workqueue")  # the fork-safe layers (abm.threadlayer)
    return tables


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_workers_started_after_a_run_give_the_parents_results(parent, method):
    with mp.get_context(method).Pool(2) as pool:
        tables = pool.map_async(work, SEEDS).get(timeout=TIMEOUT)
        threads = pool.map_async(threads_in_worker, range(2)).get(timeout=TIMEOUT)
    for seed, table in zip(SEEDS, tables):
        assert table.equals(parent[seed]), f"seed {seed} ({method})"
    assert threads == [1, 1]  # one Numba thread per worker: the pool already uses the cores


def test_joblib_workers_give_the_parents_results(parent):
    joblib = pytest.importorskip("joblib")  # a dev dependency: CI runs this
    tables = joblib.Parallel(n_jobs=2, timeout=TIMEOUT)(joblib.delayed(work)(seed) for seed in SEEDS)
    for seed, table in zip(SEEDS, tables):
        assert table.equals(parent[seed]), f"seed {seed} (joblib)"
