"""Migrant households: a rural hukou from elsewhere; they arrive, may register, apply for hukou, and leave."""

from abm.agents.household import Household
from abm.state import MIGRANT


class Migrant(Household):
    group_code = MIGRANT
