"""The labour phase: job loss, training, hiring under vacancies, informal work, contributions and earnings.

One place for the phase. Both engines call the functions below: the fast engine's kernels
(abm.kernels.labour) loop over the columns in parallel and serve the hires in priority order; the Mesa
agents (abm.agents.household) call them for their own row. Each per-household function takes named
scalars and returns the household's new values, so the two engines cannot drift.

    columns read      status, group, hukou, age, sex, size, kids_school, kids_pre, spouse, spouse_age, urban_ss,
                      land, compensation (and the calendar year: the residents' pension)
    columns written   employment, sector, wage, insured, job_months, unemp_spell, unemp_ins_months,
                      pension_months, pension_streak, medical_months, pension_index, pension_account, pension,
                      trainings, skill, income
    behaviour         sep_formal, sep_informal, training_skill_gain, match_efficiency, match_elasticity,
                      informal_entry, second_earner, work_after_retirement, farm_income_per_mu (abm.parameters)
    rules             training_rate_*, training_cost, insurance_share_*, *_employee, *_employer,
                      unemployment_benefit*, pension_*, flexible_base, letting_income (abm.rules)
    flows             the funds' income and outgo (abm.phases.insurance.fund_flows; the medical fund's income,
                      abm.phases.health.contributions) and the residents' pension (budget_resident_pension), in
                      id order
    shared capacity   formal jobs by (sector, skill): hires per skill level this month (a matching function
                      of seekers and vacancies), given out in the order of each seeker's JOB_PRIORITY draw
"""

import math

from abm import decisions as dec
from abm import rng
from abm.decisions import jit
from abm.phases import insurance, priority_key
from abm.phases.lifecourse import SPOUSE_AWAY, SPOUSE_HOME, retirement_age
from abm.state import FORMAL, INFORMAL, INFORMAL_SECTOR, N_SKILLS, RETIRED, UNEMPLOYED

# random streams, by name (abm.rng: a stream's id is a hash of its name)
SEPARATION = rng.stream("labour.separation")
TRAINING = rng.stream("labour.training")
TRAINING_GAIN = rng.stream("labour.training_gain")
JOB_PRIORITY = rng.stream("labour.job_priority")
JOB_SECTOR = rng.stream("labour.job_sector")
JOB_COUNT = rng.stream("labour.job_count")  # a city draw, indexed by skill level
INSURED = rng.stream("labour.insured")
INFORMAL_ENTRY = rng.stream("labour.informal_entry")

# a household's job columns after a separation: employment, sector, wage, insured, job_months, unemp_spell
JOB_LOST = (UNEMPLOYED, -1, 0.0, 0, 0, 0)


@jit
def works(employment):
    """In a job, formal or informal (not unemployed, not retired)."""
    return employment == FORMAL or employment == INFORMAL


@jit
def seeks_formal_job(r, employment, age, sex, skill):
    """Looks for a formal job this month: not in one, not retired, and under the statutory retirement age."""
    return employment != FORMAL and employment != RETIRED and age < retirement_age(r, sex, skill)


@jit
def separate_and_train(p, r, seed, step, i, group, employment, skill, age, sex):
    """Household i's month at work: (loses its job, trained, skill after training). Training courses are for
    heads under the statutory retirement age."""
    loses = works(employment) and rng.draw(seed, step, i, SEPARATION) < dec.separation_prob(p, employment)
    trained = (rng.draw(seed, step, i, TRAINING) < dec.training_rate(r, group)
               and age < retirement_age(r, sex, skill))
    if trained and skill < N_SKILLS - 1 and rng.draw(seed, step, i, TRAINING_GAIN) < p[0].training_skill_gain:
        skill += 1
    return loses, trained, skill


@jit
def hires_this_month(p, seed, step, k, seekers, vacancies):
    """Formal hires at skill level k: the matching function, rounded by a city draw."""
    return int(math.floor(dec.hires(p, float(seekers), float(vacancies)) + rng.draw_at(seed, step, rng.CITY,
                                                                                      JOB_COUNT, k)))


@jit
def priority(seed, step, i):
    """Household i's place among this month's job seekers (lower is served first)."""
    return priority_key(seed, step, i, JOB_PRIORITY, 0.0)


@jit
def hire(r, seed, step, i, hukou, skill, vacancies, employed, wage):
    """Serve seeker i (of skill level `skill`) one of the vacancies, booking the job in `vacancies` and
    `employed` [sector, skill]: its (sector, wage, insured)."""
    sector = dec.hire_sector(vacancies[:, skill], rng.draw(seed, step, i, JOB_SECTOR))
    vacancies[sector, skill] -= 1
    employed[sector, skill] += 1
    insured = 1 if rng.draw(seed, step, i, INSURED) < dec.insured_share(r, hukou) else 0
    return sector, wage[sector, skill], insured


@jit
def takes_informal_work(p, seed, step, i, employment):
    """An unemployed household not hired this month starts informal work with this probability."""
    return employment == UNEMPLOYED and rng.draw(seed, step, i, INFORMAL_ENTRY) < p[0].informal_entry


INFORMAL_JOB = (INFORMAL, INFORMAL_SECTOR)  # employment and sector of informal work (wage by skill)


