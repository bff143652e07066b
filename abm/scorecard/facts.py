"""Facts a run can be compared with: the seed table and the external table, read into one table.

Two files sit beside the city profiles (abm.city.CITIES_DIR):

    seed_facts.csv      site,year,indicator,value,unit,role,source,note
                        the seeds' figures; role input, target or context
    external_facts.csv  site,since,year,indicator,group,value,unit,role,tolerance,publisher,title,locator,url,
                        quote,note
                        figures from official statistics, each cited; role calibrate or validate, and its
                        own relative tolerance (optional file). `since` (optional): an earlier year; the
                        figure is then the average yearly growth of the indicator from the end of `since`
                        to the end of `year` (unit per_year), as censuses report residents' growth. A site
                        that is not a built-in city or `national` (a region, another city) is kept and
                        listed as not comparable.

`load_facts` checks both and reports every problem at once, by file, row and column (FactsError).
A row whose indicator the model cannot compute is kept and said to be not comparable, with the reason.

Each fact names a model figure (`model`, `model_group`): an indicator of abm.indicators, a derived
whole-city figure of abm.calibration.targets.DERIVED, or one of the population counts in
POPULATION_FIGURES below. Seed indicator names are mapped by SEED_NAMES.

`comparisons` pairs each fact with the city runs it can be held to. A figure for year Y is the state at
the end of Y: month 12 * (Y - profile year + 1) (a flow: its sum over the twelve months of Y). A figure
of a year before the profile's is not comparable; one the initial population holds by construction
(role `input`, or a figure the profile pins, of the profile's own year) is compared but flagged
`by construction`, since it validates nothing, and is left out of the summary figures.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from abm.calibration import targets as T
from abm.calibration.targets import DERIVED, derived
from abm.city import BUILTIN_CITIES, CITIES_DIR
from abm.indicators import GROUP_LABELS, INDEX, KIND, UNIT

SEED_FILE = CITIES_DIR / "seed_facts.csv"
EXTERNAL_FILE = CITIES_DIR / "external_facts.csv"
SEED_COLUMNS = ("site", "year", "indicator", "value", "unit", "role", "source", "note")
EXTERNAL_COLUMNS = ("site", "since", "year", "indicator", "group", "value", "unit", "role", "tolerance", "publisher",
                    "title", "locator", "url", "quote", "note")
OPTIONAL_COLUMNS = ("since",)
GROWTH_UNIT = "per_year"
SEED_ROLES = ("input", "target", "context")
EXTERNAL_ROLES = ("calibrate", "validate")
NATIONAL = "national"
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")

# Default relative tolerance of the seed rows, by role (external rows declare their own). Assumptions:
SEED_TOLERANCE = {
    "target": (0.05, "assumption: the calibrations fitted these figures, and their distance scales each "
                     "target by 5% of its value (abm.calibration); a fitted figure should hold that well"),
    "context": (0.25, "assumption: context figures are rounded or approximate in the seeds ('about 70%', "
                      "'more than') and nothing was fitted to them; a quarter of the figure either way"),
    "input": (0.01, "assumption: the profile pins these figures; 1% is the profile's own consistency check "
                    "(migrants + local hukou = residents within 1%)"),
}

# Counts of the city's population, from one step's indicators [indicator, group, sex] and the city's
# non-simulated urban-hukou residents (`background`, persons), counted as abm.calibration.targets does
# (resident_population is one of targets.DERIVED).
POPULATION_FIGURES = {
    "local_hukou_population": ("persons", "residents who are not migrants (as migrant_share_of_residents "
                                          "counts them)"),
    "local_hukou_share": ("share", "1 - migrant_share_of_residents"),
    "agricultural_hukou_locals": ("persons", "local residents without an urban hukou (land-losing farmers "
                                             "not yet converted)"),
}

# seed indicator name -> (model figure, group); the external table may use these names too
SEED_NAMES = {
    "migrant_population": ("population", "migrant"),
    "migrant_children_enrolment_rate": ("child_enrolment_rate", "migrant"),
    "migrant_children_public_school_share": ("public_school_share", "migrant"),
    "local_farmers": ("agricultural_hukou_locals", "all"),
}

# why a figure the model has no indicator for cannot be compared (the default reason names the indicator)
NOT_COMPARABLE = {
    "urbanization_rate": "a resident-based urbanization rate of a country or province: the model simulates "
                         "the residents of one city, all of them urban",
    "urban_population": "a national count: the model simulates one city",
    "urban_population_with_agricultural_hukou": "a national count: the model simulates one city",
    "migrant_population_growth_low": "a growth band, checked by pattern b (national migrant growth)",
    "migrant_population_growth_high": "a growth band, checked by pattern b (national migrant growth)",
    "schools_started": "no indicator counts schools; the Zhengzhou policy builds seats, not schools",
    "hukou_reform_low_threshold": "a policy event, not a figure",
}

# figures the profile pins at its own year: (model figure, group); None = every group
PINNED = {("population", None), ("households", None), ("resident_population", "all"),
          ("local_hukou_population", "all"), ("local_hukou_share", "all"), ("migrant_share_of_residents", "all"),
          ("urban_hukou_share_of_local_hukou", "all"), ("agricultural_hukou_locals", "all")}


class FactsError(ValueError):
    """A facts file that cannot be used; `problems` names each bad row and column."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"facts: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


