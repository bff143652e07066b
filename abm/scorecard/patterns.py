"""Patterns from the seeds: each a stated rule that passes or fails, with the numbers behind the verdict.

Pattern-oriented modelling (Grimm et al. 2005): a model that reproduces several qualitative patterns at
once, each observed at a different scale, is more likely to have the right structure than one fitted to
a single figure. The rules here are pure functions of simulated numbers (arrays over replicates), so
they can be tested on constructed inputs; abm.scorecard.run feeds them the runs.

    a  Yiwu's migrant numbers past their peak and falling (seed 003)
    b  national migrant population growing 3-5% a year, 2001-2016 (seed 004), against the cities' growth
    c  co-production reaching fewer migrant households than local ones (seed 004)
    d  each pilot moving its own indicators the way its seed reports (one pattern per pilot)

Intervals over replicates are 95% t intervals of a mean (of a paired difference where two arms or two
groups share a run), and 90% intervals of the runs themselves (5th to 95th percentile) where a spread
is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Optional

import numpy as np

from abm.fmt import number

SEED_YIWU = "seeds/003_b64c10e3172163d8.txt"
SEED_COPRODUCTION = "seeds/004_6e14381a91a215c2.txt"


@dataclass
class Pattern:
    key: str
    name: str
    rule: str
    source: str
    passed: Optional[bool]  # None: could not be checked (the detail says why)
    detail: str
    numbers: list[dict] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return {True: "pass", False: "fail", None: "not checked"}[self.passed]


@dataclass(frozen=True)
class Expectation:
    indicator: str
    group: str
    direction: int  # +1: the pilot raises it; -1: lowers it
    source: str
    why: str


def t_interval(values, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t interval of the mean; (mean, nan, nan) with fewer than two values."""
    from scipy import stats

    v = np.asarray(values, dtype=float)
    mean = float(v.mean()) if v.size else float("nan")
    if v.size < 2:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, v.size - 1)) * float(v.std(ddof=1)) / np.sqrt(v.size)
    return mean, mean - half, mean + half


def spread(values) -> tuple[float, float]:
    """The middle 90% of the runs (5th and 95th percentiles)."""
    v = np.asarray(values, dtype=float)
    return float(np.quantile(v, 0.05)), float(np.quantile(v, 0.95))


def yiwu_decline(migrants: np.ndarray, start_year: int, demand: float, years: int = 3) -> Pattern:
    """(a) `migrants` [replicate, year]: Yiwu's migrant persons under the status quo at the start
    (index 0) and at the end of each year after; passes when the change over `years` years is below
    zero with its 95% interval."""
    m = np.asarray(migrants, dtype=float)
    last = start_year + years - 1
    rule = (f"Seed 003 (Yiwu field notes, item 7): the number of migrant workers \"has passed a peak. In recent "
            f"years, it has started to decline\". The Yiwu profile starts in {start_year} and holds the seed's "
            f"migrant share then, under the labour demand every profile shares (formal jobs grow "
            f"{demand:.0%} a year; the Yiwu profile sets no demand of its own), so a peak before {start_year} "
            f"cannot be placed in a run. What can be checked is that the decline goes on: under the status quo, "
            f"Yiwu's migrant population at the end of {last} is below its {start_year} start, the 95% interval "
            f"of the change over replicates below zero.")
    name = "Yiwu's migrant numbers past their peak and falling"
    if m.ndim != 2 or m.shape[1] <= years:
        return Pattern("a", name, rule, SEED_YIWU, None, f"the Yiwu run does not reach the end of {last}")
    change = m[:, years] - m[:, 0]
    mean, lo, hi = t_interval(change)
    numbers = []
    for k in range(m.shape[1]):
        low, high = spread(m[:, k])
        numbers.append({"when": f"start of {start_year}" if k == 0 else f"end of {start_year + k - 1}",
                        "migrants (mean)": float(m[:, k].mean()), "90% of runs low": low,
                        "90% of runs high": high})
    passed = bool(hi < 0)
    detail = (f"change {start_year}-{last}: {number(mean, True)} persons ({mean / m[:, 0].mean():+.1%}), 95% "
              f"interval [{number(lo, True)}, {number(hi, True)}] over {m.shape[0]} replicates: "
              + ("falling" if passed else "not falling"))
    return Pattern("a", name, rule, SEED_YIWU, passed, detail, numbers)


