"""Residential-committee co-production: more committee staff, and households taking part in services.

From Li, Hu & Liu (seeds/004_6e14381a91a215c2.txt): a residential committee serves 501-3,500 households
with seven to nine government-funded staff; to overcome staff and funding shortages, cities adopt a
co-production model in which residents, non-profits and volunteers run services (patrols, gardens,
libraries, festivals, old-age support, after-school care) coordinated and partly funded by the
committee; migrant participation is still limited.

In the model: committees employ `staff_per_committee` (their wages are on the community line); a share
`participation` of households take part (each by its own fixed draw, so the same households take part
every month), at `cost_per_participant` a month to the city; taking part brings committee staff into
contact with the household, raising residence-permit take-up (`reg_coproduction`), and integrates it,
lowering its hazard of leaving (`haz_integration`).
"""

from abm.parameters import ASSUMPTION, RC, Param
from abm.policies.base import City, Policy


class Coproduction(Policy):
    name = "coproduction"
    title = "Residential-committee staffing and co-production with households"
    parameters = (
        Param("staff_per_committee", 9, "persons", 7, 9, "funded staff per residential committee", RC),
        Param("participation", 0.2, "share", 0.0, 1.0, "households taking part ('still limited' for migrants)",
              ASSUMPTION),
        Param("cost_per_participant", 20.0, "yuan/month", 0.0, 1e4, "public cost per taking-part household",
              ASSUMPTION),
    )
    phases = ("city", "registration", "settlement", "accounts")

    def rules(self, current):
        return {"coproduction_participation": self.values["participation"],
                "coproduction_cost": self.values["cost_per_participant"]}

    def on_city(self, city: City):
        city.districts.staff[:] = city.committees * self.values["staff_per_committee"]