def figure_unit(name: str) -> str | None:
    """The unit of a model figure at a year (flows per year), or None if the model has no such figure."""
    if name in INDEX:
        return UNIT[name].replace("/month", "/year") if KIND[name] == "flow" else UNIT[name]
    if name in DERIVED:
        return T.DERIVED_UNIT[name]
    if name in POPULATION_FIGURES:
        return POPULATION_FIGURES[name][0]
    return None


def figure_kind(name: str) -> str:
    """stock, rate or flow; derived shares are rates and population counts stocks."""
    if name in INDEX:
        return KIND[name]
    return "rate" if figure_unit(name) == "share" else "stock"


def figure_value(name: str, group: str, h: np.ndarray, background: float) -> float:
    """A model figure from one step's indicators h [indicator, group, sex] (sex: all)."""
    if name in INDEX:
        return float(h[INDEX[name], GROUP_LABELS.index(group), 2])
    if name in DERIVED:
        return float(derived(name, h, background))
    pop = h[INDEX["population"], :, 2]
    if name == "local_hukou_population":
        return float(pop[3] + background - pop[0])
    if name == "local_hukou_share":
        return 1.0 - float(derived("migrant_share_of_residents", h, background))
    if name == "agricultural_hukou_locals":
        gap = h[INDEX["urbanization_gap"], :, 2]
        return float(pop[1] * gap[1] + pop[2] * gap[2])
    raise KeyError(f"no model figure {name!r}")


def _read(path: Path, columns: tuple[str, ...], label: str, problems: list[str]) -> pd.DataFrame | None:
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets one clear message
        problems.append(f"{label}: cannot read it as CSV: {exc}")
        return None
    for c in OPTIONAL_COLUMNS:
        if c in columns and c not in frame.columns:
            frame[c] = ""
    missing = [c for c in columns if c not in frame.columns]
    unknown = [c for c in frame.columns if c not in columns]
    if missing or unknown:
        problems.append(f"{label}: " + "; ".join(
            ([f"missing column(s): {', '.join(missing)}"] if missing else [])
            + ([f"unknown column(s): {', '.join(unknown)}"] if unknown else []))
            + f"; the columns are {','.join(columns)}")
        return None
    if frame.empty:
        problems.append(f"{label}: no rows")
        return None
    return frame.apply(lambda col: col.str.strip())


def _number(text: str) -> float | None:
    try:
        v = float(text)
    except ValueError:
        return None
    return v if math.isfinite(v) else None


