"""The school year: children age (some leave school age, some enter it, babies are born), then every
family with school-age children is given a place, public seats first in admission-class and priority
order, else a private migrant school, leaving the children behind, or no school.

One place for the phase: the fast engine (abm.kernels.schooling.school_year) and the Mesa model
(UrbanModel.school_year, with Household.age_one_year and enrol_children) both call the functions below;
the policies' view of public-seat claims (abm.kernels.schooling.public_claims) uses `admission_class`.

    columns read      status, age, kids_school, kids_pre, size, hukou, registered, skill, pension_months,
                      months_in_city, tenure, district, group, income
    columns written   age, kids_school, kids_pre, size, school
    behaviour         child_age_out, child_school_entry, birth_rate, school_fee_coef, left_behind_const,
                      not_enrolled_const (abm.parameters)
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
CHILD_AGE_OUT = rng.stream("children.age_out")  # indexed by child
CHILD_ENTRY = rng.stream("children.school_entry")  # indexed by child
BIRTH = rng.stream("children.birth")


@jit
def a_year_older(p, seed, step, i, age, kids_school, kids_pre, size):
    """One year passes for household i: (age, kids_school, kids_pre, size) after the head's birthday,
    children ageing out of school age, entering it, and births."""
    if age < 100:
        age += 1
    school, pre = kids_school, kids_pre
    for j in range(kids_school):
        if rng.draw_at(seed, step, i, CHILD_AGE_OUT, j) < p[0].child_age_out:
            school -= 1
    for j in range(kids_pre):
        if rng.draw_at(seed, step, i, CHILD_ENTRY, j) < p[0].child_school_entry:
            pre -= 1
            school += 1
    if age < 40 and size < 12 and rng.draw(seed, step, i, BIRTH) < p[0].birth_rate:
        pre += 1
        size += 1
    return age, school, pre, size


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
    "a_year_older": ("age", "kids_school", "kids_pre", "size"),
    "admission_class": ("admission_class",),
    "priority": ("key",),
    "enrol": ("school",),
}
