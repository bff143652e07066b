"""The month's district housing market and the district terms searchers weigh, for both engines
(abm/phases/market.py holds each district's arithmetic)."""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.phases import market
from abm.state import ACTIVE, OWNED, PRIVATE_RENTAL, URBAN_VILLAGE


@njit(cache=True)
def update(p, d, cost_rent, base_price):
    """Rents adjust to last month's vacancy, builders add private units, prices and down payments follow."""
    for k in range(d.rent.shape[0]):
        for t in (URBAN_VILLAGE, PRIVATE_RENTAL):
            d.rent[k, t] = market.adjust_rent(p, d.rent[k, t], d.units[k, t], d.occupied[k, t])
        for t in (PRIVATE_RENTAL, OWNED):
            d.units[k, t] += market.units_to_build(p, d.units[k, t], d.occupied[k, t], d.rent[k, PRIVATE_RENTAL],
                                                   cost_rent[k, PRIVATE_RENTAL])
        d.price[k] = market.home_price(p, d.rent[k, PRIVATE_RENTAL])
        d.downpayment[k] = market.downpayment(p, d.price[k], base_price)


def district_terms(d, households: np.ndarray, scale: float) -> None:
    """What a searcher weighs of a district besides its rents: the share of its public seats free and its
    committee staff per 1,000 (real) households; `households`: active households per district (agent units)."""
    seats = d.public_seats.astype(np.float64)
    free = np.maximum(d.public_seats - d.public_used, 0).astype(np.float64)
    d.school_access[:] = np.divide(free, seats, out=np.zeros_like(seats), where=seats > 0)
    real = households.astype(np.float64) * scale
    d.services[:] = np.divide(d.staff * 1000.0, real, out=np.zeros_like(real), where=real > 0)


@njit(cache=True)
def segregation(status, district, pc, n_districts):
    """Dissimilarity index across districts of the households at or below the 25th percentile of income per
    person (`pc`, written by `median_per_person`) and those at or above the 75th: half the sum over districts of
    |poor share - rich share|; 0 without both groups."""
    m = 0
    for i in range(status.shape[0]):
        if status[i] == ACTIVE:
            m += 1
    if m == 0:
        return 0.0
    vals = np.empty(m)
    j = 0
    for i in range(status.shape[0]):
        if status[i] == ACTIVE:
            vals[j] = pc[i]
            j += 1
    k_lo, k_hi = (m - 1) // 4, m - 1 - (m - 1) // 4  # the 25th percentile's rank, and the same from the top
    ranked = np.partition(vals, np.array([k_lo, k_hi]))  # both order statistics in one pass
    lo, hi = ranked[k_lo], ranked[k_hi]
    poor = np.zeros(n_districts)
    rich = np.zeros(n_districts)
    for i in range(status.shape[0]):
        if status[i] == ACTIVE:
            if pc[i] <= lo:
                poor[district[i]] += 1.0
            if pc[i] >= hi:
                rich[district[i]] += 1.0
    if poor.sum() == 0.0 or rich.sum() == 0.0:
        return 0.0
    return 0.5 * np.abs(poor / poor.sum() - rich / rich.sum()).sum()
