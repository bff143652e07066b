"""Urban-poor households: local urban hukou and low income; the minimum living allowance is theirs by right."""

from abm.agents.household import Household
from abm.state import URBAN_POOR


class UrbanPoor(Household):
    group_code = URBAN_POOR
