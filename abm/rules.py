"""The rules in force: a flat record of numbers that every kernel reads.

Each rule is declared once here with its status-quo value (the `baseline`
policy), unit, range and source. Policies never touch kernels: they return new
values for these rules (and run city-level hooks). Codes are stored as floats
in the record and read back with int() in the kernels.
"""

from __future__ import annotations

from abm.parameters import ASSUMPTION, KUNSHAN, NDRC_EN, YIWU, Param

# school admission rules (the `school_rule` code)
HUKOU_FIRST, REGISTRATION_RULE, POINTS_RULE, NEIGHBOURHOOD_RULE = 0, 1, 2, 3
SCHOOL_RULES = {"hukou_first": HUKOU_FIRST, "registration": REGISTRATION_RULE,
                "points": POINTS_RULE, "neighbourhood": NEIGHBOURHOOD_RULE}

DAYS_PER_MONTH = 365.0 / 12.0
PENSIONS_2005 = ("State Council, Decision on Improving the Basic Pension Insurance System for Enterprise Employees "
                 "(Guofa [2005] No. 38)")
PENSIONS_1997 = ("State Council, Decision on Establishing a Unified Basic Pension Insurance System for Enterprise "
                 "Employees (Guofa [1997] No. 26)")
UI_1999 = "State Council, Regulations on Unemployment Insurance (Order No. 258, 1999)"
TRANSFERS_2009 = ("State Council General Office, Interim Measures on Transferring and Continuing the Basic Pension "
                  "Insurance Relations of Urban Enterprise Employees (Guobanfa [2009] No. 66), from 2010-01-01")
TUIBAO = ("before 2010 a departing migrant could only withdraw the personal account and close the record, the "
          "employer's pooled contributions staying with the city: Economic Observer, 'A More Flexible Pension Scheme "
          "for Migrant Workers', 2008-12-22; China Daily, 'Secure migrants' money', 2008-08-14; China Labour News "
          "Translations, 'Systematic government theft of migrant workers' retirement pensions' (600,000 withdrawals "
          "in Dongguan alone)")
RESIDENT_PENSIONS = ("State Council, Guiding Opinion on the New Rural Social Pension Insurance Pilot (Guofa [2009] "
                     "No. 32); on the Urban Residents' Social Pension Insurance Pilot (Guofa [2011] No. 18); merged by "
                     "Guofa [2014] No. 8")
RETIREMENT = ("State Council, Interim Measures on the Retirement of Workers (Guofa [1978] No. 104) and on "
              "Veteran Cadres' Retirement (Guofa [1978] No. 104), art. 1")
CLASS_NORMS = ("Ministry of Construction and NDRC, Construction Standard for Urban Ordinary Primary and Secondary "
               "School Buildings (Jianbiao [2002] No. 102), art. 6: 45 pupils a class in primary, 50 in junior "
               "secondary")
LARGE_CLASSES = ("Ministry of Education, NDRC and Ministry of Finance, guideline of 17 July 2019 on reducing "
                 "oversized classes (Xinhua; english.www.gov.cn): 'large' classes of 56 and more, 'super-sized' "
                 "of more than 66")
