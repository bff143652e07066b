"""Filling household rows: the initial synthetic population and new arrivals.

Attributes that the marginals fix (group, district, size, head's age and sex)
come from the synthesis; the rest are drawn per household from the group's
profile (`gp`, a [group, GP_*] array), with the run's counter-based draws.
"""

import math

import numpy as np
from numba import njit

from abm import rng
from abm.phases import lifecourse as life
from abm.state import (
    ACTIVE,
    CONVERTED,
    DORMITORY,
    FARMER,
    FORMAL,
    INFORMAL,
    INFORMAL_SECTOR,
    LEFT_BEHIND,
    MALE,
    MIGRANT,
    NO_CHILDREN,
    NO_HOME,
    OWNED,
    PUBLIC,
    RURAL_LOCAL,
    RURAL_NONLOCAL,
    UNEMPLOYED,
    URBAN_LOCAL,
    URBAN_VILLAGE,
)

(GP_UNEMPLOYED, GP_INFORMAL, GP_SECTOR, GP_SKILL, GP_INSURED, GP_REGISTERED, GP_YEARS,
 GP_TENURE, GP_SCHOOL, GP_LAND, GP_LAND_LOST, GP_SAVINGS, GP_SPOUSE_AWAY) = (0, 1, 2, 5, 8, 9, 10, 11, 18, 22,
                                                                             23, 24, 25)
N_GP = 26


@njit(cache=True)
def _pick(gp, g, first, count, u):
    acc = 0.0
    for k in range(count):
        acc += gp[g, first + k]
        if u < acc:
            return k
    return count - 1


@njit(cache=True, inline="always")
def age_at_birth(cum_fert, mother, u):
    """A mother's age at a child's birth, drawn from the age-specific fertility schedule up to her age now
    (`cum_fert`: the schedule's cumulative sum by age)."""
    last = min(mother, cum_fert.shape[0] - 1)
    total = cum_fert[last]
    if total <= 0.0:
        return mother
    a = np.searchsorted(cum_fert[:last + 1], u * total, side="right")
    return a if a <= last else mother


@njit(cache=True, inline="always")
def members(h, i, group, size, age, sex, gp, cum_fert, gap, seed, step):
    """The members of household i of `size` persons: a spouse (with the family, or for migrants maybe left in
    the village) in most households of two or more, and children whose ages follow from their mother's age and
    the fertility schedule (age at birth drawn from it), so no child is older than its mother minus 15."""
    h.spouse[i] = life.SPOUSE_NONE
    h.spouse_age[i] = 0
    if size >= 2 and rng.draw(seed, step, i, rng.SYNTH_ADULTS) < 0.85:
        h.spouse[i] = life.SPOUSE_HOME
        if rng.draw(seed, step, i, rng.SYNTH_SPOUSE_AWAY) < gp[group, GP_SPOUSE_AWAY]:
            h.spouse[i] = life.SPOUSE_AWAY
        s_age = age - gap if sex == MALE else age + gap
        s_age += int(5.0 * rng.draw(seed, step, i, rng.SYNTH_SPOUSE_AGE)) - 2
        h.spouse_age[i] = min(max(s_age, 18), life.MAX_AGE)
    mum = life.mother_age(sex, h.spouse[i], h.spouse_age[i], age)
    if mum < 0:  # a father on his own: the children's mother was about his age less the usual gap
        mum = max(age - gap, 18)
    kids = min(size - 1 - (h.spouse[i] != life.SPOUSE_NONE), life.N_KIDS)
    male = 0
    ks = (life.NO_KID, life.NO_KID, life.NO_KID, life.NO_KID)
    for c in range(kids):
        born_at = age_at_birth(cum_fert, mum, rng.draw_at(seed, step, i, rng.SYNTH_KID_AGE, c))
        ks = life.set_kid(ks, c, max(mum - born_at, 0))
        if rng.draw_at(seed, step, i, rng.SYNTH_KID_SEX, c) < life.MALE_BIRTH_SHARE:
            male |= 1 << c
    h.kid_age0[i], h.kid_age1[i], h.kid_age2[i], h.kid_age3[i] = ks[0], ks[1], ks[2], ks[3]
    h.kid_male[i] = male
    h.size[i], h.kids_school[i], h.kids_pre[i] = life.composition(h.spouse[i], ks)
    h.dependants[i] = life.dependants(age, h.spouse[i], h.spouse_age[i], ks)


