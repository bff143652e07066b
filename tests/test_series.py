"""The city-year wage index and the money values it moves each January."""

import math

import pytest

from abm.series import SeriesError, WageIndex


def _rows(site, values):
    return [{"site": site, "year": y, "indicator": "average_wage", "value": v} for y, v in values.items()]


def test_the_index_chains_to_the_next_site_outside_a_sites_years():
    rows = _rows("city", {2011: 200.0, 2013: 242.0}) + _rows("national", {2009: 100.0, 2015: 200.0})
    index = WageIndex(["city", "province", "national"], 2009, rows)
    assert index.sites == ["city", "national"]  # a site without figures is skipped
    national_growth = math.log(2.0) / 6  # a year, log-linear between 2009 and 2015
    assert index(2009) == 1.0
    assert math.log(index(2011)) == pytest.approx(2 * national_growth)
    assert math.log(index(2013)) == pytest.approx(2 * national_growth + math.log(1.21))  # the city's own growth
    assert math.log(index(2014)) == pytest.approx(3 * national_growth + math.log(1.21))
    # beyond the last site's figures: its mean growth over its last five years (here its only stretch)
    assert math.log(index(2017)) == pytest.approx(6 * national_growth + math.log(1.21))


def test_no_site_with_figures_is_an_error():
    with pytest.raises(SeriesError, match="no site"):
        WageIndex(["atlantis"], 2009, _rows("national", {2009: 1.0}))


def test_money_moves_in_january_with_the_years_index():
    from abm.engine import FastEngine
    from abm.world import World
    from tests.conftest import make_spec

    w = World(make_spec(city="zhengzhou", households=300, months=26, seed=3, start_month=11))
    engine = FastEngine(w)
    wage0 = w.market.wage.copy()
    seen = []
    for _ in range(26):
        engine.step()
        if w.month == 1:
            seen.append((w.step, w.year, w.money_index))
    # step 0 is November 2009, so steps 2, 14 and 26 are the Januaries of 2010, 2011 and 2012
    assert [(t, y) for t, y, _ in seen] == [(2, 2010), (14, 2011), (26, 2012)]
    for _, year, index in seen:
        assert index == pytest.approx(w.wage_index(year), rel=1e-12)
    assert w.market.wage == pytest.approx(wage0 * w.wage_index(2012), rel=1e-9)
