"""The household as a Mesa agent: the readable reference for every phase.

An agent's state is its row in the world's column arrays (each attribute below
reads and writes that row), so the two engines share one state layout. Each
method is one phase of the step for one household: it calls its phase's
per-household logic (abm.phases, the functions the kernels call too) and writes
the values it returns to the agent's row, booking what the phase books.
"""

from __future__ import annotations

import mesa
import numpy as np

from abm import decisions as dec
from abm.kernels.labour import book_funds
from abm.kernels.welfare import book_transfer
from abm.kernels.lifecourse import write_month
from abm.kernels.welfare import book_health
from abm.phases import accounts, assistance, health, housing, labour, registration, schooling, settlement
from abm.phases import lifecourse as life
from abm.state import (
    F_ASSIST,
    F_COMMUNITY,
    F_DEPARTURE_PERSONS,
    F_DEPARTURES,
    F_EDU,
    F_HOUSING,
    F_INSURANCE,
    F_MOVES_BETWEEN,
    F_MOVES_WITHIN,
    F_POVERTY_EXITS,
    F_TEMP,
    F_TRAIN_COST,
    F_TRAINING,
    FORMAL,
    HOUSEHOLD_COLUMNS,
    INFORMAL_SECTOR,
    LEFT_POVERTY,
    N_TENURES,
    PRIVATE_MIGRANT,
    PUBLIC,
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
        self.catastrophic = 0  # this month's health spending was catastrophic (fall_ill, read by assistance)

    # -- shorthands ------------------------------------------------------------------------------
    def flow(self, index: int, amount: float) -> None:
        self.model.world.flows[index, self.group, self.sex] += amount

    # -- phase 0: the life course -------------------------------------------------------------------
    def live_a_month(self) -> None:
        """Age (at the school-year start), die, give birth, see a grown child leave, form a union, retire:
        the phase's one function decides, and its outcome goes to this row and the world's scratch arrays
        for the serial part (flows, dissolution, new households)."""
        w = self.model.world
        out = life.live_a_month(w.p, w.r, w.tables.q_month, w.tables.f_month, w.seed, w.step, self.row, w.ages_up,
                                self.group, dec.is_local(self.hukou), self.skill, self.employment, self.age, self.sex,
                                self.spouse, self.spouse_age, (self.kid_age0, self.kid_age1, self.kid_age2,
                                                               self.kid_age3), self.kid_male)
        h = w.h
        fate, events, new_age, new_sex = w.scratch
        write_month(self.row, out, w.ages_up, h.age, h.sex, h.spouse, h.spouse_age, h.kid_age0, h.kid_age1,
                    h.kid_age2, h.kid_age3, h.kid_male, h.employment, h.sector, h.wage, h.insured, h.job_months,
                    h.skill, w.informal_wage, h.size, h.kids_school, h.kids_pre, h.dependants, fate, events, new_age,
                    new_sex)

    # -- phase 1: exogenous change (only farmers hold land) ---------------------------------------
    def requisition(self) -> None:
        pass

    # -- phase 3: labour ---------------------------------------------------------------------------
    def separate_and_train(self) -> None:
        """Maybe lose the job (else a month more in it); maybe take a training course and gain skill."""
        w = self.model.world
        loses, trained, self.skill = labour.separate_and_train(w.p, w.r, w.seed, w.step, self.row, self.group,
                                                               self.employment, self.skill, self.age, self.sex)
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
        return labour.seeks_formal_job(self.model.world.r, self.employment, self.age, self.sex, self.skill)

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
        """Contribute, accrue the head's pension record (settled at the statutory age), earn; book the funds."""
        w = self.model.world
        (self.unemp_spell, self.unemp_ins_months, self.pension_months, self.pension_streak, self.medical_months,
         self.pension_index, self.pension_account, self.pension, lump_sum, resident, bought, self.savings,
         self.income) = labour.contribute_and_earn(w.p, w.r, w.avg_wage, w.year, self.group, self.hukou, self.age,
                                                   self.sex, self.skill, self.size, self.kids_school, self.kids_pre,
                                                   self.spouse,
                                                   self.spouse_age, self.employment, self.insured, self.urban_ss,
                                                   self.wage, w.informal_wage[self.skill], self.land,
                                                   self.compensation, self.unemp_spell, self.unemp_ins_months,
                                                   self.pension_months, self.pension_streak, self.medical_months,
                                                   self.pension_index, self.pension_account, self.pension,
                                                   self.savings)
        book_funds(w.flows, w.r, w.avg_wage, self.row, self.group, self.age, self.sex, self.skill, self.employment,
                   self.insured, self.urban_ss, self.wage, self.unemp_spell, self.unemp_ins_months, self.pension,
                   lump_sum, resident, bought)

    # -- phase 4: housing -------------------------------------------------------------------------
    def face_eviction(self) -> None:
        """Lose the home if the urban village is redeveloped, or a dormitory bed without the job it goes with."""
        w = self.model.world
        how = housing.eviction(w.r, w.seed, w.step, self.row, self.tenure, self.employment, self.sector)
        if how != housing.STAYS:
            self.tenure, self.rent = housing.move_out(w.districts.units, w.districts.occupied, self.district,
                                                      self.tenure, how)

    def wants_to_search(self) -> bool:
        w = self.model.world
        return housing.searches(w.p, w.seed, w.step, self.row, self.tenure, self.rent, self.income)

    def choose_home(self) -> None:
        """Multinomial-logit choice among the (district, tenure) options this household may take that have a
        free unit; a move to another district gives back the children's school places there."""
        w = self.model.world
        d = w.districts
        p, r = w.p, w.r
        weights = np.empty(d.rent.shape[0] * N_TENURES)
        housing.options(p, r, d.rent, d.downpayment, d.school_access, d.services, self.district, self.tenure,
                        self.group, self.hukou, self.employment, self.sector, self.skill, self.age, self.size,
                        self.income, self.months_in_city, self.savings, self.kids_school, self.land, weights)
        old_d, old_t = self.district, self.tenure
        new_d, self.tenure, self.rent, self.savings = housing.choose_home(
            p, r, w.seed, w.step, self.row, d.units, d.occupied, d.rent, d.downpayment, old_d, old_t, self.rent,
            self.savings, self.income, weights)
        move = housing.move_kind(w.step, self.arrived, old_d, old_t, new_d, self.tenure)
        if new_d != old_d:
            held = self.school
            school = housing.release_school_seats(d.public_used, d.private_used, old_d, held, self.kids_school)
            self.school = housing.transfer_school(d.public_seats, d.public_used, d.private_seats, d.private_used,
                                                  new_d, held, school, self.kids_school)
            self.district = new_d
        if move == housing.MOVE_BETWEEN:
            self.flow(F_MOVES_BETWEEN, 1.0)
        elif move == housing.MOVE_WITHIN:
            self.flow(F_MOVES_WITHIN, 1.0)

    # -- phase 5: registration and hukou ----------------------------------------------------------
    def join_community(self) -> None:
        """Take part in co-production or not, by the household's own fixed draw."""
        w = self.model.world
        self.coproducing = registration.joins_community(w.r, w.seed, self.row)

    def register_and_decide_to_apply(self) -> bool:
        """Take up a residence permit (maybe); return True if the household applies for hukou."""
        w = self.model.world
        p, r = w.p, w.r
        self.registered = registration.registers(p, r, w.seed, w.step, self.row, self.hukou, self.registered,
                                                 self.months_in_city, self.coproducing)
        return registration.applies(p, r, w.seed, w.step, self.row, self.hukou, self.registered, self.tenure,
                                    self.employment, self.job_months, self.pension_streak)

    # -- phase 6: schooling -----------------------------------------------------------------------
    def admission_class(self) -> int:
        return schooling.admission_class(self.model.world.r, self.hukou, self.registered, self.skill,
                                         self.pension_months, self.months_in_city, self.tenure)

    def keep_seats(self) -> int:
        """At the school-year start, the seats this family's continuing pupils keep, booked in its district."""
        d = self.model.world.districts
        self._kept = schooling.kept(self.school, (self.kid_age0, self.kid_age1, self.kid_age2, self.kid_age3))
        if self.school == PUBLIC:
            d.public_used[self.district] += self._kept
        elif self.school == PRIVATE_MIGRANT:
            d.private_used[self.district] += self._kept
        return self._kept

    def admit_children(self) -> bool:
        """First pass: public seats at the norm for the new entrants, if the family has a claim."""
        w = self.model.world
        d = w.districts
        return schooling.admit(w.r, d.public_seats, d.public_used, self.district, self.kids_school, self._kept,
                               self.school, self.admission_class())

    def enrol_children(self, admitted: bool) -> None:
        """Second pass: admitted at the norm, or above it (siblings, local children), or the family's choice."""
        if admitted:
            self.school = PUBLIC
            return
        w = self.model.world
        d = w.districts
        self.school = schooling.place(w.p, w.r, w.seed, w.step, self.row, d.public_seats, d.public_used,
                                      d.private_seats, d.private_used, self.district, self.kids_school, self._kept,
                                      self.school, dec.is_local(self.hukou), self.admission_class(), self.group,
                                      self.income)

    # -- phase 7: health and assistance ----------------------------------------------------------
    def fall_ill(self) -> None:
        """Members may need inpatient care: the schemes pay their part, the household the rest, from this month's
        income, then savings; book the episodes. Whether the spending was catastrophic is kept for assistance."""
        w = self.model.world
        kids = (self.kid_age0, self.kid_age1, self.kid_age2, self.kid_age3)
        self.income, self.savings, episodes, _, self.catastrophic = health.fall_ill(
            w.p, w.r, w.seed, w.step, self.row, w.year, self.hukou, self.urban_ss, self.employment, self.insured,
            self.pension, self.age, self.spouse, self.spouse_age, kids, self.size, self.income, self.savings)
        if episodes > 0:
            book_health(w.flows, w.p, w.r, w.seed, w.step, w.year, self.row, self.group, self.sex, self.hukou,
                        self.urban_ss, self.employment, self.insured, self.pension, self.age, self.spouse,
                        self.spouse_age, kids, self.catastrophic)

    def claim_assistance(self) -> None:
        """Claim the minimum living allowance and temporary assistance where eligible (temporary assistance after
        a shock this month); book what is paid."""
        w = self.model.world
        self.income, self.assistance, self.dibao, self.temp_assist, dibao_pay, temp_pay = assistance.claim(
            w.p, w.r, w.seed, w.step, self.row, self.hukou, self.registered, self.urban_ss, self.employment,
            self.size, self.savings, self.income, self.catastrophic)
        if self.dibao:
            self.flow(F_ASSIST, dibao_pay)
        if self.temp_assist:
            self.flow(F_ASSIST, temp_pay)
            self.flow(F_TEMP, 1.0)

    # -- phase 8: settle or leave -----------------------------------------------------------------
    def settle_or_leave(self) -> None:
        """Weigh staying against going; stay a month longer, or leave (home or on) and give back capacity."""
        w = self.model.world
        self.settle_intent, leaving = settlement.decide(
            w.p, w.r, w.seed, w.step, self.row, self.group, self.hukou, self.unemp_spell, self.income, self.size,
            self.rent, self.school, self.employment, self.insured, self.urban_ss, self.tenure, self.coproducing,
            self.savings)
        if leaving == settlement.STAYING:
            self.months_in_city = settlement.another_month(self.months_in_city)
        else:
            self.leave(leaving)

    def leave(self, status: int) -> None:
        d = self.model.world.districts
        self.status = status
        self.left = self.model.world.step
        if status == LEFT_POVERTY:  # back to the urban population not simulated, home and places with it
            settlement.take_capacity(d.units, d.occupied, d.public_seats, d.public_used, d.private_seats,
                                     d.private_used, self.district, self.tenure, self.school, self.kids_school)
            self.flow(F_POVERTY_EXITS, 1.0)
        else:
            settlement.free_capacity(d.occupied, d.public_used, d.private_used, self.district, self.tenure,
                                     self.school, self.kids_school)
            self.flow(F_DEPARTURES, 1.0)
            w = self.model.world  # the head's pension record leaves the city's fund
            book_transfer(w.flows, w.r, w.year, w.avg_wage, self.group, self.sex, self.hukou, self.pension_months,
                          self.pension_index, self.pension_account, self.pension)
        self.flow(F_DEPARTURE_PERSONS, float(self.size))
        self.remove()

    # -- phase 9: accounts ------------------------------------------------------------------------
    def settle_accounts(self) -> None:
        """Pay the rent, save or draw on savings, and book the public spending on this household."""
        w = self.model.world
        t = self.tenure
        self.rent, self.savings = accounts.rent_and_savings(w.p, w.r, t,
                                                            w.districts.rent[self.district, max(t, 0)], self.income,
                                                            self.rent, self.school, self.kids_school, self.savings)
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
