"""Phase 0, the life course: the fast engine's driver of abm/phases/lifecourse.py, and the serial part
both engines share (booking the month's demographic flows, dissolving households, listing the households
that grown children form).

The parallel pass writes each household's outcome into the world's scratch arrays (`fate`, `events`,
`new_age`, `new_sex`); the Mesa agents write the same arrays for their own row. `book_events` then runs over
the few households with something to book, in id order, so both engines book identically.
"""

import numpy as np
from numba import njit, prange

from abm.decisions import is_local
from abm.phases import lifecourse as life
from abm.phases import settlement
from abm.state import (
    ACTIVE,
    DISSOLVED,
    F_BIRTHS,
    F_DEATHS,
    F_PERSONS_IN,
    F_PERSONS_OUT,
    F_RETIREMENTS,
    INFORMAL,
    INFORMAL_SECTOR,
    PRIVATE_MIGRANT,
    PUBLIC,
    RETIRED,
)

# what a household's month left to book: events[i, E_*]
E_RETIRES, E_BIRTHS, E_DEATHS, E_IN, E_OUT, E_SEATS = range(6)
N_EVENTS = 6
NOTHING = -1  # fate of a household with nothing to book this month


def scratch(capacity: int):
    """The arrays a month of life writes for the serial part: (fate, events, new_age, new_sex)."""
    return (np.full(capacity, NOTHING, dtype=np.int8), np.zeros((capacity, N_EVENTS), dtype=np.int16),
            np.full(capacity, -1, dtype=np.int8), np.full(capacity, -1, dtype=np.int8))


@njit(cache=True, inline="always")
def new_job(i, employment, skill, sector, wage, insured, job_months, informal_wage):
    """The job columns of a head who retires, moves to informal work at the retirement age, or takes over the
    household (with no job)."""
    if employment == INFORMAL:
        sector[i], wage[i] = INFORMAL_SECTOR, informal_wage[skill[i]]
    else:
        sector[i], wage[i] = -1, 0.0
    insured[i] = 0
    job_months[i] = 0


@njit(cache=True, inline="always")
def write_month(i, out, ages_up, age, sex, spouse, spouse_age, k0, k1, k2, k3, kid_male, employment, sector, wage,
                insured, job_months, skill, informal_wage, size, kids_school, kids_pre, dependants, fate, events,
                new_age, new_sex):
    """Write the result of life.live_a_month for household i into its row and the scratch arrays. A month in
    which nothing happened to the household (nearly every month) writes nothing: its `fate` stays NOTHING, as
    the world set it when the month opened."""
    (f, a, sx, sp, sp_age, kids, km, emp, retires, births, deaths, p_in, p_out, na, ns) = out
    something = retires + births + deaths + p_in + p_out > 0 or na >= 0 or f != life.GOES_ON
    if not (something or ages_up or sp != spouse[i] or emp != employment[i]):
        return
    age[i], sex[i], spouse[i], spouse_age[i], kid_male[i], new_age[i], new_sex[i] = a, sx, sp, sp_age, km, na, ns
    k0[i], k1[i], k2[i], k3[i] = kids[0], kids[1], kids[2], kids[3]
    if emp != employment[i] or f == life.HEAD_REPLACED:
        new_job(i, emp, skill, sector, wage, insured, job_months, informal_wage)
        employment[i] = emp
    pupils = kids_school[i]
    size[i], kids_school[i], kids_pre[i] = life.composition(spouse[i], kids)
    dependants[i] = life.dependants(a, sp, sp_age, kids)
    # school places of pupils who died or left with a dissolved household are given back (at the school-year
    # start every place is given out again, so nothing is freed then)
    events[i, E_SEATS] = 0 if ages_up else pupils - kids_school[i]
    events[i, E_RETIRES], events[i, E_BIRTHS], events[i, E_DEATHS] = retires, births, deaths
    events[i, E_IN], events[i, E_OUT] = p_in, p_out
    fate[i] = f if something else NOTHING


