"""The reference engine: the household phases stepped as Mesa agents.

`UrbanModel` is a `mesa.Model` whose agents are the households of a `World`.
City-wide work (exogenous change, arrivals, policy hooks, indicators) is the
world's and is shared with the fast engine; here each phase visits the agents
in id order, or, where a capacity is shared out, in the random priority order
drawn from the run's stream, exactly as the kernels do.
"""

from __future__ import annotations

import mesa
import numpy as np

from abm.agents import BY_GROUP, Household
from abm.phases import housing, labour, registration, schooling
from abm.state import ACTIVE, F_CONVERSIONS, FORMAL, N_FORMAL_SECTORS, N_SKILLS, NO_CHILDREN, RURAL_NONLOCAL
from abm.world import World


def by_priority(agents: list[Household], key) -> list[Household]:
    """Agents in the order of their phase's priority key (`key(agent)`, lower first); ties by id."""
    return sorted(agents, key=lambda a: (key(a), a.row))


class UrbanModel(mesa.Model):
    name = "mesa"

    def __init__(self, world: World):
        super().__init__(seed=world.seed)
        self.world = world
        self._add(range(world.n))

    def _add(self, rows) -> None:
        group = self.world.h.group
        for i in rows:
            BY_GROUP[group[i]](self, i)

    def households(self) -> list[Household]:
        return sorted(self.agents, key=lambda a: a.row)

    def step(self) -> None:
        w = self.world
        w.open_step()
        for a in self.households():
            a.live_a_month()
        w.after_lifecourse()
        for a in self.households():
            if a.status != ACTIVE:
                a.remove()
        w.exogenous_and_city()
        self._add(w.new_rows)
        people = self.households()
        for a in people:
            a.requisition()
        for a in people:
            a.separate_and_train()
        self.match_jobs(people)
        for a in people:
            a.contribute_and_earn()
        for a in people:
            a.face_eviction()
        for a in by_priority([a for a in people if a.wants_to_search()],
                             lambda a: housing.priority(w.seed, w.step, a.row)):
            a.choose_home()
        self.hukou_applications(people)
        if w.school_year_starts:
            self.school_year(people)
        for a in people:
            a.fall_ill()
        for a in people:
            a.claim_assistance()
        for a in people:
            a.settle_or_leave()
        for a in self.households():
            a.settle_accounts()
        w.end_step()

    def match_jobs(self, people: list[Household]) -> None:
        """Cobb-Douglas hires per skill level, given out in a random priority order."""
        w = self.world
        m = w.market
        m.employed[:] = 0
        for a in people:
            if a.employment == FORMAL:
                m.employed[a.sector, a.skill] += 1
        vacancies = np.maximum(0, m.jobs.astype(np.int64) - m.employed)
        seekers = [a for a in people if a.seeks_formal_job()]
        hires_left = np.zeros(N_SKILLS, dtype=np.int64)
        for k in range(N_SKILLS):
            n_k = float(sum(1 for a in seekers if a.skill == k))
            v_k = float(sum(int(vacancies[s, k]) for s in range(N_FORMAL_SECTORS)))
            hires_left[k] = labour.hires_this_month(w.p, w.seed, w.step, k, n_k, v_k)
        for a in by_priority(seekers, lambda a: labour.priority(w.seed, w.step, a.row)):
            a.seek_job(vacancies, hires_left)

    def hukou_applications(self, people: list[Household]) -> None:
        w = self.world
        for a in people:
            a.join_community()
        migrants = [a for a in people if a.hukou == RURAL_NONLOCAL]
        applicants = [a for a in migrants if a.register_and_decide_to_apply()]
        for a in by_priority(applicants, lambda a: registration.priority(w.seed, w.step, a.row)):
            granted, w.quota = registration.grant(w.quota)
            if not granted:
                break
            a.hukou = registration.GRANTED
            w.flows[F_CONVERSIONS, a.group, a.sex] += 1.0

    def school_year(self, people: list[Household]) -> None:
        """Pupils keep their seats (booked in id order); families with new entrants are served in priority
        order at the norm, then, in the same order, above it or by their choice (abm.phases.schooling)."""
        w = self.world
        d = w.districts
        d.public_used[:] = 0
        d.private_used[:] = 0
        families = []
        for a in people:
            if a.kids_school == 0:
                a.school = NO_CHILDREN
                continue
            if a.keep_seats() < a.kids_school:
                families.append(a)
        order = by_priority(families, lambda a: schooling.priority(w.seed, w.step, a.row, a.admission_class()))
        admitted = [a.admit_children() for a in order]
        for a, ok in zip(order, admitted):
            a.enrol_children(ok)
