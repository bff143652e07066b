"""Indicators are declared by name with their formula; every per-household sum is used by one."""

import numpy as np
import pytest

from abm import indicators as ind
from abm.indicators import median_per_person


def test_names_of_indicators_and_sums_are_unique():
    assert len(set(ind.NAMES)) == len(ind.NAMES)
    assert len(ind.QUANTITY) == len(ind.QUANTITIES) == ind.N_ACC


def test_every_per_household_sum_feeds_an_indicator():
    used = set()
    for i in ind.INDICATORS:
        f = i.formula
        if f.form in (ind.COUNT, ind.RATIO, ind.RESIDENT_SHARE):
            used.add(f.a)
        if f.form in (ind.RATIO, ind.RESIDENT_SHARE):
            used.add(f.b)
        if f.form == ind.RATIO_OF_RATIOS:
            used.update((f.a, f.b, f.c, f.d))
    assert used == set(range(ind.N_ACC)), [ind.QUANTITIES[k][0] for k in set(range(ind.N_ACC)) - used]


def test_a_formula_names_only_declared_sums_and_flows():
    with pytest.raises(KeyError):
        ind.ratio("registered", "no_such_sum")
    with pytest.raises(ValueError):
        ind.flow("no_such_flow")
    assert ind.INDICATORS[ind.INDEX["registration_rate"]].formula == ind.ratio("registered", "nonlocal")


def test_every_budget_line_is_an_indicator_with_the_city_spending_added():
    lines = [i.name for i in ind.INDICATORS if i.formula.form == ind.BUDGET]
    from abm.state import BUDGET_LINES
    assert tuple(lines) == BUDGET_LINES


def test_median_per_person_is_numpys_median_of_the_active_households():
    """The parallel bucketed search gives np.median exactly: odd and even counts, ties (one wage for many
    households), zeros, wide ranges, negative values (the serial fallback), households that left."""
    rs = np.random.default_rng(3)
    for n in (1, 2, 7, 1000, 70001):
        for incomes in (rs.random(n) * 5000, np.round(rs.random(n) * 4) * 100, np.exp(rs.normal(7, 2, n)),
                        np.where(rs.random(n) < 0.6, 0.0, rs.random(n) * 3000), rs.normal(0, 100, n),
                        np.where(rs.random(n) < 0.2, 0.0, 2500.0), np.zeros(n)):
            size = rs.integers(1, 6, n).astype(np.int8)
            status = np.where(rs.random(n) < 0.7, 0, rs.integers(1, 3, n)).astype(np.int8)
            active = status == 0
            m, median = median_per_person(status, incomes, size, np.empty(n))
            assert m == active.sum()
            assert median == (np.median(incomes[active] / size[active]) if m else 0.0)
