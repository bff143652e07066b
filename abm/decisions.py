"""Every decision a household makes, as a small scalar function.

These functions are the single source of truth for behaviour: the Numba
kernels call them over the arrays and the Mesa agents call them for their own
row, so both engines decide identically. `p` is the behaviour-parameter record
and `r` the record of rules in force (see abm.parameters and abm.rules), each a
one-element structured array read as `p[0].name`.
"""

import math

import numpy as np
from numba import njit

from abm.rules import HUKOU_FIRST, NEIGHBOURHOOD_RULE, POINTS_RULE, REGISTRATION_RULE
from abm.state import (
    COMPOUND,
    CONVERTED,
    DORMITORY,
    FARMER,
    FORMAL,
    INFORMAL,
    LEFT_BEHIND,
    MIGRANT,
    NO_HOME,
    NOT_ENROLLED,
    OWNED,
    PRIVATE_MIGRANT,
    PRIVATE_RENTAL,
    PUBLIC,
    PUBLIC_RENTAL,
    RESETTLEMENT,
    RURAL_LOCAL,
    RURAL_NONLOCAL,
    UNEMPLOYED,
    URBAN_LOCAL,
    URBAN_VILLAGE,
)

EXCLUDED = 99  # admission class of a child with no claim to a public seat
# Inlined into their callers (Numba's own inlining): a call of a small function that is not inlined costs a
# reference count and a descriptor for each array passed (the records p and r), which made the phases' loops
# two to five times slower than their arithmetic. (Passing the records p[0], r[0] instead is fast inside the
# kernels but crosses from Python ten times slower, which made the Mesa engine nine times slower.) From
# Python (the Mesa engine, the unit cases) they compile as ordinary functions.
jit = njit(cache=True, inline="always")


@jit
def logistic(x):
    return 1.0 / (1.0 + math.exp(-x))


@jit
def choose(utilities, available, u):
    """Multinomial-logit choice among the available options with one uniform draw.

    Returns the index chosen, or -1 if nothing is available. Inverse-CDF over
    exp(utility - max), so the same `u` always picks the same option.
    """
    best = -1e300
    for k in range(utilities.shape[0]):
        if available[k] and utilities[k] > best:
            best = utilities[k]
    if best == -1e300:
        return -1
    total = 0.0
    for k in range(utilities.shape[0]):
        if available[k]:
            total += math.exp(utilities[k] - best)
    target = u * total
    acc = 0.0
    last = -1
    for k in range(utilities.shape[0]):
        if available[k]:
            acc += math.exp(utilities[k] - best)
            last = k
            if target < acc:
                return k
    return last


# ---- labour -------------------------------------------------------------------------------------

@jit
def separation_prob(p, employment):
    if employment == FORMAL:
        return p[0].sep_formal
    if employment == INFORMAL:
        return p[0].sep_informal
    return 0.0


@jit
def training_rate(r, group):
    if group == MIGRANT:
        return r[0].training_rate_migrant
    if group == FARMER:
        return r[0].training_rate_farmer
    return r[0].training_rate_poor


@jit
def is_local(hukou):
    return hukou != RURAL_NONLOCAL


@jit
def has_urban_hukou(hukou):
    return hukou == URBAN_LOCAL or hukou == CONVERTED


@jit
def insured_share(r, hukou):
    return r[0].insurance_share_local if is_local(hukou) else r[0].insurance_share_migrant


@jit
def employee_rate(r):
    return r[0].pension_employee + r[0].medical_employee + r[0].unemployment_employee


@jit
def adults(size, kids_school, kids_pre):
    a = size - kids_school - kids_pre
    return a if a > 1 else 1


@jit
def labour_income(p, r, wage, insured, earners, ref_wage):
    """Household earnings net of employee contributions: the head's wage, and `second_earner` times the
    reference wage (the head's when the head works, else the informal wage at the head's skill level) for the
    other adults who earn (`earners`, abm.phases.labour.other_earners; at most one counted, as before)."""
    net = wage * (1.0 - employee_rate(r)) if insured else wage
    net += p[0].second_earner * ref_wage * min(earners, 1.0)
    return net


@jit
def farm_income(p, land):
    return p[0].farm_income_per_mu * land


