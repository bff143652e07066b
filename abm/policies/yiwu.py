"""Yiwu: points-based public-school admission, and urban villages converted with villagers letting rooms.

From the field visit notes (seeds/003_b64c10e3172163d8.txt, items 5 and 10): school capacity has not kept
up with migration; "the children of the migrants occupying higher positions in factories, such as
managers, are normally assured a seat", and for workers' children "there is a credit calculating system";
villages on the city's edge were converted into communities whose villagers, registered as citizens, let
the space in their new houses. Two thirds of Yiwu's residents are migrants (seed_facts: yiwu 2014).

In the model: migrant children get public seats in the order of a points score (skill level, insured
years, years of residence, owning a home), after local children, and skilled (manager) heads' children
are assured a seat; urban-village units are converted at `conversion_rate` a year and villagers let
`letting_ratio` new rooms (urban-village tenure) for each unit converted.
"""

from abm.parameters import ASSUMPTION, YIWU, Param
from abm.policies.base import Policy
from abm.rules import POINTS_RULE
from abm.state import URBAN_VILLAGE


class Yiwu(Policy):
    name = "yiwu"
    title = "Points-based public-school admission; urban villages converted, villagers letting rooms"
    parameters = (
        Param("points_skill", 10.0, "points per level", 0.0, 100.0, "points per skill level", YIWU),
        Param("points_insured_year", 5.0, "points per year", 0.0, 100.0, "points per insured year", YIWU),
        Param("points_residence_year", 3.0, "points per year", 0.0, 100.0, "points per year of residence", YIWU),
        Param("points_property", 20.0, "points", 0.0, 100.0, "points for owning a home", YIWU),
        Param("managers_assured", 1, "flag", 0, 1, "skilled heads' children are assured a seat", YIWU,
              integer=True),
        Param("conversion_rate", 0.05, "per year", 0.0, 1.0, "urban-village units converted a year", ASSUMPTION),
        Param("letting_ratio", 1.2, "rooms per unit", 0.0, 5.0, "rooms let by villagers per unit converted",
              ASSUMPTION),
    )
    phases = ("city", "housing", "schooling")

    def rules(self, current):
        v = self.values
        return {"school_rule": POINTS_RULE, "points_skill": v["points_skill"],
                "points_insured_year": v["points_insured_year"], "points_residence_year": v["points_residence_year"],
                "points_property": v["points_property"], "points_assured_skill": v["managers_assured"],
                "uv_redevelopment_rate": v["conversion_rate"]}

    def on_city(self, world):
        """Villagers let rooms in proportion to the urban-village units converted since last month."""
        d = world.districts
        state = world.policy_state.setdefault(self.name, {"uv_units": d.units[:, URBAN_VILLAGE].copy()})
        converted = state["uv_units"] - d.units[:, URBAN_VILLAGE]
        let = (converted * self.values["letting_ratio"]).round().astype(d.units.dtype)
        d.units[:, URBAN_VILLAGE] += let.clip(min=0)
        state["uv_units"] = d.units[:, URBAN_VILLAGE].copy()
