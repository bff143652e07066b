"""Property-based invariants over random cities, configs and seeds (hypothesis)."""

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abm.city import BUILTIN_CITIES
from abm.engine import FastEngine
from abm.indicators import GROUP_LABELS, INDEX, SEX_LABELS
from abm.phases import insurance
from abm.state import (
    ACTIVE,
    BUDGET_LINES,
    DISSOLVED,
    F_ARRIVAL_PERSONS,
    F_ARRIVALS,
    F_BIRTHS,
    F_CONVERSIONS,
    F_DEATHS,
    F_DEPARTURE_PERSONS,
    F_DEPARTURES,
    F_NEW_HOUSEHOLDS,
    F_POVERTY_ENTRIES,
    F_POVERTY_EXITS,
    F_PERSONS_IN,
    F_PERSONS_OUT,
    FEMALE,
    FORMAL,
    FUNDS,
    MALE,
    MOVED_ON,
    N_TENURES,
    PRIVATE_MIGRANT,
    PUBLIC,
    RETURNED_HOME,
)
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
        "hosp_rate_adult": st.floats(0.0, 0.3),
        "hosp_rate_old": st.floats(0.0, 0.5),
        "disaster_rate": st.floats(0.0, 0.01),
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
        "pension_min_years": st.integers(0, 15),  # short minimums pay pensions within a short run
        "unemployment_benefit_months_1_5y": st.integers(0, 24),
        "uebmi_reimbursement": st.floats(0.0, 1.0),
        "nrcms_nonlocal_share": st.floats(0.0, 1.0),
        "pension_transfer_from": st.integers(2005, 2020),  # both regimes of departures' records
        "pension_withdrawal": st.integers(0, 1),
        "resident_pension_from": st.integers(2009, 2020),
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
        # public classes may go above the norm, up to class_size_max (abm/phases/schooling.py)
        cap = np.floor(seats * w.rv.class_size_max / w.rv.class_size_norm) if place == PUBLIC else seats
        assert (used <= cap).all(), "more pupils than seats allow"


def persons_by_group(w: World) -> np.ndarray:
    h, n = w.h, w.n
    active = h.status[:n] == ACTIVE
    return np.bincount(h.group[:n][active], weights=h.size[:n][active], minlength=3)


def check_life_course(w: World, start: bool = False) -> None:
    """No formal worker past the statutory retirement age; sizes agree with the members; and at the start, no
    child older than its mother less 15 (later, a widowed father's new partner or an eldest sibling heading the
    household are not the children's mother; births need a mother of 15 or over, as the fertility table
    starts at 15)."""
    h, n, r = w.h, w.n, w.rv
    act = h.status[:n] == ACTIVE
    age, sex, skill = h.age[:n].astype(int), h.sex[:n], h.skill[:n]
    ret = np.where(sex == MALE, r.retirement_age_men,
                   np.where(skill == 2, r.retirement_age_women_cadre, r.retirement_age_women))
    assert not (act & (h.employment[:n] == FORMAL) & (age >= ret)).any(), "a formal worker past retirement age"
    kids = np.stack([h.kid_age0[:n], h.kid_age1[:n], h.kid_age2[:n], h.kid_age3[:n]]).astype(int)
    if start:
        mum = np.where(sex == FEMALE, age, np.where(h.spouse[:n] != 0, h.spouse_age[:n].astype(int), 10_000))
        assert not (act & ((kids > mum - 15) & (kids >= 0)).any(axis=0)).any(), "a child older than its mother - 15"
    assert w.tables.f_month[:15].sum() == 0.0
    size = 1 + (h.spouse[:n] != 0) + (kids >= 0).sum(axis=0)
    np.testing.assert_array_equal(size[act], h.size[:n][act])
    old = (age >= 65).astype(int) + ((h.spouse[:n] != 0) & (h.spouse_age[:n] >= 65)) + (
        ((kids >= 0) & (kids < 15)) | (kids >= 65)).sum(axis=0)
    np.testing.assert_array_equal(old[act], h.dependants[:n][act])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(configs)
def test_invariants_hold_every_step(c):
    spec = make_spec(city=c["city"], households=c["households"], months=c["months"], seed=c["seed"],
                     policies=[{"baseline": c["baseline"]}], behaviour=c["behaviour"], start_month=c["start_month"])
    w = World(spec)
    engine = FastEngine(w)
    check_capacities(w)
    check_life_course(w, start=True)
    balances0 = {fund: w.history[-1][INDEX[f"{fund}_fund_balance"], ALL_G, ALL_S] for fund, _, _ in FUNDS}
    for _ in range(spec.horizon_months):
        n0, active0, quota0 = w.n, int((w.h.status[: w.n] == ACTIVE).sum()), w.quota
        persons0 = persons_by_group(w)
        engine.step()
        f = w.flows
        arrivals, departures = int(f[F_ARRIVALS].sum()), int(f[F_DEPARTURES].sum()) + int(f[F_POVERTY_EXITS].sum())
        formed = int(f[F_NEW_HOUSEHOLDS].sum()) + int(f[F_POVERTY_ENTRIES].sum())
        dissolved = int(((w.h.status[: w.n] == DISSOLVED) & (w.h.left[: w.n] == w.step)).sum())
        # households are created only by arrival, by a grown child leaving home or by falling into poverty
        # from the urban population not simulated; lost only by departure (from the city, or out of poverty
        # back to that population) or dissolution (a head's death with nobody adult left)
        assert w.n - n0 == arrivals + formed
        assert (w.h.arrived[n0: w.n] == w.step).sum() == arrivals
        active = w.h.status[: w.n] == ACTIVE
        assert active.sum() == active0 + arrivals + formed - departures - dissolved
        assert (w.h.left[: w.n] == w.step).sum() == departures + dissolved
        assert (~active == (w.h.left[: w.n] >= 0)).all()
        # persons are conserved, by group: births - deaths + arrivals - departures (+ partners joining by a
        # union, - members leaving the city on their own); a grown child's new household moves persons
        # within the group
        change = (f[F_BIRTHS] - f[F_DEATHS] + f[F_ARRIVAL_PERSONS] - f[F_DEPARTURE_PERSONS] + f[F_PERSONS_IN]
                  - f[F_PERSONS_OUT]).sum(axis=1)
        np.testing.assert_array_equal(persons_by_group(w) - persons0, change)
        check_life_course(w)
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
        check_funds(w, v, balances0)
        check_net_cost(v)