P = Param
RULES: tuple[Param, ...] = (
    # hukou
    P("hukou_quota_share", 0.005, "per year", 0.0, 1.0,
      "annual hukou quota as a share of the initial migrant households"),
    P("hukou_needs_owned", 1, "flag", 0, 1, "hukou requires an owned home", NDRC_EN, integer=True),
    P("hukou_rented_ok", 0, "flag", 0, 1, "a fixed rented residence also qualifies", integer=True),
    P("hukou_job_months", 0, "months", 0, 240, "months in the current formal job required", integer=True),
    P("hukou_pension_years", 0, "years", 0, 20, "consecutive years of urban pension contributions required",
      integer=True),
    P("hukou_needs_registration", 1, "flag", 0, 1, "hukou requires a residence permit", integer=True),
    P("reg_services_tied", 0, "flag", 0, 1, "services (school seats) are tied to the residence permit",
      integer=True),
    # schooling
    P("school_rule", HUKOU_FIRST, "code", 0, 3,
      "public-school admission: 0 hukou first, 1 registration, 2 points, 3 neighbourhood", NDRC_EN, integer=True),
    P("school_leftover_to_migrants", 1, "flag", 0, 1,
      "seats left after the priority classes go to other migrant children", integer=True),
    P("leftover_needs_registration", 1, "flag", 0, 1,
      "migrant children get left-over seats only with a residence permit (the documents rule)", NDRC_EN,
      integer=True),
    P("class_size_norm", 45, "pupils", 20, 80,
      "pupils per class at which public seats are counted (primary 45, junior secondary 50)", CLASS_NORMS),
    P("class_size_max", 55, "pupils", 20, 100,
      "largest class into which a school squeezes a pupil it must take (siblings of its pupils, local-hukou "
      "children: their legal claim); classes of 56 and more are 'large' (range 45-66, 66 'super-sized')",
      LARGE_CLASSES + "; the cap is an assumption"),
    P("seat_planning_lag", 3, "years", 0, 10,
      "public seats opened each August are planned from the children with a claim this many years before",
      "assumption (range 1-5): the time to plan, fund and build a school", integer=True),
    P("seat_planning_ratio", 1.0, "seats per child", 0.0, 3.0,
      "public seats planned per school-age child with a claim (0: no planning, seats change only by policy)",
      "assumption (range 0.9-1.2)"),
    P("seat_cost", 40000.0, "yuan/seat", 0.0, 1e6, "capital cost of a public-school seat (planned seats)",
      ASSUMPTION),
    P("public_cost_per_pupil", 600.0, "yuan/month", 0.0, 1e4, "public cost of a public-school pupil"),
    P("private_school_fee", 300.0, "yuan/month", 0.0, 1e4, "fee of a private migrant school per child"),
    P("migrant_school_quality", -0.3, "utils", -5.0, 5.0, "quality of private migrant schools"),
    P("migrant_school_subsidy", 0.0, "yuan/month", 0.0, 1e4, "public subsidy per pupil in a migrant school"),
    P("points_skill", 10.0, "points per level", 0.0, 100.0, "points for each skill level", YIWU),
    P("points_insured_year", 5.0, "points per year", 0.0, 100.0, "points per insured year", YIWU),
    P("points_residence_year", 3.0, "points per year", 0.0, 100.0, "points per year of residence", YIWU),
    P("points_property", 20.0, "points", 0.0, 100.0, "points for owning property", YIWU),
    P("points_assured_skill", 0, "flag", 0, 1,
      "children of skilled migrants (managers) are assured a seat under the points rule", YIWU, integer=True),
    # social insurance (statutory rates, as in Kunshan 2009)
    P("insurance_share_migrant", 0.2, "share", 0.0, 1.0,
      "share of formal employers that enrol migrant workers", "assumption: 'few' in " + NDRC_EN),
    P("insurance_share_local", 0.85, "share", 0.0, 1.0, "share of formal employers that enrol local workers"),
    P("pension_employer", 0.18, "share of wage", 0.0, 0.5, "pension contribution, employer", KUNSHAN),
    P("pension_employee", 0.08, "share of wage", 0.0, 0.5, "pension contribution, employee", KUNSHAN),
    P("medical_employer", 0.08, "share of wage", 0.0, 0.5, "medical contribution, employer", KUNSHAN),
    P("medical_employee", 0.02, "share of wage", 0.0, 0.5, "medical contribution, employee", KUNSHAN),
    P("unemployment_employer", 0.02, "share of wage", 0.0, 0.5, "unemployment contribution, employer", KUNSHAN),
    P("unemployment_employee", 0.01, "share of wage", 0.0, 0.5, "unemployment contribution, employee", KUNSHAN),
    P("unemployment_benefit", 1046.0, "yuan/month", 0.0, 1e4, "unemployment benefit (Zhejiang 2013)", YIWU),
    P("unemployment_qualifying_months", 12, "months", 0, 120,
      "insured months before a benefit is paid (a year of contributions, art. 14)", UI_1999, integer=True),
    P("unemployment_benefit_months_1_5y", 12, "months", 0, 24,
      "longest benefit spell after 1-5 years of contributions (art. 17)", UI_1999, integer=True),
    P("unemployment_benefit_months_5_10y", 18, "months", 0, 24,
      "longest benefit spell after 5-10 years of contributions (art. 17)", UI_1999, integer=True),
    P("unemployment_benefit_months_10y", 24, "months", 0, 24,
      "longest benefit spell after 10 or more years of contributions (art. 17)", UI_1999, integer=True),
    # pensions (abm.phases.insurance)
    P("pension_min_years", 15, "years", 0, 40,
      "years of contributions for a basic pension; with fewer the personal account is paid out at retirement",
      PENSIONS_1997 + "; " + PENSIONS_2005, integer=True),
    P("pension_accrual", 0.01, "share per year", 0.0, 0.05,
      "pooled pension per year of contributions, of the mean of the average wage and the own indexed wage "
      "(section 6)", PENSIONS_2005),
    P("flexible_base", 1.0, "share of average wage", 0.6, 3.0,
      "contribution base of those insured without an employer (the self-employed, flexibly employed; here "
      "households on urban social security), of the average wage (section 3)", PENSIONS_2005),
    P("pension_transfer_from", 2010, "year", 1990, 2100,
      "first year a departing head's record is transferred (the personal account and part of the pooled "
      "contributions); before it the rule `pension_withdrawal` holds", TRANSFERS_2009, integer=True),
    P("pension_transfer_pooled", 0.12, "share of contribution wages", 0.0, 0.3,
      "share of each year's contribution wages transferred from the pooled fund with a departing head's record "
      "(art. 3)", TRANSFERS_2009),
    P("pension_withdrawal", 1, "flag", 0, 1,
      "before `pension_transfer_from`, a departing head without urban hukou withdraws the personal account", TUIBAO,
      integer=True),
    P("resident_pension", 55.0, "nominal yuan/month", 0.0, 1e4,
      "basic pension of the rural and urban residents' schemes, paid by government to local heads without an "
      "employee pension (55 yuan from 2009 until the 2014 merger: nominal, not moved with wages)",
      RESIDENT_PENSIONS),
    P("resident_pension_age", 60, "years", 40, 80, "age from which the residents' schemes pay", RESIDENT_PENSIONS,
      integer=True),
    P("resident_pension_from", 2012, "year", 2009, 2100,
      "first year the residents' schemes pay in the city: the national coverage of 2012 (pilots from 2009 covered 10% "
      "of counties; a city profile sets its pilot's year)", RESIDENT_PENSIONS, integer=True),
    # assistance (lines per person)
    P("dibao_line_urban", round(16.95 * DAYS_PER_MONTH, 2), "yuan/person/month", 0.0, 1e4,
      "urban minimum living allowance line (16.95 yuan a day, Zhejiang 2013)", YIWU),
    P("dibao_line_rural", round(12.93 * DAYS_PER_MONTH, 2), "yuan/person/month", 0.0, 1e4,
      "rural minimum living allowance line (12.93 yuan a day, Zhejiang 2013)", YIWU),
    P("dibao_migrants", 0, "flag", 0, 1, "registered migrants may claim the urban allowance", integer=True),
    P("temp_assist_migrants", 0, "flag", 0, 1, "migrants may claim temporary assistance", integer=True),
    P("temp_assist_amount", 1000.0, "yuan", 0.0, 1e5, "one-off temporary assistance payment"),
    P("poverty_line", round(0.45 * 16106 / 12, 2), "yuan/person/month", 0.0, 1e4,
      "absolute poverty line: 45% of rural net income per capita (Zhejiang 2013)", YIWU),
    P("temp_assist_unemployed", 0, "flag", 0, 1,
      "temporary assistance also every month for an unemployed household without savings (the rule before "
      "assistance answered shocks)", integer=True),
    # health (abm/phases/health.py): the cost of an inpatient episode and what each scheme reimburses
    P("inpatient_cost", 5775.5, "yuan/episode", 0.0, 1e6,
      "average medical expense per inpatient admission (2009, national)",
      "Ministry of Health, 2009 health statistics announcement of 3 Feb 2010 (inpatient expense per visit RMB "
      "5,775.50), reported by Interfax-China 4 Feb 2010; a city's own figure is a profile rule"),
    P("uebmi_reimbursement", 0.68, "share of cost", 0.0, 1.0,
      "share of an inpatient episode's cost the urban employee medical insurance pays",
      "assumption at the top of the 44-68% range of inpatient reimbursement among the three public schemes in "
      "2011 (a review quoted at th4.ilovetranslation.com; its own source not identified)"),
    P("urbmi_reimbursement", 0.5, "share of cost", 0.0, 1.0,
      "share of an inpatient episode's cost the urban resident medical insurance pays",
      "assumption within the 44-68% range of inpatient reimbursement among the three public schemes in 2011 "
      "(as uebmi_reimbursement)"),
    P("nrcms_reimbursement", 0.55, "share of cost", 0.0, 1.0,
      "share of an inpatient episode's cost the New Rural Cooperative Medical Scheme pays (treated locally)",
      "Ministry of Health report on the NRCMS in 2009 (preliminary: 55% of inpatient expenses), Xinhua "
      "2010-03-09"),
    P("nrcms_nonlocal_share", 0.0, "share of the local rate", 0.0, 1.0,
      "what the NRCMS of a migrant's home county pays for care in the city, as a share of its local rate",
      "Xinhua 2012-03-01 (Health Minister Chen Zhu): migrant workers 'don't get help from the government for the "
      "medical expenses if they receive treatment away from home'; range up to 1 where counties reimburse "
      "care elsewhere (assumption)"),
    # training
    P("training_rate_migrant", 0.002, "per month", 0.0, 1.0, "monthly training take-up of migrant workers"),
    P("training_rate_farmer", 0.002, "per month", 0.0, 1.0, "monthly training take-up of farmers"),
    P("training_rate_poor", 0.002, "per month", 0.0, 1.0, "monthly training take-up of the urban poor"),
    P("training_cost", 1500.0, "yuan", 0.0, 1e5, "public cost of one training course"),
    # housing
    P("compound_open", 0, "flag", 0, 1, "blue-collar compounds take employed migrants", integer=True),
    P("compound_rent_share", 0.068, "share of income", 0.0, 1.0,
      "compound rent as a share of the household's income", KUNSHAN),
    P("compound_subsidy", 300.0, "yuan/month", 0.0, 1e4, "public cost per occupied compound unit"),
    P("dormitory_rent", 20.0, "yuan/month", 0.0, 1e4, "employer dormitory charge (utilities)", KUNSHAN),
    P("public_rental_rent", 300.0, "yuan/month", 0.0, 1e4, "rent of a public rental unit"),
    P("public_rental_subsidy", 500.0, "yuan/month", 0.0, 1e4, "public cost per occupied public rental unit"),
    P("public_rental_income_line", 1000.0, "yuan/person/month", 0.0, 1e5,
      "income line for local households' public rental eligibility"),
    P("public_rental_migrants", 0, "flag", 0, 1, "migrants with a stable job may rent public units", integer=True),
    P("public_rental_migrant_years", 3, "years", 0, 20, "years of residence migrants need", integer=True),
    P("public_rental_graduates", 0, "flag", 0, 1, "recent graduates (skilled, under 30) may rent", integer=True),
    P("uv_redevelopment_rate", 0.02, "per year", 0.0, 1.0, "share of urban-village units demolished a year"),
    # land-losing farmers
    P("farmers_urban_ss", 0, "flag", 0, 1, "requisitioned farmers join urban social security", integer=True),
    P("homestead_exchange", 0, "flag", 0, 1, "requisitioned farmers move to resettlement apartments",
      integer=True),
    P("resettled_hukou", 0, "flag", 0, 1, "resettled farmers receive urban hukou", integer=True),
    P("requisitioned_hukou", 0, "flag", 0, 1, "farmers whose land is requisitioned are registered as citizens",
      YIWU, integer=True),
    P("letting_income", 0.0, "yuan/month", 0.0, 1e5,
      "income of requisitioned farmer households letting space in their new houses to migrants' businesses", YIWU),
    P("ss_buy_in", 0, "flag", 0, 1,
      "the city buys in the missing contribution years of a head on urban social security who reaches the statutory "
      "age short of `pension_min_years`, so the urban scheme pays a pension (Jinnan's and Changshu's promise to the "
      "requisitioned farmers; the Social Insurance Law, 2011, art. 16 lets members pay up to 15 years)",
      "assumption: the seeds promise urban social security to the requisitioned farmers (seeds 000, 001); who pays "
      "the buy-in, and at what base, was not found", integer=True),
    P("ss_subsidy", 200.0, "yuan/month", 0.0, 1e4, "public subsidy per farmer household on urban social security"),
    P("compensation_per_mu", 20000.0, "yuan/mu", 0.0, 1e6, "cash compensation per mu of requisitioned land"),
    P("land_requisition_rate", 0.03, "per year", 0.0, 1.0,
      "share of farmer households whose land is requisitioned a year (the city's schedule)"),
    # life course
    P("retirement_age_men", 60, "years", 40, 75, "statutory retirement age, men", RETIREMENT, integer=True),
    P("retirement_age_women", 50, "years", 40, 75, "statutory retirement age, women workers", RETIREMENT,
      integer=True),
    P("retirement_age_women_cadre", 55, "years", 40, 75,
      "statutory retirement age, women cadres (here the high-skilled)", RETIREMENT, integer=True),
    # community
    P("coproduction_cost", 0.0, "yuan/month", 0.0, 1e4, "public cost per household taking part in co-production"),
    P("coproduction_participation", 0.0, "share", 0.0, 1.0, "households taking part in co-production"),
)
del P

