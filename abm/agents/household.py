"""The household as a Mesa agent: the readable reference for every phase.

An agent's state is its row in the world's column arrays (each attribute below
reads and writes that row), so the two engines share one state layout. Each
method is one phase of the step for one household, written out plainly and
calling the same decision functions (abm.decisions) that the kernels call;
where a phase is one module (abm.phases), the method calls its per-household
logic and writes the values it returns to the agent's row.
"""

from __future__ import annotations

import mesa
import numpy as np

from abm import decisions as dec
from abm import rng
from abm.kernels.lifecourse import write_month
from abm.phases import accounts, labour, settlement
from abm.phases import lifecourse as life
from abm.state import (
    DORMITORY,
    F_ASSIST,
    F_COMMUNITY,
    F_DEPARTURE_PERSONS,
    F_DEPARTURES,
    F_EDU,
    F_HOUSING,
    F_INSURANCE,
    F_TEMP,
    F_TRAIN_COST,
    F_TRAINING,
    FORMAL,
    HOUSEHOLD_COLUMNS,
    INFORMAL_SECTOR,
    N_TENURES,
    NO_HOME,
    OWNED,
    PRIVATE_MIGRANT,
    PUBLIC,
    UNEMPLOYED,
    URBAN_VILLAGE,
)


class Column:
    """An attribute stored in the household's row of the world's arrays."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, agent, owner=None):
        if agent is None:
            return self
        return agent.model.world.columns[self.name].item(agent.row)

    def __set__(self, agent, value):
        agent.model.world.columns[self.name][agent.row] = value


class Household(mesa.Agent):
    group_code: int = -1

    def __init__(self, model, row: int):
        super().__init__(model)
        self.row = row

    # -- shorthands ------------------------------------------------------------------------------
    def u(self, stream: int) -> float:
        w = self.model.world
        return rng.draw(w.seed, w.step, self.row, stream)

    def flow(self, index: int, amount: float) -> None:
        self.model.world.flows[index, self.group, self.sex] += amount

    # -- phase 0: the life course -------------------------------------------------------------------
    def live_a_month(self) -> None:
        """Age (at the school-year start), die, give birth, see a grown child leave, form a union, retire:
        the phase's one function decides, and its outcome goes to this row and the world's scratch arrays
        for the serial part (flows, dissolution, new households)."""
        w = self.model.world
        out = life.live_a_month(w.p[0], w.r[0], w.tables.q_month, w.tables.f_month, w.seed, w.step, self.row, w.ages_up,
                                self.group, dec.is_local(self.hukou), self.skill, self.employment, self.age, self.sex,
                                self.spouse, self.spouse_age, (self.kid_age0, self.kid_age1, self.kid_age2,
                                                               self.kid_age3), self.kid_male)
        h = w.h
        fate, events, new_age, new_sex = w.scratch
        write_month(self.row, out, w.ages_up, h.age, h.sex, h.spouse, h.spouse_age, h.kid_age0, h.kid_age1,
                    h.kid_age2, h.kid_age3, h.kid_male, h.employment, h.sector, h.wage, h.insured, h.job_months,
                    h.skill, w.informal_wage, h.size, h.kids_school, h.kids_pre, fate, events, new_age, new_sex)

    # -- phase 1: exogenous change (only farmers hold land) ---------------------------------------
    def requisition(self) -> None:
        pass

    # -- phase 3: labour ---------------------------------------------------------------------------
    def separate_and_train(self) -> None:
        """Maybe lose the job (else a month more in it); maybe take a training course and gain skill."""
        w = self.model.world
        loses, trained, self.skill = labour.separate_and_train(w.p, w.r, w.seed, w.step, self.row, self.group,
                                                               self.employment, self.skill)
        if loses:
            self.lose_job()
        elif labour.works(self.employment):
            self.job_months += 1
        if trained:
            self.trainings += 1
            self.flow(F_TRAINING, 1.0)
            self.flow(F_TRAIN_COST, w.rv.training_cost)

    def lose_job(self) -> None:
        (self.employment, self.sector, self.wage, self.insured, self.job_months,
         self.unemp_spell) = labour.JOB_LOST

    def seeks_formal_job(self) -> bool:
        return labour.seeks_formal_job(self.model.world.r[0], self.employment, self.age, self.sex, self.skill)

    def seek_job(self, vacancies: np.ndarray, hires_left: np.ndarray) -> None:
        """Take a formal job if this skill level still has hires this month, else maybe informal work."""
        w = self.model.world
        k = self.skill
        if hires_left[k] > 0 and vacancies[:, k].sum() > 0:
            self.sector, self.wage, self.insured = labour.hire(w.r, w.seed, w.step, self.row, self.hukou, k,
                                                               vacancies, w.market.employed, w.market.wage)
            hires_left[k] -= 1
            self.employment = FORMAL
            self.job_months = 0
            self.unemp_spell = 0
        elif labour.takes_informal_work(w.p, w.seed, w.step, self.row, self.employment):
            self.employment, self.sector = labour.INFORMAL_JOB
            self.wage = w.market.wage[INFORMAL_SECTOR, k]
            self.job_months = 0
            self.unemp_spell = 0

    def contribute_and_earn(self) -> None:
        w = self.model.world
        (self.unemp_spell, self.unemp_ins_months, self.pension_months, self.pension_streak, self.medical_months,
         self.income) = labour.contribute_and_earn(w.p, w.r, self.group, self.size, self.kids_school, self.kids_pre,
                                                   self.employment, self.insured, self.urban_ss, self.wage,
                                                   self.land, self.compensation, self.unemp_spell,
                                                   self.unemp_ins_months, self.pension_months,
                                                   self.pension_streak, self.medical_months)

    # -- phase 4: housing -------------------------------------------------------------------------
    def move_out(self) -> None:
        if self.tenure != NO_HOME:
            self.model.world.districts.occupied[self.district, self.tenure] -= 1
        self.tenure = NO_HOME
        self.rent = 0.0

    def face_eviction(self) -> None:
        w = self.model.world
        d = w.districts
        if self.tenure == URBAN_VILLAGE and self.u(rng.EVICTION) < w.rv.uv_redevelopment_rate / 12.0:
            d.units[self.district, URBAN_VILLAGE] -= 1
            self.move_out()
        elif self.tenure == DORMITORY and not (self.employment == FORMAL and self.sector <= 1):
            self.move_out()

    def wants_to_search(self) -> bool:
        burden = dec.rent_burden(self.rent, self.income)
        return self.u(rng.HOUSING_SEARCH) < dec.search_prob(self.model.world.p, self.tenure, burden)

    def choose_home(self) -> None:
        """Multinomial-logit choice among the tenures this household may take that have a free unit."""
        w = self.model.world
        d, p, r, pv = w.districts, w.p, w.r, w.pv
        dist, cur, income = self.district, self.tenure, self.income
        util = np.empty(N_TENURES)
        avail = np.empty(N_TENURES, dtype=np.bool_)
        for t in range(N_TENURES):
            util[t] = dec.tenure_utility(p, t, dec.tenure_rent(r, t, d.rent[dist, t], income), income, cur)
            free = d.units[dist, t] > d.occupied[dist, t]
            avail[t] = (t == cur) or (free and dec.tenure_eligible(
                p, r, t, self.group, self.hukou, self.employment, self.sector, self.skill, self.age, self.size,
                income, self.months_in_city, self.savings))
        t = dec.choose(util, avail, self.u(rng.HOUSING_CHOICE))
        if t < 0 or t == cur:
            return
        self.move_out()
        d.occupied[dist, t] += 1
        self.tenure = t
        self.rent = dec.tenure_rent(r, t, d.rent[dist, t], income)
        if t == OWNED:
            self.savings -= pv.downpayment

    # -- phase 5: registration and hukou ----------------------------------------------------------
    def join_community(self) -> None:
        """Take part in co-production or not, by the household's own fixed draw."""
        w = self.model.world
        self.coproducing = 1 if dec.joins_coproduction(w.r, rng.draw(w.seed, 0, self.row, rng.COPRODUCTION)) else 0

    def register_and_decide_to_apply(self) -> bool:
        """Take up a residence permit (maybe); return True if the household applies for hukou."""
        w = self.model.world
        if self.registered == 0 and self.u(rng.REGISTRATION) < dec.registration_prob(
                w.p, w.r, self.months_in_city, self.coproducing == 1):
            self.registered = 1
        return dec.hukou_eligible(w.r, self.hukou, self.registered, self.tenure, self.employment, self.job_months,
                                  self.pension_streak) and self.u(rng.HUKOU_APPLY) < dec.logistic(
            w.pv.hukou_apply_const)

    # -- phase 6: schooling -----------------------------------------------------------------------
    def admission_class(self) -> int:
        r = self.model.world.r
        pts = dec.points_score(r, self.skill, self.pension_months, self.months_in_city, self.tenure)
        return dec.admission_class(r, self.hukou, self.registered, pts, self.skill)

    def enrol_children(self) -> None:
        w = self.model.world
        d = w.districts
        dist, kids = self.district, self.kids_school
        if self.admission_class() < dec.EXCLUDED and d.public_seats[dist] - d.public_used[dist] >= kids:
            self.school = PUBLIC
            d.public_used[dist] += kids
            return
        private_ok = d.private_seats[dist] - d.private_used[dist] >= kids
        place = dec.school_alternative(w.p, w.r, self.group, kids, self.income, private_ok,
                                       self.u(rng.SCHOOL_CHOICE))
        self.school = place
        if place == PRIVATE_MIGRANT:
            d.private_used[dist] += kids

    # -- phase 7: assistance ----------------------------------------------------------------------
    def claim_assistance(self) -> None:
        w = self.model.world
        r, pv, rv = w.r, w.pv, w.rv
        self.assistance, self.dibao, self.temp_assist = 0.0, 0, 0
        line = dec.dibao_line(r, self.hukou, self.urban_ss)
        pc = self.income / self.size
        if (dec.dibao_eligible(r, self.hukou, self.registered) and pc < line
                and self.u(rng.DIBAO_TAKEUP) < pv.dibao_takeup):
            pay = (line - pc) * self.size
            self.income += pay
            self.assistance += pay
            self.dibao = 1
            self.flow(F_ASSIST, pay)
        if dec.temp_assist_eligible(r, self.hukou, self.employment, self.savings) and self.u(
                rng.TEMP_TAKEUP) < pv.temp_takeup:
            pay = rv.temp_assist_amount
            self.income += pay
            self.assistance += pay
            self.temp_assist = 1
            self.flow(F_ASSIST, pay)
            self.flow(F_TEMP, 1.0)

    # -- phase 8: settle or leave -----------------------------------------------------------------
    def settle_or_leave(self) -> None:
        """Weigh staying against going; stay a month longer, or leave (home or on) and give back capacity."""
        w = self.model.world
        self.settle_intent, leaving = settlement.decide(
            w.p, w.r, w.seed, w.step, self.row, self.group, self.hukou, self.unemp_spell, self.income, self.size,
            self.rent, self.school, self.employment, self.insured, self.urban_ss, self.tenure, self.coproducing)
        if leaving == settlement.STAYING:
            self.months_in_city = settlement.another_month(self.months_in_city)
        else:
            self.leave(leaving)

    def leave(self, status: int) -> None:
        d = self.model.world.districts
        self.status = status
        self.left = self.model.world.step
        settlement.free_capacity(d.occupied, d.public_used, d.private_used, self.district, self.tenure, self.school,
                                 self.kids_school)
        self.flow(F_DEPARTURES, 1.0)
        self.flow(F_DEPARTURE_PERSONS, float(self.size))
        self.remove()

    # -- phase 9: accounts ------------------------------------------------------------------------
    def settle_accounts(self) -> None:
        """Pay the rent, save or draw on savings, and book the public spending on this household."""
        w = self.model.world
        t = self.tenure
        self.rent, self.savings = accounts.rent_and_savings(w.p, w.r, t, w.districts.rent[self.district, max(t, 0)],
                                                            self.income, self.rent, self.school, self.kids_school,
                                                            self.savings)
        edu, housing, insurance, community = accounts.spending(w.r, t, self.school, self.kids_school, self.urban_ss,
                                                               self.coproducing)
        self.flow(F_EDU, edu)
        self.flow(F_HOUSING, housing)
        self.flow(F_INSURANCE, insurance)
        self.flow(F_COMMUNITY, community)


for _name in HOUSEHOLD_COLUMNS:
    _col = Column()
    _col.__set_name__(Household, _name)
    setattr(Household, _name, _col)
del _name, _col
