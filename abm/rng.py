"""Counter-based random draws: every number is a pure function of
(run seed, step, household id, purpose).

This is the design of MODEL.md section 8. Because no generator carries state,
the Mesa engine and the Numba engine draw identical numbers, the order in which
households are visited (or `prange` chunks) does not matter, and two policies
run on one seed give each household the same luck for the same purpose
(common random numbers).

The mixer is splitmix64 (Steele, Lea & Flood 2014), applied to each key in turn.
"""

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30 = np.uint64(30)
_S27 = np.uint64(27)
_S31 = np.uint64(31)
_S11 = np.uint64(11)
_INV53 = 1.0 / 9007199254740992.0  # 2**-53

# Purposes: one stable integer per kind of decision. Never renumber: a new
# purpose gets a new number, so existing streams keep their values.
SEPARATION = 1
TRAINING = 2
TRAINING_GAIN = 3
JOB_PRIORITY = 4
JOB_SECTOR = 5
INSURED = 6
INFORMAL_ENTRY = 7
EVICTION = 8
HOUSING_SEARCH = 9
HOUSING_PRIORITY = 10
HOUSING_CHOICE = 11
REGISTRATION = 12
HUKOU_APPLY = 13
HUKOU_PRIORITY = 14
SCHOOL_PRIORITY = 15
SCHOOL_CHOICE = 16
CHILD_AGE_OUT = 17
CHILD_ENTRY = 18
BIRTH = 19
DIBAO_TAKEUP = 20
TEMP_TAKEUP = 21
LEAVE = 22
LEAVE_WHERE = 23
REQUISITION = 24
ARRIVAL_COUNT = 25
ARRIVAL_ATTR = 26  # + attribute index (26..39 reserved)
COPRODUCTION = 40
SYNTHESIS = 41  # + attribute index (41..59 reserved)
HUKOU_QUOTA = 60
JOB_COUNT = 61  # + skill level

CITY = 1 << 40  # household id used for city-level draws
CHILD = 100  # child j of a household draws purpose + CHILD * (j + 1)


@njit(cache=True, inline="always")
def _mix(z):
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def draw(seed, step, household, purpose):
    """A uniform number in [0, 1) for (seed, step, household, purpose)."""
    z = _mix(np.uint64(seed))
    z = _mix(z ^ np.uint64(step + 1))
    z = _mix(z ^ np.uint64(household + 1))
    z = _mix(z ^ np.uint64(purpose))
    return float(z >> _S11) * _INV53
