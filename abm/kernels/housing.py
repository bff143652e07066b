"""Phase 4: evictions, housing search and allocation under capacity."""

import numpy as np
from numba import njit, prange

from abm import decisions as dec
from abm import rng
from abm.kernels.common import priority_order
from abm.state import ACTIVE, DORMITORY, FORMAL, N_TENURES, NO_HOME, OWNED, URBAN_VILLAGE


@njit(cache=True)
def evictions(h, n, d, r, seed, step):
    """Urban-village redevelopment demolishes units; dormitories house only their workers."""
    rate = r[0].uv_redevelopment_rate / 12.0
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        dist = h.district[i]
        if h.tenure[i] == URBAN_VILLAGE and rng.draw(seed, step, i, rng.EVICTION) < rate:
            d.occupied[dist, URBAN_VILLAGE] -= 1
            d.units[dist, URBAN_VILLAGE] -= 1
            h.tenure[i] = NO_HOME
            h.rent[i] = 0.0
        elif h.tenure[i] == DORMITORY and not (h.employment[i] == FORMAL and h.sector[i] <= 1):
            d.occupied[dist, DORMITORY] -= 1
            h.tenure[i] = NO_HOME
            h.rent[i] = 0.0


@njit(cache=True, parallel=True)
def _wants_to_search(p, seed, step, status, rent, income, tenure, flag):
    """Each household's own decision, in parallel (plain arrays: prange loses writes through a tuple)."""
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            burden = dec.rent_burden(rent[i], income[i])
            flag[i] = rng.draw(seed, step, i, rng.HOUSING_SEARCH) < dec.search_prob(p, tenure[i], burden)


@njit(cache=True)
def search_and_allocate(h, n, d, p, r, seed, step):
    flag = np.zeros(n, dtype=np.bool_)
    _wants_to_search(p, seed, step, h.status[:n], h.rent[:n], h.income[:n], h.tenure[:n], flag)
    n_search = 0
    for i in range(n):
        n_search += flag[i]
    searchers = np.empty(n_search, dtype=np.int64)
    j = 0
    for i in range(n):
        if flag[i]:
            searchers[j] = i
            j += 1
    util = np.empty(N_TENURES)
    avail = np.empty(N_TENURES, dtype=np.bool_)
    for i in priority_order(searchers, seed, step, rng.HOUSING_PRIORITY, np.zeros(n_search)):
        dist = h.district[i]
        cur = h.tenure[i]
        for t in range(N_TENURES):
            rent = dec.tenure_rent(r, t, d.rent[dist, t], h.income[i])
            util[t] = dec.tenure_utility(p, t, rent, h.income[i], cur)
            free = d.units[dist, t] > d.occupied[dist, t]
            avail[t] = (t == cur) or (free and dec.tenure_eligible(
                p, r, t, h.group[i], h.hukou[i], h.employment[i], h.sector[i], h.skill[i], h.age[i],
                h.size[i], h.income[i], h.months_in_city[i], h.savings[i]))
        t = dec.choose(util, avail, rng.draw(seed, step, i, rng.HOUSING_CHOICE))
        if t < 0 or t == cur:
            continue
        if cur != NO_HOME:
            d.occupied[dist, cur] -= 1
        d.occupied[dist, t] += 1
        h.tenure[i] = t
        h.rent[i] = dec.tenure_rent(r, t, d.rent[dist, t], h.income[i])
        if t == OWNED:
            h.savings[i] -= p[0].downpayment
