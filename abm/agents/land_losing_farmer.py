"""Land-losing farmers: local agricultural hukou, land requisitioned on the city's schedule."""

from abm import rng
from abm.agents.household import Household
from abm.state import CONVERTED, F_CONVERSIONS, FARMER, RESETTLEMENT


class LandLosingFarmer(Household):
    group_code = FARMER

    def requisition(self) -> None:
        """Lose the land with the monthly share of the city's schedule; the rules decide what follows:
        cash compensation always; urban social security, urban hukou, a resettlement apartment."""
        w = self.model.world
        r, d = w.rv, w.districts
        if self.land <= 0.0 or self.u(rng.REQUISITION) >= r.land_requisition_rate / 12.0:
            return
        pay = self.land * r.compensation_per_mu
        self.compensation += pay
        self.savings += pay
        self.land = 0.0
        if r.farmers_urban_ss > 0:
            self.urban_ss = 1
        if r.requisitioned_hukou > 0:
            self.hukou = CONVERTED
            self.flow(F_CONVERSIONS, 1.0)
        dist = self.district
        if r.homestead_exchange > 0 and d.units[dist, RESETTLEMENT] > d.occupied[dist, RESETTLEMENT]:
            self.move_out()
            d.occupied[dist, RESETTLEMENT] += 1
            self.tenure = RESETTLEMENT
            self.resettled = 1
            if r.resettled_hukou > 0 and self.hukou != CONVERTED:
                self.hukou = CONVERTED
                self.flow(F_CONVERSIONS, 1.0)