MONTHS = 12


@jit
def benefit_months(r, unemp_ins_months):
    """The longest unemployment-benefit spell for this many insured months (State Council Order No. 258, 1999,
    art. 17): none under `unemployment_qualifying_months` (art. 14: a year), then 12 / 18 / 24 months for
    1-5 / 5-10 / 10 or more years of contributions."""
    if unemp_ins_months < r[0].unemployment_qualifying_months:
        return 0
    if unemp_ins_months < 5 * MONTHS:
        return int(r[0].unemployment_benefit_months_1_5y)
    if unemp_ins_months < 10 * MONTHS:
        return int(r[0].unemployment_benefit_months_5_10y)
    return int(r[0].unemployment_benefit_months_10y)


@jit
def unemployment_benefit(r, employment, unemp_spell, unemp_ins_months):
    """The benefit paid this month: `unemployment_benefit` to an unemployed head within the spell's months."""
    if employment == UNEMPLOYED and unemp_spell <= benefit_months(r, unemp_ins_months):
        return r[0].unemployment_benefit
    return 0.0


@jit
def letting_income(r, group, land, compensation):
    """Requisitioned farmer households may let space in their new houses (Yiwu's converted villages)."""
    if group == FARMER and land <= 0.0 and compensation > 0.0:
        return r[0].letting_income
    return 0.0


@jit
def household_income(p, r, group, wage, employment, insured, earners, ref_wage, unemp_spell, unemp_ins_months, land,
                     compensation, pension):
    """Monthly income before assistance: earnings net of contributions, unemployment benefit, the head's pension
    (abm.phases.insurance), farm and letting income."""
    contributing = employment == FORMAL and insured == 1
    return (labour_income(p, r, wage, contributing, earners, ref_wage)
            + unemployment_benefit(r, employment, unemp_spell, unemp_ins_months) + farm_income(p, land)
            + letting_income(r, group, land, compensation) + float(pension))


@jit
def hire_sector(vac, u):
    """The formal sector a hire goes to, drawn in proportion to its open vacancies (`vac`: one skill's
    vacancies by sector, some open; `u`: the hire's draw)."""
    total = 0
    for s in range(vac.shape[0]):
        total += vac[s]
    target = u * total
    acc = 0
    for s in range(vac.shape[0]):
        acc += vac[s]
        if target < acc and vac[s] > 0:
            return s
    return vac.shape[0] - 1


@jit
def hires(p, seekers, vacancies):
    """Cobb-Douglas matching: hires this month for one skill level (a real number)."""
    if seekers <= 0 or vacancies <= 0:
        return 0.0
    m = p[0].match_efficiency * seekers ** p[0].match_elasticity * vacancies ** (1.0 - p[0].match_elasticity)
    return min(m, float(seekers), float(vacancies))


# ---- housing ------------------------------------------------------------------------------------

@jit
def tenure_quality(p, t):
    if t == URBAN_VILLAGE:
        return p[0].quality_urban_village
    if t == DORMITORY:
        return p[0].quality_dormitory
    if t == PRIVATE_RENTAL:
        return p[0].quality_private_rental
    if t == COMPOUND:
        return p[0].quality_compound
    if t == PUBLIC_RENTAL:
        return p[0].quality_public_rental
    if t == OWNED:
        return p[0].quality_owned
    return p[0].quality_resettlement


@jit
def tenure_rent(r, t, market_rent, income):
    if t == DORMITORY:
        return r[0].dormitory_rent
    if t == COMPOUND:
        return r[0].compound_rent_share * income
    if t == PUBLIC_RENTAL:
        return r[0].public_rental_rent
    if t == OWNED or t == RESETTLEMENT:
        return 0.0
    return market_rent


@jit
def rent_burden(rent, income):
    if rent <= 0.0:
        return 0.0
    if income <= 0.0:
        return 1.0
    return min(rent / income, 1.0)


