"""Jinnan District, Tianjin: homestead-for-apartment exchange in model towns, and what follows it.

The pilot (seeds/000_ec5a7b7d934ae25e.txt, chapter two, section IV; seed_facts: jinnan 2005, all seven
towns in the programme) moves farmer households that give up their rural homestead into apartments in
model towns, then explores "equal access to regular urban benefits in terms of social assistance and
social security" and "how to take up Hukou reform for villagers in model towns"; community service
centres provide vocational training and community organizations. It monitors the number and share of
villagers who exchanged their homesteads, attended training and found jobs, who receive urban social
assistance and security, and who got urban hukou.

In the model: farmers give up their land at the programme's pace (`programme_rate`) and, where a
resettlement apartment is free in their district, move into it; they join urban social security (and
the urban assistance line; the urban pension pays what it promises: the city buys in the years a farmer lacks
at the statutory age, `ss_buy_in`) and, if `urban_hukou`, are converted to urban hukou outside the
quota.
Each January the district builds apartments for `build_cover` of the farmer households expected to
exchange that year, at `apartment_cost` each (housing budget). Training take-up rises for farmers, and
community organizations enrol `community_participation` of households.
"""

import numpy as np

from abm.parameters import ASSUMPTION, NDRC_EN, Param
from abm.policies.base import City, Policy
from abm.state import RESETTLEMENT


class Jinnan(Policy):
    name = "jinnan"
    title = "Homestead-for-apartment exchange; urban social security, assistance and hukou for the resettled"
    parameters = (
        Param("programme_rate", 0.1, "per year", 0.0, 1.0, "share of farmer households exchanging a year",
              ASSUMPTION),
        Param("build_cover", 1.2, "1", 0.0, 5.0, "apartments built per expected exchange", ASSUMPTION),
        Param("apartment_cost", 150000.0, "yuan", 0.0, 1e7, "public cost of a resettlement apartment", ASSUMPTION),
        Param("urban_social_security", 1, "flag", 0, 1, "the resettled join urban social security", NDRC_EN,
              integer=True),
        Param("urban_hukou", 1, "flag", 0, 1, "the resettled receive urban hukou", NDRC_EN, integer=True),
        Param("training_rate", 0.01, "per month", 0.0, 1.0, "training take-up of farmers", ASSUMPTION),
        Param("community_participation", 0.2, "share", 0.0, 1.0, "households in community organizations",
              ASSUMPTION),
    )
    phases = ("exogenous", "city", "labour", "registration", "assistance", "settlement")

    def rules(self, current):
        v = self.values
        return {"homestead_exchange": 1, "land_requisition_rate": v["programme_rate"],
                "farmers_urban_ss": v["urban_social_security"], "ss_buy_in": v["urban_social_security"],
                "resettled_hukou": v["urban_hukou"],
                "training_rate_farmer": v["training_rate"], "coproduction_participation": v["community_participation"]}

    def on_city(self, city: City):
        if not (city.month == 1 or city.step == 1):
            return
        per_district = city.land_holders_by_district()
        expected = per_district * city.rv.land_requisition_rate * self.values["build_cover"]
        build = np.ceil(expected).astype(np.int64)
        city.districts.units[:, RESETTLEMENT] += build
        city.spend("budget_housing", float(build.sum()) * city.scale * city.prices * self.values["apartment_cost"])
