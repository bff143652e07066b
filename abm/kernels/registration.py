"""Phase 5: co-production, residence-permit registration and hukou applications under quota."""


import numpy as np
from numba import njit

from abm import decisions as dec
from abm import rng
from abm.kernels.common import priority_order
from abm.state import ACTIVE, CONVERTED, F_CONVERSIONS, RURAL_NONLOCAL


@njit(cache=True)
def register_and_apply(h, n, p, r, seed, step, quota, flows):
    """Returns the quota left (whole conversions)."""
    apply_p = dec.logistic(p[0].hukou_apply_const)
    flag = np.zeros(n, dtype=np.bool_)
    n_app = 0
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        h.coproducing[i] = 1 if dec.joins_coproduction(r, rng.draw(seed, 0, i, rng.COPRODUCTION)) else 0
        if h.hukou[i] != RURAL_NONLOCAL:
            continue
        if h.registered[i] == 0 and rng.draw(seed, step, i, rng.REGISTRATION) < dec.registration_prob(
                p, r, h.months_in_city[i], h.coproducing[i] == 1):
            h.registered[i] = 1
        if dec.hukou_eligible(r, h.hukou[i], h.registered[i], h.tenure[i], h.employment[i], h.job_months[i],
                              h.pension_streak[i]) and rng.draw(seed, step, i, rng.HUKOU_APPLY) < apply_p:
            flag[i] = True
            n_app += 1
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


__all__ = ["register_and_apply"]