@jit
def other_earners(p, r, sex, skill, size, kids_school, kids_pre, spouse, spouse_age):
    """Adults other than the head who earn in the city: the members aged 15 and over at home less the head; a
    partner in the village earns nothing here, and a partner past the statutory retirement age (taken at the
    head's skill level, an assumption) counts as `work_after_retirement` of an earner (the share who work on)."""
    n = float(dec.adults(size, kids_school, kids_pre) - 1)
    if spouse == SPOUSE_AWAY:
        n -= 1.0
    elif spouse == SPOUSE_HOME and spouse_age >= retirement_age(r, 1 - sex, skill):
        n -= 1.0 - p[0].work_after_retirement
    return n if n > 0.0 else 0.0


@jit
def reference_wage(employment, wage, informal_wage):
    """The wage other adults' earnings are a share of: the head's when the head works, else the informal wage
    at the head's skill level (what a member without a formal job earns)."""
    return wage if works(employment) else informal_wage


@jit
def earnings(p, r, group, sex, skill, size, kids_school, kids_pre, spouse, spouse_age, employment, insured, wage,
             informal_wage, unemp_spell, unemp_ins_months, land, compensation, pension):
    """The household's monthly income before assistance (abm.decisions.household_income), with its other adults'
    earnings (`other_earners` at the `reference_wage`); `informal_wage` is the informal wage at the head's skill."""
    earners = other_earners(p, r, sex, skill, size, kids_school, kids_pre, spouse, spouse_age)
    return dec.household_income(p, r, group, wage, employment, insured, earners,
                                reference_wage(employment, wage, informal_wage), unemp_spell, unemp_ins_months,
                                land, compensation, pension)


@jit
def contribute_and_earn(p, r, avg_wage, year, group, hukou, age, sex, skill, size, kids_school, kids_pre, spouse,
                        spouse_age, employment, insured, urban_ss, wage, informal_wage, land, compensation, unemp_spell,
                        unemp_ins_months, pension_months, pension_streak, medical_months, pension_index,
                        pension_account, pension, savings):
    """The month's contributions, pension and income: (unemp_spell, unemp_ins_months, pension_months,
    pension_streak, medical_months, pension_index, pension_account, pension, lump_sum, resident, bought, savings,
    income) after it. `informal_wage` is the informal wage at the head's skill level, `avg_wage` the city's average wage,
    `year` the calendar year. The head's pension record accrues and, at the statutory age, is settled
    (abm.phases.insurance): the pension is income, a lump sum goes to savings; a local head without an employee
    pension may draw the residents' schemes' basic pension (`resident`, from the city's budget); a head on urban
    social security reaching the age short of the minimum years may have them bought in by the city (`bought`)."""
    if employment == UNEMPLOYED:
        unemp_spell += 1
    if employment == FORMAL and insured == 1:
        unemp_ins_months += 1
    if dec.contributes_pension(employment, insured, urban_ss):
        medical_months += 1
    pension_months, pension_streak, pension_index, pension_account = insurance.accrue(
        r, avg_wage, age, sex, skill, employment, insured, urban_ss, wage, pension_months, pension_streak,
        pension_index, pension_account)
    pension_months, pension_index, pension_account, bought = insurance.buy_in(
        r, avg_wage, age, sex, skill, urban_ss, pension_months, pension_index, pension_account, pension)
    pension, pension_account, lump_sum = insurance.settle_pension(r, avg_wage, age, sex, skill, pension_months,
                                                                  pension_index, pension_account, pension)
    resident = insurance.resident_pension(r, year, hukou, age, pension)
    income = earnings(p, r, group, sex, skill, size, kids_school, kids_pre, spouse, spouse_age, employment, insured,
                      wage, informal_wage, unemp_spell, unemp_ins_months, land, compensation, pension + resident)
    return (unemp_spell, unemp_ins_months, pension_months, pension_streak, medical_months, pension_index,
            pension_account, pension, lump_sum, resident, bought, savings + lump_sum, income)


@jit
def employer_contribution(r, employment, insured, wage):
    """What the employer pays into social insurance this month for a household's job: the wage times the
    statutory employer rates (pension, medical, unemployment) for an insured formal job, else nothing."""
    if employment == FORMAL and insured == 1:
        return wage * (r[0].pension_employer + r[0].medical_employer + r[0].unemployment_employer)
    return 0.0


# what each function returns, by name (the phase's unit cases in tests/phases/labour.yaml read them)
RETURNS = {
    "works": ("works",),
    "other_earners": ("earners",),
    "reference_wage": ("yuan",),
    "earnings": ("income",),
    "seeks_formal_job": ("seeks",),
    "separate_and_train": ("loses_job", "trained", "skill"),
    "hires_this_month": ("hires",),
    "priority": ("key",),
    "hire": ("sector", "wage", "insured"),
    "takes_informal_work": ("takes_it",),
    "employer_contribution": ("yuan",),
    "contribute_and_earn": ("unemp_spell", "unemp_ins_months", "pension_months", "pension_streak",
                            "medical_months", "pension_index", "pension_account", "pension", "lump_sum", "resident",
                            "bought", "savings", "income"),
}
