"""Settle or leave: each household's leaving hazard, its choice to stay or go (home, or on to another
city), and what a departure frees of the city's shared capacity (housing units, school seats); and exits
from poverty, by which urban poor households above the poverty line rejoin the urban population that is not
simulated, taking their home and school places with them (the mirror of entries into poverty).

One place for the phase: the fast engine's kernel (abm.kernels.welfare.settle_or_leave) decides for every
household in parallel and frees capacity in id order; the Mesa agent (Household.settle_or_leave) decides
for itself. Both call the functions below.

    columns read      group, hukou, unemp_spell, income, size, rent, school, employment, insured, urban_ss,
                      tenure, coproducing, savings (below zero: in debt), district, kids_school
    columns written   settle_intent, months_in_city, status, left
    behaviour         leave_* hazards, return_home_share, urban_poverty_exit (abm.parameters)
    rules             poverty_line (abm.rules)
    shared capacity   units occupied by tenure, public and private school places, per district: a departure
                      frees its own; an exit from poverty takes its unit and places out of the city's stock
"""

import math

from abm import decisions as dec
from abm import rng
from abm.decisions import jit
from abm.phases import give_back_seats
from abm.state import LEFT_POVERTY, MOVED_ON, NO_HOME, PRIVATE_MIGRANT, PUBLIC, RETURNED_HOME, URBAN_POOR

# random streams, by name
LEAVE = rng.stream("departure.leave")
LEAVE_WHERE = rng.stream("departure.where")
POVERTY_EXIT = rng.stream("departure.poverty_exit")

STAYING = 0  # `leaving` when the household stays; else the status it leaves with
MAX_MONTHS = 32000  # months_in_city stops here (its dtype's range)


@jit
def decide(p, r, seed, step, i, group, hukou, unemp_spell, income, size, rent, school, employment, insured,
           urban_ss, tenure, coproducing, savings):
    """Household i this month: (settle_intent, leaving), leaving STAYING, RETURNED_HOME, MOVED_ON or
    LEFT_POVERTY. A household without a home leaves; an urban poor household with a home whose income per
    person is above the poverty line leaves poverty at `urban_poverty_exit` a year."""
    if (group == URBAN_POOR and tenure != NO_HOME and income > size * r[0].poverty_line
            and rng.draw(seed, step, i, POVERTY_EXIT) < 1.0 - math.exp(-p[0].urban_poverty_exit / 12.0)):
        return 0, LEFT_POVERTY
    burden = dec.rent_burden(rent, income)
    pension = dec.contributes_pension(employment, insured, urban_ss)
    hz = dec.leave_hazard(p, group, hukou, unemp_spell, income / size, r[0].poverty_line, burden, school, pension,
                          tenure, coproducing == 1, savings < 0.0)
    settle_intent = 1 if hz < dec.base_hazard(p, group) else 0
    u = rng.draw(seed, step, i, LEAVE)
    if tenure != NO_HOME and u >= hz + 1e-9:
        return settle_intent, STAYING  # the leaving probability 1 - exp(-hz) is below hz: most stay without it
    prob = 1.0 if tenure == NO_HOME else dec.leave_prob(hz)
    if u >= prob:
        return settle_intent, STAYING
    if rng.draw(seed, step, i, LEAVE_WHERE) < p[0].return_home_share:
        return settle_intent, RETURNED_HOME
    return settle_intent, MOVED_ON


@jit
def another_month(months_in_city):
    """A household that stays has been in the city a month longer."""
    return months_in_city + 1 if months_in_city < MAX_MONTHS else months_in_city


@jit
def free_capacity(occupied, public_used, private_used, district, tenure, school, kids_school):
    """A departing household gives back its unit and its children's school places in its district."""
    if tenure != NO_HOME:
        occupied[district, tenure] -= 1
    give_back_seats(public_used, private_used, district, school, kids_school)


@jit
def take_capacity(units, occupied, public_seats, public_used, private_seats, private_used, district, tenure, school,
                  kids_school):
    """A household leaving poverty takes its unit and its children's school places out of the simulated
    city's stock (units and seats with them), as one falling into poverty brings them. Public seats go only as
    far as the district keeps a seat for every pupil left: pupils of a crowded class (above the norm,
    abm.phases.schooling) held no seat of their own to take."""
    if tenure != NO_HOME:
        occupied[district, tenure] -= 1
        units[district, tenure] -= 1
    give_back_seats(public_used, private_used, district, school, kids_school)
    if school == PUBLIC:
        public_seats[district] -= max(0, min(kids_school, public_seats[district] - public_used[district]))
    elif school == PRIVATE_MIGRANT:
        private_seats[district] -= kids_school


# what each function returns, by name (the phase's unit cases in tests/phases/settlement.yaml read them)
RETURNS = {
    "decide": ("settle_intent", "leaving"),
    "another_month": ("months_in_city",),
    "free_capacity": (),
    "take_capacity": (),
}
