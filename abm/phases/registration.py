"""Registration and hukou: co-production, residence-permit take-up, hukou applications, and the year's
conversion quota given out among applicants.

One place for the phase: the fast engine (abm.kernels.registration) decides every household's permit and
application in parallel, then serves applicants in priority order while quota lasts; the Mesa model
(UrbanModel.hukou_applications, with Household.join_community and register_and_decide_to_apply) does the
same. Both call the functions below; the world draws the year's quota with `yearly_quota`.

    columns read      status, hukou, registered, months_in_city, tenure, employment, job_months,
                      pension_streak
    columns written   coproducing, registered, hukou
    behaviour         reg_const, reg_services, reg_years, reg_coproduction, hukou_apply_const (abm.parameters)
    rules             coproduction_participation, reg_services_tied, hukou_* (abm.rules)
    flows             hukou_conversions
    shared capacity   the year's conversion quota (whole conversions), given in the order of each
                      applicant's PRIORITY draw
"""

import math

from abm import decisions as dec
from abm import rng
from abm.decisions import jit
from abm.phases import priority_key
from abm.state import CONVERTED, RURAL_NONLOCAL

# random streams, by name
REGISTRATION = rng.stream("hukou.registration")
APPLY = rng.stream("hukou.apply")
PRIORITY = rng.stream("hukou.priority")
QUOTA = rng.stream("hukou.quota")  # a city draw
COPRODUCTION = rng.stream("hukou.coproduction")  # drawn once per household (step 0): a fixed disposition


def yearly_quota(share: float, initial_migrants: int, seed: int, step: int) -> int:
    """Conversions allowed this year: the share of the initial migrant households, rounded by a city draw."""
    return math.floor(share * initial_migrants + rng.draw(seed, step, rng.CITY, QUOTA))


@jit
def joins_community(r, seed, i):
    """Whether household i takes part in co-production (1) or not (0): its own fixed draw, every month."""
    if r[0].coproduction_participation <= 0.0:
        return 0  # no draw falls below 0 (most cities: no draw needed)
    return 1 if dec.joins_coproduction(r, rng.draw(seed, 0, i, COPRODUCTION)) else 0


@jit
def registers(p, r, seed, step, i, hukou, registered, months_in_city, coproducing):
    """A non-local household without a residence permit may take one up: `registered` after the month."""
    if hukou == RURAL_NONLOCAL and registered == 0 and rng.draw(seed, step, i, REGISTRATION) < dec.registration_prob(
            p, r, months_in_city, coproducing == 1):
        return 1
    return registered


@jit
def applies(p, r, seed, step, i, hukou, registered, tenure, employment, job_months, pension_streak):
    """Whether an eligible household applies for local hukou this month."""
    return dec.hukou_eligible(r, hukou, registered, tenure, employment, job_months, pension_streak) and rng.draw(
        seed, step, i, APPLY) < dec.logistic(p[0].hukou_apply_const)


@jit
def priority(seed, step, i):
    """Applicant i's place in the queue for the quota (lower is served first)."""
    return priority_key(seed, step, i, PRIORITY, 0.0)


@jit
def grant(quota_left):
    """The next applicant in the queue converts if a whole conversion is left: (hukou granted, quota left)."""
    if quota_left < 1:
        return False, quota_left
    return True, quota_left - 1


GRANTED = CONVERTED  # an applicant's hukou after a grant

# what each function returns, by name (the phase's unit cases in tests/phases/registration.yaml read them)
RETURNS = {
    "joins_community": ("coproducing",),
    "registers": ("registered",),
    "applies": ("applies",),
    "priority": ("key",),
    "grant": ("granted", "quota_left"),
}