@njit(cache=True, parallel=True)
def _live(p, r, q, f, seed, step, ages_up, status, group, hukou, skill, employment, sector, wage, insured,
          job_months, informal_wage, age, sex, spouse, spouse_age, k0, k1, k2, k3, kid_male, size, kids_school,
          kids_pre, dependants, fate, events, new_age, new_sex):
    for i in prange(status.shape[0]):
        if status[i] != ACTIVE:
            continue
        out = life.live_a_month(p, r, q, f, seed, step, i, ages_up, group[i], is_local(hukou[i]), skill[i],
                                employment[i], age[i], sex[i], spouse[i], spouse_age[i],
                                (k0[i], k1[i], k2[i], k3[i]), kid_male[i])
        write_month(i, out, ages_up, age, sex, spouse, spouse_age, k0, k1, k2, k3, kid_male, employment, sector,
                    wage, insured, job_months, skill, informal_wage, size, kids_school, kids_pre, dependants, fate,
                    events, new_age, new_sex)


def live(h, n, p, r, tables, seed, step, ages_up, scratch, informal_wage):
    fate, events, new_age, new_sex = scratch
    _live(p, r, tables.q_month, tables.f_month, seed, step, ages_up, h.status[:n], h.group[:n], h.hukou[:n],
          h.skill[:n], h.employment[:n], h.sector[:n], h.wage[:n], h.insured[:n], h.job_months[:n], informal_wage,
          h.age[:n], h.sex[:n], h.spouse[:n],
          h.spouse_age[:n], h.kid_age0[:n], h.kid_age1[:n], h.kid_age2[:n], h.kid_age3[:n], h.kid_male[:n],
          h.size[:n], h.kids_school[:n], h.kids_pre[:n], h.dependants[:n], fate[:n], events[:n], new_age[:n],
          new_sex[:n])


@njit(cache=True)
def retire_at_start(h, n, p, r, seed, informal_wage, first):
    """Heads past the statutory age among rows first..n-1 (the synthetic population, or households entering
    it) start retired or in informal work, by the phase's rule, as if reaching the age now."""
    for i in range(first, n):
        if h.employment[i] != RETIRED and h.age[i] >= life.retirement_age(r, h.sex[i], h.skill[i]):
            emp = life.retire(p, seed, -1, i, h.employment[i], True)
            if emp != h.employment[i]:
                new_job(i, emp, h.skill, h.sector, h.wage, h.insured, h.job_months, informal_wage)
                h.employment[i] = emp


@njit(cache=True)
def past_statutory_age(r, age, sex, skill):
    """For each head, whether its age has reached the statutory retirement age (the phase's rule)."""
    out = np.empty(age.shape[0], dtype=np.bool_)
    for j in range(age.shape[0]):
        out[j] = age[j] >= life.retirement_age(r, sex[j], skill[j])
    return out


@njit(cache=True)
def book_events(h, rows, d, flows, fate, events, new_age, step):
    """Book the month's demographic flows for `rows` (the households with something to book, in id order),
    clear the pension record of a head who died (the new head starts without one), dissolve the households
    left without an adult (giving back their unit and school places), and return the rows whose grown child
    formed a household of its own."""
    parents = np.empty(rows.shape[0], dtype=np.int64)
    n_new = 0
    for i in rows:
        g, s = h.group[i], h.sex[i]
        flows[F_RETIREMENTS, g, s] += events[i, E_RETIRES]
        flows[F_BIRTHS, g, s] += events[i, E_BIRTHS]
        flows[F_DEATHS, g, s] += events[i, E_DEATHS]
        flows[F_PERSONS_IN, g, s] += events[i, E_IN]
        flows[F_PERSONS_OUT, g, s] += events[i, E_OUT]
        if events[i, E_SEATS] > 0:
            if h.school[i] == PUBLIC:
                d.public_used[h.district[i]] -= events[i, E_SEATS]
            elif h.school[i] == PRIVATE_MIGRANT:
                d.private_used[h.district[i]] -= events[i, E_SEATS]
        if fate[i] == life.HEAD_REPLACED:  # the late head's pension record and pension go with the head
            h.pension_months[i], h.pension_streak[i] = 0, 0
            h.pension_index[i], h.pension_account[i], h.pension[i] = 0.0, 0.0, 0.0
        if fate[i] == life.DISSOLVES:
            h.status[i] = DISSOLVED
            h.left[i] = step
            settlement.free_capacity(d.occupied, d.public_used, d.private_used, h.district[i], h.tenure[i],
                                     h.school[i], h.kids_school[i])
            h.size[i], h.kids_school[i], h.kids_pre[i] = 0, 0, 0
            h.assistance[i], h.dibao[i], h.temp_assist[i] = 0.0, 0, 0  # nothing is paid to it this month
        if new_age[i] >= 0:
            parents[n_new] = i
            n_new += 1
    return parents[:n_new]
