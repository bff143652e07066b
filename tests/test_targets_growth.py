"""Growth targets (`since`) and the derived resident population: what a census comparison reads off a run."""

import numpy as np
import pandas as pd
import pytest

from abm.calibration.run import scales
from abm.calibration.targets import INDEX, TargetError, Extractor, growth_rate, validate_targets
from abm.indicators import GROUP_LABELS, NAMES, SEX_LABELS


def history(months: int, migrants: list[float], others: float = 100.0) -> np.ndarray:
    """An indicator history whose migrant and total populations are given month by month."""
    h = np.zeros((months + 1, len(NAMES), len(GROUP_LABELS), len(SEX_LABELS)))
    pop = INDEX["population"]
    for t, m in enumerate(migrants):
        h[t, pop, 0, 2] = m
        h[t, pop, 1, 2] = others
        h[t, pop, 3, 2] = m + others  # the `all` group
    return h


def test_growth_rate_is_the_yearly_compound_rate():
    assert growth_rate(100.0, 121.0, 24) == pytest.approx(0.10)
    assert growth_rate(100.0, 100.0, 36) == 0.0
    assert growth_rate(0.0, 50.0, 12) == 0.0  # nothing to grow from


def test_extractor_reads_levels_growth_and_resident_population():
    targets = validate_targets(pd.DataFrame({
        "indicator": ["population", "population", "resident_population", "resident_population"],
        "group": ["migrant", "migrant", "all", "all"],
        "when": [24, 24, 24, 0], "observed": [0.0, 0.0, 0.0, 0.0], "since": [None, 0, 0, None]}), 24)
    migrants = list(np.linspace(100.0, 144.0, 25))  # 100 -> 144 over two years: 20% a year
    out = Extractor.of(targets)(history(24, migrants), background=50.0)
    assert out[0] == pytest.approx(144.0)
    assert out[1] == pytest.approx(0.20)
    assert out[2] == pytest.approx((294.0 / 250.0) ** 0.5 - 1.0, rel=1e-9)  # residents 250 -> 294 in two years
    assert out[3] == pytest.approx(250.0)


def test_since_must_come_before_when_and_growth_above_minus_one():
    bad = pd.DataFrame({"indicator": ["population", "population"], "group": ["migrant", "migrant"],
                        "when": [12, 24], "observed": [0.1, -1.5], "since": [12, 0]})
    with pytest.raises(TargetError) as exc:
        validate_targets(bad, 24)
    text = str(exc.value)
    assert "row 2: since 12 must be a step before when" in text
    assert "row 3: observed -1.5 is a yearly growth rate and must exceed -1" in text


def test_growth_targets_are_scaled_in_points_per_year_not_persons():
    t = validate_targets(pd.DataFrame({"indicator": ["population", "population"], "group": ["migrant"] * 2,
                                       "when": [24, 24], "observed": [0.03, 1000.0], "since": [0, None]}), 24)
    s = scales(t)
    assert s[0] == pytest.approx(0.002)  # 5% of 0.03 is below the floor of 0.2 points a year
    assert s[1] == pytest.approx(50.0)
