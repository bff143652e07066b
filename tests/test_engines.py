"""The two engines give the same results for the same seed (MODEL.md section 8)."""

import numpy as np
import pytest

from abm.indicators import NAMES
from abm.runner import households_frame, indicators_frame, simulate
from abm.state import HOUSEHOLD_COLUMNS


def assert_same(a, b):
    """Counts identical, floats within 1e-9 relative."""
    ha, hb = np.asarray(a.world.history), np.asarray(b.world.history)
    assert ha.shape == hb.shape
    bad = ~np.isclose(ha, hb, rtol=1e-9, atol=0.0)
    if bad.any():
        s, k, g, x = np.argwhere(bad)[0]
        pytest.fail(f"{bad.sum()} indicator values differ; first: step {s} {NAMES[k]} group {g} sex {x}: "
                    f"{ha[s, k, g, x]} vs {hb[s, k, g, x]}")
    assert a.world.n == b.world.n
    for name, dt in HOUSEHOLD_COLUMNS.items():
        ca, cb = getattr(a.world.h, name)[: a.world.n], getattr(b.world.h, name)[: b.world.n]
        if np.dtype(dt).kind == "f":
            np.testing.assert_allclose(ca, cb, rtol=1e-9, atol=0.0, err_msg=name)
        else:
            np.testing.assert_array_equal(ca, cb, err_msg=name)


def test_engines_agree_on_2000_households_over_24_months(spec_factory):
    spec = spec_factory(households=2000, months=24, seed=7)
    fast = simulate(spec, "numba")
    ref = simulate(spec_factory(households=2000, months=24, seed=7), "mesa")
    assert_same(fast, ref)
    # the run is not trivial: people arrived, left, moved (within and across districts), and a school year started
    hist = np.asarray(fast.world.history)
    assert hist[1:, NAMES.index("moves_between_districts"), 3, 2].sum() > 0
    assert hist[1:, NAMES.index("moves_within_district"), 3, 2].sum() > 0
    assert hist[1:, NAMES.index("arrivals"), 3, 2].sum() > 0
    assert hist[1:, NAMES.index("departures"), 3, 2].sum() > 0
    assert hist[1:, NAMES.index("hukou_conversions"), 3, 2].sum() > 0


@pytest.mark.parametrize("city", ["jinnan", "kunshan"])
def test_engines_agree_in_other_cities_and_start_months(spec_factory, city):
    fast = simulate(spec_factory(city=city, households=500, months=14, seed=3, start_month=8), "numba")
    ref = simulate(spec_factory(city=city, households=500, months=14, seed=3, start_month=8), "mesa")
    assert_same(fast, ref)


def test_engines_agree_on_september_intakes_with_kept_seats_planning_and_crowding(spec_factory):
    """Kunshan's neighbourhood rule over two September intakes: pupils keep seats, local children are taken above
    the norm, and (lag 1) seats are planned in the second August from the first one's claims."""
    def spec():
        s = spec_factory(city="kunshan", households=600, months=14, seed=5, start_month=7,
                         policies=("baseline", "kunshan"))
        s.rules["seat_planning_lag"] = 1
        return s
    fast = simulate(spec(), "numba")
    assert_same(fast, simulate(spec(), "mesa"))
    hist = np.asarray(fast.world.history)
    assert hist[2:, NAMES.index("pupils_above_norm_share"), 3, 2].max() > 0  # some classes went above the norm
    assert len(fast.world.claims_by_year) == 2
    assert (fast.world.districts.public_seats >= fast.world.claims_by_year[0]).all()


def test_same_seed_same_tables_and_different_seed_different(spec_factory):
    a = simulate(spec_factory(households=800, months=18, seed=11))
    b = simulate(spec_factory(households=800, months=18, seed=11))
    c = simulate(spec_factory(households=800, months=18, seed=12))
    assert indicators_frame(a.world).equals(indicators_frame(b.world))
    assert households_frame(a.world).equals(households_frame(b.world))
    assert not indicators_frame(a.world).equals(indicators_frame(c.world))


def test_fast_engine_results_do_not_depend_on_the_thread_count(spec_factory):
    import numba

    before = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one = simulate(spec_factory(households=1000, months=13, seed=21))
        numba.set_num_threads(min(2, numba.config.NUMBA_NUM_THREADS))
        two = simulate(spec_factory(households=1000, months=13, seed=21))
    finally:
        numba.set_num_threads(before)
    assert indicators_frame(one.world).equals(indicators_frame(two.world))
