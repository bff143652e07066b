"""The indicators, each declared once, and the kernel that computes them.

Both engines call `compute` on the same columns after every step, so the
indicator definitions cannot drift between engines. Values come out in
real-city units: counts and money are multiplied by the run's `scale`.
Undefined rates (a share of nothing, such as the enrolment rate of a group
with no school-age children) are reported as 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numba import njit, prange

from abm import decisions as dec
from abm.state import (
    ACTIVE,
    COMPOUND,
    F_ARRIVALS,
    F_COMMUNITY,
    F_CONVERSIONS,
    F_DEPARTURES,
    F_EDU,
    F_TEMP,
    F_TRAINING,
    FORMAL,
    LEFT_BEHIND,
    NO_HOME,
    NOT_ENROLLED,
    PRIVATE_MIGRANT,
    PUBLIC,
    PUBLIC_RENTAL,
    RURAL_NONLOCAL,
    UNEMPLOYED,
    URBAN_VILLAGE,
)


@dataclass(frozen=True)
class Indicator:
    name: str
    unit: str
    kind: str  # "stock" (at the step), "rate" (at the step) or "flow" (during the month)
    definition: str


I = Indicator  # noqa: E741 - a short alias for the table below
INDICATORS: tuple[Indicator, ...] = (
    I("population", "persons", "stock", "persons in active households"),
    I("households", "households", "stock", "active households"),
    I("registration_rate", "share", "rate", "non-local-hukou households holding a residence permit, of all non-local"),
    I("hukou_conversions", "households/month", "flow", "households converted to local urban hukou this month"),
    I("child_enrolment_rate", "share", "rate",
      "school-age children in the city who are enrolled (public or private), of all in the city"),
    I("public_school_share", "share", "rate", "enrolled children in public schools, of all enrolled"),
    I("left_behind_children", "children", "stock", "school-age children left behind in the home village"),
    I("class_size", "pupils/class", "rate", "public-school pupils per class in their district, pupil-weighted"),
    I("informal_housing_share", "share", "rate", "households in urban-village rentals or without a home"),
    I("rent_burden", "share", "rate", "rent paid over income, among households paying rent"),
    I("public_rental_coverage", "share", "rate", "households in public rental units or blue-collar compounds"),
    I("pension_coverage", "share", "rate", "households contributing to the urban pension this month"),
    I("medical_coverage", "share", "rate",
      "households with medical insurance: an insured job, urban social security or a local resident scheme"),
    I("unemployment_insurance_coverage", "share", "rate", "employed heads in insured formal jobs, of employed heads"),
    I("employment_rate", "share", "rate", "households whose head is employed (formal or informal)"),
    I("mean_income", "yuan/month", "rate", "household income after contributions, plus benefits and assistance"),
    I("poverty_rate_absolute", "share", "rate", "households below the absolute line per person"),
    I("poverty_rate_relative", "share", "rate", "households below 60% of the median income per person"),
    I("dibao_recipients", "households", "stock", "households receiving the minimum living allowance this month"),
    I("temporary_assistance_recipients", "households/month", "flow", "households paid temporary assistance"),
    I("training_person_times", "person-times/month", "flow", "training courses taken"),
    I("resettled_farmers", "households", "stock", "farmer households living in resettlement apartments"),
    I("farmers_urban_social_security", "households", "stock", "households on urban social security after requisition"),
    I("stay_5y_share", "share", "rate", "households in the city five years or more"),
    I("stay_10y_share", "share", "rate", "households in the city ten years or more"),
    I("settle_intention_share", "share", "rate", "households whose leaving hazard is below their group's baseline"),
    I("arrivals", "households/month", "flow", "migrant households arriving"),
    I("departures", "households/month", "flow", "households leaving (returning home or moving on)"),
    I("budget_education", "yuan/month", "flow", "public pupils' cost, migrant-school subsidies, school building"),
    I("budget_housing", "yuan/month", "flow", "public rental and compound subsidies, units built"),
    I("budget_assistance", "yuan/month", "flow", "minimum living allowance and temporary assistance"),
    I("budget_training", "yuan/month", "flow", "training courses"),
    I("budget_insurance_subsidy", "yuan/month", "flow", "public subsidies to social insurance"),
    I("budget_community", "yuan/month", "flow", "residential-committee staff and community services"),
    I("urbanization_gap", "share", "rate",
      "residents without urban hukou, of all residents (the gap between resident- and hukou-based urbanization)"),
)
del I
NAMES = tuple(i.name for i in INDICATORS)
UNIT = {i.name: i.unit for i in INDICATORS}
KIND = {i.name: i.kind for i in INDICATORS}
INDEX = {n: k for k, n in enumerate(NAMES)}
GROUP_LABELS = ("migrant", "land_losing_farmer", "urban_poor", "all")
SEX_LABELS = ("female", "male", "all")

(A_HH, A_PERSONS, A_NONLOCAL, A_REG, A_KIDS_CITY, A_KIDS_ENROLLED, A_KIDS_PUBLIC, A_KIDS_LB, A_CS, A_INFORMAL,
 A_RENT, A_RENT_INCOME, A_PUBLIC_RENTAL, A_PENSION, A_MEDICAL, A_EMPLOYED, A_UI, A_INCOME, A_POOR_ABS,
 A_POOR_REL, A_DIBAO, A_RESETTLED, A_URBAN_SS, A_STAY5, A_STAY10, A_SETTLE, A_NO_URBAN) = range(27)
N_ACC = 27
N_INDICATORS = 35
CHUNK = 1 << 14  # households per partial sum; fixed, so sums do not depend on the thread count
assert len(NAMES) == N_INDICATORS


@njit(cache=True)
def _ratio(a, b):
    return a / b if b > 0.0 else 0.0


@njit(cache=True, parallel=True)
def _accumulate(r, class_size, rel_line, dibao, district, employment, group, hukou, income, insured,
                kids_school, months_in_city, registered, rent, resettled, school, settle_intent, sex, size,
                status, tenure, urban_ss):
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
            a = group[i] * 2 + sex[i]
            kids = kids_school[i]
            part[c, a, A_HH] += 1.0
            part[c, a, A_PERSONS] += size[i]
            if hukou[i] == RURAL_NONLOCAL:
                part[c, a, A_NONLOCAL] += 1.0
                part[c, a, A_REG] += registered[i]
            sc = school[i]
            if sc == PUBLIC or sc == PRIVATE_MIGRANT or sc == NOT_ENROLLED:
                part[c, a, A_KIDS_CITY] += kids
            if sc == PUBLIC or sc == PRIVATE_MIGRANT:
                part[c, a, A_KIDS_ENROLLED] += kids
            if sc == PUBLIC:
                part[c, a, A_KIDS_PUBLIC] += kids
                part[c, a, A_CS] += kids * class_size[district[i]]
            elif sc == LEFT_BEHIND:
                part[c, a, A_KIDS_LB] += kids
            t = tenure[i]
            if t == URBAN_VILLAGE or t == NO_HOME:
                part[c, a, A_INFORMAL] += 1.0
            if rent[i] > 0.0:
                part[c, a, A_RENT] += rent[i]
                part[c, a, A_RENT_INCOME] += income[i]
            if t == PUBLIC_RENTAL or t == COMPOUND:
                part[c, a, A_PUBLIC_RENTAL] += 1.0
            pension = dec.contributes_pension(employment[i], insured[i], urban_ss[i])
            if pension:
                part[c, a, A_PENSION] += 1.0
            if pension or dec.is_local(hukou[i]):
                part[c, a, A_MEDICAL] += 1.0
            if employment[i] != UNEMPLOYED:
                part[c, a, A_EMPLOYED] += 1.0
                if employment[i] == FORMAL and insured[i] == 1:
                    part[c, a, A_UI] += 1.0
            part[c, a, A_INCOME] += income[i]
            p = income[i] / size[i]
            if p < r[0].poverty_line:
                part[c, a, A_POOR_ABS] += 1.0
            if p < rel_line:
                part[c, a, A_POOR_REL] += 1.0
            part[c, a, A_DIBAO] += dibao[i]
            part[c, a, A_RESETTLED] += resettled[i]
            part[c, a, A_URBAN_SS] += urban_ss[i]
            if months_in_city[i] >= 60:
                part[c, a, A_STAY5] += 1.0
            if months_in_city[i] >= 120:
                part[c, a, A_STAY10] += 1.0
            part[c, a, A_SETTLE] += settle_intent[i]
            if not dec.has_urban_hukou(hukou[i]):
                part[c, a, A_NO_URBAN] += size[i]
    return part


@njit(cache=True)
def compute(h, n, d, r, flows, city_budget, scale, background_urban):
    """Indicator values [indicator, group (3 + all), sex (2 + all)] for the current state.

    `city_budget` holds city-level spending by budget line in real yuan (school
    building, units built, staff); it is added to the `all`/`all` row only.
    """
    n_d = d.public_seats.shape[0]
    class_size = np.zeros(n_d)
    for k in range(n_d):
        classes = math.ceil(d.public_seats[k] / r[0].class_size_norm)
        class_size[k] = d.public_used[k] / classes if classes > 0 else 0.0
    pc = np.empty(n)
    m = 0
    for i in range(n):
        if h.status[i] == ACTIVE:
            pc[m] = h.income[i] / h.size[i]
            m += 1
    rel_line = 0.6 * np.median(pc[:m]) if m > 0 else 0.0
    part = _accumulate(r, class_size, rel_line, h.dibao[:n], h.district[:n], h.employment[:n], h.group[:n],
                       h.hukou[:n], h.income[:n], h.insured[:n], h.kids_school[:n], h.months_in_city[:n],
                       h.registered[:n], h.rent[:n], h.resettled[:n], h.school[:n], h.settle_intent[:n],
                       h.sex[:n], h.size[:n], h.status[:n], h.tenure[:n], h.urban_ss[:n])
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
            hh = c[A_HH]
            o = out[:, G, S]
            o[0] = c[A_PERSONS] * scale
            o[1] = hh * scale
            o[2] = _ratio(c[A_REG], c[A_NONLOCAL])
            o[3] = f[F_CONVERSIONS] * scale
            o[4] = _ratio(c[A_KIDS_ENROLLED], c[A_KIDS_CITY])
            o[5] = _ratio(c[A_KIDS_PUBLIC], c[A_KIDS_ENROLLED])
            o[6] = c[A_KIDS_LB] * scale
            o[7] = _ratio(c[A_CS], c[A_KIDS_PUBLIC])
            o[8] = _ratio(c[A_INFORMAL], hh)
            o[9] = _ratio(c[A_RENT], c[A_RENT_INCOME])
            o[10] = _ratio(c[A_PUBLIC_RENTAL], hh)
            o[11] = _ratio(c[A_PENSION], hh)
            o[12] = _ratio(c[A_MEDICAL], hh)
            o[13] = _ratio(c[A_UI], c[A_EMPLOYED])
            o[14] = _ratio(c[A_EMPLOYED], hh)
            o[15] = _ratio(c[A_INCOME], hh)
            o[16] = _ratio(c[A_POOR_ABS], hh)
            o[17] = _ratio(c[A_POOR_REL], hh)
            o[18] = c[A_DIBAO] * scale
            o[19] = f[F_TEMP] * scale
            o[20] = f[F_TRAINING] * scale
            o[21] = c[A_RESETTLED] * scale
            o[22] = c[A_URBAN_SS] * scale
            o[23] = _ratio(c[A_STAY5], hh)
            o[24] = _ratio(c[A_STAY10], hh)
            o[25] = _ratio(c[A_SETTLE], hh)
            o[26] = f[F_ARRIVALS] * scale
            o[27] = f[F_DEPARTURES] * scale
            for b in range(F_COMMUNITY - F_EDU + 1):
                o[28 + b] = f[F_EDU + b] * scale
                if G == 3 and S == 2:
                    o[28 + b] += city_budget[b]
            if G == 3 and S == 2:
                o[34] = _ratio(c[A_NO_URBAN] * scale, c[A_PERSONS] * scale + background_urban)
            else:
                o[34] = _ratio(c[A_NO_URBAN], c[A_PERSONS])
    return out


assert NAMES[28] == "budget_education" and NAMES[34] == "urbanization_gap"
