"""Social insurance that pays: the head's pension record and pension, unemployment benefit by contribution
years, and what each household puts into and takes out of the pension and unemployment funds this month.

The model keeps contribution records per household head (not per member): months of pension contributions
(`pension_months`), the sum of the monthly contribution indices (`pension_index`: own contribution wage over
the city's average wage, so that `pension_index / pension_months` is the average contribution index of the
2005 formula) and the personal account (`pension_account`, yuan). A head who dies takes the record along
(abm.kernels.lifecourse.book_events clears it for the new head; inheritance of the account is not modelled).
Called by the labour phase (abm.phases.labour.contribute_and_earn, both engines) and booked in id order by
the fast engine's serial pass (abm.kernels.labour) or by the Mesa agent for itself.

    columns read      age, sex, skill, employment, insured, urban_ss, wage, unemp_spell, unemp_ins_months
    columns written   pension_months, pension_streak, pension_index, pension_account, pension (via labour)
    city values       the city's average wage (World.avg_wage: the mean wage of the initial formal workers,
                      moved each January with the money index like every money value)
    rules             pension_employer, pension_employee, unemployment_employer, unemployment_employee,
                      pension_min_years, pension_accrual, flexible_base, unemployment_benefit, ss_buy_in,
                      pension_transfer_*, pension_withdrawal, resident_pension*,
                      unemployment_benefit_months_*, unemployment_qualifying_months, ss_subsidy (abm.rules)
    behaviour         past_coverage_urban, past_coverage_rural, career_start_age, rural_contributions_since
                      (the starting records)
    flows             pension_fund_income, pension_fund_outgo, pension_lump_sums, pension_transfers_out,
                      unemployment_fund_income, unemployment_fund_outgo, budget_resident_pension,
                      budget_insurance_subsidy (abm.state.FLOWS)

The 2005 formula (State Council Decision No. 38, 2005, section 6): a head retiring with at least
`pension_min_years` (15) years of contributions draws each month the basic pension = pooled part +
personal-account part, with

    pooled part   = (average wage + average wage x own average contribution index) / 2
                    x years of contributions x `pension_accrual` (1% a year)
    account part  = personal account / months divisor (139 at 60, 170 at 55, 195 at 50: the Decision's table
                    at the statutory ages; a head whose statutory age is between them takes the lower age's)

With fewer years the personal account is paid out as a lump sum at retirement (into savings) and no basic
pension is paid: State Council Decision No. 26 (1997) on a unified basic pension system for enterprise
employees, the rule in force for urban employees until the Social Insurance Law (2011, art. 16) let them
continue contributing. The personal account takes the employee's `pension_employee` (8%) of the contribution
wage (Decision No. 38, 2005, section 4). Pensions in payment and accounts move with the money index each
January (abm.world.World._index_money): the account is credited at the wage growth, an assumption.

Unemployment insurance (State Council Order No. 258, 1999, Regulations on Unemployment Insurance, arts. 14,
17): a head who loses an insured job after at least a year of contributions draws `unemployment_benefit` for
up to 12 months (1-5 years of contributions), 18 (5-10 years) or 24 (10 years or more) of the spell. Insured
months are cumulative and not used up by a claim (a simplification: the Order restarts the count). The level
is a city-profile rule: the Order (art. 18) puts it between the dibao line and the minimum wage, which
abm.city checks.

Also here: the records the starting population brings (`starting_record`: past coverage by hukou, existing
pensioners), what a departing head's record takes out of the fund (`transfer_out`: Guobanfa 2009 No. 66 from
2010, the personal account withdrawn before), the city's buy-in of a requisitioned farmer's missing years
(`buy_in`) and the residents' schemes' basic pension (`resident_pension`, from the city's budget).
"""

import numpy as np

from abm import decisions as dec
from abm import rng
from abm.decisions import MONTHS, jit
from abm.phases.lifecourse import retirement_age
from abm.state import FORMAL, URBAN_LOCAL

# random streams, by name
PAST_CAREER = rng.stream("insurance.past_career")  # whether a starting head's past working years were insured

# the benefit rules live with household income (abm.decisions), which adds the benefit; named here too
benefit_months = dec.benefit_months
unemployment_benefit = dec.unemployment_benefit


