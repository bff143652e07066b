"""The district housing market (abm/phases/market.py, abm/market.py) and the search across districts
(abm/phases/housing.py): a demand shock raises a district's rent until builders answer; the logit sends
searchers towards the cheaper district."""

import numpy as np

from abm import market
from abm.parameters import BEHAVIOUR, make_record
from abm.phases import housing
from abm.rules import RULES
from abm.state import (MIGRANT, N_TENURES, NO_HOME, PRIVATE_RENTAL, RURAL_NONLOCAL, UNEMPLOYED, URBAN_VILLAGE,
                       Districts)


def _districts(n_d, units, occupied, rent):
    u = np.zeros((n_d, N_TENURES), np.int64)
    o = np.zeros_like(u)
    r = np.zeros((n_d, N_TENURES))
    u[:, PRIVATE_RENTAL], o[:, PRIVATE_RENTAL], r[:, PRIVATE_RENTAL] = units, occupied, rent
    z = np.zeros(n_d)
    zi = np.zeros(n_d, np.int64)
    return Districts(units=u, occupied=o, rent=r, public_seats=zi.copy(), public_used=zi.copy(),
                     private_seats=zi.copy(), private_used=zi.copy(), staff=z.copy(), price=z.copy(),
                     downpayment=z.copy(), school_access=z.copy(), services=z.copy())


def _shock(builder_response):
    """Monthly private-rental rents of a district at its natural vacancy after arrivals fill 15% more units."""
    p = make_record(BEHAVIOUR, {"builder_response": builder_response})
    d = _districts(1, 1000, 950, 800.0)
    cost = d.rent.copy()
    d.occupied[0, PRIVATE_RENTAL] = 1100
    rents = []
    for _ in range(72):
        market.update(p, d, cost, 384000.0)
        rents.append(d.rent[0, PRIVATE_RENTAL])
    return np.array(rents), d


def test_a_district_rent_rises_after_a_demand_shock_and_falls_back_as_builders_answer():
    rents, d = _shock(builder_response=0.05)
    assert rents[11] > 800.0 * 1.03  # a year on, vacancy below the natural rate has raised the rent
    peak = int(rents.argmax())
    assert 6 <= peak <= 48 and rents[peak] > 820.0
    assert d.units[0, PRIVATE_RENTAL] > 1100 / 0.95  # builders added units past the natural stock
    assert rents[-1] < rents[peak] - 0.8 * (rents[peak] - 800.0)  # six years on, most of the rise is gone
    assert d.price[0] == rents[-1] * 12 * 40.0 and d.downpayment[0] > 0.0  # prices and down payments follow
    # without builders the rent keeps rising: it is the supply that brings it back
    no_supply, _ = _shock(builder_response=0.0)
    assert no_supply[-1] > no_supply[35] > rents[-1]


def test_the_logit_sends_searchers_towards_the_cheaper_district():
    p = make_record(BEHAVIOUR, {"district_moving_cost": 0.0})
    r = make_record(RULES, {})

    def share_to_district_1(rent_0, rent_1):
        d = _districts(2, 10**6, 0, 0.0)
        d.rent[:, PRIVATE_RENTAL] = rent_0, rent_1
        d.rent[:, URBAN_VILLAGE] = 400.0
        d.units[:, URBAN_VILLAGE] = 10**6
        d.downpayment[:] = 1e12
        chosen = np.zeros(2)
        for i in range(4000):
            weights = np.empty(2 * N_TENURES)
            housing.options(p, r, d.rent, d.downpayment, d.school_access, d.services, 0, NO_HOME, MIGRANT,
                            RURAL_NONLOCAL, UNEMPLOYED, -1, 0, 30, 2, 3000.0, 0, 0.0, 0, 0.0, weights)
            k, t, _, _ = housing.choose_home(p, r, 1, 5, i, d.units, d.occupied, d.rent, d.downpayment, 0, NO_HOME,
                                              0.0, 0.0, 3000.0, weights)
            if t == PRIVATE_RENTAL:
                chosen[k] += 1
        return chosen[1] / chosen.sum()

    equal = share_to_district_1(900.0, 900.0)
    assert 0.45 < equal < 0.55
    # 4 utils per unit of burden: 0.8 utils cheaper, odds e^0.8 = 2.2, about 69% of private-rental choices
    assert share_to_district_1(1200.0, 600.0) > 0.64


def test_the_segregation_index_is_one_when_the_poor_and_the_rich_live_apart_and_zero_when_mixed():
    status = np.zeros(8, np.int8)
    pc = np.array([100.0, 200.0, 300.0, 400.0, 500.0, 600.0, 700.0, 800.0])
    apart = np.array([0, 0, 0, 0, 1, 1, 1, 1], np.int16)
    mixed = np.array([0, 1, 0, 1, 0, 1, 0, 1], np.int16)
    assert market.segregation(status, apart, pc, 2) == 1.0
    assert market.segregation(status, mixed, pc, 2) == 0.0
    status[[0, 1]] = 1  # households gone are not counted: 300 and 400 are now the poorest
    assert market.segregation(status, apart, pc, 2) == 1.0
