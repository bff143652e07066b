"""Phases 7-9: health and assistance, settle or leave, and the household accounts (the fast engine's drivers of
abm/phases/health.py, assistance.py, settlement.py and accounts.py, shared with the Mesa agents).

Where a loop only reads and writes each household's own row it runs in parallel (`prange`); sums into
the ledger and changes to shared capacity follow in a serial pass in id order, so the results are the
same for any number of threads and equal to the Mesa engine's. The parallel bodies take plain arrays:
Numba's prange loses writes made through a tuple of arrays.
"""

import numpy as np
from numba import njit, prange

from abm.kernels.common import flagged
from abm.phases import accounts as accounts_phase
from abm.phases import insurance
from abm.phases import assistance as assistance_phase
from abm.phases import health as health_phase
from abm.phases import settlement
from abm.state import (
    ACTIVE,
    F_ASSIST,
    F_CATASTROPHIC,
    F_COMMUNITY,
    F_DEPARTURE_PERSONS,
    F_DEPARTURES,
    F_EDU,
    F_HOUSING,
    F_EPISODES,
    F_INSURANCE,
    F_MED_OUT,
    F_OOP,
    F_PENSION_OUT,
    F_POVERTY_EXITS,
    F_REIMBURSED,
    F_TEMP,
    F_TRANSFERS_OUT,
    LEFT_POVERTY,
)


@njit(cache=True, parallel=True)
def _fall_ill(p, r, seed, step, year, status, hukou, urban_ss, employment, insured, pension, age, spouse, spouse_age,
              kid_age0, kid_age1, kid_age2, kid_age3, size, income, savings, ill, catastrophic):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            income[i], savings[i], n, _, catastrophic[i] = health_phase.fall_ill(
                p, r, seed, step, i, year, hukou[i], urban_ss[i], employment[i], insured[i], pension[i], age[i],
                spouse[i], spouse_age[i], (kid_age0[i], kid_age1[i], kid_age2[i], kid_age3[i]), size[i], income[i],
                savings[i])
            ill[i] = n > 0


@njit(cache=True)
def health(h, n, p, r, seed, step, year, flows, work):
    """Episodes are decided and paid per household in parallel; the ledger is then booked in id order over the
    households with an episode. `work.code` keeps each household's catastrophic flag for the assistance kernel,
    which runs next."""
    ill = work.flag[:n]
    ill[:] = False
    catastrophic = work.code[:n]
    catastrophic[:] = 0
    _fall_ill(p, r, seed, step, year, h.status[:n], h.hukou[:n], h.urban_ss[:n], h.employment[:n], h.insured[:n],
              h.pension[:n], h.age[:n], h.spouse[:n], h.spouse_age[:n], h.kid_age0[:n], h.kid_age1[:n],
              h.kid_age2[:n], h.kid_age3[:n], h.size[:n], h.income[:n], h.savings[:n], ill, catastrophic)
    for i in flagged(ill):  # the few with an episode, in id order
        book_health(flows, p, r, seed, step, year, i, h.group[i], h.sex[i], h.hukou[i], h.urban_ss[i],
                    h.employment[i], h.insured[i], h.pension[i], h.age[i], h.spouse[i], h.spouse_age[i],
                    (h.kid_age0[i], h.kid_age1[i], h.kid_age2[i], h.kid_age3[i]), catastrophic[i])


@njit(cache=True)
def book_health(flows, p, r, seed, step, year, i, group, sex, hukou, urban_ss, employment, insured, pension, age,
                spouse, spouse_age, kids, catastrophic):
    """Book household i's episodes this month (both engines call this, in id order): the episodes, what the
    schemes pay (the employee insurance from the medical fund, the resident schemes from the city's insurance
    subsidy line, a migrant's home county from neither) and what the household pays."""
    n, cost, employee_pays, resident_pays, away_pays = health_phase.episodes(
        p, r, seed, step, i, year, hukou, urban_ss, employment, insured, pension, age, spouse, spouse_age, kids)
    flows[F_EPISODES, group, sex] += n
    flows[F_OOP, group, sex] += cost - employee_pays - resident_pays - away_pays
    flows[F_CATASTROPHIC, group, sex] += catastrophic
    flows[F_REIMBURSED, group, sex] += employee_pays + resident_pays + away_pays
    flows[F_MED_OUT, group, sex] += employee_pays
    flows[F_INSURANCE, group, sex] += resident_pays


@njit(cache=True, parallel=True)
def _claim(p, r, seed, step, status, hukou, registered, urban_ss, employment, size, savings, income, catastrophic,
           assistance_, dibao, temp_assist, dibao_pay, temp_pay, paid):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            income[i], assistance_[i], dibao[i], temp_assist[i], dibao_pay[i], temp_pay[i] = assistance_phase.claim(
                p, r, seed, step, i, hukou[i], registered[i], urban_ss[i], employment[i], size[i], savings[i],
                income[i], catastrophic[i])
            paid[i] = dibao[i] == 1 or temp_assist[i] == 1


