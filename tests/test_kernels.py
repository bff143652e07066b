"""Unit checks on single phases, with crafted state."""

import numpy as np

from abm import decisions as dec
from abm.engine import FastEngine
from abm.kernels.labour import match_jobs
from abm.state import (
    CONVERTED,
    FORMAL,
    INFORMAL,
    MIGRANT,
    N_FORMAL_SECTORS,
    N_SKILLS,
    NO_CHILDREN,
    PRIVATE_RENTAL,
    RURAL_NONLOCAL,
    UNEMPLOYED,
)
from abm.world import World
from tests.conftest import make_spec


def test_matching_never_hires_beyond_vacancies_or_the_matching_function():
    w = World(make_spec(households=1500, months=1, seed=5))
    h, n, m = w.h, w.n, w.market
    h.employment[:n] = UNEMPLOYED  # everyone seeks
    h.sector[:n] = -1
    m.jobs[:] = np.array([[5, 3, 1], [2, 0, 0], [7, 2, 9]], dtype=float)
    match_jobs(h, n, m, w.p, w.r, w.seed, 1, w.work)
    formal = np.zeros((N_FORMAL_SECTORS, N_SKILLS), dtype=int)
    for i in range(n):
        if h.employment[i] == FORMAL:
            formal[h.sector[i], h.skill[i]] += 1
    assert (formal <= m.jobs.astype(int)).all()
    np.testing.assert_array_equal(formal, m.employed)
    # with many seekers and few vacancies the matching function fills most of them
    assert formal.sum() >= 0.5 * m.jobs.sum()
    assert (h.employment[:n] == INFORMAL).sum() > 0


def test_logit_choice_respects_availability_and_probabilities():
    util = np.array([0.0, 1.0, 2.0])
    avail = np.array([True, False, True])
    picks = [dec.choose(util, avail, u) for u in np.linspace(0, 0.999999, 1000)]
    assert 1 not in picks
    share2 = np.mean(np.array(picks) == 2)
    assert abs(share2 - np.exp(2) / (1 + np.exp(2))) < 0.01
    assert dec.choose(util, np.zeros(3, dtype=bool), 0.5) == -1


def test_settle_hazard_falls_with_hukou_and_rises_with_unemployment():
    w = World(make_spec(households=100, months=1))
    migrant = dict(group=MIGRANT, hukou=RURAL_NONLOCAL, unemp_spell=0, pc_income=1000.0, poverty_line=600.0,
                   burden=0.2, school=NO_CHILDREN, insured=False, tenure=PRIVATE_RENTAL, coproducing=False,
                   in_debt=False)
    base = dec.leave_hazard(w.p, **migrant)
    assert dec.leave_hazard(w.p, **(migrant | {"hukou": CONVERTED})) < base
    assert dec.leave_hazard(w.p, **(migrant | {"unemp_spell": 12})) > base
    assert dec.leave_hazard(w.p, **(migrant | {"in_debt": True})) > base


def test_school_seats_free_up_when_families_leave():
    w = World(make_spec(households=400, months=24, seed=2, behaviour={"hazard_migrant": 0.2}))
    engine = FastEngine(w)
    for _ in range(24):
        engine.step()
    assert w.districts.public_used.sum() < w.districts.public_seats.sum()
