"""The three groups as Mesa agents on a shared household base."""

from abm.agents.household import Household
from abm.agents.land_losing_farmer import LandLosingFarmer
from abm.agents.migrant import Migrant
from abm.agents.urban_poor import UrbanPoor

BY_GROUP = (Migrant, LandLosingFarmer, UrbanPoor)  # indexed by the group code

__all__ = ["BY_GROUP", "Household", "LandLosingFarmer", "Migrant", "UrbanPoor"]
