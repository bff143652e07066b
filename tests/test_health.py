"""Health episodes (abm/phases/health.py) in whole runs: both engines agree; catastrophic spending pushes
households into poverty and debt and out of the city, against the same seed without episodes; the medical fund
takes in 10% of insured wages and pays the employee scheme's reimbursements; Yanta's temporary assistance goes
to households after shocks."""

import numpy as np
import pytest

from abm.indicators import INDEX
from abm.runner import simulate
from abm.state import ACTIVE, DISSOLVED, FORMAL
from tests.conftest import make_spec
from tests.test_engines import assert_same

ALL = 3
NO_EPISODES = {"hosp_rate_child": 0.0, "hosp_rate_adult": 0.0, "hosp_rate_old": 0.0}
FREQUENT = {"hosp_rate_child": 0.3, "hosp_rate_adult": 0.3, "hosp_rate_old": 0.5, "disaster_rate": 0.005}


def series(run, name, group=ALL):
    return np.asarray(run.world.history)[1:, INDEX[name], group, 2]


def test_engines_agree_with_frequent_episodes_and_yanta_assistance():
    def spec():
        return make_spec(city="yanta", households=300, months=8, seed=4, start_month=11, behaviour=FREQUENT,
                         policies=["yanta"])
    fast, ref = simulate(spec(), "numba"), simulate(spec(), "mesa")
    assert_same(fast, ref)
    assert series(fast, "health_episodes").sum() > 0
    assert series(fast, "catastrophic_health_rate").max() > 0
    assert series(fast, "temporary_assistance_recipients", 0).sum() > 0  # migrants, after shocks


def test_catastrophic_spending_raises_poverty_debt_and_departures():
    """Against the same seeds without episodes: more poverty and debt in each run, more departures over three
    seeds together (a year's departures of 1,500 households differ by a few agents, so one seed can tie)."""
    def run(behaviour, seed):
        return simulate(make_spec(households=1500, months=12, seed=seed, behaviour=behaviour))

    def in_debt(r):
        w = r.world
        return ((w.h.savings[:w.n] < 0) & (w.h.status[:w.n] == ACTIVE)).mean()
    left = {"ill": 0.0, "well": 0.0}
    for seed in (8, 9, 10):
        ill = run({"hosp_rate_child": 0.1, "hosp_rate_adult": 0.15, "hosp_rate_old": 0.3}, seed)
        well = run(NO_EPISODES, seed)
        assert series(well, "health_episodes").sum() == 0 and series(well, "health_out_of_pocket").sum() == 0
        assert series(ill, "catastrophic_health_rate").mean() > 0.005
        assert series(ill, "poverty_rate_absolute").mean() > series(well, "poverty_rate_absolute").mean()
        assert in_debt(ill) > in_debt(well)
        left["ill"] += series(ill, "departures").sum()
        left["well"] += series(well, "departures").sum()
    assert left["ill"] > left["well"]


def test_medical_fund_takes_ten_percent_of_insured_wages_and_pays_the_employee_scheme():
    r = simulate(make_spec(households=400, months=3, seed=2, behaviour=FREQUENT))
    w = r.world
    h, n = w.h, w.n
    insured = (h.status[:n] == ACTIVE) & (h.employment[:n] == FORMAL) & (h.insured[:n] == 1)
    # households that left this month after the labour phase (not those dissolved before it) paid in too
    left_now = (h.left[:n] == w.step) & (h.status[:n] != ACTIVE) & (h.status[:n] != DISSOLVED)
    wages = h.wage[:n][insured | (left_now & (h.employment[:n] == FORMAL) & (h.insured[:n] == 1))].sum()
    income = series(r, "medical_fund_income")[-1]
    np.testing.assert_allclose(income, (w.rv.medical_employer + w.rv.medical_employee) * wages * w.scale,
                               rtol=1e-9)
    outgo = series(r, "medical_fund_outgo")
    assert outgo.sum() > 0
    assert (outgo <= series(r, "health_reimbursements") + 1e-6).all()
    balance = series(r, "medical_fund_balance")
    np.testing.assert_allclose(balance[-1], (series(r, "medical_fund_income") - outgo).sum(), rtol=1e-9)


def test_the_cost_of_an_episode_moves_with_the_money_index_each_january():
    from abm.world import World
    from abm.engine import FastEngine

    w = World(make_spec(city="zhengzhou", households=100, months=2, seed=1, start_month=11))
    cost0 = w.rv.inpatient_cost
    engine = FastEngine(w)
    engine.step()  # December: no change
    assert w.rv.inpatient_cost == cost0
    engine.step()  # January: the money index moves
    assert w.money_index != 1.0
    assert w.rv.inpatient_cost == pytest.approx(cost0 * w.money_index, rel=1e-12)
