"""Filling household rows: the initial synthetic population and new arrivals.

Attributes that the marginals fix (group, district, size, head's age and sex)
come from the synthesis; the rest are drawn per household from the group's
profile (`gp`, a [group, GP_*] array), with the run's counter-based draws.
"""

import math

import numpy as np
from numba import njit

from abm import rng
from abm.state import (
    ACTIVE,
    CONVERTED,
    DORMITORY,
    FARMER,
    FORMAL,
    INFORMAL,
    INFORMAL_SECTOR,
    LEFT_BEHIND,
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
 GP_TENURE, GP_SCHOOL, GP_LAND, GP_LAND_LOST, GP_SAVINGS, GP_SCHOOL_KIDS) = (0, 1, 2, 5, 8, 9, 10, 11, 18, 22,
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


@njit(cache=True)
def fill_rows(h, start, groups, districts, sizes, ages, sexes, gp, wage, seed, step, arriving):
    """Write rows start.. for the given households. Arrivals come unemployed, unhoused, unregistered,
    their children left behind. (One loop, no per-row call: passing the tuple per row is slow.)"""
    for j in range(groups.shape[0]):
        i = start + j
        group, district, size, age, sex = groups[j], districts[j], sizes[j], ages[j], sexes[j]
        h.group[i] = group
        h.district[i] = district
        h.size[i] = size
        h.age[i] = age
        h.sex[i] = sex
        h.status[i] = ACTIVE
        h.arrived[i] = step if arriving else -1
        n_adults = 1
        if size >= 2 and rng.draw(seed, step, i, rng.SYNTH_ADULTS) < 0.85:
            n_adults = 2
        kids = size - n_adults
        school = 0
        for c in range(kids):
            if rng.draw_at(seed, step, i, rng.SYNTH_CHILD_IN_SCHOOL, c) < gp[group, GP_SCHOOL_KIDS]:
                school += 1
        h.kids_school[i] = school
        h.kids_pre[i] = kids - h.kids_school[i]
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
def draw_cells(cum, count, seed, step):
    """Cells of a flattened cumulative table for `count` arrivals, one draw each."""
    out = np.empty(count, dtype=np.int64)
    for j in range(count):
        out[j] = min(np.searchsorted(cum, rng.draw_at(seed, step, rng.CITY, rng.ARRIVAL_CELL, j), side="right"),
                     cum.shape[0] - 1)
    return out
