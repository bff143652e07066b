"""The fast engine: the household phases as Numba kernels over the columns."""

from __future__ import annotations

import time
from collections import defaultdict

from abm.kernels import housing, labour, lifecourse, registration, schooling, welfare
from abm.world import World


class FastEngine:
    name = "numba"

    def __init__(self, world: World, time_phases: bool = False):
        self.world = world
        self.phase_seconds: dict[str, float] | None = defaultdict(float) if time_phases else None

    def _run(self, name: str, kernel, *args):
        if self.phase_seconds is None:
            return kernel(*args)
        t = time.perf_counter()
        out = kernel(*args)
        self.phase_seconds[name] += time.perf_counter() - t
        return out

    def step(self) -> None:
        w = self.world
        run = self._run
        w.open_step()
        run("life course", lifecourse.live, w.h, w.n, w.p, w.r, w.tables, w.seed, w.step, w.ages_up, w.scratch,
            w.informal_wage)
        run("life course", w.after_lifecourse)
        run("exogenous and city hooks", w.exogenous_and_city)
        h, n, d, m, p, r, seed, t, f = w.h, w.n, w.districts, w.market, w.p, w.r, w.seed, w.step, w.flows
        wk = w.work  # work arrays reused every step
        run("land requisition", labour.requisition, h, n, d, r, seed, t, f, wk)
        run("separations and training", labour.separations_and_training, h, n, p, r, seed, t, f, wk)
        run("job matching", labour.match_jobs, h, n, m, p, r, seed, t, wk)
        run("contributions and earnings", labour.contributions_and_earnings, h, n, p, r, w.avg_wage, w.year,
            w.informal_wage, f, wk)
        run("evictions", housing.evictions, h, n, d, r, seed, t, wk)
        searchers = run("housing search", housing.search_and_allocate, h, n, d, p, r, seed, t, f, wk,
                        w.choice_buffer)
        w.fit_choice_buffer(searchers)
        w.quota = run("registration and hukou", registration.register_and_apply, h, n, p, r, seed, t, w.quota, f, wk)
        if w.school_year_starts:
            run("school year", schooling.school_year, h, n, d, p, r, seed, t)
        run("health", welfare.health, h, n, p, r, seed, t, w.year, f, wk)
        run("assistance", welfare.assistance, h, n, p, r, seed, t, f, wk)
        run("settle or leave", welfare.settle_or_leave, h, n, d, p, r, seed, t, w.year, w.avg_wage, f, wk)
        run("accounts", welfare.accounts, h, n, d, p, r, f, wk)
        run("indicators", w.end_step)
