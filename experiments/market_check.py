"""Moves across the city and income segregation, by arm, from a finished sweep (issue 16's closing figures).

    python experiments/market_check.py SWEEP_DIR [--arms baseline,yiwu,kunshan]

For each arm (mean over its replicates and design points): the segregation index by income
(`segregation_income`, the all/all row) averaged over each year of the run, then the moves between and within
districts per month by group (real households a month, and per 1,000 of the group's households), over the
run. The sweep must hold those indicators (every sweep does: it stores every indicator).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd

from abm.sweep.store import read_indicators

MOVES = ("moves_between_districts", "moves_within_district")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sweep", type=Path)
    ap.add_argument("--arms", default=None, help="comma-separated arms (default: every arm)")
    args = ap.parse_args()
    frame = read_indicators(args.sweep, indicators=["segregation_income", "households", *MOVES])
    frame = frame[(frame["sex"] == "all") & (frame["step"] > 0)]
    if args.arms:
        frame = frame[frame["arm"].isin(args.arms.split(","))]
    frame = frame.assign(year=(frame["step"] - 1) // 12 + 1)
    seg = frame[(frame["indicator"] == "segregation_income") & (frame["group"] == "all")]
    table = seg.groupby(["arm", "year"], observed=True)["value"].mean().unstack("year")
    print("segregation index by income (dissimilarity of the poorest and richest quarters), yearly mean")
    print(table.round(3).to_string())
    per_run = frame[frame["indicator"].isin(MOVES + ("households",))].groupby(
        ["arm", "group", "indicator"], observed=True)["value"].mean().unstack("indicator")
    for name in MOVES:
        per_run[f"{name} per 1,000"] = 1000 * per_run[name] / per_run["households"]
    print("\nmoves per month, mean over the run (real households; per 1,000 of the group's households)")
    print(per_run.drop(columns="households").round(1).to_string())


if __name__ == "__main__":
    pd.set_option("display.width", 160)
    main()
