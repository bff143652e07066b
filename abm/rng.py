"""Counter-based random draws: every number is a pure function of
(run seed, step, household id, stream), and for families of draws, an index.

This is the design of MODEL.md section 8. Because no generator carries state,
the Mesa engine and the Numba engine draw identical numbers, the order in which
households are visited (or `prange` chunks) does not matter, and two policies
run on one seed give each household the same luck for the same purpose
(common random numbers).

A stream is named, not numbered: its id is a stable hash of its name (as
Starsim names its random streams), so adding, removing or reordering streams
never changes another stream's draws. A family of draws for one household and
step (child j, attribute k, skill level k, arrival j) uses one stream and an
index (`draw_at`), never an offset added to a stream's id.

The mixer is splitmix64 (Steele, Lea & Flood 2014), applied to each key in turn.
"""

import hashlib

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

STREAMS: dict[str, int] = {}  # every stream's name -> id


def stream(name: str) -> int:
    """The id of the stream called `name`: the first 62 bits of its BLAKE2b digest.

    The id depends on the name alone. Registering a name twice, or two names whose ids collide, is a bug.
    """
    sid = int.from_bytes(hashlib.blake2b(name.encode(), digest_size=8).digest(), "little") >> 2
    if name in STREAMS or sid in STREAMS.values():
        raise ValueError(f"random stream {name!r} is already declared or collides with another")
    STREAMS[name] = sid
    return sid


# A phase's streams are declared in its module (abm/phases/*.py), beside the draws that use them.
# arrivals (city draws, indexed by arrival)
ARRIVAL_COUNT = stream("arrival.count")
ARRIVAL_CELL = stream("arrival.cell")
POVERTY_COUNT = stream("poverty_entry.count")
POVERTY_CELL = stream("poverty_entry.cell")
# synthesis of a household's attributes (fill_rows) and of the population
SYNTH_ADULTS = stream("synthesis.adults")
SYNTH_SPOUSE_AWAY = stream("synthesis.spouse_away")
SYNTH_SPOUSE_AGE = stream("synthesis.spouse_age")
SYNTH_KID_AGE = stream("synthesis.kid_age")  # indexed by child
SYNTH_KID_SEX = stream("synthesis.kid_sex")  # indexed by child
SYNTH_SKILL = stream("synthesis.skill")
SYNTH_SAVINGS = stream("synthesis.savings")
SYNTH_YEARS = stream("synthesis.years_in_city")
SYNTH_LAND_KEPT = stream("synthesis.land_kept")
SYNTH_LAND_SIZE = stream("synthesis.land_size")
SYNTH_EMPLOYMENT = stream("synthesis.employment")
SYNTH_SECTOR = stream("synthesis.sector")
SYNTH_JOB_MONTHS = stream("synthesis.job_months")
SYNTH_INSURED = stream("synthesis.insured")
SYNTH_REGISTERED = stream("synthesis.registered")
SYNTH_TENURE = stream("synthesis.tenure")
SYNTH_SCHOOL = stream("synthesis.school")
SYNTH_CONVERTED = stream("synthesis.converted")
SYNTH_AGE = stream("synthesis.age")
SYNTH_TIEBREAK = stream("synthesis.tiebreak")  # household = group code, indexed by cell

CITY = 1 << 40  # household id used for city-level draws


@njit(cache=True, inline="always")
def _mix(z):
    z = z + _GOLDEN
    z = (z ^ (z >> _S30)) * _M1
    z = (z ^ (z >> _S27)) * _M2
    return z ^ (z >> _S31)


@njit(cache=True)
def draw(seed, step, household, stream):
    """A uniform number in [0, 1) for (seed, step, household, stream)."""
    z = _mix(np.uint64(seed))
    z = _mix(z ^ np.uint64(step + 1))
    z = _mix(z ^ np.uint64(household + 1))
    z = _mix(z ^ np.uint64(stream))
    return float(z >> _S11) * _INV53


@njit(cache=True)
def draw_at(seed, step, household, stream, index):
    """A uniform number in [0, 1) for draw `index` (0, 1, ...) of a family: (seed, step, household, stream)."""
    z = _mix(np.uint64(seed))
    z = _mix(z ^ np.uint64(step + 1))
    z = _mix(z ^ np.uint64(household + 1))
    z = _mix(z ^ np.uint64(stream))
    z = _mix(z ^ np.uint64(index + 1))
    return float(z >> _S11) * _INV53