RULES_BY_NAME = {r.name: r for r in RULES}

# The step phase that reads each rule (abm.policies.base.PHASES): a policy that sets a rule must declare
# its phase, so `abm policies` tells the truth about what a policy touches.
_PHASE_RULES = {
    "lifecourse": ("retirement_age_men", "retirement_age_women", "retirement_age_women_cadre"),
    "exogenous": ("seat_planning_lag", "seat_planning_ratio", "seat_cost", "farmers_urban_ss", "homestead_exchange",
                  "resettled_hukou", "requisitioned_hukou",
                  "compensation_per_mu", "land_requisition_rate"),
    "labour": ("insurance_share_migrant", "insurance_share_local", "pension_employer", "pension_employee",
               "medical_employer", "medical_employee", "unemployment_employer", "unemployment_employee",
               "unemployment_benefit", "unemployment_qualifying_months", "unemployment_benefit_months_1_5y",
               "unemployment_benefit_months_5_10y", "unemployment_benefit_months_10y", "pension_min_years",
               "pension_accrual", "flexible_base", "ss_buy_in", "resident_pension", "resident_pension_age",
               "resident_pension_from", "training_rate_migrant",
               "training_rate_farmer", "training_rate_poor", "training_cost", "letting_income"),
    "housing": ("compound_open", "compound_rent_share", "compound_subsidy", "dormitory_rent", "public_rental_rent",
                "public_rental_subsidy", "public_rental_income_line", "public_rental_migrants",
                "public_rental_migrant_years", "public_rental_graduates", "uv_redevelopment_rate"),
    "registration": ("hukou_quota_share", "hukou_needs_owned", "hukou_rented_ok", "hukou_job_months",
                     "hukou_pension_years", "hukou_needs_registration", "coproduction_participation"),
    "schooling": ("reg_services_tied", "school_rule", "school_leftover_to_migrants", "leftover_needs_registration",
                  "class_size_norm", "class_size_max", "public_cost_per_pupil", "private_school_fee",
                  "migrant_school_quality",
                  "migrant_school_subsidy", "points_skill", "points_insured_year", "points_residence_year",
                  "points_property", "points_assured_skill"),
    "health": ("inpatient_cost", "uebmi_reimbursement", "urbmi_reimbursement", "nrcms_reimbursement",
               "nrcms_nonlocal_share"),
    "assistance": ("dibao_line_urban", "dibao_line_rural", "dibao_migrants", "temp_assist_migrants",
                   "temp_assist_amount", "temp_assist_unemployed", "poverty_line"),
    "accounts": ("ss_subsidy", "coproduction_cost"),
    "settlement": ("pension_transfer_from", "pension_transfer_pooled", "pension_withdrawal"),
}
PHASE_OF = {rule: phase for phase, rules in _PHASE_RULES.items() for rule in rules}
assert sorted(PHASE_OF) == sorted(p.name for p in RULES) and len(PHASE_OF) == len(RULES)

