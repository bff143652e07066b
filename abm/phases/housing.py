"""Housing: evictions (urban-village redevelopment, dormitories that house only their employers' workers),
the search for a home, and the allocation of free units among searchers.

One place for the phase: the fast engine (abm.kernels.housing) decides evictions and searches for every
household in parallel, then books them and serves searchers one by one in priority order; the Mesa agents
(Household.face_eviction, wants_to_search, choose_home) do the same for themselves. Both call the
functions below.

    columns read      status, tenure, employment, sector, rent, income, group, hukou, skill, age, size,
                      months_in_city, district
    columns written   tenure, rent, savings
    behaviour         search_base, search_burden, burden_threshold, quality_*, tenure_cost_coef,
                      moving_cost, downpayment (abm.parameters)
    rules             uv_redevelopment_rate, dormitory_rent, compound_*, public_rental_* (abm.rules)
    shared capacity   housing units by district and tenure: a searcher takes a free unit of its choice, in
                      the order of its PRIORITY draw; a demolished urban-village unit is gone
"""

from abm import decisions as dec
from abm import rng
from abm.decisions import jit
from abm.phases import priority_key
from abm.state import DORMITORY, FORMAL, N_TENURES, NO_HOME, OWNED, URBAN_VILLAGE

# random streams, by name
EVICTION = rng.stream("housing.eviction")
SEARCH = rng.stream("housing.search")
PRIORITY = rng.stream("housing.priority")
CHOICE = rng.stream("housing.choice")

STAYS, EVICTED, DEMOLISHED = 0, 1, 2  # what `eviction` says of a household's home this month


@jit
def eviction(r, seed, step, i, tenure, employment, sector):
    """Whether household i loses its home this month: DEMOLISHED (its urban-village unit is redeveloped),
    EVICTED (a dormitory bed without a job in the employer's sectors) or STAYS."""
    if tenure == URBAN_VILLAGE and rng.draw(seed, step, i, EVICTION) < r[0].uv_redevelopment_rate / 12.0:
        return DEMOLISHED
    if tenure == DORMITORY and not (employment == FORMAL and sector <= 1):
        return EVICTED
    return STAYS


@jit
def move_out(units, occupied, district, tenure, how):
    """A household leaves its unit (`how`: EVICTED, or DEMOLISHED, which takes the unit away too):
    booked in `units` and `occupied`; returns its (tenure, rent) without a home."""
    if how == DEMOLISHED:
        units[district, URBAN_VILLAGE] -= 1
    if tenure != NO_HOME:
        occupied[district, tenure] -= 1
    return NO_HOME, 0.0


@jit
def searches(p, seed, step, i, tenure, rent, income):
    """Whether household i looks for another home this month (always, without one)."""
    return rng.draw(seed, step, i, SEARCH) < dec.search_prob(p, tenure, dec.rent_burden(rent, income))


@jit
def priority(seed, step, i):
    """Household i's place among this month's searchers (lower is served first)."""
    return priority_key(seed, step, i, PRIORITY, 0.0)


@jit
def options(p, r, rents, district, tenure, group, hukou, employment, sector, skill, age, size, income,
            months_in_city, savings, util, may):
    """What each tenure would be worth to a searcher (`util`) and whether it may take it (`may`: its own, or
    one it is eligible for), whether or not a unit is free: neither depends on other households, so the
    fast engine finds them for every searcher in parallel. `rents`: the market rent by district and tenure."""
    for t in range(N_TENURES):
        util[t] = dec.tenure_utility(p, t, dec.tenure_rent(r, t, rents[district, t], income), income, tenure)
        may[t] = (t == tenure) or dec.tenure_eligible(p, r, t, group, hukou, employment, sector, skill, age, size,
                                                     income, months_in_city, savings)


@jit
def choose_home(p, r, seed, step, i, units, occupied, rents, district, tenure, rent, savings, income, util, may):
    """Searcher i's multinomial-logit choice among the tenures it may take (`util`, `may` from `options`)
    that have a free unit in its district now; `may` is left holding the tenures open to it. A move is
    booked in `occupied`. Returns (tenure, rent, savings) after it."""
    for t in range(N_TENURES):
        may[t] = may[t] and (t == tenure or units[district, t] > occupied[district, t])
    t = dec.choose(util, may, rng.draw(seed, step, i, CHOICE))
    if t < 0 or t == tenure:
        return tenure, rent, savings
    if tenure != NO_HOME:
        occupied[district, tenure] -= 1
    occupied[district, t] += 1
    if t == OWNED:
        savings -= p[0].downpayment
    return t, dec.tenure_rent(r, t, rents[district, t], income), savings


# what each function returns, by name (the phase's unit cases in tests/phases/housing.yaml read them)
RETURNS = {
    "eviction": ("eviction",),
    "move_out": ("tenure", "rent"),
    "searches": ("searches",),
    "priority": ("key",),
    "options": (),
    "choose_home": ("tenure", "rent", "savings"),
}
