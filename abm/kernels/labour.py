"""Phase 1 (household part) and phase 3: land requisition, separations, training,
matching under vacancies, contributions and earnings.

Per-household helpers here and in the other kernels take scalars, never the household tuple:
passing the tuple costs about 200 ns a call (a reference count on each of its arrays), which
would be most of the step.
"""

import math

import numpy as np
from numba import njit

from abm import decisions as dec
from abm import rng
from abm.kernels.common import count_formal, priority_order, vacancies
from abm.state import (
    ACTIVE,
    CONVERTED,
    F_CONVERSIONS,
    F_TRAIN_COST,
    F_TRAINING,
    FARMER,
    FORMAL,
    INFORMAL,
    INFORMAL_SECTOR,
    N_FORMAL_SECTORS,
    N_SKILLS,
    RESETTLEMENT,
    UNEMPLOYED,
)


@njit(cache=True)
def requisition(h, n, d, r, seed, step, flows):
    """Farmers lose land on the city's schedule; rules decide what follows."""
    rate = r[0].land_requisition_rate / 12.0
    for i in range(n):
        if h.status[i] != ACTIVE or h.group[i] != FARMER or h.land[i] <= 0.0:
            continue
        if rng.draw(seed, step, i, rng.REQUISITION) >= rate:
            continue
        pay = h.land[i] * r[0].compensation_per_mu
        h.compensation[i] += pay
        h.savings[i] += pay
        h.land[i] = 0.0
        if r[0].farmers_urban_ss > 0:
            h.urban_ss[i] = 1
        if r[0].requisitioned_hukou > 0:
            h.hukou[i] = CONVERTED
            flows[F_CONVERSIONS, h.group[i], h.sex[i]] += 1.0
        dist = h.district[i]
        if r[0].homestead_exchange > 0 and d.units[dist, RESETTLEMENT] > d.occupied[dist, RESETTLEMENT]:
            if h.tenure[i] >= 0:
                d.occupied[dist, h.tenure[i]] -= 1
            d.occupied[dist, RESETTLEMENT] += 1
            h.tenure[i] = RESETTLEMENT
            h.rent[i] = 0.0
            h.resettled[i] = 1
            if r[0].resettled_hukou > 0 and h.hukou[i] != CONVERTED:
                h.hukou[i] = CONVERTED
                flows[F_CONVERSIONS, h.group[i], h.sex[i]] += 1.0


@njit(cache=True)
def separations_and_training(h, n, p, r, seed, step, flows):
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        if h.employment[i] != UNEMPLOYED:
            if rng.draw(seed, step, i, rng.SEPARATION) < dec.separation_prob(p, h.employment[i]):
                h.employment[i] = UNEMPLOYED
                h.sector[i] = -1
                h.wage[i] = 0.0
                h.insured[i] = 0
                h.job_months[i] = 0
                h.unemp_spell[i] = 0
            else:
                h.job_months[i] += 1
        if rng.draw(seed, step, i, rng.TRAINING) < dec.training_rate(r, h.group[i]):
            h.trainings[i] += 1
            flows[F_TRAINING, h.group[i], h.sex[i]] += 1.0
            flows[F_TRAIN_COST, h.group[i], h.sex[i]] += r[0].training_cost
            if h.skill[i] < N_SKILLS - 1 and rng.draw(seed, step, i, rng.TRAINING_GAIN) < p[0].training_skill_gain:
                h.skill[i] += 1


@njit(cache=True)
def match_jobs(h, n, m, p, r, seed, step):
    """Cobb-Douglas hires per skill, given to seekers in a random priority order."""
    count_formal(h, n, m.employed)
    vac = vacancies(m.jobs, m.employed)
    n_seekers = 0
    for i in range(n):
        if h.status[i] == ACTIVE and h.employment[i] != FORMAL:
            n_seekers += 1
    seekers = np.empty(n_seekers, dtype=np.int64)
    per_skill = np.zeros(N_SKILLS)
    j = 0
    for i in range(n):
        if h.status[i] == ACTIVE and h.employment[i] != FORMAL:
            seekers[j] = i
            per_skill[h.skill[i]] += 1.0
            j += 1
    quota = np.zeros(N_SKILLS, dtype=np.int64)
    for k in range(N_SKILLS):
        v = 0
        for s in range(N_FORMAL_SECTORS):
            v += vac[s, k]
        quota[k] = int(math.floor(dec.hires(p, per_skill[k], float(v))
                                  + rng.draw(seed, step, rng.CITY + k, rng.JOB_COUNT + k)))
    order = priority_order(seekers, seed, step, rng.JOB_PRIORITY, np.zeros(n_seekers))
    for i in order:
        k = h.skill[i]
        if quota[k] > 0:
            total = 0
            for s in range(N_FORMAL_SECTORS):
                total += vac[s, k]
            if total > 0:
                target = rng.draw(seed, step, i, rng.JOB_SECTOR) * total
                acc = 0
                sector = N_FORMAL_SECTORS - 1
                for s in range(N_FORMAL_SECTORS):
                    acc += vac[s, k]
                    if target < acc and vac[s, k] > 0:
                        sector = s
                        break
                vac[sector, k] -= 1
                quota[k] -= 1
                m.employed[sector, k] += 1
                h.employment[i] = FORMAL
                h.sector[i] = sector
                h.wage[i] = m.wage[sector, k]
                h.job_months[i] = 0
                h.unemp_spell[i] = 0
                h.insured[i] = 1 if rng.draw(seed, step, i, rng.INSURED) < dec.insured_share(r, h.hukou[i]) else 0
                continue
        if h.employment[i] == UNEMPLOYED and rng.draw(seed, step, i, rng.INFORMAL_ENTRY) < p[0].informal_entry:
            h.employment[i] = INFORMAL
            h.sector[i] = INFORMAL_SECTOR
            h.wage[i] = m.wage[INFORMAL_SECTOR, k]
            h.job_months[i] = 0
            h.unemp_spell[i] = 0


@njit(cache=True)
def contributions_and_earnings(h, n, p, r):
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        if h.employment[i] == UNEMPLOYED:
            h.unemp_spell[i] += 1
        contributing = h.employment[i] == FORMAL and h.insured[i] == 1
        if contributing:
            h.unemp_ins_months[i] += 1
        if dec.contributes_pension(h.employment[i], h.insured[i], h.urban_ss[i]):
            h.pension_months[i] += 1
            h.pension_streak[i] += 1
            h.medical_months[i] += 1
        else:
            h.pension_streak[i] = 0
        h.income[i] = dec.household_income(p, r, h.group[i], h.wage[i], h.employment[i], h.insured[i],
                                           dec.adults(h.size[i], h.kids_school[i], h.kids_pre[i]), h.unemp_spell[i],
                                           h.unemp_ins_months[i], h.land[i], h.compensation[i])


@njit(cache=True)
def initial_earnings(h, n, p, r):
    for i in range(n):
        h.income[i] = dec.household_income(p, r, h.group[i], h.wage[i], h.employment[i], h.insured[i],
                                           dec.adults(h.size[i], h.kids_school[i], h.kids_pre[i]), h.unemp_spell[i],
                                           h.unemp_ins_months[i], h.land[i], h.compensation[i])
