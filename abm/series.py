"""City-year series: how nominal money values move from the run's base year on.

`abm/configs/cities/series.csv` holds cited yearly figures (site, year, indicator, value, ...; sources in
abm/configs/demography/SOURCES.md). A city profile names its `series_sites`, most specific first (the city,
its province, its region, `national`). The model's money values (wages, market rents, the assistance and
poverty lines, fees, subsidies and benefits of the rules in force, the down payment, farm and letting
income, committee staff pay) are the profile's and the rules' as declared, in base-year yuan, and move each
January with the **nominal average wage** of urban non-private units (`average_wage`):

    index(y) = value(y) / value(base year)

read from the first site of the list whose figures span both years (log-linear between the years it has), and
otherwise chained to the next site's growth outside a site's span (the national series covers 2009-2020;
beyond it, its mean growth over its last five years carries on, an assumption).
Only wages have series for every site; rents, house prices and the assistance lines have none in the data
found, so they follow the wage index as a declared assumption (SOURCES.md says what was not found).
"""

from __future__ import annotations

import csv
import functools
import math
from pathlib import Path

import numpy as np

SERIES = Path(__file__).parent / "configs" / "cities" / "series.csv"
INDEX_INDICATOR = "average_wage"
EXTRAPOLATE_YEARS = 5  # beyond the last figure: the mean growth of the last five years (assumption)


class SeriesError(ValueError):
    pass


@functools.lru_cache(maxsize=4)
def read(path: Path = SERIES) -> tuple[dict, ...]:
    """The series' rows (site, year, indicator, value, ...), checked, read once per process for each file;
    the standard library's reader, so that a run does not import pandas."""
    if not path.is_file():
        raise SeriesError(f"{path}: no such file")
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        missing = {"site", "year", "indicator", "value"} - set(reader.fieldnames or ())
        if missing:
            raise SeriesError(f"{path}: missing columns {', '.join(sorted(missing))}")
        rows = [dict(r, year=int(r["year"]), value=float(r["value"])) for r in reader]
    seen, dup = set(), []
    for r in rows:
        key = (r["site"], r["year"], r["indicator"])
        if key in seen:
            dup.append(f"{r['site']} {r['year']} {r['indicator']}")
        seen.add(key)
    if dup:
        raise SeriesError(f"{path}: repeated site, year and indicator: " + "; ".join(dup))
    return tuple(rows)


class WageIndex:
    """index(year) relative to the base year, from the first site (of `sites`) with figures, chained to the
    next sites' growth outside a site's span."""

    def __init__(self, sites: list[str], base_year: int, rows: tuple[dict, ...] | list[dict] | None = None,
                 indicator: str = INDEX_INDICATOR):
        self.points: dict[str, dict[int, float]] = {}
        for r in read() if rows is None else rows:
            if r["indicator"] == indicator and r["site"] in sites:
                self.points.setdefault(r["site"], {})[r["year"]] = r["value"]
        self.sites = [s for s in sites if len(self.points.get(s, {})) >= 2]
        if not self.sites:
            raise SeriesError(f"no site among {', '.join(sites)} has two or more {indicator} figures")
        self.base_year = base_year
        self.source = {s: sorted(self.points[s]) for s in self.sites}

    def _log(self, site: str, year: float) -> float | None:
        """log value of `site` in `year`, interpolated log-linearly between its years, None outside its span."""
        pts = self.points[site]
        years = sorted(pts)
        logs = [math.log(pts[y]) for y in years]
        if years[0] <= year <= years[-1]:
            return float(np.interp(year, years, logs))
        if site != self.sites[-1]:
            return None
        # the last site only: extrapolated at its mean growth over the nearest five years it has (assumption)
        if year > years[-1]:
            y0 = max(y for y in years if y <= years[-1] - EXTRAPOLATE_YEARS) if years[0] <= years[-1] - \
                EXTRAPOLATE_YEARS else years[0]
            rate = (logs[-1] - math.log(pts[y0])) / (years[-1] - y0)
            return logs[-1] + rate * (year - years[-1])
        y1 = min(y for y in years if y >= years[0] + EXTRAPOLATE_YEARS) if years[-1] >= years[0] + \
            EXTRAPOLATE_YEARS else years[-1]
        rate = (math.log(pts[y1]) - logs[0]) / (y1 - years[0])
        return logs[0] - rate * (years[0] - year)

    def log_growth(self, a: float, b: float, k: int = 0) -> float:
        """log(value(b) / value(a)) from site k on, chaining to later sites where site k has no figure."""
        site = self.sites[k]
        la, lb = self._log(site, a), self._log(site, b)
        if la is not None and lb is not None:
            return lb - la
        if k + 1 == len(self.sites):
            raise SeriesError(f"{INDEX_INDICATOR}: no figures between {a} and {b} for {', '.join(self.sites)}")
        years = sorted(self.points[site])
        lo, hi = min(a, b), max(a, b)
        inside_lo, inside_hi = max(lo, years[0]), min(hi, years[-1])
        if inside_lo >= inside_hi:  # no overlap: the next site's growth for the whole stretch
            return self.log_growth(a, b, k + 1)
        g = (self._log(site, inside_hi) - self._log(site, inside_lo)
             + self.log_growth(lo, inside_lo, k + 1) + self.log_growth(inside_hi, hi, k + 1))
        return g if b >= a else -g

    def __call__(self, year: int) -> float:
        return math.exp(self.log_growth(self.base_year, year)) if year != self.base_year else 1.0