@njit(cache=True)
def fill_rows(h, start, groups, districts, sizes, ages, sexes, gp, wage, fert, gap, seed, step, arriving):
    """Write rows start.. for the given households. Arrivals come unemployed, unhoused, unregistered,
    their children left behind. (One loop, no per-row call: passing the tuple per row is slow.)"""
    cum_fert = np.cumsum(fert)
    for j in range(groups.shape[0]):
        i = start + j
        group, district, size, age, sex = groups[j], districts[j], sizes[j], ages[j], sexes[j]
        h.group[i] = group
        h.district[i] = district
        h.age[i] = age
        h.sex[i] = sex
        h.status[i] = ACTIVE
        h.arrived[i] = step if arriving else -1
        members(h, i, group, size, age, sex, gp, cum_fert, gap, seed, step)
        k = _pick(gp, group, GP_SKILL, 3, rng.draw(seed, step, i, rng.SYNTH_SKILL))
        h.skill[i] = k
        h.hukou[i] = RURAL_NONLOCAL if group == MIGRANT else (RURAL_LOCAL if group == FARMER else URBAN_LOCAL)
        h.savings[i] = gp[group, GP_SAVINGS] * 2.0 * rng.draw(seed, step, i, rng.SYNTH_SAVINGS)
        if group == MIGRANT:
            years = -math.log(1.0 - rng.draw(seed, step, i, rng.SYNTH_YEARS)) * gp[group, GP_YEARS]
            h.months_in_city[i] = 0 if arriving else min(int(years * 12.0), 480)
        else:
            h.months_in_city[i] = min(max(age - 16, 0) * 12, 32000)
        h.land[i] = 0.0
        if group == FARMER:
            if rng.draw(seed, step, i, rng.SYNTH_LAND_KEPT) >= gp[group, GP_LAND_LOST]:
                h.land[i] = gp[group, GP_LAND] * (0.5 + rng.draw(seed, step, i, rng.SYNTH_LAND_SIZE))
        h.sector[i] = -1
        h.employment[i] = UNEMPLOYED
        h.tenure[i] = NO_HOME
        h.school[i] = LEFT_BEHIND if h.kids_school[i] > 0 else NO_CHILDREN
        if arriving:
            continue
        u = rng.draw(seed, step, i, rng.SYNTH_EMPLOYMENT)
        if u < gp[group, GP_UNEMPLOYED]:
            h.employment[i] = UNEMPLOYED
        elif u < gp[group, GP_UNEMPLOYED] + gp[group, GP_INFORMAL]:
            h.employment[i] = INFORMAL
            h.sector[i] = INFORMAL_SECTOR
            h.wage[i] = wage[INFORMAL_SECTOR, k]
        else:
            h.employment[i] = FORMAL
            s = _pick(gp, group, GP_SECTOR, 3, rng.draw(seed, step, i, rng.SYNTH_SECTOR))
            h.sector[i] = s
            h.wage[i] = wage[s, k]
            months = int(-math.log(1.0 - rng.draw(seed, step, i, rng.SYNTH_JOB_MONTHS)) * 24.0)
            h.job_months[i] = min(months, h.months_in_city[i])
            if rng.draw(seed, step, i, rng.SYNTH_INSURED) < gp[group, GP_INSURED]:
                h.insured[i] = 1
                h.pension_months[i] = h.job_months[i]
                h.pension_streak[i] = h.job_months[i]
                h.medical_months[i] = h.job_months[i]
                h.unemp_ins_months[i] = h.job_months[i]
        if group == MIGRANT and rng.draw(seed, step, i, rng.SYNTH_REGISTERED) < gp[group, GP_REGISTERED]:
            h.registered[i] = 1
        t = _pick(gp, group, GP_TENURE, 7, rng.draw(seed, step, i, rng.SYNTH_TENURE))
        if t == DORMITORY and not (h.employment[i] == FORMAL and h.sector[i] <= 1):
            t = URBAN_VILLAGE  # dormitories house their employers' workers only
        h.tenure[i] = t
        if h.kids_school[i] > 0:
            h.school[i] = PUBLIC + _pick(gp, group, GP_SCHOOL, 4, rng.draw(seed, step, i, rng.SYNTH_SCHOOL))  # public..not enrolled
            if group != MIGRANT and h.school[i] == LEFT_BEHIND:
                h.school[i] = PUBLIC
        if group == MIGRANT and t == OWNED and rng.draw(seed, step, i, rng.SYNTH_CONVERTED) < 0.5:
            h.hukou[i] = CONVERTED



@njit(cache=True)
def draw_cells(cum, count, seed, step, stream):
    """Cells of a flattened cumulative table for `count` newcomers, one draw each from the city's `stream`."""
    out = np.empty(count, dtype=np.int64)
    for j in range(count):
        out[j] = min(np.searchsorted(cum, rng.draw_at(seed, step, rng.CITY, stream, j), side="right"),
                     cum.shape[0] - 1)
    return out
