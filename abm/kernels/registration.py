"""Phase 5: co-production, residence-permit registration and hukou applications under quota."""


import numpy as np
from numba import njit, prange

from abm import decisions as dec
from abm import rng
from abm.kernels.common import priority_order
from abm.state import ACTIVE, CONVERTED, F_CONVERSIONS, RURAL_NONLOCAL


@njit(cache=True, parallel=True)
def _register_and_decide(p, r, seed, step, status, hukou, registered, months_in_city, coproducing, tenure,
                         employment, job_months, pension_streak, apply_p, flag):
    """Each household's own decisions, in parallel (plain arrays: prange loses writes through a tuple)."""
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            coproducing[i] = 1 if dec.joins_coproduction(r, rng.draw(seed, 0, i, rng.COPRODUCTION)) else 0
            if hukou[i] == RURAL_NONLOCAL:
                if registered[i] == 0 and rng.draw(seed, step, i, rng.REGISTRATION) < dec.registration_prob(
                        p, r, months_in_city[i], coproducing[i] == 1):
                    registered[i] = 1
                flag[i] = dec.hukou_eligible(r, hukou[i], registered[i], tenure[i], employment[i], job_months[i],
                                             pension_streak[i]) and rng.draw(seed, step, i, rng.HUKOU_APPLY) < apply_p


@njit(cache=True)
def register_and_apply(h, n, p, r, seed, step, quota, flows):
    """Co-production, permits and applications are decided per household in parallel; the quota then
    goes to applicants in their random priority order. Returns the quota left (whole conversions)."""
    flag = np.zeros(n, dtype=np.bool_)
    _register_and_decide(p, r, seed, step, h.status[:n], h.hukou[:n], h.registered[:n], h.months_in_city[:n],
                         h.coproducing[:n], h.tenure[:n], h.employment[:n], h.job_months[:n], h.pension_streak[:n],
                         dec.logistic(p[0].hukou_apply_const), flag)
    n_app = 0
    for i in range(n):
        n_app += flag[i]
    applicants = np.empty(n_app, dtype=np.int64)
    j = 0
    for i in range(n):
        if flag[i]:
            applicants[j] = i
            j += 1
    left = quota
    for i in priority_order(applicants, seed, step, rng.HUKOU_PRIORITY, np.zeros(n_app)):
        if left < 1:
            break
        h.hukou[i] = CONVERTED
        left -= 1
        flows[F_CONVERSIONS, h.group[i], h.sex[i]] += 1.0
    return left

