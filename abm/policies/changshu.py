"""Changshu: public rental housing, free skills training, rural pensions merged, schools absorbing migrants.

The pilot (Chinese manual seeds/001_fd4b46c307f335a2.txt, the Changshu table; summary in
seeds/000_ec5a7b7d934ae25e.txt, chapter two, table of sites) develops public rental housing for "local
lower-middle-income households in housing difficulty, graduates within five years of starting work, and
workers without local hukou who have a stable job and have lived in the city for some years"; gives
migrants free skills training; brings land-losing farmers into the urban pension scheme with a fiscal
subsidy while merging the rural and urban schemes; and has public schools "tap their potential" to
absorb migrant children while supporting and raising the quality of private migrant schools (in 2010
migrant children's enrolment was 100%, about 70% in public schools; seed_facts: changshu 2010).

In the model: public rental units are built each January (`units_per_year` of the district's
households, at `unit_cost`); locals below `income_line`, skilled heads under 30 and migrants with a
formal job and `migrant_years` of residence are eligible; migrants' training take-up rises at no cost to
them; requisitioned farmers join urban social security (the urban employee pension, with the city buying in
the years a farmer lacks at the statutory age, `ss_buy_in`, so the merged scheme pays a pension); public
seats grow by `seat_growth` a year, left
seats go to migrant children without the documents rule, and migrant schools are better and subsidised.
"""

import numpy as np

from abm.parameters import ASSUMPTION, NDRC_ZH, Param
from abm.policies.base import City, Policy
from abm.state import PUBLIC_RENTAL


class Changshu(Policy):
    name = "changshu"
    title = "Public rental housing; free training; rural pensions merged; schools absorbing migrant children"
    parameters = (
        Param("units_per_year", 0.01, "per year", 0.0, 0.2, "public rental units built, share of households",
              ASSUMPTION),
        Param("unit_cost", 100000.0, "yuan", 0.0, 1e7, "public cost of building a public rental unit", ASSUMPTION),
        Param("income_line", 1500.0, "yuan/person/month", 0.0, 1e5, "lower-middle income line for locals",
              ASSUMPTION),
        Param("migrant_years", 2, "years", 0, 20, "years of residence migrants need", "'some years', " + NDRC_ZH,
              integer=True),
        Param("graduates", 1, "flag", 0, 1, "recent graduates may rent", NDRC_ZH, integer=True),
        Param("training_rate", 0.01, "per month", 0.0, 1.0, "migrants' take-up of free skills training", ASSUMPTION),
        Param("merge_pensions", 1, "flag", 0, 1, "requisitioned farmers join the urban scheme", NDRC_ZH,
              integer=True),
        Param("seat_growth", 0.05, "per year", 0.0, 1.0, "growth of public-school seats", ASSUMPTION),
        Param("seat_cost", 40000.0, "yuan/seat", 0.0, 1e6, "capital cost of a public-school seat", ASSUMPTION),
        Param("migrant_school_quality", 0.3, "utils", -5.0, 5.0, "quality of supported migrant schools", ASSUMPTION),
        Param("migrant_school_subsidy", 100.0, "yuan/month", 0.0, 1e4, "public subsidy per migrant-school pupil",
              ASSUMPTION),
    )
    phases = ("city", "labour", "housing", "schooling", "exogenous")

    def rules(self, current):
        v = self.values
        return {"public_rental_migrants": 1, "public_rental_migrant_years": v["migrant_years"],
                "public_rental_graduates": v["graduates"], "public_rental_income_line": v["income_line"],
                "training_rate_migrant": v["training_rate"], "farmers_urban_ss": v["merge_pensions"],
                "ss_buy_in": v["merge_pensions"],
                "school_leftover_to_migrants": 1, "leftover_needs_registration": 0,
                "migrant_school_quality": v["migrant_school_quality"],
                "migrant_school_subsidy": v["migrant_school_subsidy"]}

    def on_city(self, city: City):
        v, d = self.values, city.districts
        if city.month == 1 or city.step == 1:
            build = np.ceil(city.active_by_district() * v["units_per_year"]).astype(np.int64)
            d.units[:, PUBLIC_RENTAL] += build
            city.spend("budget_housing", float(build.sum()) * city.scale * city.prices * v["unit_cost"])
        if city.month == 7:
            seats = np.ceil(d.public_seats * v["seat_growth"]).astype(np.int64)
            d.public_seats[:] += seats
            city.spend("budget_education", float(seats.sum()) * city.scale * city.prices * v["seat_cost"])
