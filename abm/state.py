"""Household, district and labour-market state as column arrays.

Every column and its dtype is declared here, once. Both engines step the same
columns: the Numba kernels loop over them and each Mesa agent reads and writes
its own row. Codes (group, tenure, school place, ...) are small integers named
below; `LABELS` turns them into words for output.
"""

from __future__ import annotations

from collections import namedtuple

import numpy as np

# groups
MIGRANT, FARMER, URBAN_POOR = 0, 1, 2
GROUPS = ("migrant", "land_losing_farmer", "urban_poor")
# head's sex
FEMALE, MALE = 0, 1
SEXES = ("female", "male")
# hukou
RURAL_NONLOCAL, RURAL_LOCAL, URBAN_LOCAL, CONVERTED = 0, 1, 2, 3
HUKOU = ("rural_nonlocal", "rural_local", "urban_local", "converted")
# employment and sector
UNEMPLOYED, INFORMAL, FORMAL, RETIRED = 0, 1, 2, 3
EMPLOYMENT = ("unemployed", "informal", "formal", "retired")
SECTORS = ("manufacturing", "construction", "services", "informal")
INFORMAL_SECTOR = 3
N_FORMAL_SECTORS = 3
N_SKILLS = 3
SKILLS = ("low", "middle", "high")
# housing tenure (NO_HOME: an arrival not yet housed, or a household evicted)
NO_HOME = -1
URBAN_VILLAGE, DORMITORY, PRIVATE_RENTAL, COMPOUND, PUBLIC_RENTAL, OWNED, RESETTLEMENT = range(7)
TENURES = ("urban_village", "dormitory", "private_rental", "compound", "public_rental", "owned",
           "resettlement")
N_TENURES = 7
# where the household's school-age children study (siblings study together)
NO_CHILDREN, PUBLIC, PRIVATE_MIGRANT, LEFT_BEHIND, NOT_ENROLLED = range(5)
SCHOOL = ("no_children", "public", "private_migrant", "left_behind", "not_enrolled")
# status
ACTIVE, RETURNED_HOME, MOVED_ON, DISSOLVED, LEFT_POVERTY = 0, 1, 2, 3, 4
STATUS = ("active", "returned_home", "moved_on", "dissolved", "left_poverty")
# the head's spouse or partner (abm.phases.lifecourse)
SPOUSE = ("none", "with_family", "in_village")

HOUSEHOLD_COLUMNS: dict[str, np.dtype] = {
    "group": np.int8, "district": np.int16, "age": np.int8, "sex": np.int8, "size": np.int8,
    "spouse": np.int8, "spouse_age": np.int8, "kid_age0": np.int8, "kid_age1": np.int8, "kid_age2": np.int8,
    "kid_age3": np.int8, "kid_male": np.int8, "dependants": np.int8,
    "kids_school": np.int8, "kids_pre": np.int8, "skill": np.int8,
    "employment": np.int8, "sector": np.int8, "job_months": np.int16, "unemp_spell": np.int16,
    "wage": np.float64, "income": np.float64, "savings": np.float64,
    "hukou": np.int8, "registered": np.int8, "months_in_city": np.int16,
    "insured": np.int8, "pension_months": np.int16, "pension_streak": np.int16,
    "medical_months": np.int16, "unemp_ins_months": np.int16,
    # the head's pension record and pension (abm.phases.insurance): float32 keeps yuan to about 1e-7 of the amount
    "pension_index": np.float32, "pension_account": np.float32, "pension": np.float32,
    "tenure": np.int8, "rent": np.float64, "school": np.int8,
    "dibao": np.int8, "temp_assist": np.int8, "assistance": np.float64, "trainings": np.int8,
    "land": np.float64, "compensation": np.float64, "resettled": np.int8, "urban_ss": np.int8,
    "coproducing": np.int8, "settle_intent": np.int8, "status": np.int8, "arrived": np.int16, "left": np.int16,
}
Households = namedtuple("Households", list(HOUSEHOLD_COLUMNS))

LABELS = {"group": GROUPS, "sex": SEXES, "spouse": SPOUSE, "hukou": HUKOU, "employment": EMPLOYMENT,
          "sector": SECTORS, "skill": SKILLS, "tenure": TENURES, "school": SCHOOL, "status": STATUS}

# Districts: capacities and occupancy in agent units (one agent = `scale` real households).
Districts = namedtuple("Districts", [
    "units",          # int64[D, N_TENURES] housing units
    "occupied",       # int64[D, N_TENURES]
    "rent",           # float64[D, N_TENURES] market rent (yuan/month) where it is a market rent
    "public_seats",   # int64[D] school seats
    "public_used",    # int64[D]
    "private_seats",  # int64[D]
    "private_used",   # int64[D]
    "staff",          # float64[D] residential-committee staff
    "price",          # float64[D] home price (yuan): price_to_rent years of the private-rental rent
    "downpayment",    # float64[D] savings needed to buy a home in the district (yuan)
    "school_access",  # float64[D] share of the public seats free (this month's searchers see it)
    "services",       # float64[D] committee staff per 1,000 households (this month's searchers see it)
])

