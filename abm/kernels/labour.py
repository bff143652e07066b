"""Phase 1 (household part) and phase 3: the fast engine's drivers of land requisition
(abm/phases/requisition.py) and of the labour phase (separations, training, matching under vacancies,
contributions and earnings), whose per-household
logic and allocation of jobs are abm/phases/labour.py, shared with the Mesa agents.

Per-household helpers here and in the other kernels take scalars, never the household tuple:
passing the tuple costs about 200 ns a call (a reference count on each of its arrays), which
would be most of the step.
"""

import numpy as np
from numba import njit, prange

from abm.kernels.common import flagged, vacancies
from abm.phases import health, insurance, labour
from abm.phases import requisition as req
from abm.state import (
    ACTIVE,
    F_CONVERSIONS,
    F_LAND_COMP,
    F_LUMP_SUMS,
    F_MED_IN,
    F_PENSION_IN,
    F_INSURANCE,
    F_PENSION_OUT,
    F_RESIDENT_PENSION,
    F_TRAIN_COST,
    F_TRAINING,
    F_UI_IN,
    F_UI_OUT,
    FORMAL,
    INFORMAL_SECTOR,
    N_FORMAL_SECTORS,
    N_SKILLS,
)


@njit(cache=True, parallel=True)
def _loses_land(r, seed, step, status, group, land, flag):
    for i in prange(status.shape[0]):
        flag[i] = status[i] == ACTIVE and req.loses_land(r, seed, step, i, group[i], land[i])


@njit(cache=True)
def requisition(h, n, d, r, seed, step, flows, work):
    """Farmers lose land on the city's schedule: who loses it is decided in parallel, then those few are
    compensated and resettled in id order (resettlement units are shared)."""
    if req.monthly_rate(r) <= 0.0:
        return  # no draw falls below a rate of 0: no household to visit
    flag = work.flag[:n]  # written for every household
    _loses_land(r, seed, step, h.status[:n], h.group[:n], h.land[:n], flag)
    for i in flagged(flag):
        g, s = h.group[i], h.sex[i]
        before = h.compensation[i]
        h.land[i], h.compensation[i], h.savings[i], h.urban_ss[i], h.hukou[i], converted = req.compensate(
            r, h.land[i], h.compensation[i], h.savings[i], h.urban_ss[i], h.hukou[i])
        flows[F_LAND_COMP, g, s] += h.compensation[i] - before
        if converted:
            flows[F_CONVERSIONS, g, s] += 1.0
        resettled, h.tenure[i], h.hukou[i], converted = req.resettle(r, d.units, d.occupied, h.district[i],
                                                                     h.tenure[i], h.hukou[i])
        if resettled:
            h.rent[i] = 0.0
            h.resettled[i] = 1
        if converted:
            flows[F_CONVERSIONS, g, s] += 1.0


@njit(cache=True, parallel=True)
def _separate_and_train(p, r, seed, step, status, group, employment, sector, wage, insured, job_months,
                        unemp_spell, trainings, skill, age, sex, trained):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            loses, trained[i], skill[i] = labour.separate_and_train(p, r, seed, step, i, group[i], employment[i],
                                                                    skill[i], age[i], sex[i])
            if loses:
                employment[i], sector[i], wage[i], insured[i], job_months[i], unemp_spell[i] = labour.JOB_LOST
            elif labour.works(employment[i]):
                job_months[i] += 1
            if trained[i]:
                trainings[i] += 1


@njit(cache=True)
def separations_and_training(h, n, p, r, seed, step, flows, work):
    """Each household's own row in parallel; training is then booked in id order."""
    trained = work.flag[:n]
    trained[:] = False
    _separate_and_train(p, r, seed, step, h.status[:n], h.group[:n], h.employment[:n], h.sector[:n], h.wage[:n],
                        h.insured[:n], h.job_months[:n], h.unemp_spell[:n], h.trainings[:n], h.skill[:n], h.age[:n],
                        h.sex[:n], trained)
    for i in flagged(trained):
        flows[F_TRAINING, h.group[i], h.sex[i]] += 1.0
        flows[F_TRAIN_COST, h.group[i], h.sex[i]] += r[0].training_cost