@jit
def tenure_eligible(p, r, t, group, hukou, employment, sector, skill, age, size, income, months_in_city,
                    savings, downpayment):
    if t == URBAN_VILLAGE or t == PRIVATE_RENTAL:
        return True
    if t == DORMITORY:
        return employment == FORMAL and (sector == 0 or sector == 1)
    if t == COMPOUND:
        return r[0].compound_open > 0 and group == MIGRANT and employment != UNEMPLOYED
    if t == PUBLIC_RENTAL:
        if is_local(hukou) and income / size < r[0].public_rental_income_line:
            return True
        if (r[0].public_rental_migrants > 0 and group == MIGRANT and employment == FORMAL
                and months_in_city >= 12 * r[0].public_rental_migrant_years):
            return True
        return r[0].public_rental_graduates > 0 and skill == 2 and age < 30
    if t == OWNED:
        return savings >= downpayment
    return False  # resettlement apartments are assigned, not chosen


@jit
def tenure_utility(p, t, rent, income, current):
    u = tenure_quality(p, t) - p[0].tenure_cost_coef * rent_burden(rent, income)
    if t != current:
        u -= p[0].moving_cost
    return u


@jit
def district_utility(p, kids_school, school_access, services):
    """What a district is worth to a searcher besides its homes: free public seats for a family with
    school-age children, and the committee's staff per 1,000 households."""
    u = p[0].services_coef * services
    if kids_school > 0:
        u += p[0].school_access_coef * school_access
    return u


@jit
def choose_weighted(weights, u):
    """Multinomial-logit choice from precomputed weights exp(utility - a constant), 0 for an option not open,
    with one uniform draw (inverse CDF, as `choose`); -1 if no option has weight."""
    total = 0.0
    for k in range(weights.shape[0]):
        total += weights[k]
    if total <= 0.0:
        return -1
    target = u * total
    acc = 0.0
    last = -1
    for k in range(weights.shape[0]):
        if weights[k] > 0.0:
            acc += weights[k]
            last = k
            if target < acc:
                return k
    return last


@jit
def search_prob(p, tenure, burden):
    if tenure == NO_HOME:
        return 1.0
    if burden > p[0].burden_threshold:
        return p[0].search_burden
    return p[0].search_base


@jit
def secure_tenure(t):
    return t == OWNED or t == PUBLIC_RENTAL or t == COMPOUND or t == RESETTLEMENT


# ---- registration and hukou ---------------------------------------------------------------------

@jit
def registration_prob(p, r, months_in_city, coproducing):
    q = p[0]
    x = q.reg_const + q.reg_services * r[0].reg_services_tied + q.reg_years * months_in_city / 12.0
    if coproducing:
        x += q.reg_coproduction
    return logistic(x)


@jit
def joins_coproduction(r, u_household):
    """Whether a household takes part in co-production, from its own fixed draw (the same every month)."""
    return u_household < r[0].coproduction_participation


@jit
def hukou_eligible(r, hukou, registered, tenure, employment, job_months, pension_streak):
    """Two routes to local hukou: owning a home (the status quo), or, where the rules open it, renting a
    fixed home (not an urban-village room or a dormitory) with a stable job and years of contributions."""
    if hukou != RURAL_NONLOCAL:
        return False
    if r[0].hukou_needs_registration > 0 and registered == 0:
        return False
    if tenure == OWNED:
        return True
    if r[0].hukou_needs_owned > 0 and r[0].hukou_rented_ok == 0:
        return False
    if tenure == NO_HOME or tenure == URBAN_VILLAGE or tenure == DORMITORY:
        return False
    if r[0].hukou_job_months > 0 and (employment != FORMAL or job_months < r[0].hukou_job_months):
        return False
    return pension_streak >= 12 * r[0].hukou_pension_years


# ---- schooling ----------------------------------------------------------------------------------

@jit
def points_score(r, skill, pension_months, months_in_city, tenure):
    s = r[0].points_skill * skill + r[0].points_insured_year * pension_months / 12.0
    s += r[0].points_residence_year * months_in_city / 12.0
    if tenure == OWNED:
        s += r[0].points_property
    return s


