"""Demographic rate tables: mortality by sex and age, fertility by the mother's age.

The tables are data with their sources (abm/configs/demography/*.csv, documented in SOURCES.md there):
each row is an age band with a rate, the measure it is (`mx`, the central death rate per person-year, or
`qx`, the probability of dying within the band) and where it comes from. This module reads them once, checks
them, and turns them into what the life-course phase reads by single year of age:

    q_month[sex, age]  probability of dying within a month at that age (constant hazard within a year)
    f_month[age]       probability that a woman of that age gives birth within a month (the schedule is for
                       all women; `marital_fertility` turns it into rates for women in a union, who alone
                       give birth in the model)

and computes the life expectancy a mortality table implies (abridged life table, Preston, Heuveline &
Guillot 2001, ch. 3, with their a0 and 4a1 for low mortality), which a test holds to the cited figure.
"""

from __future__ import annotations

import csv
import functools
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from abm.state import FEMALE, MALE, SEXES

MAX_AGE = 100  # ages 0..100; 100 stands for 100 and over
N_AGES = MAX_AGE + 1
DEMOGRAPHY = Path(__file__).parent / "configs" / "demography"
SOURCE_COLUMNS = ("year", "publisher", "title", "locator")


class TableError(ValueError):
    """A rate table that cannot be read: the message names every problem."""


def _read(path: Path, required: tuple[str, ...]) -> list[dict[str, str]]:
    """The rows of a CSV table (the standard library's reader: pandas would cost every run half a second of
    import for a few dozen rows)."""
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = [c for c in required if c not in (reader.fieldnames or ())]
        if missing:
            raise TableError(f"{path}: missing columns {', '.join(missing)}; required: {', '.join(required)}")
        rows = list(reader)
    for r in rows:
        r["age_from"], r["age_to"] = int(r["age_from"]), int(r["age_to"])
    return sorted(rows, key=lambda r: r["age_from"])


def _bands(path: Path, rows: list[dict], where: str) -> list[str]:
    """Problems with a set of age bands (rows sorted by age_from): they must tile the ages from their first
    to their last."""
    problems = []
    lo = np.array([r["age_from"] for r in rows], dtype=int)
    hi = np.array([r["age_to"] for r in rows], dtype=int)
    if np.any(hi < lo):
        problems.append(f"{path}{where}: a band ends before it starts")
    gaps = np.nonzero(lo[1:] != hi[:-1] + 1)[0]
    for g in gaps:
        problems.append(f"{path}{where}: bands {lo[g]}-{hi[g]} and {lo[g + 1]}-{hi[g + 1]} leave a gap or overlap")
    return problems


@dataclass(frozen=True)
class MortalityTable:
    """Abridged or complete table by sex: band starts, widths (the last one open) and central death rates."""
    start: dict[int, np.ndarray]
    width: dict[int, np.ndarray]
    mx: dict[int, np.ndarray]
    source: str

    def life_expectancy(self, sex: int) -> float:
        """e0 of the period life table the rates imply (Preston et al. 2001, box 3.1)."""
        x, n, m = self.start[sex], self.width[sex], self.mx[sex]
        a = n / 2.0
        if x[0] == 0 and n[0] == 1:  # Preston et al. table 3.3 (Coale-Demeny), m0 < 0.107
            a[0] = (0.053 + 2.8 * m[0]) if sex == FEMALE else (0.045 + 2.684 * m[0])
            if len(n) > 1 and x[1] == 1 and n[1] == 4:
                a[1] = (1.522 - 1.518 * m[0]) if sex == FEMALE else (1.651 - 2.816 * m[0])
        q = np.minimum(n * m / (1.0 + (n - a) * m), 1.0)
        q[-1] = 1.0
        lx = np.concatenate([[1.0], np.cumprod(1.0 - q)[:-1]])
        dx = lx * q
        big_l = n * (lx - dx) + a * dx
        big_l[-1] = lx[-1] / m[-1]
        return float(big_l.sum())

    def annual_q(self, sex: int) -> np.ndarray:
        """Probability of dying within a year at each single age 0..MAX_AGE (constant hazard in a band)."""
        out = np.empty(N_AGES)
        for x, n, m in zip(self.start[sex], self.width[sex], self.mx[sex]):
            last = MAX_AGE if x == self.start[sex][-1] else min(int(x + n) - 1, MAX_AGE)
            out[x:last + 1] = 1.0 - math.exp(-m)
        return out


def read_mortality(path: Path = DEMOGRAPHY / "mortality.csv") -> MortalityTable:
    table = _read(path, ("sex", "age_from", "age_to", "measure", "value", *SOURCE_COLUMNS))
    problems = []
    start, width, mx = {}, {}, {}
    for code, label in enumerate(SEXES):
        rows = [r for r in table if r["sex"] == label]
        if not rows:
            problems.append(f"{path}: no rows for sex {label!r}; sexes: {', '.join(SEXES)}")
            continue
        problems += _bands(path, rows, f" ({label})")
        bad = sorted({r["measure"] for r in rows} - {"mx", "qx"})
        if bad:
            problems.append(f"{path}: measure {', '.join(bad)} unknown; allowed: mx, qx")
            continue
        v = np.array([float(r["value"]) for r in rows])
        if np.any(~np.isfinite(v)) or np.any(v < 0) or np.any(v > 1.0):
            problems.append(f"{path} ({label}): rates must lie in [0, 1]")
            continue
        x = np.array([r["age_from"] for r in rows], dtype=int)
        n = (np.array([r["age_to"] for r in rows], dtype=int) - x + 1).astype(float)
        if x[0] != 0:
            problems.append(f"{path} ({label}): the first band must start at age 0, not {x[0]}")
        is_q = np.array([r["measure"] == "qx" for r in rows])
        # a qx over n years as the constant central rate that gives it: m = -ln(1 - q) / n
        m = np.where(is_q, -np.log(np.maximum(1.0 - v, 1e-12)) / n, v)
        if is_q[-1]:
            problems.append(f"{path} ({label}): the open last band needs mx (its qx is 1 by definition)")
        start[code], width[code], mx[code] = x, n, m
    if problems:
        raise TableError("\n".join(problems))
    src = "; ".join(sorted({f"{r['publisher']}, {r['title']} ({r['year']}), {r['locator']}" for r in table}))
    return MortalityTable(start, width, mx, src)


