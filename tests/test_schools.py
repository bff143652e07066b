"""Schools that follow their pupils (abm/phases/schooling.py): seats kept across school years, planned seats,
and the stock a city profile declares (abm/city.py, InitialStock)."""

import numpy as np

from abm.api import make_spec
from abm.city import load_profile
from abm.kernels.schooling import school_year
from abm.parameters import BEHAVIOUR, make_record
from abm.rules import RULES
from abm.runner import simulate
from abm.state import (
    COMPOUND,
    DORMITORY,
    MIGRANT,
    NOT_ENROLLED,
    PUBLIC,
    RURAL_NONLOCAL,
    URBAN_LOCAL,
    URBAN_POOR,
    Districts,
    empty_households,
)
from abm.world import World


def _districts(seats):
    one = lambda v: np.array([v], dtype=np.int64)  # noqa: E731
    return Districts(units=np.zeros((1, 7), np.int64), occupied=np.zeros((1, 7), np.int64), rent=np.zeros((1, 7)),
                     public_seats=one(seats), public_used=one(0), private_seats=one(0), private_used=one(0),
                     staff=np.zeros(1), price=np.zeros(1), downpayment=np.zeros(1), school_access=np.zeros(1),
                     services=np.zeros(1))


def _family(h, i, hukou, group, ages, school, registered=0):
    h.hukou[i], h.group[i], h.registered[i], h.school[i] = hukou, group, registered, school
    for k, a in enumerate(ages):
        getattr(h, f"kid_age{k}")[i] = a
    h.kids_school[i] = sum(1 for a in ages if 6 <= a <= 14)
    h.income[i] = 4000.0


def test_a_pupil_keeps_its_public_seat_next_september_when_a_higher_priority_family_finds_seats_full():
    # hukou-first rules; classes may not grow above the norm, so 45 seats are all there is
    r = make_record(RULES, {"class_size_norm": 45, "class_size_max": 45})
    p = make_record(BEHAVIOUR, {})
    h = empty_households(13)
    for i in range(11):  # 44 seats held by local families' continuing pupils (the eldest in the last year)
        _family(h, i, URBAN_LOCAL, URBAN_POOR, (8, 9, 10, 14), PUBLIC)
    # a registered migrant family (admission class 20) whose child holds the 45th seat
    _family(h, 11, RURAL_NONLOCAL, MIGRANT, (8, -1, -1, -1), PUBLIC, registered=1)
    # a local family (class 0, served first) whose child turns 6 and needs a seat
    _family(h, 12, URBAN_LOCAL, URBAN_POOR, (6, -1, -1, -1), NOT_ENROLLED)
    d = _districts(45)
    school_year(h, 13, d, p, r, 1, 9)
    assert h.school[11] == PUBLIC, "the migrant pupil kept its seat"
    assert h.school[12] == NOT_ENROLLED, "the newcomer found the seats full"
    assert d.public_used[0] == 45
    # a year on: everyone is a year older, and the migrant child is still a continuing pupil
    for k in range(4):
        a = getattr(h, f"kid_age{k}")
        a[a >= 0] += 1
    h.kids_school[:13] = [sum(1 for k in range(4) if 6 <= getattr(h, f"kid_age{k}")[i] <= 14) for i in range(13)]
    school_year(h, 13, d, p, r, 1, 21)
    assert h.school[11] == PUBLIC
    # the local children who turned 15 freed their seats, and the newcomer (now 7) took one of them
    assert h.school[12] == PUBLIC
    assert d.public_used[0] == int(h.kids_school[:13][h.school[:13] == PUBLIC].sum())


def test_the_same_family_loses_the_seat_if_seats_were_given_out_anew():
    """The counterfactual of the test above, to show it can fail: without a kept seat (the family reapplies,
    its children not in school last year), the local family is served first and takes the last seat."""
    r = make_record(RULES, {"class_size_norm": 45, "class_size_max": 45})
    p = make_record(BEHAVIOUR, {})
    h = empty_households(13)
    for i in range(11):
        _family(h, i, URBAN_LOCAL, URBAN_POOR, (8, 9, 10, 11), PUBLIC)
    _family(h, 11, RURAL_NONLOCAL, MIGRANT, (8, -1, -1, -1), NOT_ENROLLED, registered=1)
    _family(h, 12, URBAN_LOCAL, URBAN_POOR, (6, -1, -1, -1), NOT_ENROLLED)
    d = _districts(45)
    school_year(h, 13, d, p, r, 1, 9)
    assert h.school[12] == PUBLIC
    assert h.school[11] != PUBLIC


def test_public_seats_are_planned_from_the_claims_of_lag_years_before():
    base = {"name": "plan", "city": "changshu", "households": 400, "horizon_months": 12, "seed": 3,
            "policies": ["baseline"]}
    planned = simulate(make_spec(base, {"baseline.seat_planning_lag": 0, "baseline.seat_planning_ratio": 2.0}),
                       "numba", warm=False).world
    assert len(planned.claims_by_year) == 1  # one August in a year
    target = np.ceil(planned.claims_by_year[0] * 2.0).astype(np.int64)
    assert (planned.districts.public_seats >= target).all() and target.sum() > 0
    start = World(make_spec(base)).districts.public_seats
    unplanned = simulate(make_spec(base), "numba", warm=False).world  # the default lag, 3 years, has not passed
    np.testing.assert_array_equal(unplanned.districts.public_seats, start)


def test_the_stock_a_profile_declares_is_in_the_districts_at_the_start():
    prof = load_profile("kunshan")
    w = World(make_spec({"name": "stock", "city": "kunshan", "households": 2000, "horizon_months": 1,
                            "seed": 2, "policies": ["baseline"]}))
    units = prof.stock.households()  # real households: 250,000 / 2.4 compound, 447,000 / 2.4 dormitory
    d = w.districts
    assert d.units[:, DORMITORY].sum() >= round(units["dormitory"] / w.scale)
    assert d.units[:, COMPOUND].sum() >= round(units["compound"] / w.scale)
    assert d.private_seats.sum() >= round(prof.stock.migrant_school_pupils / w.scale)
    # the synthetic draws put occupants in it; dormitories take formal manufacturing and construction workers only
    assert 0 < d.occupied[:, DORMITORY].sum() <= d.units[:, DORMITORY].sum()
    assert 0 < d.occupied[:, COMPOUND].sum() <= d.units[:, COMPOUND].sum()
