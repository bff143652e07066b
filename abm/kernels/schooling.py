"""The fast engine's driver of the school year (abm/phases/schooling.py, shared with the Mesa model): pupils keep
their seats, then families with new entrants are served in (admission class, priority) order, at the norm and
then above it or by their choice. Children have aged a year in the life course (phase 0)."""

import numpy as np
from numba import njit

from abm import decisions as dec
from abm.kernels.common import in_priority_order
from abm.phases import schooling
from abm.state import ACTIVE, NO_CHILDREN, PRIVATE_MIGRANT, PUBLIC


@njit(cache=True)
def school_year(h, n, d, p, r, seed, step):
    d.public_used[:] = 0
    d.private_used[:] = 0
    n_fam = 0
    for i in range(n):  # seats kept by continuing pupils, booked in id order
        if h.status[i] != ACTIVE:
            continue
        if h.kids_school[i] == 0:
            h.school[i] = NO_CHILDREN
            continue
        keep = schooling.kept(h.school[i], (h.kid_age0[i], h.kid_age1[i], h.kid_age2[i], h.kid_age3[i]))
        if h.school[i] == PUBLIC:
            d.public_used[h.district[i]] += keep
        elif h.school[i] == PRIVATE_MIGRANT:
            d.private_used[h.district[i]] += keep
        if h.kids_school[i] > keep:
            n_fam += 1
    families = np.empty(n_fam, dtype=np.int64)
    kept = np.empty(n_fam, dtype=np.int64)
    cls = np.empty(n_fam, dtype=np.int64)
    keys = np.empty(n_fam)
    j = 0
    for i in range(n):
        if h.status[i] == ACTIVE and h.kids_school[i] > 0:
            keep = schooling.kept(h.school[i], (h.kid_age0[i], h.kid_age1[i], h.kid_age2[i], h.kid_age3[i]))
            if h.kids_school[i] == keep:
                continue
            families[j] = i
            kept[j] = keep
            cls[j] = schooling.admission_class(r, h.hukou[i], h.registered[i], h.skill[i], h.pension_months[i],
                                               h.months_in_city[i], h.tenure[i])
            keys[j] = schooling.priority(seed, step, i, cls[j])
            j += 1
    order = in_priority_order(np.arange(n_fam), keys)
    admitted = np.zeros(n_fam, dtype=np.bool_)
    for j in order:
        i = families[j]
        admitted[j] = schooling.admit(r, d.public_seats, d.public_used, h.district[i], h.kids_school[i], kept[j],
                                      h.school[i], cls[j])
    for j in order:
        i = families[j]
        if admitted[j]:
            h.school[i] = PUBLIC
        else:
            h.school[i] = schooling.place(p, r, seed, step, i, d.public_seats, d.public_used, d.private_seats,
                                          d.private_used, h.district[i], h.kids_school[i], kept[j], h.school[i],
                                          dec.is_local(h.hukou[i]), cls[j], h.group[i], h.income[i])


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
