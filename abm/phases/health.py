"""Health: inpatient episodes of the household's members, what each member's medical scheme reimburses, what
the household pays out of pocket this month, and whether that spending is catastrophic; and what the urban
employee medical insurance takes in.

One place for the phase: the fast engine (abm.kernels.welfare.health) decides every household's month in
parallel and books the ledger in id order; the Mesa agent (Household.fall_ill) does both for itself. Both call
`fall_ill` and `episodes`. The phase runs just before assistance, which reads its shock (a catastrophic episode)
for temporary assistance; the money paid comes out of this month's income, then savings, so poverty (income per
person), the minimum living allowance, the leaving hazard (income below the poverty line; savings below zero,
`haz_debt`) and the accounts all see it.

    columns read      age, spouse, spouse_age, kid_age0..3, hukou, urban_ss, employment, insured, pension, size
    columns written   income, savings
    behaviour         hosp_rate_child, hosp_rate_adult, hosp_rate_old, catastrophic_share (abm.parameters)
    rules             inpatient_cost (yuan, moved with the money index each January), uebmi_reimbursement,
                      urbmi_reimbursement, nrcms_reimbursement, nrcms_nonlocal_share, medical_employer,
                      medical_employee, dibao lines (the subsistence of the capacity to pay) (abm.rules)
    flows             health_episodes, health_out_of_pocket, catastrophic_health, health_reimbursements,
                      medical_fund_outgo (the employee scheme's reimbursements), budget_insurance_subsidy (the
                      resident schemes' reimbursements); medical_fund_income is booked with the other funds in
                      the labour phase (abm.kernels.labour.book_funds, `contributions`)

Members: the head (`age`), a partner living with the family (`spouse` with_family, `spouse_age`; a partner in
the village is treated and insured there and is left out) and up to four children (`kid_age0..3`, all counted:
the household pays for their care wherever they are). Each has an inpatient episode this month with the
monthly probability of its age band's yearly rate (0-14, 15-59, 60 and over), at most one a month, costing
`inpatient_cost` (the national average per admission; outpatient care is not modelled).

Schemes (one per member):
    employee          the urban employee basic medical insurance (UEBMI): the head in an insured formal job, or
                      drawing a basic pension (retirees keep their cover without contributing). It covers the
                      worker only, not the family (as in China): the other members take their own scheme below
    urban resident    urban resident basic medical insurance (URBMI): urban or converted hukou, or a household
                      on urban social security, without employee cover; from 2009, when it went nationwide after
                      the 2007 pilots (State Council Guofa [2007] No. 20; Lin, Liu & Chen, Health Econ 18, 2009)
    NRCMS, local      the New Rural Cooperative Medical Scheme: local rural hukou
    NRCMS, non-local  a migrant (non-local rural hukou) treated in the city: `nrcms_nonlocal_share` of the local
                      rate (0 by default: the home county paid nothing for care away from home, Xinhua 2012)
Everyone eligible is taken to be enrolled (NRCMS enrolment was 94% in 2009; URBMI is voluntary: an assumption).
The UEBMI's personal accounts are not modelled: its pooled fund takes the whole contribution (employer
`medical_employer` 8% + employee `medical_employee` 2% of the insured wage; the employee's 2% is already
deducted from household income with the other employee rates, abm.decisions.labour_income) and pays the
reimbursements: abm.state.FUNDS' "medical" fund. The resident schemes' premiums are not modelled either; their
reimbursements are booked as public spending on `budget_insurance_subsidy` (both schemes were mostly publicly
funded). A non-local migrant's NRCMS reimbursement is paid by the home county: neither the city nor its fund.

Catastrophic spending: out of pocket above `catastrophic_share` (WHO, 40%) of a year's capacity to pay, the
household's monthly income less its subsistence (the dibao line per person, an assumption for the food
spending of Xu et al.) times 12. The whole episode is paid in its month: from income down to zero, the rest
from savings (which may fall below zero: debt).
"""

from abm import decisions as dec
from abm import rng
from abm.decisions import MONTHS, jit
from abm.phases.lifecourse import N_KIDS, SPOUSE_HOME
from abm.state import FORMAL, RURAL_LOCAL

# random streams, by name
EPISODE = rng.stream("health.episode")  # indexed by member: 0 the head, 1 the partner, 2.. the children

# medical schemes
NO_SCHEME, EMPLOYEE, URBAN_RESIDENT, NRCMS_LOCAL, NRCMS_AWAY = range(5)
SCHEMES = ("none", "employee", "urban_resident", "nrcms_local", "nrcms_nonlocal")
URBAN_RESIDENT_YEAR = 2009  # URBMI nationwide (pilots from 2007)
N_MEMBERS = 2 + N_KIDS


@jit
def episode_prob(p, age):
    """A member's monthly probability of an inpatient episode: its age band's yearly rate, spread evenly over
    the months (1 - (1 - a)^(1/12))."""
    if age < 15:
        a = p[0].hosp_rate_child
    elif age < 60:
        a = p[0].hosp_rate_adult
    else:
        a = p[0].hosp_rate_old
    return 1.0 - (1.0 - a) ** (1.0 / MONTHS)