def check_net_cost(v: np.ndarray) -> None:
    """The public sector's net cost, in every group row and the whole: the budget lines less public rents is the
    city's; adding each fund's outgo less its income gives the net fiscal cost; per person it is that over the
    row's population."""
    for g in range(ALL_G + 1):
        city = sum(v[INDEX[line], g, ALL_S] for line in BUDGET_LINES) - v[INDEX["public_rent_revenue"], g, ALL_S]
        funds = 0.0
        for fund, _, _ in FUNDS:
            net = v[INDEX[f"{fund}_fund_outgo"], g, ALL_S] - v[INDEX[f"{fund}_fund_income"], g, ALL_S]
            np.testing.assert_allclose(v[INDEX[f"{fund}_fund_net_cost"], g, ALL_S], net, rtol=1e-9, atol=1e-6)
            funds += net
        np.testing.assert_allclose(v[INDEX["city_net_cost"], g, ALL_S], city, rtol=1e-9, atol=1e-3)
        total = v[INDEX["net_fiscal_cost"], g, ALL_S]
        np.testing.assert_allclose(total, city + funds, rtol=1e-9, atol=1e-3)
        persons = v[INDEX["population"], g, ALL_S]
        per_person = total / persons if persons > 0 else 0.0
        np.testing.assert_allclose(v[INDEX["net_fiscal_cost_per_person"], g, ALL_S], per_person, rtol=1e-9, atol=1e-9)


def check_funds(w: World, v: np.ndarray, balances0: dict) -> None:
    """The funds' ledger identity: each balance moves by the month's income less its outgo; flows are not
    negative; the pensions in the outgo are the pensions of the households paid this month (active in the labour
    phase: still active, or departed at its end)."""
    for fund, _, _ in FUNDS:
        income, outgo = v[INDEX[f"{fund}_fund_income"], ALL_G, ALL_S], v[INDEX[f"{fund}_fund_outgo"], ALL_G, ALL_S]
        balance = v[INDEX[f"{fund}_fund_balance"], ALL_G, ALL_S]
        assert income >= 0.0 and outgo >= 0.0
        np.testing.assert_allclose(balance, balances0[fund] + income - outgo, rtol=1e-9, atol=1e-3)
        balances0[fund] = balance
    h, n = w.h, w.n
    paid = (h.status[:n] == ACTIVE) | ((h.left[:n] == w.step) & (h.status[:n] != DISSOLVED))
    pensions = h.pension[:n][paid].astype(np.float64).sum() * w.scale
    lump = v[INDEX["pension_lump_sums"], ALL_G, ALL_S]
    transfers = v[INDEX["pension_transfers_out"], ALL_G, ALL_S]
    np.testing.assert_allclose(v[INDEX["pension_fund_outgo"], ALL_G, ALL_S] - lump - transfers, pensions, rtol=1e-6,
                               atol=1e-3)
    # the records transferred out are those of the heads who left the city this month
    gone = np.flatnonzero((h.left[:n] == w.step) & ((h.status[:n] == RETURNED_HOME) | (h.status[:n] == MOVED_ON)))
    taken = sum(insurance.transfer_out(w.r, w.year, w.avg_wage, h.hukou[i], h.pension_months[i], h.pension_index[i],
                                       h.pension_account[i], h.pension[i]) for i in gone)
    np.testing.assert_allclose(transfers, taken * w.scale, rtol=1e-9, atol=1e-3)
    assert transfers >= 0.0
    assert (h.pension[:n] >= 0.0).all() and (h.pension_account[:n] >= 0.0).all()
    # the medical fund takes the employer's and employee's medical rates on the wages of the insured jobs paid this
    # month, and pays only part of what the schemes reimburse; households pay the rest of the cost
    insured = paid & (h.employment[:n] == FORMAL) & (h.insured[:n] == 1)
    rates = w.rv.medical_employer + w.rv.medical_employee
    np.testing.assert_allclose(v[INDEX["medical_fund_income"], ALL_G, ALL_S],
                               rates * h.wage[:n][insured].sum() * w.scale, rtol=1e-9, atol=1e-3)
    assert v[INDEX["medical_fund_outgo"], ALL_G, ALL_S] <= v[INDEX["health_reimbursements"], ALL_G, ALL_S] + 1e-6
    assert v[INDEX["health_out_of_pocket"], ALL_G, ALL_S] >= 0.0
    assert 0.0 <= v[INDEX["catastrophic_health_rate"], ALL_G, ALL_S] <= 1.0
