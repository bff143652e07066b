"""Phases 7-9: assistance, settle or leave, and the household accounts."""

from numba import njit

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


@njit(cache=True)
def assistance(h, n, p, r, seed, step, flows):
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        h.assistance[i] = 0.0
        h.dibao[i] = 0
        h.temp_assist[i] = 0
        g = h.group[i]
        s = h.sex[i]
        line = dec.dibao_line(r, h.hukou[i], h.urban_ss[i])
        pc = h.income[i] / h.size[i]
        if (dec.dibao_eligible(r, h.hukou[i], h.registered[i]) and pc < line
                and rng.draw(seed, step, i, rng.DIBAO_TAKEUP) < p[0].dibao_takeup):
            pay = (line - pc) * h.size[i]
            h.income[i] += pay
            h.assistance[i] += pay
            h.dibao[i] = 1
            flows[F_ASSIST, g, s] += pay
        if (dec.temp_assist_eligible(r, h.hukou[i], h.employment[i], h.savings[i])
                and rng.draw(seed, step, i, rng.TEMP_TAKEUP) < p[0].temp_takeup):
            pay = r[0].temp_assist_amount
            h.income[i] += pay
            h.assistance[i] += pay
            h.temp_assist[i] = 1
            flows[F_ASSIST, g, s] += pay
            flows[F_TEMP, g, s] += 1.0


@njit(cache=True)
def settle_or_leave(h, n, d, p, r, seed, step, flows):
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        burden = dec.rent_burden(h.rent[i], h.income[i])
        insured = dec.contributes_pension(h.employment[i], h.insured[i], h.urban_ss[i])
        hz = dec.leave_hazard(p, h.group[i], h.hukou[i], h.unemp_spell[i], h.income[i] / h.size[i],
                              r[0].poverty_line, burden, h.school[i], insured, h.tenure[i], h.coproducing[i] == 1)
        h.settle_intent[i] = 1 if hz < dec.base_hazard(p, h.group[i]) else 0
        prob = 1.0 if h.tenure[i] == NO_HOME else dec.leave_prob(hz)
        if rng.draw(seed, step, i, rng.LEAVE) >= prob:
            if h.months_in_city[i] < 32000:
                h.months_in_city[i] += 1
            continue
        if rng.draw(seed, step, i, rng.LEAVE_WHERE) < p[0].return_home_share:
            h.status[i] = RETURNED_HOME
        else:
            h.status[i] = MOVED_ON
        h.left[i] = step
        dist = h.district[i]
        if h.tenure[i] != NO_HOME:
            d.occupied[dist, h.tenure[i]] -= 1
        if h.school[i] == PUBLIC:
            d.public_used[dist] -= h.kids_school[i]
        elif h.school[i] == PRIVATE_MIGRANT:
            d.private_used[dist] -= h.kids_school[i]
        flows[F_DEPARTURES, h.group[i], h.sex[i]] += 1.0


@njit(cache=True)
def accounts(h, n, d, p, r, flows):
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        g = h.group[i]
        s = h.sex[i]
        t = h.tenure[i]
        if t != NO_HOME:
            h.rent[i] = dec.tenure_rent(r, t, d.rent[h.district[i], t], h.income[i])
        net = h.income[i] - h.rent[i] - dec.school_fee(r, h.school[i], h.kids_school[i])
        h.savings[i] += p[0].saving_rate * net if net > 0.0 else net
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
