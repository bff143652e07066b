"""Every pilot against the status quo on one city, with common random numbers.

(The supported route to this comparison is now a sweep: `abm sweep configs/sweeps/pilots.yaml` then
`abm compare`, on Ray and with intervals. This script stays as the serial check behind issue 3's note.)

    python experiments/pilot_comparison.py [--city changshu] [--households 5000] [--months 60]
                                           [--replicates 4] [--seed 100] [--engine numba]

Replicate r runs every arm on seed + r, so each household has the same luck in every arm and the
effects are paired differences. For each pilot and headline outcome (abm.indicators.POLICY_OUTCOMES, the
set `abm compare` and the sweep report use, each on its group's row) the table shows the mean paired effect at
the horizon (flows
summed over the last 12 months) and its standard deviation over replicates; departure_rate is migrants
leaving per migrant household-month over the last year. The table is printed and
written to results/pilot_comparison/<city>-<timestamp>.csv.
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

import numpy as np
import pandas as pd

from abm.city import load_profile
from abm.indicators import GROUP_LABELS, INDEX, KIND, POLICY_OUTCOMES
from abm.policies import instantiate, resolve_rules
from abm.runner import simulate
from abm.spec import RunSpec

ARMS = ("baseline", "zhengzhou", "yanta", "jinnan", "changshu", "kunshan", "yiwu", "coproduction")
# the headline outcomes of a policy comparison, defined once (abm.indicators.POLICY_OUTCOMES), as
# (indicator, group row)
HEADLINE = tuple((name, GROUP_LABELS.index(group)) for name, group in POLICY_OUTCOMES)


def outcome(history: np.ndarray, name: str, group: int) -> float:
    """The indicator at the horizon; flows summed over the last twelve months."""
    series = history[:, INDEX[name], group, 2]
    return float(series[-12:].sum()) if KIND[name] == "flow" else float(series[-1])


def run_arm(city: str, arm: str, households: int, months: int, seed: int, engine: str) -> dict[str, float]:
    profile = load_profile(city)
    pols = instantiate([arm])
    spec = RunSpec(profile=profile, households=households, horizon_months=months, seed=seed, policies=pols,
                   rules=resolve_rules(pols, profile.rules))
    hist = np.asarray(simulate(spec, engine).world.history)
    out = {f"{name}[{GROUP_LABELS[group]}]": outcome(hist, name, group) for name, group in HEADLINE}
    # migrants leaving per migrant household-month over the last year (co-production aims at it)
    out["departure_rate[migrant]"] = float(hist[-12:, INDEX["departures"], 0, 2].sum()
                                     / hist[-12:, INDEX["households"], 0, 2].sum())
    return out


def compare(city: str, households: int, months: int, replicates: int, seed: int, engine: str = "numba",
            arms=ARMS) -> pd.DataFrame:
    rows = []
    for r in range(replicates):
        for arm in arms:
            rows.append({"replicate": r, "arm": arm, **run_arm(city, arm, households, months, seed + r, engine)})
    return pd.DataFrame(rows)


def effects(results: pd.DataFrame) -> pd.DataFrame:
    """Paired effect of each arm against baseline: mean and sd over replicates."""
    base = results[results.arm == "baseline"].set_index("replicate").drop(columns="arm")
    out = {}
    for arm, frame in results[results.arm != "baseline"].groupby("arm", sort=False):
        diff = frame.set_index("replicate").drop(columns="arm") - base
        out[arm] = diff.mean().map(lambda x: f"{x:+.4g}") + " ± " + diff.std(ddof=1).map(lambda x: f"{x:.2g}")
    return pd.DataFrame(out)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--city", default="changshu")
    ap.add_argument("--households", type=int, default=5000)
    ap.add_argument("--months", type=int, default=60)
    ap.add_argument("--replicates", type=int, default=4)
    ap.add_argument("--seed", type=int, default=100)
    ap.add_argument("--engine", default="numba", choices=["numba", "mesa"])
    args = ap.parse_args()
    t = time.perf_counter()
    results = compare(args.city, args.households, args.months, args.replicates, args.seed, args.engine)
    table = effects(results)
    base = results[results.arm == "baseline"].drop(columns=["arm", "replicate"]).mean()
    table.insert(0, "baseline", base.map(lambda x: f"{x:.4g}"))
    pd.set_option("display.width", 250)
    print(f"{args.city}, {args.households:,} households, {args.months} months, {args.replicates} replicates "
          f"(seeds {args.seed}..{args.seed + args.replicates - 1}); [group] rows of each indicator; "
          f"effect = pilot - baseline, mean ± sd; {time.perf_counter() - t:.0f} s")
    print(table.to_string())
    out = Path("results/pilot_comparison")
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"{args.city}-{dt.datetime.now():%Y%m%d-%H%M%S}.csv"
    results.to_csv(path, index=False)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
