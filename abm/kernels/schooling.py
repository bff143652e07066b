"""The fast engine's driver of the school year (abm/phases/schooling.py, shared with the Mesa model): families
are given seats in (admission class, priority) order. Children have aged a year in the life course (phase 0)."""

import numpy as np
from numba import njit

from abm import decisions as dec
from abm.kernels.common import in_priority_order
from abm.phases import schooling
from abm.state import ACTIVE, NO_CHILDREN


@njit(cache=True)
def school_year(h, n, d, p, r, seed, step):
    d.public_used[:] = 0
    d.private_used[:] = 0
    n_kids = 0
    for i in range(n):
        if h.status[i] == ACTIVE and h.kids_school[i] > 0:
            n_kids += 1
        elif h.status[i] == ACTIVE:
            h.school[i] = NO_CHILDREN
    families = np.empty(n_kids, dtype=np.int64)
    cls = np.empty(n_kids, dtype=np.int64)
    keys = np.empty(n_kids)
    j = 0
    for i in range(n):
        if h.status[i] == ACTIVE and h.kids_school[i] > 0:
            families[j] = i
            cls[j] = schooling.admission_class(r, h.hukou[i], h.registered[i], h.skill[i], h.pension_months[i],
                                               h.months_in_city[i], h.tenure[i])
            keys[j] = schooling.priority(seed, step, i, cls[j])
            j += 1
    order = in_priority_order(np.arange(n_kids), keys)
    for j in order:
        i = families[j]
        h.school[i] = schooling.enrol(p, r, seed, step, i, d.public_seats, d.public_used, d.private_seats,
                                      d.private_used, h.district[i], h.kids_school[i], cls[j], h.group[i],
                                      h.income[i])


@njit(cache=True)
def public_claims(h, n, r, n_districts):
    """School-age children per district whose family has a claim to a public seat under the
    rules in force, wherever they study now (left-behind children included)."""
    out = np.zeros(n_districts, dtype=np.int64)
    for i in range(n):
        if h.status[i] == ACTIVE and h.kids_school[i] > 0:
            if schooling.admission_class(r, h.hukou[i], h.registered[i], h.skill[i], h.pension_months[i],
                                         h.months_in_city[i], h.tenure[i]) < dec.EXCLUDED:
                out[h.district[i]] += h.kids_school[i]
    return out
