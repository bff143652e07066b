"""The life course (phase 0): members age, die and are born; grown children leave home; single heads form
unions; spouses left in the village join; heads retire at the statutory age.

One place for the phase: `live_a_month` is a household's whole month of life, called by the fast engine's
kernel (abm.kernels.lifecourse) for every household in parallel and by the Mesa agent for itself; the
serial part (rows for the new households that grown children form, capacity a dissolved household frees)
is the world's, shared by both engines.

A household is its head (age, sex: the `age` and `sex` columns), a spouse or partner (with the family or
left in the village) and up to N_KIDS children, each with an age (-1: no child in that slot) and a sex
(bit k of `kid_male`). Ages are years completed at the last school-year start: everyone ages together in
September, when school places are given out, so a child is school-age (6-14, compulsory education) or
pre-school (0-5) for a whole school year. Children 15 and over count as adults (`size` minus `kids_school`
and `kids_pre`).

    columns read      group, hukou, skill, employment
    columns written   age, sex, spouse, spouse_age, kid_age0..3, kid_male, size, kids_school, kids_pre, dependants,
                      employment (RETIRED, or the job reset when a new head takes over), status (DISSOLVED)
    tables            q_month[sex, age] deaths, f_month[age] births (abm.demography, with their sources)
    behaviour         leave_home_rate, leave_home_stays, union_rate, union_age_gap, spouse_join_rate,
                      exam_return_share, work_after_retirement (abm.parameters)
    rules             retirement_age_men, retirement_age_women, retirement_age_women_cadre (abm.rules)
"""

from abm import rng
from abm.decisions import jit
from abm.state import FEMALE, FORMAL, INFORMAL, MALE, RETIRED, UNEMPLOYED

# random streams, by name
DEATH_ANY = rng.stream("life.death_any")
DEATH_WHO = rng.stream("life.death_who")  # indexed by member: 0 head, 1 spouse, 2.. children
BIRTH = rng.stream("life.birth")
BIRTH_SEX = rng.stream("life.birth_sex")
LEAVE_HOME = rng.stream("life.leave_home")  # indexed by child slot
LEAVE_CITY = rng.stream("life.leave_city")
UNION = rng.stream("life.union")
SPOUSE_JOIN = rng.stream("life.spouse_join")
EXAM_RETURN = rng.stream("life.exam_return")  # indexed by child slot
WORK_ON = rng.stream("life.work_after_retirement")

N_KIDS = 4
NO_KID = -1
# kid_male: bit k, child k is a boy; bit 4 + k, child k was born since the last school-year start
SLOT_BITS = ((1 << 0) | (1 << 4), (1 << 1) | (1 << 5), (1 << 2) | (1 << 6), (1 << 3) | (1 << 7))
SPOUSE_NONE, SPOUSE_HOME, SPOUSE_AWAY = 0, 1, 2
SPOUSE = ("none", "with_family", "in_village")
MAX_AGE = 100
SCHOOL_FROM, SCHOOL_TO = 6, 14  # compulsory education: primary entry at 6, nine years (Law of 2006)
ADULT = 18  # the age from which a child may leave home
# boys per birth: the 2010 census sex ratio at age 0, 117.96 boys per 100 girls (demography/events.csv)
MALE_BIRTH_SHARE = 117.96 / 217.96

# how a household ends its month (`fate`)
GOES_ON, HEAD_REPLACED, DISSOLVES = 0, 1, 2


@jit
def retirement_age(r, sex, skill):
    """Statutory retirement age: men 60; women 50, or 55 for cadres (here the high-skilled)."""
    if sex == MALE:
        return r[0].retirement_age_men
    return r[0].retirement_age_women_cadre if skill == 2 else r[0].retirement_age_women


@jit
def mother_age(sex, spouse, spouse_age, age):
    """The age of the household's woman in a union (the head or the spouse), or -1 when there is none."""
    if spouse == SPOUSE_NONE:
        return age if sex == FEMALE else -1
    return age if sex == FEMALE else spouse_age


@jit
def composition(spouse, kids):
    """(size, kids_school, kids_pre) of a household with this spouse and these children's ages."""
    size = 1 if spouse == SPOUSE_NONE else 2
    school = 0
    pre = 0
    for k in range(N_KIDS):
        a = kids[k]
        if a >= 0:
            size += 1
            if a < SCHOOL_FROM:
                pre += 1
            elif a <= SCHOOL_TO:
                school += 1
    return size, school, pre


@jit
def dependants(age, spouse, spouse_age, kids):
    """Members aged 0-14 or 65 and over (the dependency ratio's numerator; the others are 15-64)."""
    n = 1 if age >= 65 else 0
    if spouse != SPOUSE_NONE and spouse_age >= 65:
        n += 1
    for k in range(N_KIDS):
        if 0 <= kids[k] < 15 or kids[k] >= 65:
            n += 1
    return n