def migrant_growth(rates: dict[str, tuple[int, int, np.ndarray]], low: float, high: float, first: int,
                   last: int, source: str) -> Pattern:
    """(b) `rates`: city -> (first year, last year, annual growth rate of its migrant persons per
    replicate) under the status quo. Passes when the mean of the cities' mean rates lies in [low, high]."""
    rule = (f"Seed 004: China's migrant population grew by about {low:.0%} to {high:.0%} a year from {first} to "
            f"{last}. Each status-quo city's migrant population (persons) should grow at an average annual "
            f"rate in that band over the years its run shares with {first}-{last} (from the profile's year to "
            f"the end of {last}); the pattern passes when the mean of the cities' rates lies in the band "
            f"(a national figure averages cities that grow and cities that shrink, so single cities may lie "
            f"outside it).")
    name = f"Migrant population growing {low:.0%}-{high:.0%} a year, as nationally {first}-{last}"
    if not rates:
        return Pattern("b", name, rule, source, None, f"no city run covers a year of {first}-{last}")
    numbers, means = [], []
    for city, (y0, y1, r) in rates.items():
        r = np.asarray(r, dtype=float)
        lo, hi = spread(r)
        means.append(float(r.mean()))
        numbers.append({"city": city, "years": f"{y0}-{y1}", "annual growth (mean)": float(r.mean()),
                        "90% of runs low": lo, "90% of runs high": hi,
                        "in band": bool(low <= r.mean() <= high)})
    overall = float(np.mean(means))
    passed = bool(low <= overall <= high)
    inside = sum(n["in band"] for n in numbers)
    detail = (f"mean of {len(means)} cities' annual migrant growth {overall:+.2%} "
              f"({'inside' if passed else 'outside'} {low:.0%}-{high:.0%}); {inside} of {len(means)} cities "
              "inside the band")
    return Pattern("b", name, rule, source, passed, detail, numbers)


def coproduction(shares: dict[str, tuple[np.ndarray, np.ndarray]], when: dict[str, str]) -> Pattern:
    """(c) `shares`: city -> (migrant households taking part, local households taking part), shares per
    replicate at the end of the pilot run (the run with co-production). Passes when in every such city
    the migrant share is below the local share, the 95% interval of the paired difference below zero."""
    rule = ("Seed 004 (Li, Hu & Liu, four pilot cities): \"migrant participation in co-productive activities is "
            "still limited\". In each pilot run with co-production (the Yanta and Jinnan scenarios), the share "
            "of migrant households taking part should be below the share of local households (land-losing "
            "farmers and the urban poor) taking part at the end of the run, the 95% interval of the paired "
            "difference (same run) below zero.")
    name = "Co-production reaching fewer migrant households than local ones"
    if not shares:
        return Pattern("c", name, rule, SEED_COPRODUCTION, None, "no city run has co-production")
    numbers, ok = [], []
    for city, (mig, loc) in shares.items():
        mig, loc = np.asarray(mig, dtype=float), np.asarray(loc, dtype=float)
        mean, lo, hi = t_interval(mig - loc)
        ok.append(bool(hi < 0))
        numbers.append({"city": city, "when": when.get(city, ""), "migrants taking part": float(mig.mean()),
                        "locals taking part": float(loc.mean()), "difference": mean, "95% low": lo,
                        "95% high": hi, "fewer migrants": ok[-1]})
    passed = all(ok)
    detail = "; ".join(f"{n['city']}: migrants {n['migrants taking part']:.1%} vs locals "
                       f"{n['locals taking part']:.1%} (difference {n['difference']:+.1%}, 95% "
                       f"[{n['95% low']:+.1%}, {n['95% high']:+.1%}])" for n in numbers)
    return Pattern("c", name, rule, SEED_COPRODUCTION, passed, detail, numbers)


def pilot(city: str, expectations: list[Expectation], effects: dict[tuple[str, str], dict]) -> Pattern:
    """(d) `effects`: (indicator, group) -> {effect, ci_low, ci_high, baseline, value, pairs}: the paired
    effect of the pilot against the status quo at the end of the run. Passes when every expectation's
    95% interval excludes zero in the stated direction."""
    lines = [f"{e.indicator} ({e.group}) {'rises' if e.direction > 0 else 'falls'}: {e.why} ({e.source})"
             for e in expectations]
    rule = (f"The {city} pilot against the status quo, same replicate seeds (paired), at the end of the run "
            "(stocks and rates at the last month, flows summed over the last twelve): " + "; ".join(lines)
            + ". Each passes when the 95% interval of the paired effect excludes zero in that direction.")
    name = f"The {city} pilot moves its own indicators as its seed reports"
    numbers, ok = [], []
    for e in expectations:
        eff = effects.get((e.indicator, e.group))
        if eff is None:
            numbers.append({"indicator": e.indicator, "group": e.group, "expected": _dir(e), "met": None})
            ok.append(False)
            continue
        met = bool(eff["ci_low"] > 0) if e.direction > 0 else bool(eff["ci_high"] < 0)
        ok.append(met)
        numbers.append({"indicator": e.indicator, "group": e.group, "expected": _dir(e),
                        "status quo": eff["baseline"], "pilot": eff["value"], "effect": eff["effect"],
                        "95% low": eff["ci_low"], "95% high": eff["ci_high"], "met": met})
    passed = bool(ok) and all(ok)
    detail = "; ".join(f"{n['indicator']} ({n['group']}) {n['expected']}: "
                       + ("no result" if n["met"] is None else
                          f"effect {_signed(n['effect'], n)} [{_signed(n['95% low'], n)}, "
                          f"{_signed(n['95% high'], n)}] "
                          + ("met" if n["met"] else "not met")) for n in numbers)
    return Pattern(f"d-{city}", name, rule, "; ".join(sorted({e.source for e in expectations})), passed, detail,
                   numbers)


