"""The fast engine's driver of registration and hukou (abm/phases/registration.py, shared with the Mesa
model): co-production, permits and applications per household in parallel; the quota then goes to
applicants in their priority order."""

import numpy as np
from numba import njit, prange

from abm.kernels.common import flagged, in_priority_order
from abm.phases import registration as reg
from abm.state import ACTIVE, F_CONVERSIONS


@njit(cache=True, parallel=True)
def _register_and_decide(p, r, seed, step, status, hukou, registered, months_in_city, coproducing, tenure,
                         employment, job_months, pension_streak, flag):
    """Each household's own decisions, in parallel (plain arrays: prange loses writes through a tuple)."""
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            coproducing[i] = reg.joins_community(r, seed, i)
            registered[i] = reg.registers(p, r, seed, step, i, hukou[i], registered[i], months_in_city[i],
                                          coproducing[i])
            flag[i] = reg.applies(p, r, seed, step, i, hukou[i], registered[i], tenure[i], employment[i],
                                  job_months[i], pension_streak[i])


@njit(cache=True)
def register_and_apply(h, n, p, r, seed, step, quota, flows, work):
    """Returns the quota left (whole conversions)."""
    flag = work.flag[:n]
    flag[:] = False
    _register_and_decide(p, r, seed, step, h.status[:n], h.hukou[:n], h.registered[:n], h.months_in_city[:n],
                         h.coproducing[:n], h.tenure[:n], h.employment[:n], h.job_months[:n], h.pension_streak[:n],
                         flag)
    applicants = flagged(flag)
    keys = np.empty(applicants.shape[0])
    for j in range(applicants.shape[0]):
        keys[j] = reg.priority(seed, step, applicants[j])
    left = quota
    for i in in_priority_order(applicants, keys):
        granted, left = reg.grant(left)
        if not granted:
            break
        h.hukou[i] = reg.GRANTED
        flows[F_CONVERSIONS, h.group[i], h.sex[i]] += 1.0
    return left
