"""Property-based invariants over random cities, configs and seeds (hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abm.city import BUILTIN_CITIES
from abm.engine import FastEngine
from abm.indicators import GROUP_LABELS, INDEX, SEX_LABELS
from abm.state import ACTIVE, BUDGET_LINES, F_ARRIVALS, F_CONVERSIONS, F_DEPARTURES, N_TENURES, PRIVATE_MIGRANT, PUBLIC
from abm.world import World
from tests.conftest import make_spec

ALL_G, ALL_S = GROUP_LABELS.index("all"), SEX_LABELS.index("all")

configs = st.fixed_dictionaries({
    "city": st.sampled_from(BUILTIN_CITIES),
    "households": st.integers(50, 600),
    "months": st.integers(1, 15),
    "seed": st.integers(0, 2**40),
    "start_month": st.integers(1, 12),
    "behaviour": st.fixed_dictionaries({
        "labour_demand_growth": st.floats(-0.2, 0.3),
        "arrival_rate": st.floats(0.0, 0.1),
        "hazard_migrant": st.floats(0.0, 0.2),
        "search_base": st.floats(0.0, 0.5),
    }),
    "baseline": st.fixed_dictionaries({
        "school_rule": st.integers(0, 3),
        "hukou_needs_owned": st.integers(0, 1),
        "hukou_quota_share": st.floats(0.0, 0.2),
        "dibao_migrants": st.integers(0, 1),
        "compound_open": st.integers(0, 1),
        "homestead_exchange": st.integers(0, 1),
        "uv_redevelopment_rate": st.floats(0.0, 1.0),
        "land_requisition_rate": st.floats(0.0, 1.0),
    }),
})


def check_capacities(w: World) -> None:
    h, n, d = w.h, w.n, w.districts
    active = h.status[:n] == ACTIVE
    occ = np.zeros_like(d.occupied)
    housed = active & (h.tenure[:n] >= 0)
    np.add.at(occ, (h.district[:n][housed], h.tenure[:n][housed]), 1)
    np.testing.assert_array_equal(occ, d.occupied, err_msg="occupancy does not match the households")
    assert (d.occupied <= d.units).all(), "more households than units"
    assert occ.shape[1] == N_TENURES
    for place, used, seats in ((PUBLIC, d.public_used, d.public_seats),
                               (PRIVATE_MIGRANT, d.private_used, d.private_seats)):
        sel = active & (h.school[:n] == place)
        kids = np.bincount(h.district[:n][sel], weights=h.kids_school[:n][sel], minlength=used.size)
        np.testing.assert_array_equal(kids.astype(np.int64), used, err_msg="seats used do not match pupils")
        assert (used <= seats).all(), "more pupils than seats"


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_invariants_hold_every_step(c):
    spec = make_spec(city=c["city"], households=c["households"], months=c["months"], seed=c["seed"],
                     policies=[{"baseline": c["baseline"]}], behaviour=c["behaviour"], start_month=c["start_month"])
    w = World(spec)
    engine = FastEngine(w)
    check_capacities(w)
    for _ in range(spec.horizon_months):
        n0, active0, quota0 = w.n, int((w.h.status[: w.n] == ACTIVE).sum()), w.quota
        engine.step()
        f = w.flows
        arrivals, departures = int(f[F_ARRIVALS].sum()), int(f[F_DEPARTURES].sum())
        # households are created only by arrival and lost only by departure
        assert w.n - n0 == arrivals
        assert (w.h.arrived[n0: w.n] == w.step).all()
        active = w.h.status[: w.n] == ACTIVE
        assert active.sum() == active0 + arrivals - departures
        assert (w.h.left[: w.n] == w.step).sum() == departures
        assert (~active == (w.h.left[: w.n] >= 0)).all()
        check_capacities(w)
        # the hukou quota is never overdrawn
        assert w.quota >= 0
        reset = w.month == 1 or w.step == 1
        if not reset and spec.rules["resettled_hukou"] == 0:
            assert f[F_CONVERSIONS].sum() == quota0 - w.quota
        # the budget ledger adds up: groups and sexes sum to the whole, city-level spending on top
        v = w.history[-1]
        assert np.isfinite(v).all(), "an indicator is NaN or infinite"
        for k, line in enumerate(BUDGET_LINES):
            row = v[INDEX[line]]
            np.testing.assert_allclose(row[:3, ALL_S], row[:3, 0] + row[:3, 1], rtol=1e-12)
            np.testing.assert_allclose(row[ALL_G, ALL_S], row[:3, ALL_S].sum() + w.city_budget[k], rtol=1e-9)
        paid = w.h.assistance[: w.n][active | (w.h.left[: w.n] == w.step)].sum() * w.scale
        np.testing.assert_allclose(v[INDEX["budget_assistance"], ALL_G, ALL_S], paid, rtol=1e-9, atol=1e-6)
        persons = w.h.size[: w.n][active].astype(float).sum() * w.scale
        np.testing.assert_allclose(v[INDEX["population"], ALL_G, ALL_S], persons, rtol=1e-12)