@jit
def employee_covered(employment, insured, pension):
    """The head is in the urban employee medical insurance: an insured formal job, or a basic pension drawn."""
    return (employment == FORMAL and insured == 1) or pension > 0.0


@jit
def scheme(year, hukou, urban_ss, employee):
    """A member's medical scheme (`employee`: the head covered by the employee insurance)."""
    if employee:
        return EMPLOYEE
    if dec.has_urban_hukou(hukou) or urban_ss == 1:
        return URBAN_RESIDENT if year >= URBAN_RESIDENT_YEAR else NO_SCHEME
    if hukou == RURAL_LOCAL:
        return NRCMS_LOCAL
    return NRCMS_AWAY


@jit
def reimbursement_rate(r, medical_scheme):
    """The share of an inpatient episode's cost that the scheme pays."""
    if medical_scheme == EMPLOYEE:
        return r[0].uebmi_reimbursement
    if medical_scheme == URBAN_RESIDENT:
        return r[0].urbmi_reimbursement
    if medical_scheme == NRCMS_LOCAL:
        return r[0].nrcms_reimbursement
    if medical_scheme == NRCMS_AWAY:
        return r[0].nrcms_reimbursement * r[0].nrcms_nonlocal_share
    return 0.0


@jit
def episodes(p, r, seed, step, i, year, hukou, urban_ss, employment, insured, pension, age, spouse, spouse_age,
             kids):
    """Household i's inpatient episodes this month: (episodes, cost, employee_pays, resident_pays, away_pays):
    the reimbursements of the employee insurance (the medical fund), of the urban resident insurance and the
    local NRCMS (the city), and of a migrant's home-county NRCMS."""
    n, cost, employee_pays, resident_pays, away_pays = 0, 0.0, 0.0, 0.0, 0.0
    c = r[0].inpatient_cost
    head_employee = employee_covered(employment, insured, pension)
    for m in range(N_MEMBERS):
        if m == 0:
            a, s = int(age), scheme(year, hukou, urban_ss, head_employee)
        elif m == 1:
            if spouse != SPOUSE_HOME:
                continue
            a, s = int(spouse_age), scheme(year, hukou, urban_ss, False)
        else:
            a, s = int(kids[m - 2]), scheme(year, hukou, urban_ss, False)
            if a < 0:
                continue
        if rng.draw_at(seed, step, i, EPISODE, m) < episode_prob(p, a):
            n += 1
            cost += c
            pays = c * reimbursement_rate(r, s)
            if s == EMPLOYEE:
                employee_pays += pays
            elif s == NRCMS_AWAY:
                away_pays += pays
            else:
                resident_pays += pays
    return n, cost, employee_pays, resident_pays, away_pays


@jit
def capacity_to_pay(r, hukou, urban_ss, size, income):
    """A month's capacity to pay for health care: income less subsistence (the household's dibao line per
    person), not below 0."""
    return max(income - dec.dibao_line(r, hukou, urban_ss) * size, 0.0)


@jit
def pay(p, r, hukou, urban_ss, size, income, savings, out_of_pocket):
    """Pay this month's out-of-pocket spending from income down to zero, the rest from savings:
    (income, savings, catastrophic), catastrophic 1 when the spending is above `catastrophic_share` of a year's
    capacity to pay."""
    if out_of_pocket <= 0.0:
        return income, savings, 0
    year_capacity = MONTHS * capacity_to_pay(r, hukou, urban_ss, size, income)
    catastrophic = 1 if out_of_pocket > p[0].catastrophic_share * year_capacity else 0
    from_income = min(out_of_pocket, max(income, 0.0))
    return income - from_income, savings - (out_of_pocket - from_income), catastrophic


@jit
def fall_ill(p, r, seed, step, i, year, hukou, urban_ss, employment, insured, pension, age, spouse, spouse_age,
             kids, size, income, savings):
    """Household i's month of health: (income, savings, episodes, out_of_pocket, catastrophic)."""
    n, cost, employee_pays, resident_pays, away_pays = episodes(p, r, seed, step, i, year, hukou, urban_ss,
                                                                employment, insured, pension, age, spouse,
                                                                spouse_age, kids)
    oop = cost - employee_pays - resident_pays - away_pays
    income, savings, catastrophic = pay(p, r, hukou, urban_ss, size, income, savings, oop)
    return income, savings, n, oop, catastrophic


@jit
def contributions(r, employment, insured, wage):
    """What the employee medical insurance takes in for a household's job this month: the employer's and the
    employee's rates on the wage of an insured formal job."""
    if employment == FORMAL and insured == 1:
        return (r[0].medical_employer + r[0].medical_employee) * wage
    return 0.0


# what each function returns, by name (the phase's unit cases in tests/phases/health.yaml read them)
RETURNS = {
    "episode_prob": ("prob",),
    "employee_covered": ("covered",),
    "scheme": ("scheme",),
    "reimbursement_rate": ("share",),
    "episodes": ("episodes", "cost", "employee_pays", "resident_pays", "away_pays"),
    "capacity_to_pay": ("yuan",),
    "pay": ("income", "savings", "catastrophic"),
    "fall_ill": ("income", "savings", "episodes", "out_of_pocket", "catastrophic"),
    "contributions": ("yuan",),
}
