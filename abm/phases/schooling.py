"""The school year: seats kept by pupils, and admission of new entrants.

Every September (children have aged a year in the life course), a family's children aged 7-14 who held a
public or private migrant-school seat last year keep it (`kept`): they are continuing pupils. Its new entrants
(a child turning 6; every child of a family without seats: arrivals, left-behind and unenrolled children) are
admitted under the rules in force. Siblings study together (one `school` code per household), so:

- a family whose pupils are in public school asks for its entrants' seats in the public queue; one whose
  pupils are in a migrant school places its entrants there, if seats are free (else, like a family whose
  entrants find no seat at all, it gives back its seats and places all its children anew);
- a family without seats asks for public seats for all its children.

Families are served in the order (admission class, PRIORITY draw), twice. First (`admit`), a family with a
claim takes free seats at the class-size norm. Then (`place`), in the same order, a family that got none:
schools take, above the norm, up to `class_size_max` a class, the siblings of their pupils and local-hukou
children (whose claim to a school near their registered home is a legal one: Compulsory Education Law
2006, art. 12); a family whose entrants find no seat at all chooses, for all its children, among a private
migrant school (if seats are left), leaving them behind (migrants) and no school, giving back the seats its
pupils kept. A family that moves to another district mid-year gives its seats back there and takes free ones
of the same kind in the new district, else waits for the intake (abm.phases.housing.release_school_seats,
transfer_school).

One place for the phase: the fast engine (abm.kernels.schooling.school_year) and the Mesa model
(UrbanModel.school_year, with Household.enrol_children) both call the functions below;
the policies' view of public-seat claims (abm.kernels.schooling.public_claims) uses `admission_class`.

    columns read      status, kids_school, kid_age0..3, hukou, registered, skill, pension_months, months_in_city,
                      tenure, district, group, income, school (last year's)
    columns written   school
    behaviour         school_fee_coef, left_behind_const, not_enrolled_const (abm.parameters)
    rules             school_rule, points_*, reg_services_tied, school_leftover_to_migrants, class_size_norm,
                      class_size_max, private_school_fee, migrant_school_quality (abm.rules)
    shared capacity   public and private school seats per district, given whole families at a time in the
                      order (admission class, PRIORITY draw)
"""

import math

from abm import decisions as dec
from abm import rng
from abm.decisions import jit
from abm.phases import give_back_seats, priority_key
from abm.phases.lifecourse import SCHOOL_FROM, SCHOOL_TO
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
def kept(school, kids):
    """Seats a family keeps at the school-year start: its children aged 7-14 (`kids`: the four children's
    ages after the September ageing), who studied last year, if its pupils held public or migrant-school
    seats; a child of 6 is a new entrant and children of 15 have left."""
    if school != PUBLIC and school != PRIVATE_MIGRANT:
        return 0
    n = 0
    for k in range(4):
        if SCHOOL_FROM < kids[k] <= SCHOOL_TO:
            n += 1
    return n


@jit
def public_room(r, public_seats, public_used, district, above_norm):
    """Free public seats in the district: at the class-size norm (the seats), or with classes filled to
    `class_size_max` (seats x max / norm, whole pupils; in agent units, so no class is rounded)."""
    if not above_norm:
        return public_seats[district] - public_used[district]
    return int(math.floor(public_seats[district] * r[0].class_size_max / r[0].class_size_norm)) - public_used[district]


@jit
def admit(r, public_seats, public_used, district, kids, keep, school, cls):
    """First pass: seats at the norm for the family's new entrants (`kids` - `keep`), if it has a claim and
    its pupils are not in a migrant school. Seats taken are booked in `public_used`. Returns whether the
    family was admitted."""
    need = kids - keep
    if cls >= dec.EXCLUDED or (school == PRIVATE_MIGRANT and keep > 0):
        return False
    if public_room(r, public_seats, public_used, district, False) >= need:
        public_used[district] += need
        return True
    return False


@jit
def place(p, r, seed, step, i, public_seats, public_used, private_seats, private_used, district, kids, keep,
          school, local, cls, group, income):
    """Second pass, for a family not admitted at the norm: its entrants join their siblings' public school
    above the norm while the district's pupils stay within seats x `class_size_max` / `class_size_norm`, or
    take free seats in their siblings' migrant school. Failing that, the family gives back the seats its pupils
    kept and places all its children: a local-hukou family in public school above the norm (its legal claim),
    any other by its choice (private migrant school if seats are left, left behind for migrants, no school).
    Returns the school code."""
    need = kids - keep
    if keep > 0 and school == PUBLIC and public_room(r, public_seats, public_used, district, True) >= need:
        public_used[district] += need
        return PUBLIC
    if keep > 0 and school == PRIVATE_MIGRANT and private_seats[district] - private_used[district] >= need:
        private_used[district] += need
        return PRIVATE_MIGRANT
    give_back_seats(public_used, private_used, district, school, keep)
    if local and cls < dec.EXCLUDED and public_room(r, public_seats, public_used, district, True) >= kids:
        public_used[district] += kids
        return PUBLIC
    return choose(p, r, seed, step, i, private_seats, private_used, district, kids, group, income, CHOICE)


@jit
def choose(p, r, seed, step, i, private_seats, private_used, district, kids, group, income, stream):
    """The family's choice for all its children without a public seat: a private migrant school (if seats
    are left for all of them), leaving them behind (migrants) or no school. Seats taken are booked."""
    private_ok = private_seats[district] - private_used[district] >= kids
    where = dec.school_alternative(p, r, group, kids, income, private_ok, rng.draw(seed, step, i, stream))
    if where == PRIVATE_MIGRANT:
        private_used[district] += kids
    return where


# what each function returns, by name (the phase's unit cases in tests/phases/schooling.yaml read them)
RETURNS = {
    "admission_class": ("admission_class",),
    "priority": ("key",),
    "kept": ("seats",),
    "public_room": ("seats",),
    "admit": ("admitted",),
    "place": ("school",),
    "choose": ("school",),
}
