"""Site scenarios: each runs in both engines, and matches its golden table."""

from pathlib import Path

import pandas as pd
import pytest

from abm.config import load_config, resolve
from abm.runner import indicators_frame, simulate
from experiments.refresh_golden import GOLDEN, SCENARIOS, SETTINGS, golden_run

SITES = ("zhengzhou", "yanta", "jinnan", "changshu", "kunshan", "yiwu")


def test_every_site_has_a_scenario_and_a_golden_table():
    assert {p.stem for p in SCENARIOS.glob("*.yaml")} == set(SITES)
    assert {p.stem for p in GOLDEN.glob("*.parquet")} == set(SITES)


@pytest.mark.parametrize("site", SITES)
def test_scenario_matches_its_golden_table(site):
    """Refresh with `python experiments/refresh_golden.py` only when results are meant to change."""
    golden = pd.read_parquet(GOLDEN / f"{site}.parquet")
    fresh = golden_run(site)
    for col in ("group", "sex", "indicator"):
        fresh[col] = fresh[col].astype(str)
        golden[col] = golden[col].astype(str)
    pd.testing.assert_frame_equal(fresh, golden, check_exact=False, rtol=1e-9, atol=1e-9)


@pytest.mark.parametrize("site", SITES)
def test_scenario_runs_in_both_engines_alike(site):
    path = SCENARIOS / f"{site}.yaml"
    spec = lambda: resolve(load_config(path, {"households": 300, "horizon_months": 10, "start_month": 8}),  # noqa: E731
                           Path(path).parent)
    a = indicators_frame(simulate(spec(), "numba").world)
    b = indicators_frame(simulate(spec(), "mesa").world)
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9, atol=0)
    assert SETTINGS["horizon_months"] > 12