CHUNK = 1 << 14  # households per block of the parallel passes; integer counts, so any thread count agrees


@njit(cache=True, parallel=True)
def _count_seekers(r, status, employment, sector, skill, age, sex, n_sectors):
    """Per block: formal jobs filled by (sector, skill), and non-formal households by skill."""
    n = status.shape[0]
    blocks = (n + CHUNK - 1) // CHUNK
    filled = np.zeros((blocks, n_sectors, N_SKILLS), dtype=np.int64)
    seekers = np.zeros((blocks, N_SKILLS), dtype=np.int64)
    for b in prange(blocks):
        for i in range(b * CHUNK, min(n, (b + 1) * CHUNK)):
            if status[i] == ACTIVE:
                if employment[i] == FORMAL:
                    filled[b, sector[i], skill[i]] += 1
                elif labour.seeks_formal_job(r, employment[i], age[i], sex[i], skill[i]):
                    seekers[b, skill[i]] += 1
    return filled, seekers


@njit(cache=True, parallel=True)
def _bucket_seekers(r, status, employment, skill, age, sex, offsets, bucket):
    """Seekers into `bucket` by skill, in id order within a skill (each block writes its own slots)."""
    n = status.shape[0]
    blocks = (n + CHUNK - 1) // CHUNK
    for b in prange(blocks):
        fill = offsets[b].copy()
        for i in range(b * CHUNK, min(n, (b + 1) * CHUNK)):
            if status[i] == ACTIVE and labour.seeks_formal_job(r, employment[i], age[i], sex[i], skill[i]):
                bucket[fill[skill[i]]] = i
                fill[skill[i]] += 1


@njit(cache=True, parallel=True)
def _priority_keys(ids, seed, step, keys):
    for j in prange(ids.shape[0]):
        keys[j] = labour.priority(seed, step, ids[j])


@njit(cache=True, parallel=True)
def _informal_entry(p, r, seed, step, hired, status, employment, sector, skill, age, sex, wage, job_months,
                    unemp_spell, informal_wage):
    for i in prange(status.shape[0]):
        if (status[i] == ACTIVE and not hired[i] and labour.seeks_formal_job(r, employment[i], age[i], sex[i], skill[i])
                and labour.takes_informal_work(p, seed, step, i, employment[i])):
            employment[i], sector[i] = labour.INFORMAL_JOB
            wage[i] = informal_wage[skill[i]]
            job_months[i] = 0
            unemp_spell[i] = 0


