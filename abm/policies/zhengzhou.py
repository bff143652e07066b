"""Zhengzhou: residence-permit registration tied to services, and schools built to follow enrolment.

The pilot (NDRC/UNFPA tool kit, seeds/000_ec5a7b7d934ae25e.txt, chapter two, section II) links the
registration of migrants with their access to social services, so that migrants are "mobilized to
register", and makes the building of compulsory-education facilities "keep in pace with population
changes" after the 2003 low-threshold hukou reform was suspended for lack of school places. It
monitors the registration rate, migrant children's enrolment and public-school share, class sizes and
the budget (seed_facts: zhengzhou 2011, 25 schools started).

In the model: registration raises take-up (`reg_services_tied`) and registered migrants' children
compete for public seats on a par with local children (`school_rule` = registration); every year, in
`build_month`, each district builds `build_share` of the gap between the children with a claim to a
public seat and its seats, at `seat_cost` a seat, booked to education.
"""

import numpy as np

from abm.parameters import ASSUMPTION, NDRC_EN, Param
from abm.policies.base import City, Policy
from abm.rules import REGISTRATION_RULE


class Zhengzhou(Policy):
    name = "zhengzhou"
    title = "Registration tied to services; school building that follows enrolment"
    parameters = (
        Param("services_tied", 1, "flag", 0, 1, "registered migrants' children may claim public seats", NDRC_EN,
              integer=True),
        Param("build_share", 0.5, "per year", 0.0, 1.0, "share of the seat shortfall built each year", ASSUMPTION),
        Param("seat_cost", 40000.0, "yuan/seat", 0.0, 1e6, "capital cost of a public-school seat", ASSUMPTION),
        Param("build_month", 7, "month", 1, 12, "month when new seats open, before the September intake",
              integer=True),
    )
    phases = ("city", "registration", "schooling")

    def rules(self, current):
        if not self.values["services_tied"]:
            return {}
        return {"reg_services_tied": 1, "school_rule": REGISTRATION_RULE}

    def on_city(self, city: City):
        if city.month != int(self.values["build_month"]) or self.values["build_share"] == 0:
            return
        d = city.districts
        claims = city.public_claims()
        build = np.ceil(np.maximum(0, claims - d.public_seats) * self.values["build_share"]).astype(np.int64)
        d.public_seats[:] += build
        city.spend("budget_education", float(build.sum()) * city.scale * city.prices * self.values["seat_cost"])
