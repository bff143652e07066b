"""Throughput of both engines: household-steps per second by size.

    python experiments/benchmark.py [--sizes 2000 100000] [--months 12] [--mesa-months 3] [--city zhengzhou]

Prints a table and writes it to results/benchmarks/engines-<timestamp>.csv. The
first size is run once untimed so that compilation (or loading the Numba
cache) is not counted. Issue 4 will grow this into the full harness.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import time
from pathlib import Path

import pandas as pd

from abm.city import load_profile
from abm.policies import instantiate, resolve_rules
from abm.runner import simulate
from abm.world import RunSpec


def spec(city: str, households: int, months: int, seed: int = 1) -> RunSpec:
    prof = load_profile(city)
    pols = instantiate(["baseline"])
    return RunSpec(profile=prof, households=households, horizon_months=months, seed=seed, policies=pols,
                   rules=resolve_rules(pols, prof.rules))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[2000, 100000])
    ap.add_argument("--months", type=int, default=12, help="months for the numba engine")
    ap.add_argument("--mesa-months", type=int, default=3, help="months for the mesa engine (it is slow)")
    ap.add_argument("--city", default="zhengzhou")
    args = ap.parse_args()
    simulate(spec(args.city, 500, 13), "numba")  # compile or load the cache
    rows = []
    for n in args.sizes:
        for engine, months in (("numba", args.months), ("mesa", args.mesa_months)):
            t = time.perf_counter()
            res = simulate(spec(args.city, n, months), engine)
            rows.append({"engine": engine, "households": n, "months": months,
                         "init_s": round(res.init_seconds, 3), "step_s": round(res.step_seconds, 3),
                         "household_steps_per_s": round(res.household_steps_per_second),
                         "wall_s": round(time.perf_counter() - t, 2)})
            print(rows[-1], flush=True)
    table = pd.DataFrame(rows)
    fast = table[table.engine == "numba"].set_index("households")["household_steps_per_s"]
    slow = table[table.engine == "mesa"].set_index("households")["household_steps_per_s"]
    print(table.to_string(index=False))
    print("speedup numba/mesa:", (fast / slow).round(0).to_dict())
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cpus, python "
          f"{platform.python_version()}")
    out = Path("results/benchmarks")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"engines-{dt.datetime.now():%Y%m%d-%H%M%S}.csv"
    table.to_csv(path, index=False)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