@jit
def admission_class(r, hukou, registered, points, skill):
    """Priority class for a public seat: lower is served first; EXCLUDED has no claim."""
    if is_local(hukou):
        return 0
    rule = int(r[0].school_rule)
    if rule == NEIGHBOURHOOD_RULE:
        return 0
    if rule == REGISTRATION_RULE and registered > 0:
        return 0
    if rule == HUKOU_FIRST and r[0].reg_services_tied > 0 and registered > 0:
        return 1
    if rule == POINTS_RULE:
        if r[0].points_assured_skill > 0 and skill >= 2:
            return 0
        band = int(max(0.0, 100.0 - points) // 10.0)
        return 1 + min(band, 9)
    if r[0].school_leftover_to_migrants > 0 and (registered > 0 or r[0].leftover_needs_registration == 0):
        return 20
    return EXCLUDED


@jit
def school_alternative(p, r, group, kids, income, private_available, u):
    """Where children go without a public seat: private migrant school, left behind, not enrolled."""
    util = np.empty(3)
    avail = np.empty(3, dtype=np.bool_)
    fee = r[0].private_school_fee * kids
    util[0] = r[0].migrant_school_quality - p[0].school_fee_coef * rent_burden(fee, income)
    avail[0] = private_available
    util[1] = p[0].left_behind_const
    avail[1] = group == MIGRANT
    util[2] = p[0].not_enrolled_const
    avail[2] = True
    k = choose(util, avail, u)
    if k == 0:
        return PRIVATE_MIGRANT
    if k == 1:
        return LEFT_BEHIND
    return NOT_ENROLLED


@jit
def school_fee(r, school, kids):
    return r[0].private_school_fee * kids if school == PRIVATE_MIGRANT else 0.0


# ---- assistance ---------------------------------------------------------------------------------

@jit
def dibao_line(r, hukou, urban_ss):
    """Rural local hukou holders get the rural line, unless they have moved onto urban social security."""
    return r[0].dibao_line_rural if hukou == RURAL_LOCAL and urban_ss == 0 else r[0].dibao_line_urban


@jit
def dibao_eligible(r, hukou, registered):
    if is_local(hukou):
        return True
    return r[0].dibao_migrants > 0 and registered > 0


@jit
def temp_assist_eligible(r, hukou, employment, savings, shock, pc_income, line):
    """Temporary assistance is for a household in hardship after a sudden shock this month (a catastrophic health
    episode, a disaster or accident): savings used up, or income per person below its dibao line `line`
    (Yanta: low-income resident migrant households in basic hardship after a sudden event or force majeure may
    apply; one-off aid where a member's illness, a disaster or an accident leaves the family in serious hardship,
    seeds/001_fd4b46c307f335a2.txt, social assistance row). With `temp_assist_unemployed`, also an unemployed
    household without savings, every month. Migrants only where `temp_assist_migrants`."""
    if not (is_local(hukou) or r[0].temp_assist_migrants > 0):
        return False
    if shock and (savings <= 0.0 or pc_income < line):
        return True
    return r[0].temp_assist_unemployed > 0 and employment == UNEMPLOYED and savings <= 0.0


# ---- settle or leave ----------------------------------------------------------------------------

@jit
def leave_hazard(p, group, hukou, unemp_spell, pc_income, poverty_line, burden, school, insured,
                 tenure, coproducing, in_debt):
    """Monthly hazard of leaving the city (proportional hazard)."""
    base = base_hazard(p, group)
    x = p[0].haz_unemployment * min(unemp_spell, 24) / 12.0
    if pc_income < poverty_line:
        x += p[0].haz_poverty
    if in_debt:
        x += p[0].haz_debt
    x += p[0].haz_rent * burden
    if school == LEFT_BEHIND:
        x += p[0].haz_left_behind
    if has_urban_hukou(hukou):
        x -= p[0].haz_hukou
    if insured:
        x -= p[0].haz_insured
    if school == PUBLIC:
        x -= p[0].haz_school
    if secure_tenure(tenure):
        x -= p[0].haz_tenure
    if coproducing:
        x -= p[0].haz_integration
    return base * math.exp(x)


@jit
def contributes_pension(employment, insured, urban_ss):
    return (employment == FORMAL and insured == 1) or urban_ss == 1


@jit
def base_hazard(p, group):
    return p[0].hazard_migrant if group == MIGRANT else p[0].hazard_local


@jit
def leave_prob(hazard):
    return 1.0 - math.exp(-hazard)