@jit
def _older(a, kid_male, k):
    """Child k's age after the school-year start: a year older, unless born since the last one."""
    if (kid_male >> (4 + k)) & 1:
        return a
    return a + 1 if 0 <= a < MAX_AGE else a


@jit
def set_kid(ks, k, value):
    """The children's ages with slot k set to `value` (a tuple, so that no list is allocated per household)."""
    return (value if k == 0 else ks[0], value if k == 1 else ks[1], value if k == 2 else ks[2],
            value if k == 3 else ks[3])


@jit
def dies(seed, step, i, q_head, q_spouse, q_kids):
    """Who of household i dies this month, each member independently with their probability (0 for an empty
    place): bit 0 the head, bit 1 the spouse, bit 2 + k child k. One draw decides whether anyone dies; only then
    are members drawn in turn, each conditionally on at least one death among those not yet drawn, which gives
    exactly the independent probabilities (so a month without deaths, nearly every month, costs one draw)."""
    qs = (q_head, q_spouse, q_kids[0], q_kids[1], q_kids[2], q_kids[3])
    survive = 1.0
    for j in range(6):
        survive *= 1.0 - qs[j]
    if rng.draw(seed, step, i, DEATH_ANY) >= 1.0 - survive:
        return 0
    died = 0
    need = True  # no death yet among the members drawn so far
    for j in range(6):
        if qs[j] <= 0.0:
            continue
        p = qs[j]
        if need:
            rest = 1.0
            for m in range(j, 6):
                rest *= 1.0 - qs[m]
            p = qs[j] / (1.0 - rest) if rest < 1.0 else 1.0
        if rng.draw_at(seed, step, i, DEATH_WHO, j) < p:
            died |= 1 << j
            need = False
    return died


@jit
def retire(p, seed, step, i, employment, at_the_age):
    """The employment of a head past the statutory retirement age: an unemployed head retires; a formal worker
    (and an informal one when just reaching the age) goes on in informal work with probability
    `work_after_retirement`, or retires."""
    if employment == UNEMPLOYED:
        return RETIRED
    if employment == FORMAL or (employment == INFORMAL and at_the_age):
        return INFORMAL if rng.draw(seed, step, i, WORK_ON) < p[0].work_after_retirement else RETIRED
    return employment


