"""Kunshan: blue-collar compounds, employer dormitories, equal social insurance, neighbourhood schooling.

From the Kunshan government's account (seeds/002_777f4d6435f8d24d.txt; seed_facts: kunshan 2009): 68
government-funded blue-collar compounds housed 250,000 residents at a rent of 6.8% of their average
monthly income, and employer dormitories 447,000 (about 20 yuan a month for utilities), of 1,345,000
migrants; all company employees are insured on equal terms at the statutory rates (pension 18% employer
+ 8% employee, medical 8% + 2%, unemployment 2% + 1%); migrant children enrol in the public schools of
their neighbourhood, and nine private migrant schools are publicly funded.

In the model: compound and dormitory units are built towards `compound_share` and `dormitory_share` of
the district's migrant households over `build_years` (compounds at `compound_cost`; dormitories at the
employers' cost); the units the Kunshan profile declares built by 2009 (its `stock:`, the same seed) count
towards that coverage, so the policy builds only as the migrant population grows, never the stock twice; compounds take employed migrants at `rent_share` of income; employers enrol migrants
as often as locals; public seats go by neighbourhood; migrant schools are subsidised and cheaper.
"""

import numpy as np

from abm.parameters import ASSUMPTION, KUNSHAN, Param
from abm.policies.base import City, Policy
from abm.rules import NEIGHBOURHOOD_RULE
from abm.state import COMPOUND, DORMITORY, MIGRANT


class Kunshan(Policy):
    name = "kunshan"
    title = "Blue-collar compounds and dormitories; equal social insurance; neighbourhood schooling"
    parameters = (
        Param("compound_share", round(250000 / 1345000, 3), "share of migrant households", 0.0, 1.0,
              "compound coverage aimed at (250,000 of 1,345,000 migrants)", KUNSHAN),
        Param("dormitory_share", round(447000 / 1345000, 3), "share of migrant households", 0.0, 1.0,
              "dormitory coverage aimed at (447,000 of 1,345,000 migrants)", KUNSHAN),
        Param("build_years", 3.0, "years", 0.1, 30.0, "years to reach the coverage", ASSUMPTION),
        Param("compound_cost", 60000.0, "yuan/unit", 0.0, 1e7, "public cost of a compound unit", ASSUMPTION),
        Param("rent_share", 0.068, "share of income", 0.0, 1.0, "compound rent", KUNSHAN),
        Param("equal_insurance", 1, "flag", 0, 1, "employers enrol migrants as they do locals", KUNSHAN,
              integer=True),
        Param("neighbourhood_schools", 1, "flag", 0, 1, "public seats by neighbourhood, not hukou", KUNSHAN,
              integer=True),
        Param("migrant_school_subsidy", 150.0, "yuan/month", 0.0, 1e4, "public funding per migrant-school pupil",
              "9 publicly funded migrant schools, " + KUNSHAN + "; amount assumed"),
        Param("migrant_school_fee", 100.0, "yuan/month", 0.0, 1e4, "fee of a publicly funded migrant school",
              ASSUMPTION),
    )
    phases = ("city", "labour", "housing", "schooling")

    def rules(self, current):
        v = self.values
        out = {"compound_open": 1, "compound_rent_share": v["rent_share"],
               "migrant_school_subsidy": v["migrant_school_subsidy"], "private_school_fee": v["migrant_school_fee"]}
        if v["equal_insurance"]:
            out["insurance_share_migrant"] = current["insurance_share_local"]
        if v["neighbourhood_schools"]:
            out["school_rule"] = NEIGHBOURHOOD_RULE
        return out

    def on_city(self, city: City):
        v, d = self.values, city.districts
        migrants = city.active_by_district(MIGRANT)
        cost = 0.0
        for tenure, share in ((COMPOUND, v["compound_share"]), (DORMITORY, v["dormitory_share"])):
            target = migrants * share
            pace = migrants * share / (12.0 * v["build_years"])
            build = np.ceil(np.minimum(np.maximum(target - d.units[:, tenure], 0.0), pace)).astype(np.int64)
            d.units[:, tenure] += build
            if tenure == COMPOUND:
                cost += float(build.sum()) * city.scale * city.prices * v["compound_cost"]
        city.spend("budget_housing", cost)
