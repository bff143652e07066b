"""Phases 7-9: assistance, settle or leave, and the household accounts.

Where a loop only reads and writes each household's own row it runs in parallel (`prange`); sums into
the ledger and changes to shared capacity follow in a serial pass in id order, so the results are the
same for any number of threads and equal to the Mesa engine's. The parallel bodies take plain arrays:
Numba's prange loses writes made through a tuple of arrays.
"""

import numpy as np
from numba import njit, prange

from abm import decisions as dec
from abm import rng
from abm.state import (
    ACTIVE,
    COMPOUND,
    F_ASSIST,
    F_COMMUNITY,
    F_DEPARTURES,
    F_EDU,
    F_HOUSING,
    F_INSURANCE,
    F_TEMP,
    MOVED_ON,
    NO_HOME,
    PRIVATE_MIGRANT,
    PUBLIC,
    PUBLIC_RENTAL,
    RETURNED_HOME,
)


@njit(cache=True, parallel=True)
def _claim(p, r, seed, step, status, hukou, registered, urban_ss, employment, size, savings, income, assistance_,
           dibao, temp_assist, dibao_pay, temp_pay):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            assistance_[i] = 0.0
            dibao[i] = 0
            temp_assist[i] = 0
            line = dec.dibao_line(r, hukou[i], urban_ss[i])
            pc = income[i] / size[i]
            if (dec.dibao_eligible(r, hukou[i], registered[i]) and pc < line
                    and rng.draw(seed, step, i, rng.DIBAO_TAKEUP) < p[0].dibao_takeup):
                pay = (line - pc) * size[i]
                income[i] += pay
                assistance_[i] += pay
                dibao[i] = 1
                dibao_pay[i] = pay
            if (dec.temp_assist_eligible(r, hukou[i], employment[i], savings[i])
                    and rng.draw(seed, step, i, rng.TEMP_TAKEUP) < p[0].temp_takeup):
                pay = r[0].temp_assist_amount
                income[i] += pay
                assistance_[i] += pay
                temp_assist[i] = 1
                temp_pay[i] = pay


@njit(cache=True)
def assistance(h, n, p, r, seed, step, flows):
    """Claims are decided per household in parallel; the ledger is then summed in id order."""
    dibao_pay = np.zeros(n)
    temp_pay = np.zeros(n)
    _claim(p, r, seed, step, h.status[:n], h.hukou[:n], h.registered[:n], h.urban_ss[:n], h.employment[:n],
           h.size[:n], h.savings[:n], h.income[:n], h.assistance[:n], h.dibao[:n], h.temp_assist[:n], dibao_pay,
           temp_pay)
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        if h.dibao[i] == 1:
            flows[F_ASSIST, h.group[i], h.sex[i]] += dibao_pay[i]
        if h.temp_assist[i] == 1:
            flows[F_ASSIST, h.group[i], h.sex[i]] += temp_pay[i]
            flows[F_TEMP, h.group[i], h.sex[i]] += 1.0


@njit(cache=True, parallel=True)
def _decide_to_leave(p, r, seed, step, status, group, hukou, unemp_spell, income, size, rent, school, employment,
                     insured, urban_ss, tenure, coproducing, settle_intent, months_in_city, leaving):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            burden = dec.rent_burden(rent[i], income[i])
            pension = dec.contributes_pension(employment[i], insured[i], urban_ss[i])
            hz = dec.leave_hazard(p, group[i], hukou[i], unemp_spell[i], income[i] / size[i], r[0].poverty_line,
                                  burden, school[i], pension, tenure[i], coproducing[i] == 1)
            settle_intent[i] = 1 if hz < dec.base_hazard(p, group[i]) else 0
            prob = 1.0 if tenure[i] == NO_HOME else dec.leave_prob(hz)
            if rng.draw(seed, step, i, rng.LEAVE) >= prob:
                if months_in_city[i] < 32000:
                    months_in_city[i] += 1
            elif rng.draw(seed, step, i, rng.LEAVE_WHERE) < p[0].return_home_share:
                leaving[i] = RETURNED_HOME
            else:
                leaving[i] = MOVED_ON


@njit(cache=True)
def settle_or_leave(h, n, d, p, r, seed, step, flows):
    """Each household decides in parallel; departures then free units and seats in id order."""
    leaving = np.zeros(n, dtype=np.int8)
    _decide_to_leave(p, r, seed, step, h.status[:n], h.group[:n], h.hukou[:n], h.unemp_spell[:n], h.income[:n],
                     h.size[:n], h.rent[:n], h.school[:n], h.employment[:n], h.insured[:n], h.urban_ss[:n],
                     h.tenure[:n], h.coproducing[:n], h.settle_intent[:n], h.months_in_city[:n], leaving)
    for i in range(n):
        if leaving[i] == 0:
            continue
        h.status[i] = leaving[i]
        h.left[i] = step
        dist = h.district[i]
        if h.tenure[i] != NO_HOME:
            d.occupied[dist, h.tenure[i]] -= 1
        if h.school[i] == PUBLIC:
            d.public_used[dist] -= h.kids_school[i]
        elif h.school[i] == PRIVATE_MIGRANT:
            d.private_used[dist] -= h.kids_school[i]
        flows[F_DEPARTURES, h.group[i], h.sex[i]] += 1.0


@njit(cache=True, parallel=True)
def _settle_accounts(p, r, status, district, tenure, income, rent, school, kids_school, savings, market_rent):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            t = tenure[i]
            if t != NO_HOME:
                rent[i] = dec.tenure_rent(r, t, market_rent[district[i], t], income[i])
            net = income[i] - rent[i] - dec.school_fee(r, school[i], kids_school[i])
            savings[i] += p[0].saving_rate * net if net > 0.0 else net


@njit(cache=True)
def accounts(h, n, d, p, r, flows):
    """Rents and savings per household in parallel; the city's spending is then booked in id order."""
    _settle_accounts(p, r, h.status[:n], h.district[:n], h.tenure[:n], h.income[:n], h.rent[:n], h.school[:n],
                     h.kids_school[:n], h.savings[:n], d.rent)
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        g = h.group[i]
        s = h.sex[i]
        t = h.tenure[i]
        if h.school[i] == PUBLIC:
            flows[F_EDU, g, s] += r[0].public_cost_per_pupil * h.kids_school[i]
        elif h.school[i] == PRIVATE_MIGRANT:
            flows[F_EDU, g, s] += r[0].migrant_school_subsidy * h.kids_school[i]
        if t == PUBLIC_RENTAL:
            flows[F_HOUSING, g, s] += r[0].public_rental_subsidy
        elif t == COMPOUND:
            flows[F_HOUSING, g, s] += r[0].compound_subsidy
        if h.urban_ss[i] == 1:
            flows[F_INSURANCE, g, s] += r[0].ss_subsidy
        if h.coproducing[i] == 1:
            flows[F_COMMUNITY, g, s] += r[0].coproduction_cost
