"""The city and its households, and the parts of a step both engines share.

`World` builds the synthetic city from a resolved run spec and owns every
array. An engine steps it: `begin_step` (exogenous change, arrivals, the
policies' city hooks), then the household phases (engine-specific), then
`end_step` (city accounts and indicators). Nothing here draws randomness except
through abm.rng, so both engines see the same city.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
from numba import njit

from abm import demography, rng
from abm import market as housing_market
from abm.city import CityProfile
from abm.indicators import INDEX, compute, pyramid
from abm.kernels.common import count_formal
from abm.kernels import lifecourse
from abm.kernels.labour import initial_earnings, starting_records
from abm.kernels.population import N_GP, draw_cells, fill_rows
from abm.kernels.schooling import public_claims
from abm.parameters import BEHAVIOUR, Values, make_record
from abm.phases import market as market_phase
from abm.phases import registration
from abm.phases.lifecourse import N_KIDS, SPOUSE_NONE
from abm.rules import RULES
from abm.series import WageIndex
from abm.spec import RunSpec
from abm.state import (
    ACTIVE,
    BUDGET_LINES,
    FARMER,
    FEMALE,
    FORMAL,
    FUNDS,
    F_ARRIVAL_PERSONS,
    F_ARRIVALS,
    F_NEW_HOUSEHOLDS,
    F_POVERTY_ENTRIES,
    GROUPS,
    INFORMAL_SECTOR,
    MIGRANT,
    N_FORMAL_SECTORS,
    N_SKILLS,
    N_TENURES,
    PRIVATE_MIGRANT,
    PRIVATE_RENTAL,
    PUBLIC,
    TENURES,
    URBAN_POOR,
    URBAN_VILLAGE,
    Districts,
    Market,
    empty_flows,
    empty_households,
    empty_work,
    grow,
)
from abm.synthesis import synthesize

MONEY_RULES = tuple(p.name for p in RULES if p.unit.startswith("yuan"))
MONEY_BEHAVIOUR = tuple(p.name for p in BEHAVIOUR if p.unit.startswith("yuan"))
SCHOOL_MONTH = 9  # the school year starts in September
PLANNING_MONTH = SCHOOL_MONTH - 1  # planned public seats open the month before
PYRAMID_EVERY = 12  # months between age pyramids (and the first month)
MIGRANT_ROW, ALL_ROW = 0, 3


def group_profile_array(profile: CityProfile) -> np.ndarray:
    gp = np.zeros((len(GROUPS), N_GP))
    for gi, g in enumerate(GROUPS):
        q = profile.group[g]
        gp[gi, :] = [q.unemployed, q.informal, *q.sector_shares, *q.skill_shares, q.insured_share,
                     q.registered_share, q.mean_years_in_city, *q.tenure_shares, *q.school_shares, q.land_mu,
                     q.land_lost_share, q.savings, q.spouse_away_share]
    return gp


@njit(cache=True)
def _ages(lo, width, band, seed, step, first_id):
    out = np.empty(band.shape[0], dtype=np.int64)
    for j in range(band.shape[0]):
        u = rng.draw(seed, step, first_id + j, rng.SYNTH_AGE)
        out[j] = lo[band[j]] + int(u * width[band[j]])
    return out


def women_in_union(h, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Women by single age, and those of them in a union, among the first n households: female heads (in a union
    when they have a partner), female partners (with the family or in the village) and grown daughters (15 and
    over) at home."""
    women = np.zeros(demography.N_AGES)
    union = np.zeros(demography.N_AGES)
    partnered = h.spouse[:n] != SPOUSE_NONE
    head_f = h.sex[:n] == FEMALE
    np.add.at(women, h.age[:n][head_f], 1.0)
    np.add.at(union, h.age[:n][head_f & partnered], 1.0)
    spouse_f = ~head_f & partnered
    np.add.at(women, h.spouse_age[:n][spouse_f], 1.0)
    np.add.at(union, h.spouse_age[:n][spouse_f], 1.0)
    for k in range(N_KIDS):
        a = getattr(h, f"kid_age{k}")[:n]
        daughter = (a >= 15) & (((h.kid_male[:n] >> k) & 1) == 0)
        np.add.at(women, a[daughter], 1.0)
    return women, union