# When two policies set one rule to different values: for these rules the more generous value wins
# (a higher quota, share, rate or subsidy, a flag switched on) or the less demanding one (a lower
# requirement or fee). Any other rule set two ways is a conflict that the config must settle.
COMBINE: dict[str, str] = {
    **{name: "max" for name in (
        "hukou_quota_share", "hukou_rented_ok", "reg_services_tied", "school_leftover_to_migrants",
        "migrant_school_quality", "migrant_school_subsidy", "insurance_share_migrant", "insurance_share_local",
        "dibao_migrants", "temp_assist_migrants", "training_rate_migrant", "training_rate_farmer",
        "training_rate_poor", "compound_open", "public_rental_migrants", "public_rental_graduates",
        "public_rental_income_line", "farmers_urban_ss", "homestead_exchange", "resettled_hukou",
        "coproduction_participation", "land_requisition_rate", "points_assured_skill", "requisitioned_hukou",
        "letting_income", "uebmi_reimbursement", "urbmi_reimbursement", "nrcms_reimbursement",
        "nrcms_nonlocal_share", "ss_buy_in")},
    **{name: "min" for name in (
        "hukou_needs_owned", "hukou_needs_registration", "private_school_fee", "public_rental_migrant_years",
        "leftover_needs_registration")},
}
assert set(COMBINE) <= set(RULES_BY_NAME)