@njit(cache=True)
def match_jobs(h, n, m, p, r, seed, step, work):
    """Cobb-Douglas hires per skill, given to seekers in a random priority order.

    Only the first H_k seekers of skill k (by their draw) are hired, so they are found by a partition
    and only they are sorted; whether an unhired seeker takes informal work does not depend on the
    order, so that runs per household. The result equals serving every seeker in priority order,
    which is what the Mesa engine does. Counting, bucketing and informal entry run over fixed blocks
    in parallel; the hires themselves are served one by one.
    """
    filled, seekers = _count_seekers(r, h.status[:n], h.employment[:n], h.sector[:n], h.skill[:n], h.age[:n],
                                     h.sex[:n], m.employed.shape[0])
    m.employed[:, :] = filled.sum(axis=0)
    per_skill = seekers.sum(axis=0)
    vac = vacancies(m.jobs, m.employed)
    # bucket the seekers by skill (a counting sort over blocks, id order kept within a skill)
    start = np.zeros(N_SKILLS + 1, dtype=np.int64)
    for k in range(N_SKILLS):
        start[k + 1] = start[k] + per_skill[k]
    offsets = np.empty_like(seekers)
    run = start[:N_SKILLS].copy()
    for b in range(seekers.shape[0]):
        offsets[b] = run
        run = run + seekers[b]
    bucket = work.ids[:start[N_SKILLS]]
    _bucket_seekers(r, h.status[:n], h.employment[:n], h.skill[:n], h.age[:n], h.sex[:n], offsets, bucket)
    hired = work.flag[:n]
    hired[:] = False
    for k in range(N_SKILLS):
        v = 0
        for s in range(N_FORMAL_SECTORS):
            v += vac[s, k]
        quota = labour.hires_this_month(p, seed, step, k, per_skill[k], v)
        if quota <= 0:
            continue
        ids = bucket[start[k]:start[k + 1]]
        keys = work.keys[start[k]:start[k + 1]]
        _priority_keys(ids, seed, step, keys)
        if quota < ids.shape[0]:
            cut = np.partition(keys, quota - 1)[quota - 1]
            take = keys <= cut
            ids, keys = ids[take], keys[take]
        order = np.argsort(keys, kind="mergesort")[:quota]
        for i in ids[order]:
            sector, h.wage[i], h.insured[i] = labour.hire(r, seed, step, i, h.hukou[i], k, vac, m.employed, m.wage)
            hired[i] = True
            h.employment[i] = FORMAL
            h.sector[i] = sector
            h.job_months[i] = 0
            h.unemp_spell[i] = 0
    _informal_entry(p, r, seed, step, hired, h.status[:n], h.employment[:n], h.sector[:n], h.skill[:n], h.age[:n],
                    h.sex[:n], h.wage[:n], h.job_months[:n], h.unemp_spell[:n], m.wage[INFORMAL_SECTOR].copy())


@njit(cache=True, parallel=True)
def _contribute_and_earn(p, r, avg_wage, year, status, group, hukou, age, sex, skill, size, kids_school, kids_pre,
                         spouse, spouse_age, employment, insured, urban_ss, wage, informal_wage, land, compensation,
                         unemp_spell, unemp_ins_months, pension_months, pension_streak, medical_months, pension_index,
                         pension_account, pension, savings, income, lump_sum, resident, bought, books):
    """The parallel body takes plain arrays: a prange loop over a tuple of arrays loses its writes."""
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            (unemp_spell[i], unemp_ins_months[i], pension_months[i], pension_streak[i], medical_months[i],
             pension_index[i], pension_account[i], pension[i], lump_sum[i], resident[i], bought[i], savings[i],
             income[i]) = labour.contribute_and_earn(p, r, avg_wage, year, group[i], hukou[i], age[i], sex[i],
                                                     skill[i], size[i], kids_school[i], kids_pre[i], spouse[i],
                                                     spouse_age[i], employment[i], insured[i], urban_ss[i], wage[i],
                                                     informal_wage[skill[i]], land[i], compensation[i],
                                                     unemp_spell[i], unemp_ins_months[i], pension_months[i],
                                                     pension_streak[i], medical_months[i], pension_index[i],
                                                     pension_account[i], pension[i], savings[i])
            # booked in id order afterwards where the household has any flow (adding 0 changes no sum)
            p_in, p_out, u_in, u_out = insurance.fund_flows(r, avg_wage, age[i], sex[i], skill[i], employment[i],
                                                            insured[i], urban_ss[i], wage[i], unemp_spell[i],
                                                            unemp_ins_months[i], pension[i], lump_sum[i])
            books[i] = (p_in != 0.0 or p_out != 0.0 or u_in != 0.0 or u_out != 0.0 or resident[i] != 0.0
                        or bought[i] != 0.0 or health.contributions(r, employment[i], insured[i], wage[i]) != 0.0)


