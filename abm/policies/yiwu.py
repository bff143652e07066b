"""Yiwu: points-based public-school admission, and urban villages converted into communities.

From the field visit notes (seeds/003_b64c10e3172163d8.txt, items 5 and 8): school capacity has not
kept up with migration; "the children of the migrants occupying higher positions in factories, such as
managers, are normally assured a seat", and for workers' children "there is a credit calculating
system which allows those who got an overall higher score to be admitted first"; the others go to
community or private schools or stay in their home villages. Villages on the city's edge were converted
into communities: "the original villagers had been registered as citizens", and in their new houses
"most households let out the ground floor to businesses, usually employing migrants". Two thirds of
Yiwu's residents are migrants (seed_facts: yiwu 2014).

In the model: migrant children claim public seats by a points score (skill level, insured years, years
of residence, owning a home), after local children, with or without a residence permit, and skilled
(manager) heads' children are assured a seat; urban-village units are converted at `conversion_rate` a
year; farmers whose land is requisitioned are registered as urban citizens and earn `letting_income`
from letting space to migrants' businesses.
"""

from abm.parameters import ASSUMPTION, YIWU, Param
from abm.policies.base import Policy
from abm.rules import POINTS_RULE


class Yiwu(Policy):
    name = "yiwu"
    title = "Points-based public-school admission; urban villages converted, villagers letting space"
    parameters = (
        Param("points_skill", 10.0, "points per level", 0.0, 100.0, "points per skill level", YIWU),
        Param("points_insured_year", 5.0, "points per year", 0.0, 100.0, "points per insured year", YIWU),
        Param("points_residence_year", 3.0, "points per year", 0.0, 100.0, "points per year of residence", YIWU),
        Param("points_property", 20.0, "points", 0.0, 100.0, "points for owning a home", YIWU),
        Param("managers_assured", 1, "flag", 0, 1, "skilled heads' children are assured a seat", YIWU,
              integer=True),
        Param("conversion_rate", 0.05, "per year", 0.0, 1.0, "urban-village units converted a year", ASSUMPTION),
        Param("villagers_registered", 1, "flag", 0, 1, "requisitioned villagers are registered as citizens", YIWU,
              integer=True),
        Param("letting_income", 800.0, "yuan/month", 0.0, 1e5, "income from letting ground floors to businesses",
              "letting in " + YIWU + "; amount assumed"),
    )
    phases = ("exogenous", "labour", "housing", "schooling")

    def rules(self, current):
        v = self.values
        return {"school_rule": POINTS_RULE, "points_skill": v["points_skill"],
                "points_insured_year": v["points_insured_year"], "points_residence_year": v["points_residence_year"],
                "points_property": v["points_property"], "points_assured_skill": v["managers_assured"],
                "uv_redevelopment_rate": v["conversion_rate"], "requisitioned_hukou": v["villagers_registered"],
                "letting_income": v["letting_income"]}
