"""The fast engine: the household phases as Numba kernels over the columns."""

from __future__ import annotations

from abm.kernels import housing, labour, registration, schooling, welfare
from abm.world import World


class FastEngine:
    name = "numba"

    def __init__(self, world: World):
        self.world = world

    def step(self) -> None:
        w = self.world
        w.begin_step()
        h, n, d, m, p, r, seed, t, f = w.h, w.n, w.districts, w.market, w.p, w.r, w.seed, w.step, w.flows
        labour.requisition(h, n, d, r, seed, t, f)
        labour.separations_and_training(h, n, p, r, seed, t, f)
        labour.match_jobs(h, n, m, p, r, seed, t)
        labour.contributions_and_earnings(h, n, p, r)
        housing.evictions(h, n, d, r, seed, t)
        housing.search_and_allocate(h, n, d, p, r, seed, t)
        w.quota = registration.register_and_apply(h, n, p, r, seed, t, w.quota, f)
        if w.school_year_starts:
            schooling.school_year(h, n, d, p, r, seed, t)
        welfare.assistance(h, n, p, r, seed, t, f)
        welfare.settle_or_leave(h, n, d, p, r, seed, t, f)
        welfare.accounts(h, n, d, p, r, f)
        w.end_step()
