"""Declared parameters: every number a household decision reads.

A `Param` carries a default, a unit, a valid range, a description and a
source; `SEEDS` names the seed documents cited. Behaviour parameters (this
module) are uncertainties that calibration estimates; the rules in force
(`abm.rules`) are levers that policies set. Both compile into a numpy record
that the kernels read by field name, so a policy never reaches into a kernel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Seed documents (../shared/seeds, figures copied into configs/cities/seed_facts.csv)
NDRC_EN = "seeds/000_ec5a7b7d934ae25e.txt (NDRC/UNFPA tool kit, 2011, English)"
NDRC_ZH = "seeds/001_fd4b46c307f335a2.txt (NDRC/UNFPA training manual, 2011, Chinese)"
KUNSHAN = "seeds/002_777f4d6435f8d24d.txt (Kunshan municipal government, 2010)"
YIWU = "seeds/003_b64c10e3172163d8.txt (CIDRN field visit to Yiwu, 2014)"
RC = "seeds/004_6e14381a91a215c2.txt (Li, Hu & Liu on residential committees, 2018)"
ASSUMPTION = "assumption"


@dataclass(frozen=True)
class Param:
    name: str
    default: float
    unit: str
    low: float
    high: float
    description: str
    source: str = ASSUMPTION
    integer: bool = False

    def check(self, value: float) -> str | None:
        """Return a message if `value` is not allowed, else None."""
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return f"must be a number in [{self.low:g}, {self.high:g}] {self.unit}"
        if not (self.low <= value <= self.high):
            return f"{value!r} is out of range; allowed [{self.low:g}, {self.high:g}] {self.unit}"
        if self.integer and float(value) != int(value):
            return f"{value!r} must be a whole number in [{self.low:g}, {self.high:g}]"
        return None


def check_values(declared: dict[str, Param], values: dict, kind: str, prefix: str = "") -> list[str]:
    """One message per unknown name or bad value, naming the field and what is allowed."""
    problems = []
    for key, value in values.items():
        if key not in declared:
            problems.append(f"{prefix}{key}: unknown {kind}; allowed: {', '.join(sorted(declared))}")
        elif (msg := declared[key].check(value)) is not None:
            problems.append(f"{prefix}{key}: {msg}")
    return problems


def record_dtype(params: tuple[Param, ...]) -> np.dtype:
    return np.dtype([(p.name, np.float64) for p in params])


def make_record(params: tuple[Param, ...], values: dict[str, float]) -> np.ndarray:
    """A one-element structured array; kernels and decisions read it as `p[0].sep_formal`.

    An array rather than its element crosses into Numba ten times faster, which matters
    for the Mesa engine that calls decision functions one household at a time.
    """
    rec = np.zeros(1, dtype=record_dtype(params))
    for p in params:
        rec[0][p.name] = float(values.get(p.name, p.default))
    return rec


class Values:
    """The same values as plain Python floats, for Python code (numpy records are slow to read there)."""

    def __init__(self, rec: np.ndarray):
        self.__dict__.update({name: float(rec[0][name]) for name in rec.dtype.names})


P = Param
BEHAVIOUR: tuple[Param, ...] = (
    # labour
    P("sep_formal", 0.012, "per month", 0.0, 0.2, "probability that a formal job ends in a month"),
    P("sep_informal", 0.05, "per month", 0.0, 0.5, "probability that an informal job ends in a month"),
    P("match_efficiency", 0.6, "hires/month", 0.01, 3.0,
      "A in the matching function hires = A * seekers^a * vacancies^(1-a), per skill level"),
    P("match_elasticity", 0.5, "1", 0.1, 0.9, "a, the seekers' elasticity in the matching function"),
    P("informal_entry", 0.25, "per month", 0.0, 1.0,
      "probability that an unmatched job seeker takes informal work"),
    P("labour_demand_growth", 0.03, "per year", -0.2, 0.3, "growth of formal jobs by sector",
      "assumption near the 3-5% a year migrant growth of " + RC),
    P("training_skill_gain", 0.5, "1", 0.0, 1.0, "probability that a training course raises skill one level"),
    # housing
    P("search_base", 0.01, "per month", 0.0, 0.5, "probability of a housing search with no push"),
    P("search_burden", 0.15, "per month", 0.0, 1.0, "probability of a search when rent burden is above the threshold"),
    P("burden_threshold", 0.3, "share of income", 0.05, 1.0, "rent burden that pushes a household to search"),
    P("tenure_cost_coef", 4.0, "utils per rent/income", 0.0, 20.0, "weight of rent burden in tenure choice (logit)"),
    P("quality_urban_village", -0.5, "utils", -5.0, 5.0, "quality of an urban-village rental"),
    P("quality_dormitory", -0.2, "utils", -5.0, 5.0, "quality of an employer dormitory"),
    P("quality_private_rental", 0.5, "utils", -5.0, 5.0, "quality of a private rental"),
    P("quality_compound", 0.6, "utils", -5.0, 5.0, "quality of a blue-collar compound"),
    P("quality_public_rental", 0.8, "utils", -5.0, 5.0, "quality of a public rental unit"),
    P("quality_owned", 1.5, "utils", -5.0, 5.0, "quality of an owned home"),
    P("quality_resettlement", 1.0, "utils", -5.0, 5.0, "quality of a resettlement apartment"),
    P("moving_cost", 0.5, "utils", 0.0, 5.0, "utility cost of moving, so searchers may stay put"),
    P("downpayment", 150000.0, "yuan", 0.0, 2e6,
      "savings needed to buy a home at the city's mean home price of the base year; in a district it moves with "
      "the district's home price (abm.phases.market.downpayment)"),
    # the district housing market (abm/phases/market.py) and moves across the city
    P("rent_adjustment", 1.0, "per year per unit of vacancy gap", 0.0, 5.0,
      "lambda in Rosen and Smith's rule: market rents grow lambda x (natural vacancy - vacancy) a year",
      "assumption, range 0.25-4: the rule is Rosen & Smith 1983 (AER 73(4): 779-786) and Gabriel & Nothaft "
      "1988 (AREUEA J. 16(4): 419-429); their speed estimates were not reached, and no estimate for a Chinese "
      "city was found"),
    P("natural_vacancy_rate", 0.05, "share", 0.0, 0.3,
      "vacancy rate at which market rents are steady; builders aim at it too",
      "range 0.02-0.12: US estimates (Rosen & Smith 1983; Gabriel & Nothaft 1988; Jud & Frew 1990, AREUEA J. "
      "18(3): 294-301, 6.5%); no estimate for a mainland Chinese city was found"),
    P("builder_response", 0.05, "share of the gap per month", 0.0, 1.0,
      "share of the gap between the builders' target stock and the private stock (private rentals, commercial "
      "homes) built each month",
      "assumption, range 0.02-0.2 (about 1.5 years to close half the gap at 0.05); the target is UrbanSim's "
      "developer model (UDST/urbansim, developer.compute_units_to_build: occupied / (1 - target vacancy))"),
    P("supply_elasticity", 0.5, "1", 0.0, 6.0,
      "elasticity of the builders' target stock to the market rent over its cost level (the base-year rent "
      "indexed with wages): rents above cost bring more units, so rents return to cost after a shock",
      "Chow & Niu 2015 (Pacific Economic Review 20(1): 1-16): 0.5 for the urban housing stock; Wang, Chan & Xu "
      "2012 (J. Real Estate Research 34(3)) find 2.8-5.6 for new supply in 35 cities"),
    P("price_to_rent", 40.0, "years of rent", 10.0, 80.0,
      "home price over a year's private-market rent in the district",
      "Wu, Gyourko & Deng 2012 (Regional Science and Urban Economics 42(3): 531-543): user costs of 2-3% of "
      "value in eight large markets, i.e. 33-50 years; Chen, Chen, Hill & Hu 2022 (RSUE 92): 70 in Shanghai, "
      "2017"),
    P("district_moving_cost", 2.5, "utils", 0.0, 5.0,
      "utility cost of moving to another district, on top of `moving_cost`",
      "assumption, range 1-4 (at 1.0, Zhengzhou's 5,000-household run moved 36% of households a year across "
      "districts and ten times fewer within them; at 2.5, 17% and 3 to 1)"),
    P("school_access_coef", 1.0, "utils per share of seats free", 0.0, 10.0,
      "weight, for a family with school-age children, of the share of a district's public seats that are free",
      "assumption, range 0-5"),
    P("services_coef", 0.1, "utils per staff per 1,000 households", 0.0, 2.0,
      "weight of residents'-committee staff per 1,000 households in the district", "assumption, range 0-0.5"),
    # registration and hukou
    P("reg_const", -4.0, "logit per month", -10.0, 5.0, "residence-permit take-up: constant"),
    P("reg_services", 2.5, "logit", 0.0, 10.0, "take-up gain when services are tied to registration"),
    P("reg_years", 0.15, "logit per year", 0.0, 2.0, "take-up gain per year in the city"),
    P("reg_coproduction", 1.0, "logit", 0.0, 10.0,
      "take-up gain for households in community co-production (committee staff reach them)"),
    P("hukou_apply_const", -2.5, "logit per month", -10.0, 5.0, "hukou application propensity of the eligible"),
    # schooling
    P("school_fee_coef", 3.0, "utils per fee/income", 0.0, 20.0, "weight of school fees in school choice"),
    P("left_behind_const", -0.3, "utils", -10.0, 10.0, "utility of leaving children in the home village"),
    P("not_enrolled_const", -3.0, "utils", -10.0, 10.0, "utility of not enrolling a child"),
    # life course (abm/phases/lifecourse.py; deaths and births are rate tables, abm/configs/demography)
    P("leave_home_rate", 0.1, "per year", 0.0, 1.0,
      "hazard that a child of 18 or over leaves home",
      "assumption, range 0.05-0.3: from 18 at 0.1 a year half have left by 25, near the 2010 census mean age at "
      "first marriage (24.0 women, 25.75 men; abm/configs/demography/events.csv union rows), when most leave home"),
    P("leave_home_stays", 0.5, "share", 0.0, 1.0,
      "share of children leaving home who form a household of their own in the city (else they leave it)",
      "assumption, range 0.2-0.9"),
    P("union_rate", 0.1, "per year", 0.0, 1.0, "hazard that a single head aged 20-49 forms a union",
      "assumption, range 0.02-0.3"),
    P("union_age_gap", 1.75, "years", 0.0, 10.0, "years by which the man is older than the woman in a new union",
      "2010 census mean ages at first marriage, 25.75 men less 24.00 women (abm/configs/demography/events.csv, union,"
      "spouse_age_gap_male_minus_female; range 1.4-2.0)"),
    P("spouse_join_rate", 0.05, "per year", 0.0, 1.0,
      "hazard that a spouse left in the village joins the family in the city",
      "assumption, range 0.02-0.1 (abm/configs/demography/events.csv, left_behind,family_join_or_return_rate: "
      "no turnover figure found)"),
    P("exam_return_share", 0.6, "share", 0.0, 1.0,
      "share of children without local hukou who go back to the home province after compulsory school "
      "(the senior-secondary entrance exam is taken where the hukou is)",
      "assumption, range 0.3-0.9 ("
      "abm/configs/demography/events.csv, schooling,migrant_child_returns_for_senior_secondary)"),
    P("work_after_retirement", 0.3, "share", 0.0, 1.0,
      "share of heads past the statutory age who go on in (or move to) informal work",
      "assumption, range 0.1-0.75: between the urban 0.2 and rural-hukou 0.6 assumptions of "
      "abm/configs/demography/events.csv "
      "(retirement rows; CHARLS reports more work past 60 among rural hukou, its numbers not reached)"),
    P("urban_poverty_entry", 0.005, "per year", 0.0, 0.05,
      "share of the city's urban households not simulated (not poor) that fall into poverty and join the urban "
      "poor in a year",
      "assumption, range 0.002-0.01 (abm/configs/demography/events.csv, dibao,urban_entry_rate: the stocks of "
      "urban dibao recipients were found, their turnover was not)"),
    P("urban_poverty_exit", 0.15, "per year", 0.0, 1.0,
      "share of urban poor households above the poverty line that leave poverty in a year: they rejoin the urban "
      "population that is not simulated, with their home and school places",
      "assumption, range 0.05-0.3 (abm/configs/demography/events.csv, dibao,urban_exit_rate: exits from the urban "
      "dibao were not found)"),
    # the pension records the starting population brings (abm.phases.insurance.starting_record)
    P("past_coverage_urban", 0.549, "share", 0.0, 1.0,
      "share of urban-hukou heads whose working years before the start count in the urban employee pension "
      "(contributions, or deemed years before 1997)",
      "China Statistical Yearbook 2009, table 22-42: 165.875 million staff and workers contributing to the urban "
      "basic pension at end-2008, over 302.10 million urban employed (MOHRSS/NBS, Statistical Communique on Labour "
      "and Social Security Development 2008) = 0.549"),
    P("past_coverage_rural", 0.172, "share", 0.0, 1.0,
      "share of rural-hukou heads (migrants, farmers) whose working years since `rural_contributions_since` were "
      "in the urban employee pension",
      "MOHRSS/NBS, Statistical Communique on Labour and Social Security Development 2008: 24.16 million migrant "
      "workers in the basic pension at end-2008 of 140.41 million working outside their home county = 0.172 (as "
      "cited by Zhu Ling, The impact of the urban old-age insurance system on the livelihood of rural migrant "
      "workers, Routledge); of all 225.42 million migrant workers 0.107"),
    P("career_start_age", 20, "years", 14, 30, "age from which a head's working years count towards a record",
      "assumption, range 16-22", integer=True),
    P("rural_contributions_since", 1998, "year", 1990, 2030,
      "first year whose contributions a rural-hukou head's record can hold (urban-hukou heads' earlier years count "
      "as deemed contribution years)",
      "assumption, range 1992-2002: the unified scheme of State Council Decision No. 26 (1997); its deemed years "
      "are for the state and collective enterprises' urban workers", integer=True),
    # assistance
    P("dibao_takeup", 0.8, "1", 0.0, 1.0, "share of the eligible who claim the minimum living allowance"),
    P("temp_takeup", 0.5, "1", 0.0, 1.0, "share of households in hardship who claim temporary assistance"),
    # health (abm/phases/health.py): inpatient episodes by age, catastrophic spending, disasters
    P("hosp_rate_child", 0.03, "per year", 0.0, 0.2, "inpatient episodes per child aged 0-14 a year",
      "assumption, range 0.01-0.06: no rate for children of the 2008 National Health Services Survey was reached"),
    P("hosp_rate_adult", 0.05, "per year", 0.0, 0.3, "inpatient episodes per person aged 15-59 a year",
      "assumption, range 0.03-0.08: below the rate of all respondents aged 15 and over, which includes those of "
      "60 and over (4.1% in 2003 and 9.6% in 2011, 3rd NHSS and the 2011 reform assessment survey: Fu et al., "
      "PLoS ONE 9(9) e108571, 2014, abstract; the 2008 figure was not reached)"),
    P("hosp_rate_old", 0.138, "per year", 0.0, 0.5, "inpatient episodes per person aged 60 and over a year",
      "4th National Health Services Survey 2008: hospitalisation rate of those aged 60 and over 13.8% (7.9% in "
      "1998), Gao, Qian & Zhang, 'Medical service needs and utilisation of the elderly in China, NHSS "
      "1998-2008', Chinese Journal of Health Policy 2014, abstract (fx361.cc/page/2014/0807/16451382.shtml); "
      "range 0.079-0.2"),
    P("catastrophic_share", 0.4, "share of capacity to pay", 0.1, 1.0,
      "out-of-pocket health spending above this share of a year's capacity to pay (income less subsistence) is "
      "catastrophic",
      "WHO capacity-to-pay method, 40% threshold (Xu et al. 2003; Overview of the main methods used for "
      "estimating catastrophic health expenditure, Cost Eff Resour Alloc 2023, 10.1186/s12962-023-00457-5, "
      "Table 1: thresholds 25% and 40%)"),
    P("disaster_rate", 0.001, "per month", 0.0, 0.01,
      "probability that a household suffers a disaster or accident in a month (a shock for temporary assistance)",
      "assumption, range 0-0.005: no rate found"),
    # settle or leave (proportional hazard)
    P("hazard_migrant", 0.006, "per month", 0.0, 0.2, "baseline hazard of a migrant household leaving"),
    P("hazard_local", 0.0005, "per month", 0.0, 0.05, "baseline hazard of a local household moving away"),
    P("haz_unemployment", 0.6, "log-hazard per year unemployed", 0.0, 5.0, "unemployment spell"),
    P("haz_poverty", 0.5, "log-hazard", 0.0, 5.0, "income below the absolute poverty line"),
    P("haz_rent", 1.0, "log-hazard per rent/income", 0.0, 5.0, "rent burden"),
    P("haz_left_behind", 0.4, "log-hazard", 0.0, 5.0, "children left behind in the home village"),
    P("haz_hukou", 1.2, "log-hazard", 0.0, 5.0, "holding local urban hukou (reduces the hazard)"),
    P("haz_insured", 0.4, "log-hazard", 0.0, 5.0, "contributing to the urban pension (reduces the hazard)"),
    P("haz_school", 0.4, "log-hazard", 0.0, 5.0, "children in public school (reduces the hazard)"),
    P("haz_tenure", 0.5, "log-hazard", 0.0, 5.0, "secure tenure: owned, public rental, compound, resettlement"),
    P("haz_integration", 0.3, "log-hazard", 0.0, 5.0, "taking part in community co-production"),
    P("haz_debt", 0.5, "log-hazard", 0.0, 5.0,
      "savings below zero (in debt, e.g. after health spending) raise the hazard of leaving",
      "assumption, range 0-1.5, as the poverty term"),
    P("return_home_share", 0.7, "1", 0.0, 1.0, "share of leavers who return home rather than move on"),
    # arrivals
    P("arrival_rate", 0.011, "per month", 0.0, 0.1,
      "new migrant households a month, as a share of the initial migrant households",
      "assumption: with the leaving hazard gives about the 3-5% a year growth of " + RC),
    P("arrival_elasticity", 1.5, "1", 0.0, 5.0, "elasticity of arrivals to expected migrant income"),
    P("arrival_services", 1.0, "log-arrivals", 0.0, 5.0, "arrival response to migrant public-school share"),
    # accounts
    P("second_earner", 0.6, "share of the reference wage", 0.0, 1.5,
      "earnings of other adults in the household, relative to the head's wage (the informal wage at the head's "
      "skill level when the head does not work)"),
    P("farm_income_per_mu", 100.0, "yuan/mu/month", 0.0, 2000.0, "net farm income from land still held"),
    P("saving_rate", 0.3, "share", 0.0, 1.0, "share of income left after rent, fees and contributions that is saved"),
)
del P

BEHAVIOUR_BY_NAME = {p.name: p for p in BEHAVIOUR}