@jit
def months_divisor(statutory_age):
    """The personal account's months divisor at the statutory retirement age (Decision No. 38, 2005, table):
    139 at 60, 170 at 55, 195 at 50; an age between them takes the lower age's value."""
    if statutory_age >= 60:
        return 139.0
    if statutory_age >= 55:
        return 170.0
    return 195.0


@jit
def contribution_wage(r, avg_wage, employment, insured, urban_ss, wage):
    """The wage the head's contributions are paid on this month: the wage of an insured formal job; on urban
    social security without one, `flexible_base` times the average wage (the base of the self-employed and
    flexibly employed, Decision No. 38, 2005, section 3); else 0 (no contribution)."""
    if employment == FORMAL and insured == 1:
        return wage
    if urban_ss == 1:
        return r[0].flexible_base * avg_wage
    return 0.0


@jit
def accrue(r, avg_wage, age, sex, skill, employment, insured, urban_ss, wage, pension_months, pension_streak,
           pension_index, pension_account):
    """A month of pension contributions for a head under the statutory retirement age who contributes (an
    insured formal job, or urban social security): (pension_months, pension_streak, pension_index,
    pension_account) after it. The streak breaks in a month without contributions."""
    pension_index, pension_account = float(pension_index), float(pension_account)
    if dec.contributes_pension(employment, insured, urban_ss) and age < retirement_age(r, sex, skill):
        cw = contribution_wage(r, avg_wage, employment, insured, urban_ss, wage)
        pension_months += 1
        pension_streak += 1
        pension_index += cw / avg_wage if avg_wage > 0.0 else 0.0
        pension_account += r[0].pension_employee * cw
    else:
        pension_streak = 0
    return pension_months, pension_streak, pension_index, pension_account


@jit
def pooled_part(r, avg_wage, pension_months, pension_index):
    """The 2005 formula's pooled part for a record of `pension_months` (> 0): (average wage + average wage x own
    average contribution index) / 2 x years x `pension_accrual`."""
    own_index = float(pension_index) / pension_months
    return (avg_wage + avg_wage * own_index) / 2.0 * (pension_months / MONTHS) * r[0].pension_accrual


@jit
def basic_pension(r, avg_wage, statutory_age, pension_months, pension_index, pension_account):
    """The monthly basic pension of Decision No. 38 (2005) for this record, or 0 under `pension_min_years`."""
    if pension_months <= 0 or pension_months / MONTHS < r[0].pension_min_years:
        return 0.0
    return pooled_part(r, avg_wage, pension_months, pension_index) + float(pension_account) / months_divisor(
        statutory_age)


@jit
def rights_value(r, avg_wage, sex, skill, pension_months, pension_index, pension_account, pension):
    """What the head's pension rights are worth today (yuan): the pension in payment, or the pooled part its
    record has earned so far (the 2005 formula at today's average wage, whatever the years: the rights a head
    keeps on the books), times the months divisor at its statutory age (Decision No. 38, 2005: the months a
    pension is expected to be paid, used here as an undiscounted annuity factor, an assumption), plus the
    personal account. 0 without a record."""
    divisor = months_divisor(retirement_age(r, sex, skill))
    if pension > 0.0:
        return float(pension) * divisor
    if pension_months <= 0:
        return 0.0
    return pooled_part(r, avg_wage, pension_months, pension_index) * divisor + float(pension_account)


@jit
def settle_pension(r, avg_wage, age, sex, skill, pension_months, pension_index, pension_account, pension):
    """At the statutory age, once: a head with `pension_min_years` of contributions starts drawing the basic
    pension (the account is turned into it); one with fewer has the account paid out as a lump sum.
    Returns (pension, pension_account, lump_sum)."""
    pension, pension_account = float(pension), float(pension_account)
    statutory = retirement_age(r, sex, skill)
    if pension > 0.0 or age < statutory:
        return pension, pension_account, 0.0
    # rounded to the stored precision (float32), so the pension paid now is the one paid every month after
    monthly = float(np.float32(basic_pension(r, avg_wage, statutory, pension_months, pension_index, pension_account)))
    if monthly > 0.0:
        return monthly, 0.0, 0.0
    return 0.0, 0.0, pension_account


