"""Indicators are declared by name with their formula; every per-household sum is used by one."""

import pytest

from abm import indicators as ind


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
