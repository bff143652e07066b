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
