"""The month's district housing market and the district terms searchers weigh, for both engines
(abm/phases/market.py holds each district's arithmetic)."""

from __future__ import annotations

import numpy as np
from numba import njit

from abm.phases import market
from abm.state import OWNED, PRIVATE_RENTAL, URBAN_VILLAGE


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