def read_fertility(path: Path = DEMOGRAPHY / "fertility.csv", schedule: str | None = None) -> np.ndarray:
    """Annual births per woman by single age 0..MAX_AGE (zero outside the table's bands). A file with a
    `schedule` column holds several schedules (e.g. the census' and an adjusted one); `schedule` picks one
    (default: the rows marked 1 in a `default` column, else the only schedule)."""
    rows = _read(path, ("age_from", "age_to", "value", *SOURCE_COLUMNS))
    if rows and "schedule" in rows[0]:
        names = sorted({r["schedule"] for r in rows})
        if schedule is None:
            chosen = sorted({r["schedule"] for r in rows if r.get("default") == "1"}) if "default" in rows[0] \
                else names
            if len(chosen) != 1:
                raise TableError(f"{path}: name a schedule; available: {', '.join(names)}")
            schedule = chosen[0]
        if schedule not in names:
            raise TableError(f"{path}: no schedule {schedule!r}; available: {', '.join(names)}")
        rows = [r for r in rows if r["schedule"] == schedule]
    problems = _bands(path, rows, "")
    v = np.array([float(r["value"]) for r in rows])
    if np.any(v < 0) or np.any(v > 1):
        problems.append(f"{path}: births per woman per year must lie in [0, 1]")
    if problems:
        raise TableError("\n".join(problems))
    out = np.zeros(N_AGES)
    for r in rows:
        out[r["age_from"]:r["age_to"] + 1] = float(r["value"])
    return out


# Natural fertility n(a), births per married woman-year by 5-year age band: the standard of Coale & Trussell
# (1974), "Model fertility schedules", Population Index 40(2):185-258, from 20-24 on (0.460, 0.431, 0.395,
# 0.322, 0.167, 0.024; Henry's populations without deliberate control). The table starts at 20; 0.411 for
# 15-19 is the value common implementations of the standard add. The most a married woman of that age bears
# without control: it caps the marital rates below.
NATURAL_FERTILITY = {15: 0.411, 20: 0.460, 25: 0.431, 30: 0.395, 35: 0.322, 40: 0.167, 45: 0.024}


def marital_fertility(f_annual: np.ndarray, women: np.ndarray, in_union: np.ndarray) -> np.ndarray:
    """Births per woman-year in a union by single age, from a schedule for all women: in each 5-year band
    from 15-19 to 45-49, the all-women rate divided by the share of the band's women who are in a union
    (indirect standardisation: the band's births per woman then stay those of the schedule), capped at natural
    fertility. `women` and `in_union` count women by single age 0..MAX_AGE (a city's initial population). A
    band without women in a union takes the cap. Ages outside the bands keep the schedule's rate (zero)."""
    out = f_annual.astype(float).copy()
    for lo, cap in NATURAL_FERTILITY.items():
        band = slice(lo, lo + 5)
        w, u = float(women[band].sum()), float(in_union[band].sum())
        rate = f_annual[band] * (w / u) if u > 0 else np.full(5, cap)
        out[band] = np.minimum(rate, cap)
    return out


def total_fertility(f_annual: np.ndarray) -> float:
    return float(f_annual.sum())


def monthly(annual_probability: np.ndarray) -> np.ndarray:
    """A yearly probability as the probability within one month at a constant hazard."""
    return 1.0 - (1.0 - np.clip(annual_probability, 0.0, 1.0)) ** (1.0 / 12.0)


@dataclass(frozen=True)
class Tables:
    """What the life-course phase reads, q_month[sex, age] and f_month[age], and the annual births per woman
    by age (f_annual) from which the synthetic population's children's ages are drawn. Shared by every run
    of a process: never written to."""
    q_month: np.ndarray
    f_month: np.ndarray
    f_annual: np.ndarray


@functools.lru_cache(maxsize=8)
def load_tables(mortality: Path | None = None, fertility: Path | None = None,
                schedule: str | None = None) -> Tables:
    """The tables, read once per process for each choice of files (a sweep or a calibration builds a city
    for every run)."""
    mt = read_mortality(mortality or DEMOGRAPHY / "mortality.csv")
    q = np.stack([monthly(mt.annual_q(FEMALE)), monthly(mt.annual_q(MALE))])
    f_annual = read_fertility(fertility or DEMOGRAPHY / "fertility.csv", schedule)
    return Tables(q_month=np.ascontiguousarray(q), f_month=births_month(f_annual), f_annual=f_annual)


def births_month(f_annual: np.ndarray) -> np.ndarray:
    """Births as a rate per woman-year: the monthly probability of at least one birth at that hazard."""
    return 1.0 - np.exp(-f_annual / 12.0)
