"""The school year: every family with school-age children (6-14, by their ages after the life course's
September ageing) is given a place, public seats first in admission-class and priority
order, else a private migrant school, leaving the children behind, or no school.

One place for the phase: the fast engine (abm.kernels.schooling.school_year) and the Mesa model
(UrbanModel.school_year, with Household.enrol_children) both call the functions below;
the policies' view of public-seat claims (abm.kernels.schooling.public_claims) uses `admission_class`.

    columns read      status, kids_school, hukou, registered, skill, pension_months, months_in_city, tenure,
                      district, group, income
    columns written   school
    behaviour         school_fee_coef, left_behind_const, not_enrolled_const (abm.parameters)
    rules             school_rule, points_*, reg_services_tied, school_leftover_to_migrants,
                      private_school_fee, migrant_school_quality (abm.rules)
    shared capacity   public and private school seats per district, given whole families at a time in the
                      order (admission class, PRIORITY draw)
"""

from abm import decisions as dec
from abm import rng
from abm.decisions import jit
from abm.phases import priority_key
from abm.state import PRIVATE_MIGRANT, PUBLIC

# random streams, by name
PRIORITY = rng.stream("school.priority")
CHOICE = rng.stream("school.choice")


@jit
def admission_class(r, hukou, registered, skill, pension_months, months_in_city, tenure):
    """The family's class for a public seat under the rules in force: lower is served first; EXCLUDED
    (abm.decisions) has no claim."""
    pts = dec.points_score(r, skill, pension_months, months_in_city, tenure)
    return dec.admission_class(r, hukou, registered, pts, skill)


@jit
def priority(seed, step, i, cls):
    """Family i's place in the queue for seats: its admission class, then its draw."""
    return priority_key(seed, step, i, PRIORITY, float(cls))


@jit
def enrol(p, r, seed, step, i, public_seats, public_used, private_seats, private_used, district, kids, cls,
          group, income):
    """Family i's place: a public seat for all its `kids` if it has a claim and its district has them, else
    its choice among a private migrant school (if seats are left), leaving the children behind (migrants)
    and no school. Seats taken are booked in `public_used` or `private_used`. Returns the school code."""
    if cls < dec.EXCLUDED and public_seats[district] - public_used[district] >= kids:
        public_used[district] += kids
        return PUBLIC
    private_ok = private_seats[district] - private_used[district] >= kids
    place = dec.school_alternative(p, r, group, kids, income, private_ok, rng.draw(seed, step, i, CHOICE))
    if place == PRIVATE_MIGRANT:
        private_used[district] += kids
    return place


# what each function returns, by name (the phase's unit cases in tests/phases/schooling.yaml read them)
RETURNS = {
    "admission_class": ("admission_class",),
    "priority": ("key",),
    "enrol": ("school",),
}