@njit(cache=True)
def contributions_and_earnings(h, n, p, r, avg_wage, year, informal_wage, flows, work):
    """Each household updates only its own row in parallel, with identical results; the funds' flows are then
    booked in id order over the households that have any (abm.phases.insurance.fund_flows).
    `informal_wage[skill]`: this month's informal wage by skill level; `avg_wage` the city's average wage; `year`
    the calendar year."""
    lump_sum = work.yuan[:n]  # read only where booked
    resident = work.yuan2[:n]
    bought = work.keys[:n]  # the job keys are done with by now
    books = work.flag[:n]
    books[:] = False
    _contribute_and_earn(p, r, avg_wage, year, h.status[:n], h.group[:n], h.hukou[:n], h.age[:n], h.sex[:n],
                         h.skill[:n], h.size[:n], h.kids_school[:n], h.kids_pre[:n], h.spouse[:n], h.spouse_age[:n],
                         h.employment[:n], h.insured[:n], h.urban_ss[:n], h.wage[:n], informal_wage, h.land[:n],
                         h.compensation[:n], h.unemp_spell[:n], h.unemp_ins_months[:n], h.pension_months[:n],
                         h.pension_streak[:n], h.medical_months[:n], h.pension_index[:n], h.pension_account[:n],
                         h.pension[:n], h.savings[:n], h.income[:n], lump_sum, resident, bought, books)
    for i in flagged(books):
        book_funds(flows, r, avg_wage, i, h.group[i], h.age[i], h.sex[i], h.skill[i], h.employment[i],
                   h.insured[i], h.urban_ss[i], h.wage[i], h.unemp_spell[i], h.unemp_ins_months[i], h.pension[i],
                   lump_sum[i], resident[i], bought[i])


@njit(cache=True)
def book_funds(flows, r, avg_wage, i, group, age, sex, skill, employment, insured, urban_ss, wage, unemp_spell,
               unemp_ins_months, pension, lump_sum, resident, bought):
    """Book household i's month in the funds, and the residents' pension and the city's buy-in of missing
    contribution years (`bought`, into the pension fund) in the budget (both engines call this, in id order)."""
    p_in, p_out, u_in, u_out = insurance.fund_flows(r, avg_wage, age, sex, skill, employment, insured, urban_ss,
                                                    wage, unemp_spell, unemp_ins_months, pension, lump_sum)
    flows[F_PENSION_IN, group, sex] += p_in
    flows[F_PENSION_OUT, group, sex] += p_out
    flows[F_LUMP_SUMS, group, sex] += lump_sum
    flows[F_UI_IN, group, sex] += u_in
    flows[F_UI_OUT, group, sex] += u_out
    flows[F_MED_IN, group, sex] += health.contributions(r, employment, insured, wage)
    flows[F_RESIDENT_PENSION, group, sex] += resident
    flows[F_PENSION_IN, group, sex] += bought
    flows[F_INSURANCE, group, sex] += bought


@njit(cache=True)
def starting_records(h, start, stop, p, r, seed, step, year, avg_wage, skill_wage):
    """The pension records of rows start..stop-1 as they enter (abm.phases.insurance.starting_record), from the
    current insured spell in `pension_months`; `skill_wage[skill]` the wage of a formal job at each skill level."""
    for i in range(start, stop):
        spell = h.pension_months[i]
        h.pension_months[i], h.pension_index[i], h.pension_account[i], h.pension[i] = insurance.starting_record(
            p, r, seed, step, i, year, avg_wage, h.hukou[i], h.age[i], h.sex[i], h.skill[i], h.wage[i],
            skill_wage[h.skill[i]], spell)
        if h.pension_months[i] == 0:
            h.pension_streak[i] = 0


@njit(cache=True)
def initial_earnings(h, n, p, r, year, informal_wage):
    for i in range(n):
        pension = h.pension[i] + insurance.resident_pension(r, year, h.hukou[i], h.age[i], h.pension[i])
        h.income[i] = labour.earnings(p, r, h.group[i], h.sex[i], h.skill[i], h.size[i], h.kids_school[i],
                                      h.kids_pre[i], h.spouse[i], h.spouse_age[i], h.employment[i], h.insured[i],
                                      h.wage[i], informal_wage[h.skill[i]], h.unemp_spell[i], h.unemp_ins_months[i],
                                      h.land[i], h.compensation[i], pension)
