"""Social insurance pays (abm.phases.insurance): heads at the statutory age with long records draw the 2005 basic
pension, short records are paid out, both engines agree on it, and the pension fund books what is paid."""

import numpy as np
import pytest

from abm.indicators import INDEX
from abm.runner import make_engine
from abm.phases import lifecourse as life
from abm.state import ACTIVE, DISSOLVED, FUNDS, MALE, RETIRED
from abm.world import World
from tests.test_engines import assert_same

ALL = (3, 2)


def _world_with_records(spec):
    """The city with every head given a contribution record at the statutory age and retired: men of 60 with 20
    years at 1.5 times the average wage and an account of 27,800 yuan on even rows, 5 years on odd rows."""
    w = World(spec)
    h, n = w.h, w.n
    heads = np.flatnonzero(h.status[:n] == ACTIVE)
    h.age[heads], h.sex[heads], h.employment[heads], h.wage[heads], h.insured[heads] = 60, MALE, RETIRED, 0.0, 0
    h.pension[heads] = 0.0  # none draws yet (the starting population's pensioners among them)
    long_ = heads[heads % 2 == 0]
    short = heads[heads % 2 == 1]
    h.pension_months[long_], h.pension_index[long_], h.pension_account[long_] = 240, 360.0, 27800.0
    h.pension_months[short], h.pension_index[short], h.pension_account[short] = 60, 60.0, 5000.0
    return w, long_, short


class _Run:
    def __init__(self, world):
        self.world = world


def test_heads_at_the_age_draw_the_2005_pension_or_their_account(spec_factory):
    # no inpatient episodes: out-of-pocket health spending would come out of the month's income
    spec = spec_factory(households=400, months=3, seed=5, start_month=3,
                        behaviour={"hosp_rate_child": 0.0, "hosp_rate_adult": 0.0, "hosp_rate_old": 0.0})
    w, long_, short = _world_with_records(spec)
    avg0 = w.avg_wage
    engine = make_engine(w, "numba")
    engine.step()
    h = w.h
    kept = w.scratch[0][:w.n] != life.HEAD_REPLACED  # a head who died took the record along
    paid_long = long_[(h.status[long_] == ACTIVE) & kept[long_]]
    assert paid_long.size > 0
    # pooled: (avg + avg x 1.5) / 2 x 20 years x 1%; account part: 27,800 / 139 = 200 (a March start: no indexing)
    expected = (avg0 + avg0 * 1.5) / 2.0 * 20 * 0.01 + 27800.0 / 139.0
    np.testing.assert_allclose(h.pension[paid_long], expected, rtol=1e-6)
    assert (h.pension_account[paid_long] == 0.0).all()
    v = w.history[-1]
    drawing = (h.status[:w.n] == ACTIVE) & (h.pension[:w.n] > 0)
    assert drawing.sum() == paid_long.size
    assert v[INDEX["pension_recipients"], ALL[0], ALL[1]] == pytest.approx(paid_long.size * w.scale)
    np.testing.assert_allclose(v[INDEX["mean_pension"], ALL[0], ALL[1]], expected, rtol=1e-6)
    # the lump sums: the short records' accounts, of the households paid in the labour phase
    paid_short = short[((h.status[short] == ACTIVE) | (h.left[short] == w.step)) & kept[short]]
    paid_short = paid_short[h.status[paid_short] != DISSOLVED]  # not dissolved by a death before the labour phase
    assert paid_short.size > 0
    assert (h.pension[paid_short] == 0.0).all() and (h.pension_account[paid_short] == 0.0).all()
    assert v[INDEX["pension_lump_sums"], ALL[0], ALL[1]] == pytest.approx(5000.0 * paid_short.size * w.scale,
                                                                          rel=1e-6)
    # the pension is income: the households drawing one have at least that much
    assert (h.income[paid_long] >= h.pension[paid_long] - 1e-6).all()
    # the fund's balance is its income less its outgo
    k = [f[0] for f in FUNDS].index("pension")
    assert w.funds[k] == pytest.approx(v[INDEX["pension_fund_income"], 3, 2] - v[INDEX["pension_fund_outgo"], 3, 2])


def test_engines_agree_on_pensions_paid(spec_factory):
    spec = spec_factory(households=300, months=14, seed=9, start_month=11)
    a, _, _ = _world_with_records(spec)
    b, _, _ = _world_with_records(spec_factory(households=300, months=14, seed=9, start_month=11))
    fast, ref = make_engine(a, "numba"), make_engine(b, "mesa")
    for _ in range(spec.horizon_months):  # a January in between: pensions and accounts move with the index
        fast.step()
        ref.step()
    assert np.asarray(a.history)[1:, INDEX["pension_recipients"], 3, 2].min() > 0
    assert_same(_Run(a), _Run(b))


def test_engines_agree_on_records_taken_out_by_departures(spec_factory):
    """Migrants with records leave before and after 1 January 2010 (Guobanfa 2009 No. 66): before it the rural-hukou
    leavers withdraw their accounts, after it every leaver takes the account and 12% of the contribution wages; both
    engines book the same transfers, in id order, and the heads seeded as existing pensioners draw the same."""
    kw = dict(city="changshu", households=400, months=5, seed=3, start_month=11,
              behaviour={"hazard_migrant": 0.15, "past_coverage_rural": 0.6})
    a, b = World(spec_factory(**kw)), World(spec_factory(**kw))
    h = a.h
    has_record = (h.group[:a.n] == 0) & (h.pension_months[:a.n] > 0)
    assert has_record.sum() > 20
    fast, ref = make_engine(a, "numba"), make_engine(b, "mesa")
    for _ in range(kw["months"]):
        fast.step()
        ref.step()
    assert_same(_Run(a), _Run(b))
    out = np.asarray(a.history)[:, INDEX["pension_transfers_out"], 0, 2]
    years = [a.spec.profile.year + (kw["start_month"] - 1 + s) // 12 for s in range(out.size)]
    assert out[[s for s, y in enumerate(years) if y == 2009 and s > 0]].sum() > 0  # withdrawals before 2010
    assert out[[s for s, y in enumerate(years) if y == 2010]].sum() > 0  # transfers from 2010


def test_starting_population_brings_records_and_pensioners(spec_factory):
    """The synthetic city's heads bring their past insured years: about `past_coverage_urban` (0.549) of urban-hukou
    heads in their forties have 15 years or more, no rural-hukou head does (their records began in 1998), urban-hukou
    heads past the statutory age draw the 2005 pension (their accounts turned into it), and no rural-hukou head
    past it does."""
    w = World(spec_factory(city="zhengzhou", households=3000, months=1, seed=4))
    h, n = w.h, w.n
    urban = h.hukou[:n] == 2  # URBAN_LOCAL
    forties = urban & (h.age[:n] >= 40) & (h.age[:n] < 50)
    assert forties.sum() >= 30
    assert 0.3 < (h.pension_months[:n][forties] >= 180).mean() < 0.8
    assert (h.pension_months[:n][~urban] >= 180).sum() == 0
    drawing = h.pension[:n] > 0
    assert drawing.sum() > 0.3 * (urban & (h.age[:n] >= 60)).sum()
    assert urban[drawing].all()
    assert (h.pension_account[:n][drawing] == 0).all()
    assert w.history[0][INDEX["pension_recipients"], 2, 2] == pytest.approx(drawing.sum() * w.scale)
    rate = w.history[0][INDEX["replacement_rate"], 3, 2]
    mean_formal = h.wage[:n][h.employment[:n] == 2].mean()
    assert rate == pytest.approx(h.pension[:n][drawing].astype(float).mean() / mean_formal, rel=1e-6)
