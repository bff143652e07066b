"""Phase 6, at the school-year start (children have aged a year in the life course): seats are allocated."""

import numpy as np
from numba import njit

from abm import decisions as dec
from abm import rng
from abm.kernels.common import priority_order
from abm.state import ACTIVE, NO_CHILDREN, PRIVATE_MIGRANT, PUBLIC


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
    cls = np.empty(n_kids)
    j = 0
    for i in range(n):
        if h.status[i] == ACTIVE and h.kids_school[i] > 0:
            families[j] = i
            pts = dec.points_score(r, h.skill[i], h.pension_months[i], h.months_in_city[i], h.tenure[i])
            cls[j] = float(dec.admission_class(r, h.hukou[i], h.registered[i], pts, h.skill[i]))
            j += 1
    for i in priority_order(families, seed, step, rng.SCHOOL_PRIORITY, cls):
        dist = h.district[i]
        kids = h.kids_school[i]
        pts = dec.points_score(r, h.skill[i], h.pension_months[i], h.months_in_city[i], h.tenure[i])
        claim = dec.admission_class(r, h.hukou[i], h.registered[i], pts, h.skill[i]) < dec.EXCLUDED
        if claim and d.public_seats[dist] - d.public_used[dist] >= kids:
            h.school[i] = PUBLIC
            d.public_used[dist] += kids
            continue
        private_ok = d.private_seats[dist] - d.private_used[dist] >= kids
        place = dec.school_alternative(p, r, h.group[i], kids, h.income[i], private_ok,
                                       rng.draw(seed, step, i, rng.SCHOOL_CHOICE))
        h.school[i] = place
        if place == PRIVATE_MIGRANT:
            d.private_used[dist] += kids


@njit(cache=True)
def public_claims(h, n, r, n_districts):
    """School-age children per district whose family has a claim to a public seat under the
    rules in force, wherever they study now (left-behind children included)."""
    out = np.zeros(n_districts, dtype=np.int64)
    for i in range(n):
        if h.status[i] == ACTIVE and h.kids_school[i] > 0:
            pts = dec.points_score(r, h.skill[i], h.pension_months[i], h.months_in_city[i], h.tenure[i])
            if dec.admission_class(r, h.hukou[i], h.registered[i], pts, h.skill[i]) < dec.EXCLUDED:
                out[h.district[i]] += h.kids_school[i]
    return out