def _check_row(where, r, problems: list[str], external: bool) -> dict | None:
    """One row checked; its normalised record, or None if it has problems (each appended)."""
    bad = len(problems)
    site, name = r["site"], r["indicator"]
    if not SNAKE.match(site):
        problems.append(f"{where}, column site: {site!r} must be a lower-case name (letters, digits, _): a built-in "
                        f"city ({', '.join(BUILTIN_CITIES)}), {NATIONAL!r}, or another place, listed as not "
                        "comparable")
    year = _number(r["year"])
    if year is None or year != int(year) or not 1949 <= year <= 2100:
        problems.append(f"{where}, column year: {r['year']!r} must be a whole year between 1949 and 2100")
    since = None
    if external and r["since"]:
        since = _number(r["since"])
        if since is None or since != int(since) or year is None or not 1949 <= since < year:
            problems.append(f"{where}, column since: {r['since']!r} must be a whole year before {r['year']}: the "
                            "figure is then the yearly growth rate from the end of `since` to the end of `year`")
            since = None
    if not SNAKE.match(name):
        problems.append(f"{where}, column indicator: {name!r} must be a snake_case name")
    given = r["group"] if external else ""
    model, group = SEED_NAMES.get(name, (name, given or "all"))  # a seed name is mapped in either file
    if given and given not in GROUP_LABELS:
        problems.append(f"{where}, column group: {given!r} is unknown; allowed: {', '.join(GROUP_LABELS)}")
    elif name in SEED_NAMES and given not in ("", "all", group):
        problems.append(f"{where}, column group: {name} is the {group} group's {model}; leave group empty or "
                        f"give {group!r}")
    unit = figure_unit(model)
    if unit is not None and since is not None:
        unit = GROWTH_UNIT if figure_kind(model) != "flow" else None
    if unit is not None and (model in DERIVED or model in POPULATION_FIGURES) and group != "all":
        problems.append(f"{where}, column group: {name} is a whole-city figure; its group must be 'all'")
    value = _number(r["value"])
    if value is None:
        problems.append(f"{where}, column value: {r['value']!r} is not a finite number")
    elif since is not None and not value > -1.0:
        problems.append(f"{where}, column value: {value:g} is a yearly growth rate and must exceed -1")
    elif unit == "share" and not 0.0 <= value <= 1.0:
        problems.append(f"{where}, column value: {value:g} is a share and must lie in [0, 1]")
    if not r["unit"]:
        problems.append(f"{where}, column unit: empty; give the figure's unit")
    elif unit is not None and r["unit"] != unit:
        problems.append(f"{where}, column unit: {r['unit']!r} does not match the model's unit of {model} "
                        f"({unit!r}); give the figure in {unit}")
    roles = EXTERNAL_ROLES if external else SEED_ROLES
    if r["role"] not in roles:
        problems.append(f"{where}, column role: {r['role']!r} is unknown; allowed: {', '.join(roles)}")
    if external:
        tol = _number(r["tolerance"])
        if tol is None or not 0.0 < tol <= 10.0:
            problems.append(f"{where}, column tolerance: {r['tolerance']!r} must be a relative tolerance above 0 "
                            "and at most 10 (0.1 = within 10% of the figure)")
        for col in ("publisher", "title", "locator"):
            if not r[col]:
                problems.append(f"{where}, column {col}: empty; every row cites its document "
                                "(publisher, title, and the table or page)")
        if r["url"] and not re.match(r"^https?://\S+$", r["url"]):
            problems.append(f"{where}, column url: {r['url']!r} is not an http(s) address")
        if unit is None and not r["note"]:
            problems.append(f"{where}, column note: empty; {name!r} is not a model indicator, so the note must "
                            "say what the figure is")
    elif not r["source"]:
        problems.append(f"{where}, column source: empty; every seed row names its seed file")
    if len(problems) > bad:
        return None
    role = r["role"]
    tolerance, reason = (float(r["tolerance"]), "declared by the row") if external else SEED_TOLERANCE[role]
    source = ", ".join((r["publisher"], r["title"], r["locator"])) if external else f"seeds/{r['source']}"
    return {"site": site, "since": since if since is None else int(since), "year": int(year), "indicator": name, "group": group, "observed": value,
            "unit": r["unit"], "role": role, "tolerance": tolerance, "tolerance_reason": reason,
            "source": source, "url": r["url"] if external else "", "quote": r["quote"] if external else "",
            "note": r["note"], "model": model if unit is not None else "", "model_group": group,
            "why_not": "" if unit is not None else NOT_COMPARABLE.get(
                name, f"the model has no indicator for {name}" + (f" ({r['note']})" if r["note"] else ""))}