@njit(cache=True)
def assistance(h, n, p, r, seed, step, flows, work):
    """Claims are decided per household in parallel; the ledger is then summed in id order. The month's
    catastrophic health flags are in `work.code` (the health kernel, run just before)."""
    dibao_pay = work.yuan[:n]  # read only where paid
    temp_pay = work.yuan2[:n]
    paid = work.flag[:n]
    paid[:] = False
    _claim(p, r, seed, step, h.status[:n], h.hukou[:n], h.registered[:n], h.urban_ss[:n], h.employment[:n],
           h.size[:n], h.savings[:n], h.income[:n], work.code[:n], h.assistance[:n], h.dibao[:n], h.temp_assist[:n],
           dibao_pay, temp_pay, paid)
    for i in flagged(paid):  # the few paid, in id order
        if h.dibao[i] == 1:
            flows[F_ASSIST, h.group[i], h.sex[i]] += dibao_pay[i]
        if h.temp_assist[i] == 1:
            flows[F_ASSIST, h.group[i], h.sex[i]] += temp_pay[i]
            flows[F_TEMP, h.group[i], h.sex[i]] += 1.0


@njit(cache=True, parallel=True)
def _decide_to_leave(p, r, seed, step, status, group, hukou, unemp_spell, income, size, rent, school, employment,
                     insured, urban_ss, tenure, coproducing, savings, settle_intent, months_in_city, leaving):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            settle_intent[i], leaving[i] = settlement.decide(
                p, r, seed, step, i, group[i], hukou[i], unemp_spell[i], income[i], size[i], rent[i], school[i],
                employment[i], insured[i], urban_ss[i], tenure[i], coproducing[i], savings[i])
            if leaving[i] == settlement.STAYING:
                months_in_city[i] = settlement.another_month(months_in_city[i])


@njit(cache=True)
def settle_or_leave(h, n, d, p, r, seed, step, year, avg_wage, flows, work):
    """Each household decides in parallel; departures then free units and seats, and take their heads' pension
    records out of the pension fund (`book_transfer`), in id order."""
    leaving = work.code[:n]
    leaving[:] = settlement.STAYING
    _decide_to_leave(p, r, seed, step, h.status[:n], h.group[:n], h.hukou[:n], h.unemp_spell[:n], h.income[:n],
                     h.size[:n], h.rent[:n], h.school[:n], h.employment[:n], h.insured[:n], h.urban_ss[:n],
                     h.tenure[:n], h.coproducing[:n], h.savings[:n], h.settle_intent[:n], h.months_in_city[:n],
                     leaving)
    for i in flagged(leaving):  # the few leaving (STAYING is 0), in id order
        h.status[i] = leaving[i]
        h.left[i] = step
        if leaving[i] == LEFT_POVERTY:
            settlement.take_capacity(d.units, d.occupied, d.public_seats, d.public_used, d.private_seats,
                                     d.private_used, h.district[i], h.tenure[i], h.school[i], h.kids_school[i])
            flows[F_POVERTY_EXITS, h.group[i], h.sex[i]] += 1.0
        else:
            settlement.free_capacity(d.occupied, d.public_used, d.private_used, h.district[i], h.tenure[i],
                                     h.school[i], h.kids_school[i])
            flows[F_DEPARTURES, h.group[i], h.sex[i]] += 1.0
            book_transfer(flows, r, year, avg_wage, h.group[i], h.sex[i], h.hukou[i], h.pension_months[i],
                          h.pension_index[i], h.pension_account[i], h.pension[i])
        flows[F_DEPARTURE_PERSONS, h.group[i], h.sex[i]] += h.size[i]


@njit(cache=True)
def book_transfer(flows, r, year, avg_wage, group, sex, hukou, pension_months, pension_index, pension_account,
                  pension):
    """A departing head's pension record leaves the city's fund (abm.phases.insurance.transfer_out): booked as
    pension fund outgo and as pension_transfers_out (both engines call this, in id order)."""
    t = insurance.transfer_out(r, year, avg_wage, hukou, pension_months, pension_index, pension_account, pension)
    flows[F_PENSION_OUT, group, sex] += t
    flows[F_TRANSFERS_OUT, group, sex] += t


@njit(cache=True, parallel=True)
def _settle_accounts(p, r, status, district, tenure, income, rent, school, kids_school, savings, urban_ss,
                     coproducing, market_rent, spends):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            t = tenure[i]
            rent[i], savings[i] = accounts_phase.rent_and_savings(p, r, t, market_rent[district[i], max(t, 0)],
                                                                  income[i], rent[i], school[i], kids_school[i],
                                                                  savings[i])
            edu, housing, insurance, community = accounts_phase.spending(r, t, school[i], kids_school[i],
                                                                         urban_ss[i], coproducing[i])
            spends[i] = edu != 0.0 or housing != 0.0 or insurance != 0.0 or community != 0.0


@njit(cache=True)
def accounts(h, n, d, p, r, flows, work):
    """Rents and savings per household in parallel; the city's spending is then booked in id order, over
    the households it spends on (adding 0 would leave every sum as it is)."""
    spends = work.flag[:n]
    spends[:] = False
    _settle_accounts(p, r, h.status[:n], h.district[:n], h.tenure[:n], h.income[:n], h.rent[:n], h.school[:n],
                     h.kids_school[:n], h.savings[:n], h.urban_ss[:n], h.coproducing[:n], d.rent, spends)
    for i in flagged(spends):
        g = h.group[i]
        s = h.sex[i]
        edu, housing, insurance, community = accounts_phase.spending(r, h.tenure[i], h.school[i], h.kids_school[i],
                                                                     h.urban_ss[i], h.coproducing[i])
        flows[F_EDU, g, s] += edu
        flows[F_HOUSING, g, s] += housing
        flows[F_INSURANCE, g, s] += insurance
        flows[F_COMMUNITY, g, s] += community
