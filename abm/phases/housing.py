"""Housing: evictions (urban-village redevelopment, dormitories that house only their employers' workers),
the search for a home across the city, and the allocation of free units among searchers.

One place for the phase: the fast engine (abm.kernels.housing) decides evictions and searches for every
household in parallel, then books them and serves searchers one by one in priority order; the Mesa agents
(Household.face_eviction, wants_to_search, choose_home) do the same for themselves. Both call the
functions below.

A searcher chooses among (district, tenure) pairs, option k = district * N_TENURES + tenure, by multinomial
logit: the tenure's quality and rent burden at the district's rent, the district's free public seats (for a
family with school-age children) and committee staff per household, and moving costs (one for another home,
one more for another district). A household that still holds land or lives in a resettlement apartment is
bound to its district (its village and its compensation are there) and chooses only within it. A household
that changes district gives up its children's school places there; they take free places of the same kind in
the new district if there are enough, else they are out of school and apply again at the next intake.

    columns read      status, tenure, employment, sector, rent, income, group, hukou, skill, age, size,
                      months_in_city, district, kids_school, land, school, arrived
    columns written   tenure, rent, savings, district, school
    behaviour         search_base, search_burden, burden_threshold, quality_*, tenure_cost_coef,
                      moving_cost, district_moving_cost, school_access_coef, services_coef (abm.parameters)
    rules             uv_redevelopment_rate, dormitory_rent, compound_*, public_rental_* (abm.rules)
    districts         rent, downpayment, school_access, services (abm.market); public and private seats, used
    flows             moves_between_districts, moves_within_district
    shared capacity   housing units by district and tenure: a searcher takes a free unit of its choice, in
                      the order of its PRIORITY draw; a demolished urban-village unit is gone
"""

import math

from abm import decisions as dec
from abm import rng
from abm.decisions import jit
from abm.phases import give_back_seats, priority_key
from abm.state import (DORMITORY, FORMAL, N_TENURES, NO_HOME, NOT_ENROLLED, OWNED, PRIVATE_MIGRANT, PUBLIC,
                       RESETTLEMENT, URBAN_VILLAGE)

# random streams, by name
EVICTION = rng.stream("housing.eviction")
SEARCH = rng.stream("housing.search")
PRIORITY = rng.stream("housing.priority")
CHOICE = rng.stream("housing.choice")

STAYS, EVICTED, DEMOLISHED = 0, 1, 2  # what `eviction` says of a household's home this month
NO_MOVE, MOVE_WITHIN, MOVE_BETWEEN = 0, 1, 2  # what `move_kind` says of a search's outcome


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
def bound_to_district(land, tenure):
    """A household that still farms its land, or lives in the resettlement apartment its land bought, stays in
    its district."""
    return land > 0.0 or tenure == RESETTLEMENT


@jit
def options(p, r, rents, downpayments, school_access, services, district, tenure, group, hukou, employment, sector,
            skill, age, size, income, months_in_city, savings, kids_school, land, weights):
    """Each (district, tenure) option's logit weight for a searcher, exp(utility - the best option's), 0 where
    it may not take it (its own home is always open), whether or not a unit is free: nothing here depends on
    other households, so the fast engine finds them for every searcher in parallel. `rents`, `downpayments`,
    `school_access`, `services`: by district (abm.market)."""
    bound = bound_to_district(land, tenure)
    best = -1e300
    for d in range(rents.shape[0]):
        here = d == district
        extra = dec.district_utility(p, kids_school, school_access[d], services[d])
        if not here:
            extra -= p[0].district_moving_cost
        for t in range(N_TENURES):
            k = d * N_TENURES + t
            own = here and t == tenure
            may = own or ((here or not bound) and dec.tenure_eligible(
                p, r, t, group, hukou, employment, sector, skill, age, size, income, months_in_city, savings,
                downpayments[d]))
            if may:
                u = dec.tenure_utility(p, t, dec.tenure_rent(r, t, rents[d, t], income), income,
                                       tenure if here else NO_HOME) + extra
                weights[k] = u
                best = max(best, u)
            else:
                weights[k] = -math.inf
    for k in range(weights.shape[0]):
        weights[k] = math.exp(weights[k] - best) if weights[k] > -math.inf else 0.0


@jit
def choose_home(p, r, seed, step, i, units, occupied, rents, downpayments, district, tenure, rent, savings, income,
                weights):
    """Searcher i's multinomial-logit choice among the options it may take (`weights` from `options`) that have a
    free unit now (its own home counts as free); `weights` is left holding those. A move is booked in
    `occupied`. Returns (district, tenure, rent, savings) after it."""
    n_t = N_TENURES
    for k in range(weights.shape[0]):
        d, t = k // n_t, k % n_t
        if not ((d == district and t == tenure) or units[d, t] > occupied[d, t]):
            weights[k] = 0.0
    k = dec.choose_weighted(weights, rng.draw(seed, step, i, CHOICE))
    if k < 0:
        return district, tenure, rent, savings
    d, t = k // n_t, k % n_t
    if d == district and t == tenure:
        return district, tenure, rent, savings
    if tenure != NO_HOME:
        occupied[district, tenure] -= 1
    occupied[d, t] += 1
    if t == OWNED:
        savings -= downpayments[d]
    return d, t, dec.tenure_rent(r, t, rents[d, t], income), savings


@jit
def move_kind(step, arrived, old_district, old_tenure, district, tenure):
    """A search's outcome for the moves' flows: MOVE_BETWEEN (another district), MOVE_WITHIN (another home in
    its own) or NO_MOVE (the same home, none found, or a household arrived this month taking its first)."""
    if arrived == step or (district == old_district and tenure == old_tenure):
        return NO_MOVE
    return MOVE_BETWEEN if district != old_district else MOVE_WITHIN


@jit
def release_school_seats(public_used, private_used, district, school, kids_school):
    """A household moving out of `district` gives back its children's public or private places there; they are
    out of school until they apply again at the next intake. Returns the school after it."""
    give_back_seats(public_used, private_used, district, school, kids_school)
    return NOT_ENROLLED if school == PUBLIC or school == PRIVATE_MIGRANT else school


@jit
def transfer_school(public_seats, public_used, private_seats, private_used, district, held, school, kids_school):
    """Children who held a place (`held`, before `release_school_seats`) take free places of the same kind in
    their new `district` if there are enough for all of them: the family's claim was granted under the
    city's rules, which do not depend on the district. Otherwise they keep `school` (out of school until the
    next intake). Returns the school after it."""
    if held == PUBLIC and public_seats[district] - public_used[district] >= kids_school:
        public_used[district] += kids_school
        return PUBLIC
    if held == PRIVATE_MIGRANT and private_seats[district] - private_used[district] >= kids_school:
        private_used[district] += kids_school
        return PRIVATE_MIGRANT
    return school


# what each function returns, by name (the phase's unit cases in tests/phases/housing.yaml read them)
RETURNS = {
    "eviction": ("eviction",),
    "move_out": ("tenure", "rent"),
    "searches": ("searches",),
    "priority": ("key",),
    "bound_to_district": ("bound",),
    "options": (),
    "choose_home": ("district", "tenure", "rent", "savings"),
    "move_kind": ("move",),
    "release_school_seats": ("school",),
    "transfer_school": ("school",),
}