# Labour market: formal jobs by sector and skill, wages by sector and skill.
Market = namedtuple("Market", [
    "jobs",       # float64[N_FORMAL_SECTORS, N_SKILLS] formal jobs (agent units), grows with demand
    "employed",   # int64[N_FORMAL_SECTORS, N_SKILLS] filled this month
    "wage",       # float64[N_SECTORS, N_SKILLS] yuan/month
])


def empty_households(capacity: int) -> Households:
    cols = {}
    for name, dt in HOUSEHOLD_COLUMNS.items():
        cols[name] = np.zeros(capacity, dtype=dt)
    cols["tenure"][:] = NO_HOME
    cols["sector"][:] = -1
    cols["status"][:] = ACTIVE
    cols["left"][:] = -1
    for k in range(4):
        cols[f"kid_age{k}"][:] = -1
    return Households(**cols)


def grow(h: Households, n: int, capacity: int) -> Households:
    """Copy the first `n` rows into arrays of a larger capacity."""
    bigger = empty_households(capacity)
    for name in HOUSEHOLD_COLUMNS:
        getattr(bigger, name)[:n] = getattr(h, name)[:n]
    return bigger


# Work arrays the fast engine's kernels reuse every step instead of allocating them: a fresh array of a
# million rows costs its page faults every time (about 0.6 ms per MB here, in the serial part of a kernel).
# Per household: a flag, a small code, two amounts, an id and a key; each kernel resets what it reads.
WORK_COLUMNS: dict[str, np.dtype] = {"flag": np.bool_, "code": np.int8, "yuan": np.float64, "yuan2": np.float64,
                                     "ids": np.int64, "keys": np.float64}
Work = namedtuple("Work", list(WORK_COLUMNS))


def empty_work(capacity: int) -> Work:
    return Work(**{name: np.zeros(capacity, dtype=dt) for name, dt in WORK_COLUMNS.items()})


def hot_bytes_per_household() -> int:
    return sum(np.dtype(dt).itemsize for dt in HOUSEHOLD_COLUMNS.values())


# Flows accumulated during a step, by group and sex, in agent units (yuan or counts per agent).
# Persons: births, deaths, persons_in (partners joining by a union), persons_out (members leaving the city
# without their household), arrival_persons and departure_persons (members of households arriving, or
# falling into poverty from the urban population that is not simulated, and of households departing the city
# or leaving poverty for it); new_households (formed by grown children), poverty_entries, poverty_exits and
# retirements are counts of households. The social-insurance funds' flows (abm.phases.insurance and, for the
# medical fund, abm.phases.health, yuan) follow the budget lines (pension_transfers_out, records leaving with
# departing heads, is part of pension_fund_outgo), then the health flows (abm.phases.health: episodes are
# persons, catastrophic_health households, the rest yuan). Moves (abm.phases.housing.move_kind) count
# households that take another home in the month's search, by whether it is in another district or their own.
FLOWS = ("hukou_conversions", "arrivals", "departures", "training_person_times",
         "temporary_assistance_recipients", "births", "deaths", "retirements", "new_households", "poverty_entries",
         "poverty_exits", "persons_in", "persons_out", "arrival_persons", "departure_persons", "budget_education",
         "budget_housing", "budget_assistance", "budget_training", "budget_insurance_subsidy",
         "budget_resident_pension", "budget_community", "budget_land_compensation", "pension_fund_income",
         "pension_fund_outgo", "pension_lump_sums", "unemployment_fund_income", "unemployment_fund_outgo",
         "pension_transfers_out", "medical_fund_income", "medical_fund_outgo", "health_episodes",
         "health_out_of_pocket", "catastrophic_health", "health_reimbursements", "moves_between_districts",
         "moves_within_district")
(F_CONVERSIONS, F_ARRIVALS, F_DEPARTURES, F_TRAINING, F_TEMP, F_BIRTHS, F_DEATHS, F_RETIREMENTS,
 F_NEW_HOUSEHOLDS, F_POVERTY_ENTRIES, F_POVERTY_EXITS, F_PERSONS_IN, F_PERSONS_OUT, F_ARRIVAL_PERSONS,
 F_DEPARTURE_PERSONS, F_EDU, F_HOUSING, F_ASSIST, F_TRAIN_COST, F_INSURANCE, F_RESIDENT_PENSION, F_COMMUNITY,
 F_LAND_COMP, F_PENSION_IN, F_PENSION_OUT, F_LUMP_SUMS, F_UI_IN, F_UI_OUT, F_TRANSFERS_OUT, F_MED_IN, F_MED_OUT,
 F_EPISODES, F_OOP, F_CATASTROPHIC, F_REIMBURSED, F_MOVES_BETWEEN, F_MOVES_WITHIN) = range(len(FLOWS))
BUDGET_LINES = FLOWS[F_EDU:F_LAND_COMP + 1]
# the funds whose balances the world keeps (World.funds, real yuan): name, income flow, outgo flow
FUNDS = (("pension", F_PENSION_IN, F_PENSION_OUT), ("unemployment", F_UI_IN, F_UI_OUT),
         ("medical", F_MED_IN, F_MED_OUT))


def empty_flows() -> np.ndarray:
    return np.zeros((len(FLOWS), len(GROUPS), len(SEXES)))