@jit
def live_a_month(p, r, q, f, seed, step, i, ages_up, group, hukou_local, skill, employment, age, sex, spouse,
                 spouse_age, kids, kid_male):
    """Household i's month of life. Returns (fate, age, sex, spouse, spouse_age, kids, kid_male, employment,
    retires, births, deaths, persons_in, persons_out, new_head_age, new_head_sex):

    fate            GOES_ON, HEAD_REPLACED (the spouse or the eldest adult child heads it now, with no job) or
                    DISSOLVES (the head died and nobody adult is left; the others leave the city)
    retires         1 when the head left work at the statutory age this month
    births, deaths  persons born and dead this month
    persons_in      a partner who joined by a union; persons_out: members who left the city (a child back to
                    the home province for the senior-secondary entrance exam, a grown child leaving the city,
                    the members of a dissolved household)
    new_head_*      a grown child who leaves home to form a household in the city (age, sex), or -1
    """
    ks = (int(kids[0]), int(kids[1]), int(kids[2]), int(kids[3]))
    births = 0
    deaths = 0
    persons_in = 0
    persons_out = 0
    retires = 0
    fate = GOES_ON
    new_age = -1
    new_sex = -1
    # a year older at the school-year start; non-local children who finished compulsory school may go back
    # to the home province for the senior-secondary entrance exam, as the rules in force require
    if ages_up:
        age = age + 1 if age < MAX_AGE else age
        if spouse != SPOUSE_NONE and spouse_age < MAX_AGE:
            spouse_age += 1
        # a child born since the last school-year start (bit 4 + k) is 0 at it and ages from the next one
        ks = (_older(ks[0], kid_male, 0), _older(ks[1], kid_male, 1), _older(ks[2], kid_male, 2),
              _older(ks[3], kid_male, 3))
        kid_male &= 0xF
        for k in range(N_KIDS):
            if (ks[k] == SCHOOL_TO + 1 and not hukou_local
                    and rng.draw_at(seed, step, i, EXAM_RETURN, k) < p[0].exam_return_share):
                ks = set_kid(ks, k, NO_KID)
                kid_male &= ~SLOT_BITS[k]
                persons_out += 1
    # deaths: each member independently with q[sex, age] (drawn as `dies`: one draw when nobody dies)
    qk = (q[(kid_male >> 0) & 1, ks[0]] if ks[0] >= 0 else 0.0, q[(kid_male >> 1) & 1, ks[1]] if ks[1] >= 0 else 0.0,
          q[(kid_male >> 2) & 1, ks[2]] if ks[2] >= 0 else 0.0, q[(kid_male >> 3) & 1, ks[3]] if ks[3] >= 0 else 0.0)
    died = dies(seed, step, i, q[sex, age], q[1 - sex, spouse_age] if spouse != SPOUSE_NONE else 0.0, qk)
    head_dies = (died & 1) != 0
    if died & 2:
        spouse = SPOUSE_NONE
        deaths += 1
    for k in range(N_KIDS):
        if died & (4 << k):
            ks = set_kid(ks, k, NO_KID)
            kid_male &= ~SLOT_BITS[k]
            deaths += 1
    if head_dies:
        deaths += 1
        fate = HEAD_REPLACED
        if spouse == SPOUSE_HOME:
            age, sex, spouse = spouse_age, 1 - sex, SPOUSE_NONE
        else:
            eldest = -1
            for k in range(N_KIDS):
                if ks[k] >= ADULT and (eldest < 0 or ks[k] > ks[eldest]):
                    eldest = k
            if eldest < 0:
                fate = DISSOLVES
                persons_out += (spouse != SPOUSE_NONE)
                for k in range(N_KIDS):
                    persons_out += ks[k] >= 0
                return (fate, age, sex, SPOUSE_NONE, spouse_age, (NO_KID, NO_KID, NO_KID, NO_KID), 0, employment,
                        0, 0, deaths, 0, persons_out, -1, -1)
            age, sex = ks[eldest], (kid_male >> eldest) & 1
            if spouse == SPOUSE_AWAY:  # the late head's spouse in the village is not the new head's
                spouse = SPOUSE_NONE
                persons_out += 1
            ks = set_kid(ks, eldest, NO_KID)
            kid_male &= ~SLOT_BITS[eldest]
        employment = UNEMPLOYED
    # a birth to the household's woman in a union, into a free child slot
    mum = mother_age(sex, spouse, spouse_age, age)
    if spouse != SPOUSE_NONE and mum >= 0 and f[mum] > 0.0 and rng.draw(seed, step, i, BIRTH) < f[mum]:
        for k in range(N_KIDS):
            if ks[k] == NO_KID:
                ks = set_kid(ks, k, 0)
                if rng.draw(seed, step, i, BIRTH_SEX) < MALE_BIRTH_SHARE:
                    kid_male |= 1 << k
                kid_male |= 1 << (4 + k)  # born this school year
                births += 1
                break
    # a grown child leaves home (one a month): a household of its own in the city, or away
    for k in range(N_KIDS):
        if ks[k] >= ADULT and rng.draw_at(seed, step, i, LEAVE_HOME, k) < p[0].leave_home_rate / 12.0:
            if rng.draw(seed, step, i, LEAVE_CITY) < p[0].leave_home_stays:
                new_age, new_sex = ks[k], (kid_male >> k) & 1
            else:
                persons_out += 1
            ks = set_kid(ks, k, NO_KID)
            kid_male &= ~SLOT_BITS[k]
            break
    # a single head of union age forms a union; a spouse in the village joins the family
    if spouse == SPOUSE_NONE and 20 <= age < 50 and rng.draw(seed, step, i, UNION) < p[0].union_rate / 12.0:
        spouse = SPOUSE_HOME
        gap = int(p[0].union_age_gap + 0.5)
        spouse_age = age - gap if sex == MALE else age + gap
        spouse_age = min(max(spouse_age, 18), MAX_AGE)
        persons_in += 1
    elif spouse == SPOUSE_AWAY and rng.draw(seed, step, i, SPOUSE_JOIN) < p[0].spouse_join_rate / 12.0:
        spouse = SPOUSE_HOME
    # retirement at the statutory age
    if employment != RETIRED and age >= retirement_age(r, sex, skill):
        at_the_age = (ages_up and age == retirement_age(r, sex, skill)) or fate == HEAD_REPLACED
        employment = retire(p, seed, step, i, employment, at_the_age)
        retires = 1 if employment == RETIRED else 0
    return (fate, age, sex, spouse, spouse_age, ks, kid_male, employment, retires,
            births, deaths, persons_in, persons_out, new_age, new_sex)


# what each function returns, by name (the phase's unit cases in tests/phases/lifecourse.yaml read them)
RETURNS = {
    "dependants": ("dependants",),
    "dies": ("died",),
    "retire": ("employment",),
    "retirement_age": ("years",),
    "mother_age": ("years",),
    "composition": ("size", "kids_school", "kids_pre"),
    "live_a_month": ("fate", "age", "sex", "spouse", "spouse_age", "kids", "kid_male", "employment", "retires",
                     "births", "deaths", "persons_in", "persons_out", "new_head_age", "new_head_sex"),
}
