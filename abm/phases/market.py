"""The district housing market: market rents adjust to vacancy, builders add private units with a lag, home
prices follow rents, the down payment follows prices. City-level, shared by both engines (abm.market.update
runs it each month, before arrivals); each function here is one district's arithmetic.

    reads             units, occupied, rent (abm.state.Districts), the rents' cost level (the base-year rents
                      indexed with wages, World.cost_rent)
    writes            rent (urban village, private rental), units (private rental, owned), price, downpayment
    behaviour         rent_adjustment, natural_vacancy_rate, builder_response, supply_elasticity, price_to_rent,
                      downpayment (abm.parameters)

Rents follow Rosen and Smith's partial adjustment (AER 1983): rent growth = lambda x (natural vacancy -
vacancy), here a twelfth of it a month. Builders aim at UrbanSim's developer-model target, occupied / (1 -
natural vacancy), raised by the rent over its cost level to the supply elasticity, and build a share of the gap
each month; urban villages, dormitories, compounds, public rentals and resettlement homes are built only by
policy, and urban villages are demolished (abm.phases.housing.eviction). Owned homes are priced at
price_to_rent years of the district's private-rental rent.
"""

import math

from abm.decisions import jit

NO_STOCK = -1.0  # vacancy of a district-tenure without units


@jit
def vacancy(units, occupied):
    """The share of units vacant (NO_STOCK without units)."""
    if units <= 0:
        return NO_STOCK
    return max(units - occupied, 0) / units


@jit
def adjust_rent(p, rent, units, occupied):
    """This month's market rent after last month's: Rosen and Smith's rule, lambda a year. A stock within one
    unit of the natural stock, occupied / (1 - natural vacancy), is at the natural rate (whole units cannot come
    closer)."""
    v = vacancy(units, occupied)
    if v == NO_STOCK or abs(units - occupied / (1.0 - p[0].natural_vacancy_rate)) < 1.0:
        return rent
    return rent * (1.0 + p[0].rent_adjustment / 12.0 * (p[0].natural_vacancy_rate - v))


@jit
def units_to_build(p, units, occupied, rent, cost_rent):
    """Units the builders add this month: `builder_response` of the gap to their target (none if there is
    none)."""
    target = occupied / (1.0 - p[0].natural_vacancy_rate)
    if rent > 0.0 and cost_rent > 0.0:
        target *= (rent / cost_rent) ** p[0].supply_elasticity
    gap = target - units
    if gap <= 0.0:
        return 0
    return int(math.ceil(p[0].builder_response * gap))


@jit
def home_price(p, rent):
    """An owned home's price: price_to_rent years of the private-rental rent."""
    return p[0].price_to_rent * 12.0 * rent


@jit
def downpayment(p, price, base_price):
    """The savings needed to buy: `downpayment` at the city's base-year mean price (`base_price`, indexed with
    wages), in proportion to the district's price."""
    if base_price <= 0.0:
        return p[0].downpayment
    return p[0].downpayment * price / base_price


# what each function returns, by name (the phase's unit cases in tests/phases/market.yaml read them)
RETURNS = {
    "vacancy": ("vacancy",),
    "adjust_rent": ("rent",),
    "units_to_build": ("units",),
    "home_price": ("price",),
    "downpayment": ("downpayment",),
}
