"""The city and its households, and the parts of a step both engines share.

`World` builds the synthetic city from a resolved run spec and owns every
array. An engine steps it: `begin_step` (exogenous change, arrivals, the
policies' city hooks), then the household phases (engine-specific), then
`end_step` (city accounts and indicators). Nothing here draws randomness except
through abm.rng, so both engines see the same city.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from abm import rng
from abm.city import CityProfile
from abm.indicators import INDEX, compute
from abm.kernels.common import count_formal
from abm.kernels.labour import initial_earnings
from abm.kernels.population import N_GP, draw_cells, fill_rows
from abm.kernels.schooling import public_claims
from abm.parameters import BEHAVIOUR, Values, make_record
from abm.phases import registration
from abm.rules import RULES
from abm.spec import RunSpec
from abm.state import (
    ACTIVE,
    BUDGET_LINES,
    FARMER,
    F_ARRIVALS,
    GROUPS,
    MIGRANT,
    N_FORMAL_SECTORS,
    N_SKILLS,
    N_TENURES,
    OWNED,
    PRIVATE_MIGRANT,
    PRIVATE_RENTAL,
    PUBLIC,
    TENURES,
    URBAN_VILLAGE,
    Districts,
    Market,
    empty_flows,
    empty_households,
    empty_work,
    grow,
)
from abm.synthesis import synthesize

SCHOOL_MONTH = 9  # the school year starts in September
MIGRANT_ROW, ALL_ROW = 0, 3


def group_profile_array(profile: CityProfile) -> np.ndarray:
    gp = np.zeros((len(GROUPS), N_GP))
    for gi, g in enumerate(GROUPS):
        q = profile.group[g]
        gp[gi, :] = [q.unemployed, q.informal, *q.sector_shares, *q.skill_shares, q.insured_share,
                     q.registered_share, q.mean_years_in_city, *q.tenure_shares, *q.school_shares, q.land_mu,
                     q.land_lost_share, q.savings, q.school_kid_share]
    return gp


@njit(cache=True)
def _ages(lo, width, band, seed, step, first_id):
    out = np.empty(band.shape[0], dtype=np.int64)
    for j in range(band.shape[0]):
        u = rng.draw(seed, step, first_id + j, rng.SYNTH_AGE)
        out[j] = lo[band[j]] + int(u * width[band[j]])
    return out


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
        s = self.synth = synthesize(prof, spec.households, self.seed)
        self.n = s.group.size
        self.initial_migrants = int((s.group == MIGRANT).sum())
        self.h = empty_households(self.n + self._expected_arrivals() + 64)
        self.work = empty_work(self.h.group.shape[0])  # the kernels' reusable work arrays
        ages = _ages(self.age_lo, self.age_width, s.age_band, self.seed, -1, 0)
        self.columns = self.h._asdict()  # name -> array, for the Mesa agents' attribute access
        fill_rows(self.h, 0, s.group, s.district, s.size, ages, s.sex, self.gp, self.wage, self.seed, -1, False)
        initial_earnings(self.h, self.n, self.p, self.r)
        self.market = Market(jobs=np.zeros((N_FORMAL_SECTORS, N_SKILLS)),
                             employed=np.zeros((N_FORMAL_SECTORS, N_SKILLS), dtype=np.int64), wage=self.wage)
        count_formal(self.h, self.n, self.market.employed)
        self.market.jobs[:] = self.market.employed * (1.0 + prof.job_vacancy_rate)
        self.districts = self._build_districts(prof)
        mig = s.fits["migrant"].table
        self.arrival_shape = mig.shape
        self.arrival_cum = np.cumsum(mig.ravel() / mig.sum()) if mig.sum() > 0 else np.ones(mig.size)
        self.flows = empty_flows()
        self.city_budget = np.zeros(len(BUDGET_LINES))
        self.quota = 0.0
        self.history: list[np.ndarray] = []
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
        return Districts(units=units, occupied=occ, rent=rent,
                         public_seats=np.ceil(pub * (1 + prof.public_seat_slack)).astype(np.int64),
                         public_used=pub,
                         private_seats=np.ceil(priv * (1 + prof.private_seat_slack)).astype(np.int64),
                         private_used=priv, staff=staff)

    # ---- the shared parts of a step -------------------------------------------------------------
    @property
    def month(self) -> int:
        """Calendar month (1-12) of the step being taken."""
        return (self.spec.start_month - 1 + self.step) % 12 + 1

    @property
    def school_year_starts(self) -> bool:
        return self.month == SCHOOL_MONTH

    def begin_step(self) -> None:
        """Exogenous change (labour demand, quota, arrivals) and the policies' city hooks."""
        self.step += 1
        self.flows[:] = 0.0
        self.city_budget[:] = 0.0
        self.market.jobs[:] *= (1.0 + self.pv.labour_demand_growth) ** (1.0 / 12.0)
        if self.month == 1 or self.step == 1:
            self.quota = registration.yearly_quota(self.rv.hukou_quota_share, self.initial_migrants, self.seed,
                                                   self.step)
        self._market_supply()
        self._arrivals(self._arrival_count())
        city = CityView(self)
        for pol in self.spec.policies:
            pol.on_city(city)
        self.spend("budget_community", float(self.districts.staff.sum()) * self.spec.profile.staff_wage)

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

    def _market_supply(self) -> None:
        """Landlords and developers build to keep the profile's vacancy rates in private rentals and
        commercial homes; urban villages, dormitories and public housing grow only by policy."""
        d = self.districts
        for t in (PRIVATE_RENTAL, OWNED):
            vac = self.spec.profile.housing_vacancy_rate[TENURES[t]]
            need = np.ceil(d.occupied[:, t] / (1.0 - vac)).astype(np.int64)
            d.units[:, t] = np.maximum(d.units[:, t], need)

    def _attractiveness(self, values: np.ndarray) -> tuple[float, float]:
        i = INDEX
        return (values[i["employment_rate"], MIGRANT_ROW, 2] * values[i["mean_income"], MIGRANT_ROW, 2],
                values[i["public_school_share"], MIGRANT_ROW, 2])

    def _arrival_count(self) -> int:
        """Arrivals respond to expected migrant income and school access, relative to the start."""
        (a, pub), (a0, pub0) = self._attractiveness(self.history[-1]), self._attr0
        ratio = a / a0 if a0 > 0 else 1.0
        pv = self.pv
        expected = (pv.arrival_rate * self.initial_migrants * ratio ** pv.arrival_elasticity
                    * math.exp(pv.arrival_services * (pub - pub0)))
        return int(math.floor(expected + rng.draw(self.seed, self.step, rng.CITY, rng.ARRIVAL_COUNT)))

    def _arrivals(self, k: int) -> None:
        start = self.n
        if start + k > self.h.group.shape[0]:
            self.h = grow(self.h, self.n, max(2 * self.h.group.shape[0], start + k))
            self.work = empty_work(self.h.group.shape[0])
            self.columns = self.h._asdict()
        cells = draw_cells(self.arrival_cum, k, self.seed, self.step)
        d, s, a, x = np.unravel_index(cells, self.arrival_shape)
        ages = _ages(self.age_lo, self.age_width, a.astype(np.int64), self.seed, self.step, start)
        fill_rows(self.h, start, np.zeros(k, np.int64), d.astype(np.int64), s.astype(np.int64) + 1, ages,
                  x.astype(np.int64), self.gp, self.wage, self.seed, self.step, True)
        np.add.at(self.flows[F_ARRIVALS, MIGRANT], x, 1.0)
        self.n += k
        self.new_rows = range(start, start + k)

    def record(self) -> None:
        self.history.append(compute(self.h, self.n, self.districts, self.r, self.flows, self.city_budget,
                                    self.scale, self.background_urban, self.work))

    def end_step(self) -> None:
        self.record()

    def indicators(self, name: str, group: int = 3, sex: int = 2) -> np.ndarray:
        """One indicator's trajectory (steps 0..t) for a group and sex row."""
        return np.array([v[INDEX[name], group, sex] for v in self.history])


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
