"""Rewrite the golden indicator tables of the site scenarios (tests/golden/<site>.parquet).

    python experiments/refresh_golden.py

Run it only on purpose, when a change to the model is meant to change results; the test
tests/test_scenarios.py compares fresh runs against these files, and the diff of this commit is
the record of what changed.
"""

from __future__ import annotations

from pathlib import Path

from abm.config import load_config, resolve
from abm.runner import indicators_frame, simulate

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "configs" / "scenarios"
GOLDEN = ROOT / "tests" / "golden"
SETTINGS = {"households": 600, "horizon_months": 26}  # small enough for the test suite, crosses two Septembers


def golden_run(site: str):
    path = SCENARIOS / f"{site}.yaml"
    cfg = load_config(path, SETTINGS)
    return indicators_frame(simulate(resolve(cfg, path.parent), "numba").world)


def main() -> None:
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for path in sorted(SCENARIOS.glob("*.yaml")):
        frame = golden_run(path.stem)
        frame.to_parquet(GOLDEN / f"{path.stem}.parquet", index=False)
        print(f"wrote {GOLDEN / path.stem}.parquet ({len(frame)} rows)")


if __name__ == "__main__":
    main()