@jit
def buy_in(r, avg_wage, age, sex, skill, urban_ss, pension_months, pension_index, pension_account, pension):
    """Where `ss_buy_in` holds, a head on urban social security (requisitioned farmers joining the urban scheme)
    who reaches the statutory age with fewer than `pension_min_years` of contributions has the missing months
    bought in by the city at the flexible workers' base (`flexible_base` x the average wage; employer and
    employee rates), so the scheme it joined pays it a pension (the Social Insurance Law, 2011, art. 16, lets a
    member pay up to 15 years; who pays the farmers' buy-in is the city's choice here, an assumption).
    Returns (pension_months, pension_index, pension_account, cost), cost paid into the pension fund."""
    pension_index, pension_account = float(pension_index), float(pension_account)
    need = int(r[0].pension_min_years) * MONTHS
    if (r[0].ss_buy_in != 1 or urban_ss != 1 or pension > 0.0 or pension_months >= need
            or age < retirement_age(r, sex, skill)):
        return pension_months, pension_index, pension_account, 0.0
    missing = need - pension_months
    base = r[0].flexible_base * avg_wage
    cost = missing * (r[0].pension_employer + r[0].pension_employee) * base
    return (need, pension_index + missing * r[0].flexible_base,
            pension_account + missing * r[0].pension_employee * base, cost)


@jit
def fund_flows(r, avg_wage, age, sex, skill, employment, insured, urban_ss, wage, unemp_spell, unemp_ins_months,
               pension, lump_sum):
    """What this household puts into and takes out of the funds this month, after its contributions and
    earnings: (pension_in, pension_out, unemployment_in, unemployment_out).

    pension_in    employer and employee pension contributions (`pension_employer` + `pension_employee`) on the
                  contribution wage of a head under the statutory age in an insured formal job; and for a
                  household on urban social security, the city's subsidy `ss_subsidy` (what the model has paying
                  for its cover: the household's own contribution is not modelled), with or without such a job,
                  as the accounts phase books the same subsidy on `budget_insurance_subsidy` every month, so the
                  city's payment and the fund's receipt are one amount
    pension_out   the monthly pension and any lump sum paid
    unemployment  contributions (`unemployment_employer` + `unemployment_employee`) of an insured formal job;
                  the benefit paid
    """
    pension_in = 0.0
    unemployment_in = 0.0
    if employment == FORMAL and insured == 1:
        if age < retirement_age(r, sex, skill):
            pension_in = (r[0].pension_employer + r[0].pension_employee) * wage
        unemployment_in = (r[0].unemployment_employer + r[0].unemployment_employee) * wage
    if urban_ss == 1:
        pension_in += r[0].ss_subsidy
    pension_out = float(pension) + lump_sum
    return pension_in, pension_out, unemployment_in, unemployment_benefit(r, employment, unemp_spell,
                                                                          unemp_ins_months)


@jit
def past_months(p, r, year, hukou, age, sex, skill, spell_months):
    """Working months before the current spell that a starting head's record can hold: from `career_start_age` to
    the statutory age (or today, if younger), less the current spell's `spell_months`; for a head without urban
    hukou only the years since `rural_contributions_since` (an urban-hukou head's earlier years count as deemed
    contribution years, State Council Decision No. 26, 1997)."""
    end_age = min(age, retirement_age(r, sex, skill))
    months = max(0, (end_age - int(p[0].career_start_age)) * MONTHS)
    if hukou != URBAN_LOCAL:
        end_year = year - (age - end_age)  # the year the head reached the statutory age, or this year
        months = min(months, max(0, end_year - int(p[0].rural_contributions_since)) * MONTHS)
    return max(0, months - spell_months)