def load_facts(seed: Path | None = SEED_FILE, external: Path | None = EXTERNAL_FILE) -> pd.DataFrame:
    """Both tables checked and joined; raises FactsError naming every problem by file, row and column.

    `external` may be absent (None, or a path that does not exist when it is the built-in default)."""
    problems: list[str] = []
    records: list[dict] = []
    files = []
    if seed is not None:
        files.append((Path(seed), SEED_COLUMNS, False))
    if external is not None and (Path(external).is_file() or Path(external) != EXTERNAL_FILE):
        files.append((Path(external), EXTERNAL_COLUMNS, True))
    for path, columns, is_external in files:
        if not path.is_file():
            problems.append(f"{path}: facts file not found")
            continue
        frame = _read(path, columns, path.name, problems)
        if frame is None:
            continue
        seen: dict[tuple, int] = {}
        for k, r in frame.iterrows():
            where = f"{path.name} row {k + 2}"  # the header is row 1
            rec = _check_row(where, r, problems, is_external)
            if rec is None:
                continue
            key = (rec["site"], rec["since"], rec["year"], rec["indicator"], rec["group"])
            if key in seen:
                problems.append(f"{where}: the same figure (site, since, year, indicator, group) as row "
                                f"{seen[key]}")
            seen[key] = k + 2
            records.append({"file": path.name, "row": k + 2} | rec)
    if problems:
        raise FactsError(problems)
    out = pd.DataFrame(records)
    out["since"] = out["since"].astype("Int64")
    return out


def comparisons(facts: pd.DataFrame, years: dict[str, int]) -> pd.DataFrame:
    """Each fact paired with the city runs it can be held to (`years`: city -> its profile's year).

    Rows of built-in cities not in `years` are left out (not run). A national figure is held to every
    city run; one that is a count (a stock or a flow of persons or households) cannot be. Adds `city`,
    `status` (compared, by construction, not comparable), `reason`, `first_month` and `month` (the months
    whose state, or summed flow, the figure describes)."""
    rows = []
    for f in facts.to_dict("records"):
        site = f["site"]
        if site in BUILTIN_CITIES and site not in years:
            continue
        if site != NATIONAL and site not in BUILTIN_CITIES:
            rows.append(f | {"city": "", "status": "not comparable",
                             "reason": f"no model of {site}: the built-in cities are {', '.join(BUILTIN_CITIES)}"})
            continue
        if f["why_not"]:
            reason = f["why_not"]
            if f["role"] == "input" and f["indicator"] not in NOT_COMPARABLE:
                reason = "an input of the model (its profile or rules use it), not an outcome it computes"
            rows.append(f | {"city": site if site in years else "", "status": "not comparable", "reason": reason})
            continue
        growth = not pd.isna(f.get("since"))
        kind = "rate" if growth else figure_kind(f["model"])
        if site == NATIONAL and kind != "rate":
            rows.append(f | {"city": "", "status": "not comparable",
                             "reason": "a national count: the model simulates one city"})
            continue
        for city in (years if site == NATIONAL else [site]):
            y0 = years[city]
            row = f | {"city": city}
            if f["year"] < y0 or (growth and f["since"] < y0 - 1):
                rows.append(row | {"status": "not comparable",
                                   "reason": f"before the run starts (the {city} profile starts in {y0})"})
                continue
            month = 12 * (f["year"] - y0 + 1)
            if growth:  # from the end of `since` (month 0 is the end of the year before the profile's)
                rows.append(row | {"status": "compared", "reason": "", "month": month,
                                   "first_month": 12 * (f["since"] - y0 + 1)})
                continue
            pinned = ((f["model"], None) in PINNED or (f["model"], f["model_group"]) in PINNED)
            if f["role"] == "input":
                status, reason = "by construction", "an input: the profile or a rule sets it"
            elif site == city and f["year"] == y0 and pinned:
                status, reason = "by construction", f"the {city} profile pins this figure of {y0}"
            else:
                status, reason = "compared", ""
            rows.append(row | {"status": status, "reason": reason, "month": month,
                               "first_month": month - 11 if kind == "flow" else month})
    out = pd.DataFrame(rows)
    for col in ("month", "first_month", "since"):
        if col not in out:
            out[col] = np.nan
    out["month"] = out["month"].astype("Int64")
    out["first_month"] = out["first_month"].astype("Int64")
    out["since"] = out["since"].astype("Int64")
    return out.reset_index(drop=True)


def growth_band(facts: pd.DataFrame) -> tuple[float, float, int, int, str] | None:
    """The national migrant growth band (low, high, first year, last year, source), or None if absent."""
    nat = facts[facts["site"] == NATIONAL].set_index("indicator")
    if not {"migrant_population_growth_low", "migrant_population_growth_high"} <= set(nat.index):
        return None
    low, high = nat.loc["migrant_population_growth_low"], nat.loc["migrant_population_growth_high"]
    first = re.search(r"(\d{4})-(\d{4})", str(low["note"]))
    start = int(first.group(1)) if first else int(low["year"])
    return float(low["observed"]), float(high["observed"]), start, int(low["year"]), str(low["source"])
