"""The fast engine's driver of the housing phase (abm/phases/housing.py, shared with the Mesa agents):
evictions and the decision to search per household in parallel; evictions booked; each searcher's
priority and options in parallel, then searchers served one by one in priority order."""

import numpy as np
from numba import njit, prange

from abm.kernels.common import flagged, in_priority_order
from abm.phases import housing
from abm.state import ACTIVE, F_MOVES_BETWEEN, F_MOVES_WITHIN, N_TENURES


@njit(cache=True, parallel=True)
def _evict(r, seed, step, status, tenure, employment, sector, how):
    for i in prange(status.shape[0]):
        if status[i] == ACTIVE:
            how[i] = housing.eviction(r, seed, step, i, tenure[i], employment[i], sector[i])


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
            flag[i] = housing.searches(p, seed, step, i, tenure[i], rent[i], income[i])


@njit(cache=True, parallel=True)
def _options(p, r, seed, step, searchers, d, district, tenure, group, hukou, employment, sector, skill, age, size,
             income, months_in_city, savings, kids_school, land, keys, weights):
    """Each searcher's priority and options, in parallel (they depend on its own row only)."""
    for j in prange(searchers.shape[0]):
        i = searchers[j]
        keys[j] = housing.priority(seed, step, i)
        housing.options(p, r, d.rent, d.downpayment, d.school_access, d.services, district[i], tenure[i], group[i],
                        hukou[i], employment[i], sector[i], skill[i], age[i], size[i], income[i], months_in_city[i],
                        savings[i], kids_school[i], land[i], weights[j])


@njit(cache=True)
def search_and_allocate(h, n, d, p, r, seed, step, flows, work, buffer):
    """Searchers are found in parallel, then take free units one by one in their priority order; a household
    changing district gives back its school places there. `buffer`: reusable rows of option weights (a fresh
    array of this size costs its page faults every month); returns the number of searchers, so the caller can
    grow it when it was too small."""
    flag = work.flag[:n]
    flag[:] = False
    _wants_to_search(p, seed, step, h.status[:n], h.tenure[:n], h.rent[:n], h.income[:n], flag)
    searchers = flagged(flag)
    m = searchers.shape[0]
    keys = np.empty(m)
    weights = buffer[:m] if buffer.shape[0] >= m else np.empty((m, buffer.shape[1]))
    _options(p, r, seed, step, searchers, d, h.district, h.tenure, h.group, h.hukou, h.employment, h.sector,
             h.skill, h.age, h.size, h.income, h.months_in_city, h.savings, h.kids_school, h.land, keys, weights)
    for j in in_priority_order(np.arange(m), keys):
        i = searchers[j]
        old_d, old_t = h.district[i], h.tenure[i]
        new_d, h.tenure[i], h.rent[i], h.savings[i] = housing.choose_home(
            p, r, seed, step, i, d.units, d.occupied, d.rent, d.downpayment, old_d, old_t, h.rent[i],
            h.savings[i], h.income[i], weights[j])
        move = housing.move_kind(step, h.arrived[i], old_d, old_t, new_d, h.tenure[i])
        if new_d != old_d:
            held = h.school[i]
            school = housing.release_school_seats(d.public_used, d.private_used, old_d, held, h.kids_school[i])
            h.school[i] = housing.transfer_school(d.public_seats, d.public_used, d.private_seats, d.private_used,
                                                  new_d, held, school, h.kids_school[i])
            h.district[i] = new_d
        if move == housing.MOVE_BETWEEN:
            flows[F_MOVES_BETWEEN, h.group[i], h.sex[i]] += 1.0
        elif move == housing.MOVE_WITHIN:
            flows[F_MOVES_WITHIN, h.group[i], h.sex[i]] += 1.0
    return m
