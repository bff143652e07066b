"""The indicators, each declared once by name with its formula, and the kernel that computes them.

Both engines call `compute` on the same columns after every step, so the
indicator definitions cannot drift between engines. Values come out in
real-city units: counts and money are multiplied by the run's `scale`.
Undefined rates (a share of nothing, such as the enrolment rate of a group
with no school-age children) are reported as 0.

An indicator is a formula (`count`, `ratio`, `flow`, `budget`, `resident_share`) over named
per-household sums (declared with `_quantity` and added up in `_accumulate`, one parallel pass) and the
month's flows (`abm.state.FLOWS`). A new indicator over existing sums and flows is one declaration.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from abm import decisions as dec
from abm.distribution import AGE_BANDS, CHUNK, median_per_person, pyramid  # noqa: F401  (re-exported)
from abm.market import segregation
from abm.phases import health, insurance, labour
from abm.phases.lifecourse import SPOUSE_AWAY
from abm.state import (
    BUDGET_LINES,
    FLOWS,
    FUNDS,
    ACTIVE,
    COMPOUND,
    FORMAL,
    INFORMAL,
    LEFT_BEHIND,
    NO_HOME,
    NOT_ENROLLED,
    PRIVATE_MIGRANT,
    PRIVATE_RENTAL,
    PUBLIC,
    PUBLIC_RENTAL,
    RETIRED,
    RURAL_NONLOCAL,
    URBAN_VILLAGE,
)


# Per-household sums: each declared by name; `_accumulate` adds every household's share of them in one pass.
QUANTITIES: list[tuple[str, str]] = []


def _quantity(name: str, definition: str) -> int:
    QUANTITIES.append((name, definition))
    return len(QUANTITIES) - 1


A_HH = _quantity("households", "active households")
A_PERSONS = _quantity("persons", "persons in active households")
A_NONLOCAL = _quantity("nonlocal", "households with non-local rural hukou")
A_REG = _quantity("registered", "non-local households holding a residence permit")
A_KIDS_CITY = _quantity("kids_in_city", "school-age children in the city (enrolled or not)")
A_KIDS_ENROLLED = _quantity("kids_enrolled", "school-age children enrolled, public or private")
A_KIDS_PUBLIC = _quantity("kids_public", "children in public schools")
A_KIDS_LB = _quantity("kids_left_behind", "school-age children left behind")
A_CS = _quantity("class_size_pupils", "public pupils times their district's class size")
A_CROWDED = _quantity("pupils_above_norm",
                      "public pupils above their district's seats at the class-size norm")
A_INFORMAL = _quantity("informal_housing", "households in urban villages or without a home")
A_RENT = _quantity("rent", "rent paid")
A_RENT_INCOME = _quantity("rent_payers_income", "income of households paying rent")
A_PUBLIC_RENTAL = _quantity("public_rental", "households in public rental units or compounds")
A_PENSION = _quantity("pension", "households contributing to the urban pension")
A_MEDICAL = _quantity("medical", "households with medical insurance")
A_EMPLOYED = _quantity("employed", "households whose head is employed")
A_UI = _quantity("unemployment_insured", "employed heads in insured formal jobs")
A_INCOME = _quantity("income", "household income")
A_POOR_ABS = _quantity("poor_absolute", "households below the absolute line per person")
A_POOR_REL = _quantity("poor_relative", "households below 60% of the median per person")
A_DIBAO = _quantity("dibao", "households receiving the minimum living allowance")
A_RESETTLED = _quantity("resettled", "farmer households in resettlement apartments")
A_URBAN_SS = _quantity("urban_social_security", "households on urban social security")
A_STAY5 = _quantity("stay_5y", "households in the city five years or more")
A_STAY10 = _quantity("stay_10y", "households in the city ten years or more")
A_SETTLE = _quantity("settle_intent", "households intending to settle")
A_NO_URBAN = _quantity("persons_without_urban_hukou", "persons without urban hukou")
A_EMPLOYER = _quantity("employer_contributions", "employers' social-insurance contributions for the household's job")
A_RETIRED = _quantity("retired", "households whose head is retired")
A_DEPENDANTS = _quantity("dependants", "persons aged 0-14 or 65 and over")
A_WORKING_AGE = _quantity("persons_15_64", "persons aged 15-64")
A_KIDS_PRE = _quantity("kids_preschool", "children aged 0-5")
A_SPOUSE_AWAY = _quantity("spouses_in_village", "spouses living in the home village")
A_COPRODUCING = _quantity("coproducing", "households taking part in community co-production")
A_PENSIONERS = _quantity("pensioners", "households whose head draws a basic pension")
A_PENSIONS = _quantity("pensions", "basic pensions paid to heads")
A_RIGHTS = _quantity("pension_rights",
                     "the value of heads' employee pension rights (abm.phases.insurance.rights_value)")
A_UI_PAID = _quantity("unemployment_benefit_recipients", "households paid unemployment benefit")
A_PUBLIC_RENT = _quantity("public_rent", "rent paid for public rental units and compounds (the city's housing revenue)")
A_MED_EMPLOYEE = _quantity("employee_medical", "persons in the employee medical insurance (heads)")
A_MED_RESIDENT = _quantity("resident_medical", "persons in the urban resident medical insurance")
A_MED_NRCMS = _quantity("nrcms", "persons in the rural cooperative medical scheme (local or of a home county)")
A_MEMBERS = _quantity("employee_pension_members",
                      "households whose head holds an urban employee pension record and draws no pension yet")
A_RESIDENT = _quantity("resident_pension_recipients", "households whose head draws the residents' basic pension")
A_FORMAL = _quantity("formal", "households whose head is in a formal job")
A_FORMAL_WAGE = _quantity("formal_wages", "wages of heads in formal jobs")
N_ACC = len(QUANTITIES)
QUANTITY = {name: k for k, (name, _) in enumerate(QUANTITIES)}

# How an indicator is formed from the sums of its group and sex (c) and the month's flows (f):
COUNT, RATIO, FLOW, BUDGET, RESIDENT_SHARE, FUND, PER_HOUSEHOLD, FUND_NET, NET_COST, RATIO_OF_RATIOS, CITY = (
    range(11))
# city-wide values (all/all row only) computed from the districts (`_city_values`)
CITY_VALUES = ("segregation_income", "market_rent_urban_village", "market_rent_private_rental", "home_price")
N_CITY_VALUES = len(CITY_VALUES)


@dataclass(frozen=True)
class Formula:
    form: int
    a: int
    b: int = -1
    c: int = -1
    d: int = -1


def count(quantity: str) -> Formula:
    """c[quantity] in real-city units (times the run's scale)."""
    return Formula(COUNT, QUANTITY[quantity])


def ratio(numerator: str, denominator: str) -> Formula:
    """c[numerator] / c[denominator] (0 when the denominator is 0)."""
    return Formula(RATIO, QUANTITY[numerator], QUANTITY[denominator])


def flow(name: str) -> Formula:
    """The month's flow, in real-city units."""
    return Formula(FLOW, FLOWS.index(name))


def budget(line: str) -> Formula:
    """A budget line: households' spending (a flow) plus, in the all/all row, the city's own spending."""
    return Formula(BUDGET, FLOWS.index(line), BUDGET_LINES.index(line))


def resident_share(numerator: str, persons: str) -> Formula:
    """c[numerator] / c[persons]; in the all/all row the city's background urban residents join the persons."""
    return Formula(RESIDENT_SHARE, QUANTITY[numerator], QUANTITY[persons])


def per_household(name: str, quantity: str = "households") -> Formula:
    """The month's flow over c[quantity] (0 when there is none): a mean per household, or a share of them."""
    return Formula(PER_HOUSEHOLD, FLOWS.index(name), QUANTITY[quantity])


def ratio_of_ratios(a: str, b: str, c: str, d: str) -> Formula:
    """(c[a] / c[b]) / (c[c] / c[d]) (0 when any part is undefined), e.g. a mean over another mean."""
    return Formula(RATIO_OF_RATIOS, QUANTITY[a], QUANTITY[b], QUANTITY[c], QUANTITY[d])


def fund_balance(name: str) -> Formula:
    """A social-insurance fund's balance (real yuan), in the all/all row only (abm.state.FUNDS)."""
    return Formula(FUND, [f[0] for f in FUNDS].index(name))


def fund_net_cost(name: str) -> Formula:
    """A fund's outgo less its income this month (real yuan): what the fund costs, negative when it gains."""
    return Formula(FUND_NET, [f[0] for f in FUNDS].index(name))


def net_cost(with_funds: bool, per_person: bool) -> Formula:
    """The public sector's net cost this month: every budget line (households' spending and, in the all/all
    row, the city's own) less the city's revenue the model knows (public rents), plus with `with_funds` each
    fund's outgo less its income; with `per_person`, per person in the row's active households. The city's
    subsidies to a fund are a budget line and the fund's income, so they cancel in the sum with the funds."""
    return Formula(NET_COST, int(with_funds), int(per_person))


def city_value(name: str) -> Formula:
    """A city-wide value of the districts (`CITY_VALUES`), in the all/all row only."""
    return Formula(CITY, CITY_VALUES.index(name))


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str
    kind: str  # "stock" (at the step), "rate" (at the step) or "flow" (during the month)
    definition: str
    formula: Formula


I = Indicator  # noqa: E741 - a short alias for the table below
INDICATORS: tuple[Indicator, ...] = (
    I("population", "persons", "stock", "persons in active households", count("persons")),
    I("households", "households", "stock", "active households", count("households")),
    I("registration_rate", "share", "rate", "non-local-hukou households holding a residence permit, of all non-local",
      ratio("registered", "nonlocal")),
    I("hukou_conversions", "households/month", "flow", "households converted to local urban hukou this month",
      flow("hukou_conversions")),
    I("child_enrolment_rate", "share", "rate",
      "school-age children in the city who are enrolled (public or private), of all in the city",
      ratio("kids_enrolled", "kids_in_city")),
    I("public_school_share", "share", "rate", "enrolled children in public schools, of all enrolled",
      ratio("kids_public", "kids_enrolled")),
    I("left_behind_children", "children", "stock", "school-age children left behind in the home village",
      count("kids_left_behind")),
    I("class_size", "pupils/class", "rate", "public-school pupils per class in their district, pupil-weighted",
      ratio("class_size_pupils", "kids_public")),
    I("pupils_above_norm_share", "share", "rate",
      "public pupils above their district's seats at the class-size norm (taken in crowded classes), of all "
      "public pupils", ratio("pupils_above_norm", "kids_public")),
    I("informal_housing_share", "share", "rate", "households in urban-village rentals or without a home",
      ratio("informal_housing", "households")),
    I("rent_burden", "share", "rate", "rent paid over income, among households paying rent",
      ratio("rent", "rent_payers_income")),
    I("public_rental_coverage", "share", "rate", "households in public rental units or blue-collar compounds",
      ratio("public_rental", "households")),
    I("pension_coverage", "share", "rate", "households contributing to the urban pension this month",
      ratio("pension", "households")),
    I("medical_coverage", "share", "rate",
      "households with medical insurance: an insured job, urban social security or a local resident scheme",
      ratio("medical", "households")),
    I("unemployment_insurance_coverage", "share", "rate", "employed heads in insured formal jobs, of employed heads",
      ratio("unemployment_insured", "employed")),
    I("employment_rate", "share", "rate",
      "households whose head is employed (formal or informal; retired heads are not)",
      ratio("employed", "households")),
    I("mean_income", "yuan/month", "rate", "household income after contributions, plus benefits and assistance",
      ratio("income", "households")),
    I("poverty_rate_absolute", "share", "rate", "households below the absolute line per person",
      ratio("poor_absolute", "households")),
    I("poverty_rate_relative", "share", "rate", "households below 60% of the median income per person",
      ratio("poor_relative", "households")),
    I("dibao_recipients", "households", "stock", "households receiving the minimum living allowance this month",
      count("dibao")),
    I("temporary_assistance_recipients", "households/month", "flow", "households paid temporary assistance",
      flow("temporary_assistance_recipients")),
    I("training_person_times", "person-times/month", "flow", "training courses taken",
      flow("training_person_times")),
    I("resettled_farmers", "households", "stock", "farmer households living in resettlement apartments",
      count("resettled")),
    I("farmers_urban_social_security", "households", "stock", "households on urban social security after requisition",
      count("urban_social_security")),
    I("stay_5y_share", "share", "rate", "households in the city five years or more", ratio("stay_5y", "households")),
    I("stay_10y_share", "share", "rate", "households in the city ten years or more",
      ratio("stay_10y", "households")),
    I("settle_intention_share", "share", "rate", "households whose leaving hazard is below their group's baseline",
      ratio("settle_intent", "households")),
    I("arrivals", "households/month", "flow", "migrant households arriving", flow("arrivals")),
    I("departures", "households/month", "flow", "households leaving (returning home or moving on)",
      flow("departures")),
    I("budget_education", "yuan/month", "flow", "public pupils' cost, migrant-school subsidies, school building",
      budget("budget_education")),
    I("budget_housing", "yuan/month", "flow", "public rental and compound subsidies, units built",
      budget("budget_housing")),
    I("budget_assistance", "yuan/month", "flow", "minimum living allowance and temporary assistance",
      budget("budget_assistance")),
    I("budget_training", "yuan/month", "flow", "training courses", budget("budget_training")),
    I("budget_insurance_subsidy", "yuan/month", "flow",
      "public subsidies to social insurance, and the resident medical schemes' inpatient reimbursements",
      budget("budget_insurance_subsidy")),
    I("budget_resident_pension", "yuan/month", "flow", "the residents' schemes' basic pensions paid by the city",
      budget("budget_resident_pension")),
    I("budget_community", "yuan/month", "flow", "residential-committee staff and community services",
      budget("budget_community")),
    I("budget_land_compensation", "yuan/month", "flow", "cash compensation paid for requisitioned land",
      budget("budget_land_compensation")),
    I("public_rent_revenue", "yuan/month", "flow", "rents paid to the city for public rental units and compounds",
      count("public_rent")),
    I("city_net_cost", "yuan/month", "flow", "every budget line less public rents (the city's budget, not the funds)",
      net_cost(with_funds=False, per_person=False)),
    I("urbanization_gap", "share", "rate",
      "residents without urban hukou, of all residents (the gap between resident- and hukou-based urbanization)",
      resident_share("persons_without_urban_hukou", "persons")),
    I("coproduction_share", "share", "rate", "households taking part in community co-production",
      ratio("coproducing", "households")),
    I("births", "persons/month", "flow", "children born", flow("births")),
    I("deaths", "persons/month", "flow", "members who died", flow("deaths")),
    I("retirements", "persons/month", "flow",
      "heads who retire at the statutory age (leaving work, or no longer seeking it)",
      flow("retirements")),
    I("new_households", "households/month", "flow", "households formed by grown children leaving home",
      flow("new_households")),
    I("poverty_entries", "households/month", "flow",
      "urban households falling into poverty from the population not simulated (joining the urban poor)",
      flow("poverty_entries")),
    I("poverty_exits", "households/month", "flow",
      "urban poor households leaving poverty (rejoining the urban population not simulated)",
      flow("poverty_exits")),
    I("retired_share", "share", "rate", "households whose head is retired", ratio("retired", "households")),
    I("dependency_ratio", "ratio", "rate", "persons aged 0-14 and 65 and over per person aged 15-64",
      ratio("dependants", "persons_15_64")),
    I("preschool_children", "children", "stock", "children aged 0-5", count("kids_preschool")),
    I("spouses_left_behind", "persons", "stock", "spouses living in the home village", count("spouses_in_village")),
    I("employer_contributions", "yuan/month", "flow",
      "employers' contributions to pension, medical and unemployment insurance for insured formal jobs",
      count("employer_contributions")),
    I("pension_recipients", "households", "stock", "households whose head draws a basic pension", count("pensioners")),
    I("mean_pension", "yuan/month", "rate", "mean basic pension of the heads who draw one",
      ratio("pensions", "pensioners")),
    I("unemployment_benefit_recipients", "households", "stock", "households paid unemployment benefit this month",
      count("unemployment_benefit_recipients")),
    I("replacement_rate", "share", "rate",
      "mean basic pension of the heads who draw one over the mean wage of heads in formal jobs (an aggregate "
      "replacement rate: pensions in payment, not only new retirees', over today's wages)",
      ratio_of_ratios("pensions", "pensioners", "formal_wages", "formal")),
    I("employee_pension_members", "households", "stock",
      "households whose head holds an urban employee pension record (contributing this month or not) and draws no "
      "pension yet: the insured of the employee scheme", count("employee_pension_members")),
    I("resident_pension_recipients", "households", "stock",
      "households whose head draws the residents' schemes' basic pension (local heads without an employee pension)",
      count("resident_pension_recipients")),
    I("pension_transfers_out", "yuan/month", "flow",
      "pension records leaving the city's fund with departing heads (part of pension_fund_outgo): from 2010 the "
      "personal account and 12% of the contribution wages, before it the accounts withdrawn by rural-hukou heads",
      flow("pension_transfers_out")),
    I("pension_fund_income", "yuan/month", "flow",
      "pension contributions (employer and employee) of insured jobs, and the city's subsidy for households on "
      "urban social security", flow("pension_fund_income")),
    I("pension_fund_outgo", "yuan/month", "flow", "basic pensions, lump sums and records transferred out",
      flow("pension_fund_outgo")),
    I("pension_lump_sums", "yuan/month", "flow",
      "personal accounts paid out at retirement to heads with too few years for a pension",
      flow("pension_lump_sums")),
    I("pension_fund_balance", "yuan", "stock",
      "the pension fund's income less its outgo since the start (all/all row only)", fund_balance("pension")),
    I("pension_rights_value", "yuan", "stock",
      "what the heads' employee pension rights are worth: pensions in payment, or the pooled part earned so far, "
      "times the months divisor, plus personal accounts (the fund's promises to the active households)",
      count("pension_rights")),
    I("unemployment_fund_income", "yuan/month", "flow", "unemployment contributions (employer and employee)",
      flow("unemployment_fund_income")),
    I("unemployment_fund_outgo", "yuan/month", "flow", "unemployment benefits paid", flow("unemployment_fund_outgo")),
    I("unemployment_fund_balance", "yuan", "stock",
      "the unemployment fund's income less its outgo since the start (all/all row only)",
      fund_balance("unemployment")),
    I("medical_fund_income", "yuan/month", "flow",
      "employee medical insurance contributions (employer and employee) of insured jobs", flow("medical_fund_income")),
    I("medical_fund_outgo", "yuan/month", "flow", "inpatient reimbursements of the employee medical insurance",
      flow("medical_fund_outgo")),
    I("medical_fund_balance", "yuan", "stock",
      "the employee medical insurance fund's income less its outgo since the start (all/all row only)",
      fund_balance("medical")),
    I("health_episodes", "persons/month", "flow", "members with an inpatient episode", flow("health_episodes")),
    I("health_reimbursements", "yuan/month", "flow",
      "inpatient costs paid by the medical schemes (employee, urban resident, rural cooperative)",
      flow("health_reimbursements")),
    I("health_out_of_pocket", "yuan/month", "flow", "inpatient costs paid by households",
      flow("health_out_of_pocket")),
    I("mean_out_of_pocket", "yuan/month", "rate", "inpatient costs paid by households, per household",
      per_household("health_out_of_pocket")),
    I("employee_medical_insured", "persons", "stock", "persons in the urban employee medical insurance (heads)",
      count("employee_medical")),
    I("resident_medical_insured", "persons", "stock", "persons in the urban resident medical insurance",
      count("resident_medical")),
    I("nrcms_insured", "persons", "stock",
      "persons in the New Rural Cooperative Medical Scheme (their own county's or a migrant's home county's)",
      count("nrcms")),
    I("catastrophic_health_rate", "share", "rate",
      "households whose health spending this month is catastrophic (above 40% of a year's capacity to pay)",
      per_household("catastrophic_health")),
    *(I(f"{name}_fund_net_cost", "yuan/month", "flow", f"the {name} fund's outgo less its income",
        fund_net_cost(name)) for name, _, _ in FUNDS),
    I("net_fiscal_cost", "yuan/month", "flow",
      "the city's net cost plus every fund's outgo less its income (subsidies from the city to a fund cancel)",
      net_cost(with_funds=True, per_person=False)),
    I("net_fiscal_cost_per_person", "yuan/month", "rate",
      "the net fiscal cost per person in the active households (the all/all row adds the city's own spending)",
      net_cost(with_funds=True, per_person=True)),
    I("moves_between_districts", "households/month", "flow",
      "households that took a home in another district (this month's arrivals taking their first excepted)",
      flow("moves_between_districts")),
    I("moves_within_district", "households/month", "flow",
      "households that took another home in their own district (this month's arrivals excepted)",
      flow("moves_within_district")),
    I("segregation_income", "index", "rate",
      "dissimilarity index across districts of the poorest and richest quarters of households by income per "
      "person (at or below the 25th percentile, at or above the same rank from the top; all/all row only)",
      city_value("segregation_income")),
    I("market_rent_urban_village", "yuan/month", "rate", "urban-village market rent, mean over districts "
      "(all/all row only)", city_value("market_rent_urban_village")),
    I("market_rent_private_rental", "yuan/month", "rate", "private-rental market rent, mean over districts "
      "(all/all row only)", city_value("market_rent_private_rental")),
    I("home_price", "yuan", "rate", "price of an owned home, mean over districts (all/all row only)",
      city_value("home_price")),
)
del I
NAMES = tuple(i.name for i in INDICATORS)
UNIT = {i.name: i.unit for i in INDICATORS}
KIND = {i.name: i.kind for i in INDICATORS}
INDEX = {n: k for k, n in enumerate(NAMES)}
N_INDICATORS = len(INDICATORS)
GROUP_LABELS = ("migrant", "land_losing_farmer", "urban_poor", "all")
SEX_LABELS = ("female", "male", "all")
# the formulas as arrays the kernel reads: form, first and second operand of each indicator
_FORM = np.array([i.formula.form for i in INDICATORS], dtype=np.int64)
_A = np.array([i.formula.a for i in INDICATORS], dtype=np.int64)
_B = np.array([i.formula.b for i in INDICATORS], dtype=np.int64)
# the flows a net cost adds up: the budget lines, and each fund's income and outgo
_BUDGET_FLOWS = np.array([FLOWS.index(line) for line in BUDGET_LINES], dtype=np.int64)
_FUND_IN = np.array([f[1] for f in FUNDS], dtype=np.int64)
_FUND_OUT = np.array([f[2] for f in FUNDS], dtype=np.int64)
_C = np.array([i.formula.c for i in INDICATORS], dtype=np.int64)
_D = np.array([i.formula.d for i in INDICATORS], dtype=np.int64)

# The headline sets, defined once: what each output leads with.
SUMMARY = ("population", "households", "registration_rate", "hukou_conversions", "public_school_share",
           "informal_housing_share", "pension_coverage", "employment_rate", "mean_income",
           "poverty_rate_absolute", "urbanization_gap")  # `abm run`'s summary, every group
# (indicator, group): the outcomes a policy team asks about first (`abm compare`, the sweep report's effects;
# the first four are the sweep report's response panels)
POLICY_OUTCOMES = (("registration_rate", "migrant"), ("public_school_share", "migrant"),
                   ("hukou_conversions", "migrant"), ("informal_housing_share", "migrant"),
                   ("public_rental_coverage", "migrant"), ("pension_coverage", "migrant"),
                   ("employment_rate", "all"), ("poverty_rate_absolute", "all"), ("departures", "migrant"),
                   ("households", "migrant"), ("resettled_farmers", "land_losing_farmer"),
                   ("farmers_urban_social_security", "land_losing_farmer"), ("training_person_times", "all"),
                   ("budget_education", "all"), ("budget_housing", "all"))
# (indicator, group): what a policy costs the public sector (`abm compare` and the sweep report, beside the
# household effects): the net cost, the city's and each fund's, per person by group, and the budget lines
FISCAL = (("net_fiscal_cost", "all"), ("city_net_cost", "all"),
          *((f"{name}_fund_net_cost", "all") for name, _, _ in FUNDS),
          ("net_fiscal_cost_per_person", "all"), ("net_fiscal_cost_per_person", "migrant"),
          ("net_fiscal_cost_per_person", "land_losing_farmer"), ("net_fiscal_cost_per_person", "urban_poor"),
          ("pension_rights_value", "all"), ("pension_fund_balance", "all"),
          *((line, "all") for line in BUDGET_LINES), ("public_rent_revenue", "all"))
# (indicator, group): the sweep report's trajectories over time
TRAJECTORIES = (("registration_rate", "migrant"), ("public_school_share", "migrant"),
                ("informal_housing_share", "migrant"), ("pension_coverage", "migrant"),
                ("employment_rate", "all"), ("poverty_rate_absolute", "all"), ("households", "migrant"),
                ("mean_income", "all"))
# the sweep report's breakdown by group and sex
BREAKDOWN = ("registration_rate", "public_school_share", "informal_housing_share", "pension_coverage",
             "employment_rate", "poverty_rate_absolute")
assert set(SUMMARY) | set(BREAKDOWN) | {n for n, _ in POLICY_OUTCOMES + TRAJECTORIES + FISCAL} <= set(NAMES)


@njit(cache=True)
def _ratio(a, b):
    return a / b if b > 0.0 else 0.0


@njit(cache=True, parallel=True)
def _accumulate(r, year, class_size, over_norm, rel_line, dibao, district, employment, group, hukou, income, insured,
                kids_school, months_in_city, registered, rent, resettled, school, settle_intent, sex, size,
                status, tenure, urban_ss, wage, dependants, spouse, kids_pre, coproducing, pension_paid, unemp_spell,
                unemp_ins_months, pension_months, age, skill, pension_index, pension_account, avg_wage):
    """Sums by (chunk, group * 2 + sex, quantity) over fixed chunks of households, in parallel.

    Chunks have a fixed size, so each partial sum, and their total in chunk order, is the same for
    any number of threads. The body takes plain arrays: prange loses writes through a tuple of arrays.
    """
    n = status.shape[0]
    n_chunks = (n + CHUNK - 1) // CHUNK
    part = np.zeros((n_chunks, 6, N_ACC))
    for c in prange(n_chunks):
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            if status[i] != ACTIVE:
                continue
            # every sum is added to, a term of 0 where it does not apply (x + 0.0 is x): no branch to mispredict
            q = part[c, group[i] * 2 + sex[i]]
            kids = float(kids_school[i])
            sc, t, emp, hk = school[i], tenure[i], employment[i], hukou[i]
            nonlocal_ = hk == RURAL_NONLOCAL
            q[A_HH] += 1.0
            q[A_PERSONS] += size[i]
            q[A_NONLOCAL] += 1.0 if nonlocal_ else 0.0
            q[A_REG] += registered[i] if nonlocal_ else 0
            enrolled = sc == PUBLIC or sc == PRIVATE_MIGRANT
            q[A_KIDS_CITY] += kids if enrolled or sc == NOT_ENROLLED else 0.0
            q[A_KIDS_ENROLLED] += kids if enrolled else 0.0
            q[A_KIDS_PUBLIC] += kids if sc == PUBLIC else 0.0
            q[A_CS] += kids * class_size[district[i]] if sc == PUBLIC else 0.0
            q[A_CROWDED] += kids * over_norm[district[i]] if sc == PUBLIC else 0.0
            q[A_KIDS_LB] += kids if sc == LEFT_BEHIND else 0.0
            q[A_INFORMAL] += 1.0 if t == URBAN_VILLAGE or t == NO_HOME else 0.0
            pays_rent = rent[i] > 0.0
            q[A_RENT] += rent[i] if pays_rent else 0.0
            q[A_RENT_INCOME] += income[i] if pays_rent else 0.0
            q[A_PUBLIC_RENTAL] += 1.0 if t == PUBLIC_RENTAL or t == COMPOUND else 0.0
            q[A_PUBLIC_RENT] += rent[i] if t == PUBLIC_RENTAL or t == COMPOUND else 0.0
            pension = dec.contributes_pension(emp, insured[i], urban_ss[i])
            q[A_PENSION] += 1.0 if pension else 0.0
            q[A_MEDICAL] += 1.0 if pension or dec.is_local(hk) else 0.0
            q[A_RETIRED] += 1.0 if emp == RETIRED else 0.0
            q[A_EMPLOYED] += 1.0 if emp == FORMAL or emp == INFORMAL else 0.0
            q[A_UI] += 1.0 if emp == FORMAL and insured[i] == 1 else 0.0
            q[A_INCOME] += income[i]
            p = income[i] / size[i]
            q[A_POOR_ABS] += 1.0 if p < r[0].poverty_line else 0.0
            q[A_POOR_REL] += 1.0 if p < rel_line else 0.0
            q[A_DIBAO] += dibao[i]
            q[A_RESETTLED] += resettled[i]
            q[A_URBAN_SS] += urban_ss[i]
            q[A_STAY5] += 1.0 if months_in_city[i] >= 60 else 0.0
            q[A_STAY10] += 1.0 if months_in_city[i] >= 120 else 0.0
            q[A_SETTLE] += settle_intent[i]
            q[A_COPRODUCING] += coproducing[i]
            q[A_NO_URBAN] += 0.0 if dec.has_urban_hukou(hk) else float(size[i])
            q[A_EMPLOYER] += labour.employer_contribution(r, emp, insured[i], wage[i])
            q[A_DEPENDANTS] += dependants[i]
            q[A_WORKING_AGE] += size[i] - dependants[i]
            q[A_KIDS_PRE] += kids_pre[i]
            q[A_SPOUSE_AWAY] += 1.0 if spouse[i] == SPOUSE_AWAY else 0.0
            q[A_PENSIONERS] += 1.0 if pension_paid[i] > 0.0 else 0.0
            q[A_PENSIONS] += float(pension_paid[i])
            q[A_RIGHTS] += insurance.rights_value(r, avg_wage, sex[i], skill[i], pension_months[i], pension_index[i],
                                                  pension_account[i], pension_paid[i])
            q[A_UI_PAID] += 1.0 if dec.unemployment_benefit(r, emp, unemp_spell[i], unemp_ins_months[i]) > 0.0 else 0.0
            employee = health.employee_covered(emp, insured[i], pension_paid[i])
            others = float(size[i]) - (1.0 if employee else 0.0)  # the head's family takes the hukou's scheme
            family = health.scheme(year, hk, urban_ss[i], False)
            q[A_MED_EMPLOYEE] += 1.0 if employee else 0.0
            q[A_MED_RESIDENT] += others if family == health.URBAN_RESIDENT else 0.0
            q[A_MED_NRCMS] += others if family == health.NRCMS_LOCAL or family == health.NRCMS_AWAY else 0.0
            q[A_MEMBERS] += 1.0 if pension_months[i] > 0 and pension_paid[i] <= 0.0 else 0.0
            q[A_RESIDENT] += 1.0 if insurance.resident_pension(r, year, hk, age[i], pension_paid[i]) > 0.0 else 0.0
            q[A_FORMAL] += 1.0 if emp == FORMAL else 0.0
            q[A_FORMAL_WAGE] += wage[i] if emp == FORMAL else 0.0
    return part


@njit(cache=True)
def _city_values(h, n, d, pc):
    out = np.zeros(N_CITY_VALUES)
    out[0] = segregation(h.status[:n], h.district[:n], pc, d.staff.shape[0])
    out[1] = d.rent[:, URBAN_VILLAGE].mean()
    out[2] = d.rent[:, PRIVATE_RENTAL].mean()
    out[3] = d.price.mean()
    return out


@njit(cache=True)
def _net_cost(f, c, city_budget, city, with_funds, per_person, scale):
    cost = -c[A_PUBLIC_RENT]
    for k in _BUDGET_FLOWS:
        cost += f[k]
    if with_funds:
        for a in range(_FUND_IN.shape[0]):
            cost += f[_FUND_OUT[a]] - f[_FUND_IN[a]]
    cost *= scale
    if city:
        cost += city_budget.sum()
    if per_person:
        return _ratio(cost, c[A_PERSONS] * scale)
    return cost


@njit(cache=True)
def compute(h, n, d, r, flows, city_budget, funds, scale, background_urban, work, year, avg_wage):
    """Indicator values [indicator, group (3 + all), sex (2 + all)] for the current state.

    Each indicator is its declared formula over its row's sums and flows. `city_budget` holds
    city-level spending by budget line in real yuan (school building, units built, staff); it is added
    to the `all`/`all` row only, as are the city's background urban residents and the funds' balances
    (`funds`, real yuan).
    """
    n_d = d.public_seats.shape[0]
    class_size = np.zeros(n_d)
    over_norm = np.zeros(n_d)  # the share of a district's public pupils who are above its seats at the norm
    for k in range(n_d):
        classes = math.ceil(d.public_seats[k] / r[0].class_size_norm)
        class_size[k] = d.public_used[k] / classes if classes > 0 else 0.0
        if d.public_used[k] > d.public_seats[k]:
            over_norm[k] = (d.public_used[k] - d.public_seats[k]) / d.public_used[k]
    m, median = median_per_person(h.status[:n], h.income[:n], h.size[:n], work.yuan[:n])
    rel_line = 0.6 * median if m > 0 else 0.0
    city_values = _city_values(h, n, d, work.yuan[:n])
    part = _accumulate(r, year, class_size, over_norm, rel_line, h.dibao[:n], h.district[:n], h.employment[:n],
                       h.group[:n],
                       h.hukou[:n], h.income[:n], h.insured[:n], h.kids_school[:n], h.months_in_city[:n],
                       h.registered[:n], h.rent[:n], h.resettled[:n], h.school[:n], h.settle_intent[:n],
                       h.sex[:n], h.size[:n], h.status[:n], h.tenure[:n], h.urban_ss[:n], h.wage[:n],
                       h.dependants[:n], h.spouse[:n], h.kids_pre[:n], h.coproducing[:n], h.pension[:n],
                       h.unemp_spell[:n], h.unemp_ins_months[:n], h.pension_months[:n], h.age[:n], h.skill[:n],
                       h.pension_index[:n], h.pension_account[:n], avg_wage)
    acc = np.zeros((6, N_ACC))
    for c in range(part.shape[0]):
        acc += part[c]
    out = np.zeros((N_INDICATORS, 4, 3))
    for G in range(4):
        for S in range(3):
            c = np.zeros(N_ACC)
            f = np.zeros(flows.shape[0])
            for g in range(3):
                if G < 3 and g != G:
                    continue
                for s in range(2):
                    if S < 2 and s != S:
                        continue
                    c += acc[g * 2 + s]
                    f += flows[:, g, s]
            city = G == 3 and S == 2
            for k in range(N_INDICATORS):
                form, a, b = _FORM[k], _A[k], _B[k]
                if form == COUNT:
                    out[k, G, S] = c[a] * scale
                elif form == RATIO:
                    out[k, G, S] = _ratio(c[a], c[b])
                elif form == FLOW:
                    out[k, G, S] = f[a] * scale
                elif form == BUDGET:
                    out[k, G, S] = f[a] * scale
                    if city:
                        out[k, G, S] += city_budget[b]
                elif form == FUND:
                    out[k, G, S] = funds[a] if city else 0.0
                elif form == PER_HOUSEHOLD:
                    out[k, G, S] = _ratio(f[a], c[b])
                elif form == FUND_NET:
                    out[k, G, S] = (f[_FUND_OUT[a]] - f[_FUND_IN[a]]) * scale
                elif form == NET_COST:
                    out[k, G, S] = _net_cost(f, c, city_budget, city, a == 1, b == 1, scale)
                elif form == RATIO_OF_RATIOS:
                    below = _ratio(c[_C[k]], c[_D[k]])
                    out[k, G, S] = _ratio(_ratio(c[a], c[b]), below)
                elif form == CITY:
                    out[k, G, S] = city_values[a] if city else 0.0
                elif city:  # RESIDENT_SHARE
                    out[k, G, S] = _ratio(c[a] * scale, c[b] * scale + background_urban)
                else:
                    out[k, G, S] = _ratio(c[a], c[b])
    return out
