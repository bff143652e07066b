"""City profiles: the marginals and assumptions a synthetic city is drawn from.

A profile is a YAML file: the built-in ones ship inside the package in
abm/configs/cities/ (one per site, each citing its rows of seed_facts.csv,
found through importlib.resources: see abm/builtin.py) and inherit the shared
assumptions of abm/configs/cities/_defaults.yaml. A user profile given by path
inherits the same defaults.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from abm.builtin import root
from abm.parameters import check_values
from abm.state import GROUPS, N_TENURES, TENURES
from abm.yamlio import load_yaml

CITIES_DIR = root() / "cities"
BUILTIN_CITIES = ("zhengzhou", "yanta", "jinnan", "changshu", "kunshan", "yiwu")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


Share = Field(ge=0.0, le=1.0)


class GroupProfile(_Strict):
    unemployed: float = Share
    informal: float = Share
    sector_shares: list[float]
    skill_shares: list[float]
    insured_share: float = Share
    registered_share: float = Share
    mean_years_in_city: float = Field(ge=0.0, le=60.0)
    tenure_shares: list[float]
    school_shares: list[float]
    land_mu: float = Field(ge=0.0, le=100.0)
    land_lost_share: float = Share
    savings: float = Field(ge=0.0)
    spouse_away_share: float = Share  # of heads with a spouse: the spouse lives in the home village

    @model_validator(mode="after")
    def _shares(self):
        for name, n in (("sector_shares", 3), ("skill_shares", 3), ("tenure_shares", N_TENURES),
                        ("school_shares", 4)):
            v = getattr(self, name)
            if len(v) != n or any(x < 0 for x in v) or abs(sum(v) - 1.0) > 1e-6:
                raise ValueError(f"{name} must be {n} non-negative shares that add up to 1 (got {v})")
        if self.unemployed + self.informal > 1.0:
            raise ValueError("unemployed + informal must not exceed 1")
        return self


STOCK_TENURES = ("compound", "dormitory", "public_rental")


class InitialStock(_Strict):
    """Housing and migrant-school places already built in the profile's year, before the run starts: residents
    (persons) by tenure, turned into units (households) with `persons_per_household` for each tenure given, and
    pupils in private migrant schools. World._build_districts places them in the districts (abm/world.py)."""
    residents: dict[str, float] = {}
    persons_per_household: dict[str, float] = {}
    migrant_school_pupils: float = Field(default=0.0, ge=0.0)

    @model_validator(mode="after")
    def _tenures(self):
        problems = []
        for key in ("residents", "persons_per_household"):
            if bad := sorted(set(getattr(self, key)) - set(STOCK_TENURES)):
                problems.append(f"{key}: unknown tenure(s) {bad}; allowed {list(STOCK_TENURES)}")
        for t, v in self.residents.items():
            if not v >= 0:
                problems.append(f"residents.{t} must be a number of persons >= 0 (got {v})")
            if t not in self.persons_per_household:
                problems.append(f"persons_per_household.{t} is needed to turn residents.{t} into units")
        for t, v in self.persons_per_household.items():
            if not 1.0 <= v <= 5.0:
                problems.append(f"persons_per_household.{t} must be in [1, 5], the model's household sizes (got {v})")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def households(self) -> dict[str, float]:
        """Units (real households) by tenure."""
        return {t: n / self.persons_per_household[t] for t, n in self.residents.items()}


class CityProfile(_Strict):
    name: str
    year: int = Field(ge=1949, le=2100)
    series_sites: list[str] = Field(min_length=1)  # abm/series.py: whose average wage indexes money values
    residents: float = Field(gt=0)
    migrants: float = Field(ge=0)
    local_hukou: float = Field(ge=0)
    urban_share_of_local_hukou: float = Share
    urban_poor_share: float = Share
    districts: int = Field(ge=1, le=10000)
    households_per_committee: float = Field(ge=501, le=3500)
    staff_per_committee: float = Field(ge=0, le=50)
    staff_wage: float = Field(ge=0)
    minimum_wage: float = Field(gt=0)
    skill_wage_multiplier: list[float]
    sector_wage_multiplier: list[float]
    job_vacancy_rate: float = Field(ge=0.0, le=1.0)
    housing_vacancy_rate: dict[str, float]
    rent: dict[str, float]
    public_seat_slack: float = Field(ge=0.0, le=5.0)
    private_seat_slack: float = Field(ge=0.0, le=5.0)
    size_shares: dict[str, list[float]]
    age_bands: list[list[int]]
    age_shares: dict[str, list[float]]
    female_head_share: dict[str, float]
    size_age_affinity: list[list[float]]
    district_shares: Optional[dict[str, list[float]]] = None
    group: dict[str, GroupProfile]
    rules: dict[str, float] = {}
    stock: Optional[InitialStock] = None  # built before the profile's year ends (see InitialStock)

    @field_validator("rules")
    @classmethod
    def _rules(cls, v):
        from abm.rules import RULES_BY_NAME
        if problems := check_values(RULES_BY_NAME, v, "rule"):
            raise ValueError("; ".join(problems))
        return v

    @field_validator("housing_vacancy_rate")
    @classmethod
    def _tenures(cls, v):
        bad = set(v) - set(TENURES)
        if bad or set(v) != set(TENURES):
            raise ValueError(f"needs exactly the tenures {list(TENURES)}")
        return v

    @model_validator(mode="after")
    def _consistent(self):
        for key in ("size_shares", "age_shares", "female_head_share", "group"):
            if set(getattr(self, key)) != set(GROUPS):
                raise ValueError(f"{key} needs exactly the groups {list(GROUPS)}")
        for g in GROUPS:
            for key, n in (("size_shares", 5), ("age_shares", len(self.age_bands))):
                v = getattr(self, key)[g]
                if len(v) != n or abs(sum(v) - 1.0) > 1e-6 or min(v) < 0:
                    raise ValueError(f"{key}.{g} must be {n} shares that add up to 1 (got {v})")
        self._benefit_between_dibao_and_minimum_wage()
        if abs(self.migrants + self.local_hukou - self.residents) > 0.01 * self.residents:
            raise ValueError("migrants + local_hukou must equal residents (within 1%)")
        if len(self.size_age_affinity) != 5 or any(len(r) != len(self.age_bands) for r in self.size_age_affinity):
            raise ValueError("size_age_affinity must be 5 rows (sizes 1-5) by one column per age band")
        if self.district_shares is not None:
            for g, v in self.district_shares.items():
                if g not in GROUPS or len(v) != self.districts or abs(sum(v) - 1.0) > 1e-6:
                    raise ValueError(f"district_shares.{g} must be {self.districts} shares adding up to 1")
        if self.stock is not None:
            self._check_stock()
        return self

    def _benefit_between_dibao_and_minimum_wage(self) -> None:
        """The unemployment benefit lies between the urban dibao line and the minimum wage (State Council Order
        No. 258, 1999, art. 18), each the profile's rule or its default."""
        from abm.rules import RULES_BY_NAME

        def rule(name: str) -> float:
            return float(self.rules.get(name, RULES_BY_NAME[name].default))

        benefit, dibao = rule("unemployment_benefit"), rule("dibao_line_urban")
        if not dibao <= benefit <= self.minimum_wage:
            raise ValueError(
                f"rules.unemployment_benefit is {benefit:g} yuan/month; it must lie between the urban dibao line "
                f"(rules.dibao_line_urban, {dibao:g}) and the minimum wage (minimum_wage, {self.minimum_wage:g}) "
                "(State Council Order No. 258, 1999, art. 18): set rules.unemployment_benefit in the city profile")

    def _check_stock(self) -> None:
        """The declared stock must fit the city: compounds and dormitories house migrants, public rental units
        any of the simulated households, migrant schools migrant children."""
        real = self.real_households()
        hh = self.stock.households()
        problems = []
        migrant_units = hh.get("compound", 0.0) + hh.get("dormitory", 0.0)
        if migrant_units > real["migrant"]:
            problems.append(f"stock: compounds and dormitories hold {migrant_units:,.0f} households, more than the "
                            f"city's {real['migrant']:,.0f} migrant households")
        if hh.get("public_rental", 0.0) > sum(real.values()):
            problems.append(f"stock: {hh['public_rental']:,.0f} public rental households is more than the "
                            f"{sum(real.values()):,.0f} simulated households")
        if self.stock.migrant_school_pupils > self.migrants:
            problems.append(f"stock.migrant_school_pupils ({self.stock.migrant_school_pupils:,.0f}) is more than "
                            f"the {self.migrants:,.0f} migrants")
        if problems:
            raise ValueError("; ".join(problems))

    # persons by group in the real city
    def persons(self) -> dict[str, float]:
        urban = self.local_hukou * self.urban_share_of_local_hukou
        return {"migrant": self.migrants, "land_losing_farmer": self.local_hukou - urban,
                "urban_poor": urban * self.urban_poor_share}

    def background_urban_persons(self) -> float:
        """Urban-hukou residents who are not poor: not simulated, but part of the city's population."""
        return self.local_hukou * self.urban_share_of_local_hukou * (1.0 - self.urban_poor_share)

    def mean_size(self, group: str) -> float:
        return sum((k + 1) * s for k, s in enumerate(self.size_shares[group]))

    def real_households(self) -> dict[str, float]:
        return {g: n / self.mean_size(g) for g, n in self.persons().items()}


def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(base[k], v) if isinstance(v, dict) and isinstance(base.get(k), dict) and k != "rules" else v
    return out


def profile_path(city: str, relative_to: Path | None = None) -> Path:
    if city in BUILTIN_CITIES:
        return CITIES_DIR / f"{city}.yaml"
    path = Path(city)
    if not path.is_absolute() and relative_to is not None and not path.exists():
        path = relative_to / path
    return path


def load_profile(city: str, relative_to: Path | None = None) -> CityProfile:
    """Load a built-in profile by name or a profile file by path (raises FileNotFoundError, ValueError)."""
    path = profile_path(city, relative_to)
    if not path.is_file():
        raise FileNotFoundError(
            f"city {city!r} is neither a built-in profile ({', '.join(BUILTIN_CITIES)}) nor a file")
    data = _merge(load_yaml(CITIES_DIR / "_defaults.yaml"), load_yaml(path))
    return CityProfile(**data)