@jit
def starting_record(p, r, seed, step, i, year, avg_wage, hukou, age, sex, skill, wage, skill_wage, pension_months):
    """The pension record a head brings into the model (the synthetic population, entries into poverty), given
    the current insured spell's `pension_months` (0 without one) at `wage`: (pension_months, pension_index,
    pension_account, pension).

    With probability `past_coverage_urban` (urban hukou) or `past_coverage_rural` (others) the head's working
    years before the spell (`past_months`) were all insured, else none were (an assumption on how coverage is
    spread: whole careers, so the share of past worker-years insured is the coverage rate), at the contribution
    index of a formal job at the head's skill (`skill_wage` / `avg_wage`). The account holds the employee's
    `pension_employee` of those contribution wages at today's wage level (credited at wage growth, as in the
    model). A head at or past the statutory age retired with that record: with `pension_min_years` of it the head
    draws the 2005 basic pension at today's average wage (the account turned into it), else the account was paid
    out before the start and the record is closed (all zero)."""
    statutory = retirement_age(r, sex, skill)
    spell = pension_months if age < statutory else 0
    cover = p[0].past_coverage_urban if hukou == URBAN_LOCAL else p[0].past_coverage_rural
    past = 0
    if rng.draw(seed, step, i, PAST_CAREER) < cover:
        past = past_months(p, r, year, hukou, age, sex, skill, spell)
    if avg_wage <= 0.0:
        return spell, 0.0, 0.0, 0.0
    index = (spell * wage + past * skill_wage) / avg_wage
    months = spell + past
    account = r[0].pension_employee * avg_wage * index
    if age < statutory:
        return months, index, account, 0.0
    pension = float(np.float32(basic_pension(r, avg_wage, statutory, months, index, account)))
    if pension > 0.0:
        return months, index, 0.0, pension
    return 0, 0.0, 0.0, 0.0


@jit
def transfer_out(r, year, avg_wage, hukou, pension_months, pension_index, pension_account, pension):
    """What a departing head's record takes out of the city's pension fund (yuan, once).

    From `pension_transfer_from` (1 January 2010, State Council Office 2009 No. 66, art. 3): the personal account
    in full and `pension_transfer_pooled` (12%) of each year's contribution wages from the pooled fund, the sum of
    those wages approximated by the contribution indices times today's average wage. Before it, where
    `pension_withdrawal` holds, a head without urban hukou withdraws the personal account ("tuibao") and the
    pooled contributions stay; an urban-hukou head's record stays with the city (it is kept, nothing is paid).
    A head drawing a pension, or without a record, takes nothing."""
    if pension > 0.0 or pension_months <= 0:
        return 0.0
    if year >= r[0].pension_transfer_from:
        return float(pension_account) + r[0].pension_transfer_pooled * avg_wage * float(pension_index)
    if r[0].pension_withdrawal == 1 and hukou != URBAN_LOCAL:
        return float(pension_account)
    return 0.0


@jit
def resident_pension(r, year, hukou, age, pension):
    """The basic pension of the residents' schemes this month: `resident_pension` to a head with local hukou aged
    `resident_pension_age` or more who draws no employee pension, from `resident_pension_from` (the New Rural
    Social Pension Scheme, State Council Guiding Opinion 2009 No. 32; the urban residents' scheme, 2011 No. 18;
    merged 2014, No. 8). Paid by the city's budget. A migrant's scheme is in the home county, not here."""
    if (year >= r[0].resident_pension_from and dec.is_local(hukou) and age >= r[0].resident_pension_age
            and pension <= 0.0):
        return r[0].resident_pension
    return 0.0


# what each function returns, by name (the phase's unit cases in tests/phases/insurance.yaml read them)
RETURNS = {
    "months_divisor": ("months",),
    "contribution_wage": ("yuan",),
    "accrue": ("pension_months", "pension_streak", "pension_index", "pension_account"),
    "pooled_part": ("yuan",),
    "basic_pension": ("yuan",),
    "rights_value": ("yuan",),
    "settle_pension": ("pension", "pension_account", "lump_sum"),
    "benefit_months": ("months",),
    "unemployment_benefit": ("yuan",),
    "fund_flows": ("pension_in", "pension_out", "unemployment_in", "unemployment_out"),
    "buy_in": ("pension_months", "pension_index", "pension_account", "cost"),
    "past_months": ("months",),
    "starting_record": ("pension_months", "pension_index", "pension_account", "pension"),
    "transfer_out": ("yuan",),
    "resident_pension": ("yuan",),
}
