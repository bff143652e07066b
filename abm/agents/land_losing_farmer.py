"""Land-losing farmers: local agricultural hukou, land requisitioned on the city's schedule."""

from abm.agents.household import Household
from abm.phases import requisition
from abm.state import F_CONVERSIONS, F_LAND_COMP, FARMER


class LandLosingFarmer(Household):
    group_code = FARMER

    def requisition(self) -> None:
        """Lose the land with the monthly share of the city's schedule; the rules decide what follows:
        cash compensation always; urban social security, urban hukou, a resettlement apartment."""
        w = self.model.world
        r, d = w.r, w.districts
        if not requisition.loses_land(r, w.seed, w.step, self.row, self.group, self.land):
            return
        before = self.compensation
        self.land, self.compensation, self.savings, self.urban_ss, self.hukou, converted = requisition.compensate(
            r, self.land, self.compensation, self.savings, self.urban_ss, self.hukou)
        self.flow(F_LAND_COMP, self.compensation - before)
        if converted:
            self.flow(F_CONVERSIONS, 1.0)
        resettled, self.tenure, self.hukou, converted = requisition.resettle(r, d.units, d.occupied, self.district,
                                                                             self.tenure, self.hukou)
        if resettled:
            self.rent = 0.0
            self.resettled = 1
        if converted:
            self.flow(F_CONVERSIONS, 1.0)