class World:
    def __init__(self, spec: RunSpec):
        self.spec = spec
        prof = spec.profile
        self.seed = int(spec.seed)
        self.p_rec = make_record(BEHAVIOUR, spec.behaviour)
        self.r_rec = make_record(RULES, spec.rules)
        # one-element record arrays for the kernels and decision functions (read as p[0].name)
        self.p, self.r = self.p_rec, self.r_rec
        self.pv, self.rv = Values(self.p_rec), Values(self.r_rec)  # the same, as Python floats
        self.scale = sum(prof.real_households().values()) / spec.households
        self.background_urban = prof.background_urban_persons()
        self.step = 0
        self.gp = group_profile_array(prof)
        self.wage = np.outer(prof.sector_wage_multiplier, prof.skill_wage_multiplier) * prof.minimum_wage
        self.age_lo = np.array([b[0] for b in prof.age_bands], dtype=np.int64)
        self.age_width = np.array([b[1] - b[0] + 1 for b in prof.age_bands], dtype=np.int64)
        self.tables = demography.load_tables()
        self.wage_index = WageIndex(prof.series_sites, prof.year)
        self.money_index = 1.0  # the wage index of the current year (abm.series), 1 in the base year
        self.staff_wage = prof.staff_wage
        self.fert = self.tables.f_annual  # births per woman-year by age, for the children's ages of newcomers
        self.gap = int(self.pv.union_age_gap + 0.5)
        s = self.synth = synthesize(prof, spec.households, self.seed)
        self.n = s.group.size
        self.initial_migrants = int((s.group == MIGRANT).sum())
        self.h = empty_households(self.n + self._expected_arrivals() + 64)
        self.work = empty_work(self.h.group.shape[0])  # the kernels' reusable work arrays
        ages = _ages(self.age_lo, self.age_width, s.age_band, self.seed, -1, 0)
        self.columns = self.h._asdict()  # name -> array, for the Mesa agents' attribute access
        fill_rows(self.h, 0, s.group, s.district, s.size, ages, s.sex, self.gp, self.wage, self.fert, self.gap,
                  self.seed, -1, False)
        self.tables = self._marital_tables()
        self.scratch = lifecourse.scratch(self.h.group.shape[0])
        self.informal_wage = np.ascontiguousarray(self.wage[INFORMAL_SECTOR])
        self.avg_wage = self._average_wage()
        self._seed_pension_records(0, self.n)
        lifecourse.retire_at_start(self.h, self.n, self.p, self.r, self.seed, self.informal_wage, 0)
        initial_earnings(self.h, self.n, self.p, self.r, self.year, self.informal_wage)
        self.market = Market(jobs=np.zeros((N_FORMAL_SECTORS, N_SKILLS)),
                             employed=np.zeros((N_FORMAL_SECTORS, N_SKILLS), dtype=np.int64), wage=self.wage)
        count_formal(self.h, self.n, self.market.employed)
        self.market.jobs[:] = self.market.employed * (1.0 + prof.job_vacancy_rate)
        self.districts = self._build_districts(prof)
        self.choice_buffer = np.empty((0, prof.districts * N_TENURES))  # the fast engine's option weights
        mig = s.fits["migrant"].table
        self.arrival_shape = mig.shape
        self.arrival_cum = np.cumsum(mig.ravel() / mig.sum()) if mig.sum() > 0 else np.ones(mig.size)
        poor = s.fits["urban_poor"].table
        self.poor_cum = np.cumsum(poor.ravel() / poor.sum()) if poor.sum() > 0 else None
        # urban households not simulated, in agent units: the non-poor urban residents at the urban poor's size
        self.background_households = self.background_urban / prof.mean_size("urban_poor") / self.scale
        self.flows = empty_flows()
        self.city_budget = np.zeros(len(BUDGET_LINES))
        self.funds = np.zeros(len(FUNDS))  # the funds' balances (real yuan): their net flows since the start
        self.quota = 0.0
        self.claims_by_year: list[np.ndarray] = []  # children with a claim to a public seat, each August
        self.history: list[np.ndarray] = []
        self.pyramids: dict[int, np.ndarray] = {}  # step -> persons [group, sex, age band], real-city units
        self.new_rows = range(0)
        self.record()  # step 0: the initial state
        self._attr0 = self._attractiveness(self.history[0])

    # ---- construction ---------------------------------------------------------------------------
    def _expected_arrivals(self) -> int:
        per_month = self.spec.behaviour.get("arrival_rate", _default("arrival_rate")) * self.initial_migrants
        return int(math.ceil(3.0 * per_month * self.spec.horizon_months))

    def _build_districts(self, prof: CityProfile) -> Districts:
        h, n, n_d = self.h, self.n, prof.districts
        occ = np.zeros((n_d, N_TENURES), dtype=np.int64)
        np.add.at(occ, (h.district[:n], h.tenure[:n]), 1)
        kids = h.kids_school[:n].astype(np.int64)
        pub = np.bincount(h.district[:n], weights=kids * (h.school[:n] == PUBLIC), minlength=n_d).astype(np.int64)
        priv = np.bincount(h.district[:n], weights=kids * (h.school[:n] == PRIVATE_MIGRANT),
                           minlength=n_d).astype(np.int64)
        vac = np.array([prof.housing_vacancy_rate[t] for t in TENURES])
        units = np.ceil(occ / (1.0 - vac)).astype(np.int64)
        x = np.arange(n_d) / max(n_d - 1, 1)
        rent = np.zeros((n_d, N_TENURES))  # market rents; the other tenures' rents are rules
        rent[:, URBAN_VILLAGE] = prof.rent["urban_village"] * (1.2 - 0.4 * x)
        rent[:, PRIVATE_RENTAL] = prof.rent["private_rental"] * (1.2 - 0.4 * x)
        real_hh = np.bincount(h.district[:n], minlength=n_d) * self.scale
        self.committees = real_hh / prof.households_per_committee
        staff = self.committees * prof.staff_per_committee
        private_seats = np.ceil(priv * (1 + prof.private_seat_slack)).astype(np.int64)
        if prof.stock is not None:
            self._declared_stock(prof, units, private_seats)
        # the market's cost level (builders' target, abm.phases.market) and the city's mean home price, both of
        # the base year and moved with wages each January
        self.cost_rent = rent.copy()
        self.base_price = market_phase.home_price(self.p, float(rent[:, PRIVATE_RENTAL].mean()))
        price = np.array([market_phase.home_price(self.p, x) for x in rent[:, PRIVATE_RENTAL]])
        return Districts(units=units, occupied=occ, rent=rent,
                         public_seats=np.ceil(pub * (1 + prof.public_seat_slack)).astype(np.int64),
                         public_used=pub, private_seats=private_seats, private_used=priv, staff=staff, price=price,
                         downpayment=np.array([market_phase.downpayment(self.p, x, self.base_price) for x in price]),
                         school_access=np.zeros(n_d), services=np.zeros(n_d))

    def _declared_stock(self, prof: CityProfile, units: np.ndarray, private_seats: np.ndarray) -> None:
        """The stock a profile declares already built (abm.city.InitialStock), in agent units: compounds,
        dormitories and migrant-school seats placed in the districts in proportion to the migrant households
        (their school-age children for seats), public rental units to all households. A district keeps the
        units its synthetic occupants need if that is more. Occupants are the synthetic population's, drawn by
        the profile's tenure shares: what they do not fill starts vacant."""
        h, n, n_d = self.h, self.n, prof.districts
        active = h.status[:n] == ACTIVE
        migrants = np.bincount(h.district[:n][active & (h.group[:n] == MIGRANT)], minlength=n_d).astype(float)
        everyone = np.bincount(h.district[:n][active], minlength=n_d).astype(float)
        for name, real in prof.stock.households().items():
            t = TENURES.index(name)
            weights = everyone if name == "public_rental" else migrants
            units[:, t] = np.maximum(units[:, t], _apportion(real / self.scale, weights))
        kids = np.bincount(h.district[:n][active & (h.group[:n] == MIGRANT)],
                           weights=h.kids_school[:n][active & (h.group[:n] == MIGRANT)], minlength=n_d)
        private_seats[:] = np.maximum(private_seats, _apportion(prof.stock.migrant_school_pupils / self.scale, kids))

    # ---- the shared parts of a step -------------------------------------------------------------
    @property
    def month(self) -> int:
        """Calendar month (1-12) of the step being taken."""
        return (self.spec.start_month - 1 + self.step) % 12 + 1

    @property
    def school_year_starts(self) -> bool:
        return self.month == SCHOOL_MONTH

    def open_step(self) -> None:
        """A new month: its flows and city spending start from zero; its new rows are listed from here."""
        self.step += 1
        self.flows[:] = 0.0
        self.city_budget[:] = 0.0
        self.new_rows = range(self.n, self.n)
        self.scratch[0][:self.n] = lifecourse.NOTHING

    @property
    def ages_up(self) -> bool:
        """Everyone is a year older at the school-year start (abm.phases.lifecourse)."""
        return self.school_year_starts

    def after_lifecourse(self) -> None:
        """The life course's serial part, shared by both engines: book its flows, dissolve the households left
        without an adult, and add the households that grown children form (heads with their parents' group,
        hukou, registration and district, unemployed and looking for a home)."""
        fate, events, new_age, new_sex = self.scratch
        rows = np.flatnonzero(fate[:self.n] != lifecourse.NOTHING)
        parents = lifecourse.book_events(self.h, rows, self.districts, self.flows, fate, events, new_age, self.step)
        if parents.size == 0:
            return
        start, k = self._make_room(parents.size), parents.size
        h = self.h
        group, sex, age = h.group[parents].astype(np.int64), new_sex[parents].astype(np.int64), new_age[parents]
        fill_rows(h, start, group, h.district[parents].astype(np.int64), np.ones(k, np.int64),
                  age.astype(np.int64), sex, self.gp, self.wage, self.fert, self.gap, self.seed, self.step, True)
        new = slice(start, start + k)
        h.hukou[new] = h.hukou[parents]
        h.registered[new] = h.registered[parents]
        h.months_in_city[new] = np.minimum(h.months_in_city[parents], age.astype(np.int64) * 12)
        h.arrived[new] = -1
        h.land[new] = 0.0  # a grown child starts with neither land nor savings of its own
        h.savings[new] = 0.0
        np.add.at(self.flows[F_NEW_HOUSEHOLDS], (group, sex), 1.0)
        self.n += k
        self.new_rows = range(self.new_rows.start, self.n)

    @property
    def year(self) -> int:
        """Calendar year of the step being taken (step 0, the start, is in the base year; `month` counts the
        same way)."""
        return self.spec.profile.year + (self.spec.start_month - 1 + self.step) // 12

    def _average_wage(self) -> float:
        """The city's average wage (yuan/month) that the pension formula reads: the mean wage of the initial
        population's formal workers (the minimum wage if there are none), moved each January with the money
        index like every money value. The model's own level, not a published series: the 2005 formula reads the
        previous year's average wage of urban employees."""
        h, n = self.h, self.n
        formal = (h.status[:n] == ACTIVE) & (h.employment[:n] == FORMAL)
        return float(h.wage[:n][formal].mean()) if formal.any() else float(self.spec.profile.minimum_wage)

    def _seed_pension_records(self, start: int, stop: int) -> None:
        """Pension records of households entering as they live (the synthetic population, poverty entries): the
        current insured job spell (`pension_months`, set with the job) plus, for some heads, their working years
        before it (abm.phases.insurance.starting_record: past coverage by hukou, from the 2008 statistics); heads
        past the statutory age retired with such a record and draw the 2005 basic pension if it reached the
        minimum years (existing pensioners), else their account was paid out before the start. The streak of
        consecutive years is the current spell's only (an assumption: the past years are not known to be
        unbroken)."""
        starting_records(self.h, start, stop, self.p, self.r, self.seed, self.step if self.step > 0 else -1,
                         self.year, self.avg_wage, np.ascontiguousarray(self.wage[0]))

    def _marital_tables(self) -> demography.Tables:
        """The tables with births for women in a union, the only ones who give birth here: the schedule for all
        women divided, age band by age band, by the initial population's share of women in a union
        (`women_in_union`), so that births per woman start at the schedule's total fertility (abm.demography)."""
        women, union = women_in_union(self.h, self.n)
        self.f_marital = demography.marital_fertility(self.tables.f_annual, women, union)
        return dataclasses.replace(self.tables, f_month=demography.births_month(self.f_marital))

    def _index_money(self) -> None:
        """Each January, money values move with the city's nominal average wage (abm.series): wages offered
        and paid, market rents, the money rules in force, the down payment, farm income, staff pay."""
        new = self.wage_index(self.year)
        ratio = new / self.money_index
        if ratio == 1.0:
            return
        self.money_index = new
        self.market.wage[:] *= ratio
        self.h.wage[:self.n] *= ratio
        self.h.pension[:self.n] *= ratio  # pensions in payment, and personal accounts (credited at wage growth)
        self.h.pension_account[:self.n] *= ratio
        self.avg_wage *= ratio
        self.districts.rent[:] *= ratio
        self.cost_rent[:] *= ratio
        self.base_price *= ratio
        for rec, names in ((self.r_rec, MONEY_RULES), (self.p_rec, MONEY_BEHAVIOUR)):
            for name in names:
                rec[0][name] *= ratio
        self.pv, self.rv = Values(self.p_rec), Values(self.r_rec)
        self.staff_wage *= ratio

    def exogenous_and_city(self) -> None:
        """Exogenous change (labour demand, quota, arrivals) and the policies' city hooks."""
        if self.month == 1:
            self._index_money()
        self.market.jobs[:] *= (1.0 + self.pv.labour_demand_growth) ** (1.0 / 12.0)
        if self.month == 1 or self.step == 1:
            self.quota = registration.yearly_quota(self.rv.hukou_quota_share, self.initial_migrants, self.seed,
                                                   self.step)
        housing_market.update(self.p, self.districts, self.cost_rent, self.base_price)
        if self.month == PLANNING_MONTH:
            self._plan_seats()
        self._arrivals(self._arrival_count())
        self._poverty_entries()
        city = CityView(self)
        for pol in self.spec.policies:
            pol.on_city(city)
        self.spend("budget_community", float(self.districts.staff.sum()) * self.staff_wage)
        housing_market.district_terms(self.districts, self.active_by_district(), self.scale)

    def spend(self, line: str, yuan: float) -> None:
        """Book city-level spending (real yuan) this month on a budget line, e.g. "budget_education"."""
        self.city_budget[BUDGET_LINES.index(line)] += yuan

    def active_by_district(self, group: int | None = None) -> np.ndarray:
        """Active households (agents) per district, of one group or all."""
        h, n = self.h, self.n
        sel = h.status[:n] == ACTIVE
        if group is not None:
            sel &= h.group[:n] == group
        return np.bincount(h.district[:n][sel], minlength=self.districts.staff.size)

    def land_holders_by_district(self) -> np.ndarray:
        h, n = self.h, self.n
        holders = (h.status[:n] == ACTIVE) & (h.group[:n] == FARMER) & (h.land[:n] > 0)
        return np.bincount(h.district[:n][holders], minlength=self.districts.staff.size)

    def public_claims(self) -> np.ndarray:
        return public_claims(self.h, self.n, self.r, self.districts.public_seats.size)

    def fit_choice_buffer(self, searchers: int) -> None:
        """Room for next month's searchers' option weights: twice this month's when it was too small."""
        if searchers > self.choice_buffer.shape[0]:
            self.choice_buffer = np.empty((2 * searchers, self.choice_buffer.shape[1]))

    def _plan_seats(self) -> None:
        """Each August, before the intake, public seats open where the children with a claim under the rules
        in force, counted `seat_planning_lag` years ago (each August, `claims_by_year`), times
        `seat_planning_ratio`, exceed the seats; no seat is closed. Before the lag has passed the city has only
        the seats it started with (the years before the start are not known). Booked to education at
        `seat_cost` a seat (a money rule: it moves with the wage index)."""
        self.claims_by_year.append(self.public_claims())
        lag, ratio = int(self.rv.seat_planning_lag), self.rv.seat_planning_ratio
        if ratio <= 0.0 or len(self.claims_by_year) <= lag:
            return
        d = self.districts
        target = np.ceil(self.claims_by_year[-1 - lag] * ratio).astype(np.int64)
        build = np.maximum(target - d.public_seats, 0)
        d.public_seats[:] += build
        self.spend("budget_education", float(build.sum()) * self.scale * self.rv.seat_cost)

    def _attractiveness(self, values: np.ndarray) -> tuple[float, float]:
        i = INDEX
        return (values[i["employment_rate"], MIGRANT_ROW, 2] * values[i["mean_income"], MIGRANT_ROW, 2],
                values[i["public_school_share"], MIGRANT_ROW, 2])

    def _arrival_count(self) -> int:
        """Arrivals respond to expected migrant income (relative to the start, in base-year yuan: incomes
        elsewhere grow with wages too) and school access."""
        (a, pub), (a0, pub0) = self._attractiveness(self.history[-1]), self._attr0
        ratio = a / (a0 * self.recorded_index) if a0 > 0 else 1.0
        pv = self.pv
        expected = (pv.arrival_rate * self.initial_migrants * ratio ** pv.arrival_elasticity
                    * math.exp(pv.arrival_services * (pub - pub0)))
        return int(math.floor(expected + rng.draw(self.seed, self.step, rng.CITY, rng.ARRIVAL_COUNT)))

    def begin_step(self) -> None:
        """Open the month and run its exogenous change and city hooks (for callers without a life course)."""
        self.open_step()
        self.exogenous_and_city()

    def _make_room(self, k: int) -> int:
        """Capacity for k more rows; returns the first new row."""
        start = self.n
        if start + k > self.h.group.shape[0]:
            self.h = grow(self.h, self.n, max(2 * self.h.group.shape[0], start + k))
            self.work = empty_work(self.h.group.shape[0])
            self.columns = self.h._asdict()
            self.scratch = lifecourse.scratch(self.h.group.shape[0])
        return start

    def _newcomers(self, cum: np.ndarray, k: int, stream: int, group: int, arriving: bool) -> tuple[int, np.ndarray]:
        """k new households of `group` in cells drawn from `cum` (the group's fitted table) with the city's
        `stream`, their rows filled as arrivals (`arriving`) or as the synthetic population's; returns their
        first row and their heads' sex codes."""
        start = self._make_room(k)
        cells = draw_cells(cum, k, self.seed, self.step, stream)
        d, s, a, x = np.unravel_index(cells, self.arrival_shape)
        ages = _ages(self.age_lo, self.age_width, a.astype(np.int64), self.seed, self.step, start)
        fill_rows(self.h, start, np.full(k, group, np.int64), d.astype(np.int64), s.astype(np.int64) + 1, ages,
                  x.astype(np.int64), self.gp, self.wage, self.fert, self.gap, self.seed, self.step, arriving)
        self.n += k
        self.new_rows = range(self.new_rows.start, self.n)
        return start, x

    def _arrivals(self, k: int) -> None:
        start, x = self._newcomers(self.arrival_cum, k, rng.ARRIVAL_CELL, MIGRANT, True)
        np.add.at(self.flows[F_ARRIVALS, MIGRANT], x, 1.0)
        np.add.at(self.flows[F_ARRIVAL_PERSONS, MIGRANT], x, self.h.size[start:start + k].astype(float))

    def _poverty_entries(self) -> None:
        """Urban households fall into poverty from the city's population that is not simulated: they join the
        urban poor as they live (home, school places, job drawn from the group's profile, as at the start),
        bringing their unit and seats with them."""
        if self.poor_cum is None:
            return
        expected = self.pv.urban_poverty_entry / 12.0 * self.background_households
        k = int(math.floor(expected + rng.draw(self.seed, self.step, rng.CITY, rng.POVERTY_COUNT)))
        if k <= 0:
            return
        start, x = self._newcomers(self.poor_cum, k, rng.POVERTY_CELL, URBAN_POOR, False)
        self._seed_pension_records(start, self.n)
        lifecourse.retire_at_start(self.h, self.n, self.p, self.r, self.seed, self.informal_wage, start)
        new = slice(start, start + k)
        h, dd = self.h, self.districts
        housed = new.start + np.flatnonzero(h.tenure[new] >= 0)
        np.add.at(dd.occupied, (h.district[housed], h.tenure[housed]), 1)
        np.add.at(dd.units, (h.district[housed], h.tenure[housed]), 1)  # their own home comes with them
        for place, used, seats in ((PUBLIC, dd.public_used, dd.public_seats),
                                   (PRIVATE_MIGRANT, dd.private_used, dd.private_seats)):
            rows = new.start + np.flatnonzero(h.school[new] == place)
            pupils = h.kids_school[rows].astype(np.int64)
            np.add.at(used, h.district[rows], pupils)  # and so do their children's places
            np.add.at(seats, h.district[rows], pupils)
        np.add.at(self.flows[F_POVERTY_ENTRIES, URBAN_POOR], x, 1.0)
        np.add.at(self.flows[F_ARRIVAL_PERSONS, URBAN_POOR], x, h.size[new].astype(float))

    def book_funds(self) -> None:
        """Each fund's balance moves by the month's income less its outgo (real yuan): the ledger identity."""
        for k, (_, income, outgo) in enumerate(FUNDS):
            self.funds[k] += (self.flows[income].sum() - self.flows[outgo].sum()) * self.scale

    def record(self) -> None:
        self.recorded_index = self.money_index  # the yuan of the month recorded last, for the arrivals
        self.history.append(compute(self.h, self.n, self.districts, self.r, self.flows, self.city_budget,
                                    self.funds, self.scale, self.background_urban, self.work, self.year,
                                    self.avg_wage))
        if self.step % PYRAMID_EVERY == 0:
            self.pyramids[self.step] = pyramid(self.h, self.n) * self.scale

    def end_step(self) -> None:
        self.book_funds()
        self.record()

    def indicators(self, name: str, group: int = 3, sex: int = 2) -> np.ndarray:
        """One indicator's trajectory (steps 0..t) for a group and sex row."""
        return np.array([v[INDEX[name], group, sex] for v in self.history])