def _signed(v: float, n: dict) -> str:
    return number(v, sign=True, scale=max(abs(n["status quo"]), abs(n["pilot"])))


def _dir(e: Expectation) -> str:
    return "up" if e.direction > 0 else "down"


S000, S001, S002 = ("seeds/000_ec5a7b7d934ae25e.txt", "seeds/001_fd4b46c307f335a2.txt",
                    "seeds/002_777f4d6435f8d24d.txt")
E = Expectation
# What each pilot's seed reports it does, stated against the model's indicators.
EXPECTATIONS: dict[str, list[Expectation]] = {
    "zhengzhou": [
        E("registration_rate", "migrant", +1, f"{S000}, chapter two, II",
          "registration is linked to access to services so that migrants are \"mobilized to register\"; the "
          "pilot monitors the registration rate of migrants"),
        E("public_school_share", "migrant", +1, f"{S000}, chapter two, II",
          "school building to \"keep in pace with population changes\" and \"policies to ensure that migrant "
          "children enrol in nearby schools\"; monitored: the share of migrant children in public schools"),
    ],
    "yanta": [
        E("hukou_conversions", "migrant", +1, f"{S000}, chapter two, III",
          "urban hukou for migrants with a stable job and a stable, including rented, residence who paid "
          "social security for successive years; monitored: migrants who obtain urban hukou"),
        E("training_person_times", "all", +1, f"{S000}, chapter two, III",
          "training subsidies distributed as education coupons to local farmers and migrants"),
    ],
    "jinnan": [
        E("resettled_farmers", "land_losing_farmer", +1, f"{S000}, chapter two, IV",
          "farmers exchange their homestead for an apartment in the model towns; monitored: villagers who "
          "exchanged"),
        E("farmers_urban_social_security", "land_losing_farmer", +1, f"{S000}, chapter two, IV",
          "\"equal access to regular urban benefits in terms of social assistance and social security\" for "
          "those who exchanged"),
    ],
    "changshu": [
        E("public_rental_coverage", "all", +1, f"{S001}, Changshu table, housing",
          "public rental housing for lower-middle-income locals, recent graduates and migrants with a stable "
          "job and years of residence"),
        E("public_school_share", "migrant", +1, f"{S001}, Changshu table, compulsory education",
          "public schools \"tap their potential\" to absorb migrant children; monitored: the share of "
          "migrant children in public schools"),
        E("farmers_urban_social_security", "land_losing_farmer", +1, f"{S001}, Changshu table, pensions",
          "requisitioned farmers brought into the urban pension scheme with a fiscal subsidy"),
    ],
    "kunshan": [
        E("public_rental_coverage", "migrant", +1, f"{S002}, housing",
          "68 government-funded blue-collar compounds house 250,000 new residents"),
        E("pension_coverage", "migrant", +1, f"{S002}, 3.3",
          "all company employees, migrants or natives, join the pension scheme"),
        E("public_school_share", "migrant", +1, f"{S002}, education",
          "local public schools enrol the children of new residents living in the neighbourhood"),
    ],
    # The points system (item 8) orders admission by score where capacity "has not been developed
    # proportionately"; the seed reports no rise in migrants' public-school share, so none is expected.
    "yiwu": [
        E("urbanization_gap", "land_losing_farmer", -1, f"{SEED_YIWU}, item 5",
          "in villages converted to communities \"the original villagers had been registered as citizens\""),
        E("mean_income", "land_losing_farmer", +1, f"{SEED_YIWU}, item 5",
          "\"most households let out the ground floor to businesses, usually employing migrants\""),
    ],
}
del E
