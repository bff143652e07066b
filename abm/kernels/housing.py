"""The fast engine's driver of the housing phase (abm/phases/housing.py, shared with the Mesa agents):
evictions and the decision to search per household in parallel; evictions booked, and searchers served
one by one in priority order."""

import numpy as np
from numba import njit, prange

from abm.kernels.common import flagged, in_priority_order
from abm.phases import housing
from abm.state import ACTIVE


@njit(cache=True, parallel=True)
def _evict(r, seed, step, status, tenure, employment, sector, how):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            how[i] = housing.eviction(r[0], seed, step, i, tenure[i], employment[i], sector[i])


@njit(cache=True)
def evictions(h, n, d, r, seed, step, work):
    """Urban-village redevelopment demolishes units; dormitories house only their workers."""
    how = work.code[:n]
    how[:] = housing.STAYS
    _evict(r, seed, step, h.status[:n], h.tenure[:n], h.employment[:n], h.sector[:n], how)
    for i in flagged(how):
        h.tenure[i], h.rent[i] = housing.move_out(d.units, d.occupied, h.district[i], h.tenure[i], how[i])


@njit(cache=True, parallel=True)
def _wants_to_search(p, seed, step, status, tenure, rent, income, flag):
    """Each household's own decision, in parallel (plain arrays: prange loses writes through a tuple)."""
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            flag[i] = housing.searches(p[0], seed, step, i, tenure[i], rent[i], income[i])


@njit(cache=True)
def search_and_allocate(h, n, d, p, r, seed, step, work):
    """Searchers are found in parallel, then take free units one by one in their priority order."""
    flag = work.flag[:n]
    flag[:] = False
    _wants_to_search(p, seed, step, h.status[:n], h.tenure[:n], h.rent[:n], h.income[:n], flag)
    searchers = flagged(flag)
    keys = np.empty(searchers.shape[0])
    for j in range(searchers.shape[0]):
        keys[j] = housing.priority(seed, step, searchers[j])
    for i in in_priority_order(searchers, keys):
        h.tenure[i], h.rent[i], h.savings[i] = housing.choose_home(
            p[0], r[0], seed, step, i, d.units, d.occupied, d.rent, h.district[i], h.tenure[i], h.rent[i],
            h.savings[i], h.group[i], h.hukou[i], h.employment[i], h.sector[i], h.skill[i], h.age[i], h.size[i],
            h.income[i], h.months_in_city[i])