def _apportion(total: float, weights: np.ndarray) -> np.ndarray:
    """round(total) whole units shared in proportion to `weights` by largest remainders (ties: lower index)."""
    k = int(round(total))
    if k <= 0 or weights.sum() <= 0:
        return np.zeros(weights.size, dtype=np.int64)
    exact = weights / weights.sum() * k
    out = np.floor(exact).astype(np.int64)
    short = k - int(out.sum())
    out[np.argsort(-(exact - out), kind="stable")[:short]] += 1
    return out


def _default(name: str) -> float:
    return next(p.default for p in BEHAVIOUR if p.name == name)


class CityView:
    """The narrow interface a policy's city hook sees (abm.policies.base.City): a few facts of the
    world, its districts to add capacity to, and booking spending. Nothing else of the world is reachable."""
    __slots__ = ("_world",)

    def __init__(self, world: World):
        self._world = world

    month = property(lambda self: self._world.month)
    step = property(lambda self: self._world.step)
    scale = property(lambda self: self._world.scale)
    prices = property(lambda self: self._world.money_index)
    rv = property(lambda self: self._world.rv)
    districts = property(lambda self: self._world.districts)
    committees = property(lambda self: self._world.committees)

    def active_by_district(self, group: int | None = None) -> np.ndarray:
        return self._world.active_by_district(group)

    def land_holders_by_district(self) -> np.ndarray:
        return self._world.land_holders_by_district()

    def public_claims(self) -> np.ndarray:
        return self._world.public_claims()

    def spend(self, line: str, yuan: float) -> None:
        self._world.spend(line, yuan)
