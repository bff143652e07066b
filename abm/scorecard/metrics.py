"""How far the simulated cities are from the facts: each row's error, and the summary figures.

For each fact held to a city run, over the replicates of the status-quo run (the state the figures
describe; the pilot run's mean is shown beside it):

    simulated        mean over replicates; sim_low, sim_high: the middle 90% of the replicates
    difference       simulated - observed (in the figure's unit)
    abs_error        |difference|
    rel_error        |difference| / |observed| (undefined, NaN, for an observed 0)
    met              rel_error <= tolerance (for an observed 0: abs_error <= tolerance)

Summary figures, over the rows `compared` (rows held by construction and rows not comparable are
counted but left out):

    share within tolerance   of the compared rows, the share that meet their tolerance
    ARD                      mean absolute relative difference: the mean of rel_error over the
                             `validate` rows (also given over all compared rows). Flee reports an
                             averaged relative difference of simulated from observed refugee counts
                             (Suleimenova, Bell & Groen 2017, Scientific Reports 7:13377); this is the
                             per-row mean of that idea, since the rows here have different units
    MASE                     mean absolute scaled error (Hyndman & Koehler 2006) against a naive
                             forecast that holds the first observed value: for each figure observed in
                             several years (one site, city, indicator, group), mean |simulated -
                             observed| over the years after the first, divided by the mean |observed -
                             first observed| over the same years. Below 1: the model tells the later
                             years better than holding the first figure would.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from abm.calibration.targets import growth_rate
from abm.scorecard.facts import figure_kind, figure_value


@dataclass
class CityRuns:
    """One city's simulated histories, [replicate, step, indicator, group, sex] per arm."""
    year: int
    background: float
    baseline: np.ndarray
    pilot: np.ndarray


def series(runs: np.ndarray, name: str, group: str, background: float) -> np.ndarray:
    """A model figure at every step of every replicate: [replicate, step]."""
    return np.array([[figure_value(name, group, h, background) for h in hist] for hist in runs])


def at(runs: np.ndarray, name: str, group: str, background: float, first: int, last: int,
       growth: bool = False) -> np.ndarray:
    """Per replicate: the figure at step `last` (a flow: summed over steps first..last; `growth`: the
    yearly growth rate of the figure from step `first` to step `last`)."""
    if growth:
        return np.array([growth_rate(figure_value(name, group, hist[first], background),
                                     figure_value(name, group, hist[last], background), last - first)
                         for hist in runs])
    steps = range(first, last + 1) if figure_kind(name) == "flow" else [last]
    return np.array([sum(figure_value(name, group, hist[s], background) for s in steps) for hist in runs])


def relative_error(observed, simulated) -> np.ndarray:
    obs, sim = np.asarray(observed, dtype=float), np.asarray(simulated, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(obs != 0, np.abs(sim - obs) / np.abs(obs), np.nan)


def ard(observed, simulated) -> float:
    """Mean absolute relative difference; NaN without rows (or where every observed figure is 0)."""
    rel = relative_error(observed, simulated)
    rel = rel[~np.isnan(rel)]
    return float(rel.mean()) if rel.size else float("nan")


def mase(observed, simulated) -> float:
    """MASE of one series ordered in time against the naive forecast holding its first observed value;
    NaN with fewer than two points or when every later figure equals the first."""
    obs, sim = np.asarray(observed, dtype=float), np.asarray(simulated, dtype=float)
    if obs.size < 2:
        return float("nan")
    naive = np.abs(obs[1:] - obs[0]).mean()
    return float(np.abs(sim[1:] - obs[1:]).mean() / naive) if naive > 0 else float("nan")


def score_rows(rows: pd.DataFrame, runs: dict[str, CityRuns]) -> pd.DataFrame:
    """The comparisons table with the simulated figures and errors filled in where a run exists."""
    out = rows.copy()
    cols = {c: np.full(len(out), np.nan) for c in ("simulated", "sim_low", "sim_high", "pilot_simulated")}
    for k, r in enumerate(out.itertuples()):
        if r.status == "not comparable" or r.city not in runs or pd.isna(r.month):
            continue
        cr = runs[r.city]
        if int(r.month) >= cr.baseline.shape[1]:
            continue
        growth = not pd.isna(getattr(r, "since", None))
        v = at(cr.baseline, r.model, r.model_group, cr.background, int(r.first_month), int(r.month), growth)
        cols["simulated"][k] = v.mean()
        cols["sim_low"][k], cols["sim_high"][k] = np.quantile(v, 0.05), np.quantile(v, 0.95)
        cols["pilot_simulated"][k] = at(cr.pilot, r.model, r.model_group, cr.background, int(r.first_month),
                                        int(r.month), growth).mean()
    for c, v in cols.items():
        out[c] = v
    out["difference"] = out["simulated"] - out["observed"]
    out["abs_error"] = out["difference"].abs()
    out["rel_error"] = relative_error(out["observed"], out["simulated"])
    met = np.where(out["observed"] != 0, out["rel_error"] <= out["tolerance"], out["abs_error"] <= out["tolerance"])
    out["met"] = pd.array(np.where(out["simulated"].isna(), None, met), dtype="boolean")
    return out


def mase_table(table: pd.DataFrame) -> pd.DataFrame:
    """One row per figure observed in two or more years (site, city, indicator, group) with its MASE."""
    keys = ["site", "city", "indicator", "group", "growth"]
    rows = []
    compared = table[(table["status"] == "compared") & table["simulated"].notna()]
    compared = compared.assign(growth=compared["since"].notna() if "since" in compared else False)
    for key, s in compared.groupby(keys, sort=True):
        if s["year"].nunique() < 2:
            continue
        s = s.sort_values("year")
        rows.append(dict(zip(keys, key)) | {"years": f"{s['year'].iloc[0]}-{s['year'].iloc[-1]}",
                                            "points": len(s), "mase": mase(s["observed"], s["simulated"])})
    return pd.DataFrame(rows, columns=keys + ["years", "points", "mase"])


def grows(rows: pd.DataFrame) -> pd.Series:
    """Which rows are yearly growth rates (a `since` year) rather than levels, shares or flows."""
    return rows["since"].notna() if "since" in rows else pd.Series(False, index=rows.index)


def summarise(table: pd.DataFrame, patterns: list) -> dict:
    compared = table[(table["status"] == "compared") & table["simulated"].notna()]
    fitted = compared["fitted"].astype(bool) if "fitted" in compared else pd.Series(False, index=compared.index)
    validate = compared[(compared["role"] == "validate") & ~fitted]  # out of sample only
    series_ = mase_table(table)
    checked = [p for p in patterns if p.passed is not None]
    return {
        "rows": int(len(table)),
        "compared": int(len(compared)),
        "by_construction": int((table["status"] == "by construction").sum()),
        "not_comparable": int((table["status"] == "not comparable").sum()),
        "within_tolerance": int(compared["met"].sum()),
        "share_within_tolerance": float(compared["met"].mean()) if len(compared) else float("nan"),
        "validate_rows": int(len(validate)),
        "fitted_rows": int(fitted.sum()),
        "ard_validate": ard(validate["observed"], validate["simulated"]),
        "ard_all": ard(compared["observed"], compared["simulated"]),
        # growth rates near zero make large relative errors: the validate rows' ARD split by kind of figure
        "ard_validate_levels": ard(validate.loc[~grows(validate), "observed"],
                                   validate.loc[~grows(validate), "simulated"]),
        "ard_validate_growth": ard(validate.loc[grows(validate), "observed"], validate.loc[grows(validate), "simulated"]),
        "mase_series": int(series_["mase"].notna().sum()),
        "mase_mean": float(series_["mase"].mean()) if series_["mase"].notna().any() else float("nan"),
        "patterns_passed": sum(bool(p.passed) for p in checked),
        "patterns_checked": len(checked),
        "patterns_total": len(patterns),
    }


def json_safe(obj):
    """NaN as null (JSON has no NaN), numpy scalars as Python numbers, recursively."""
    if isinstance(obj, dict):
        return {k: json_safe(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [json_safe(v) for v in obj]
    if isinstance(obj, (np.bool_, bool)):
        return bool(obj)
    if isinstance(obj, (np.integer, np.floating, float)):
        return None if np.isnan(obj) else obj.item() if isinstance(obj, np.generic) else obj
    return obj


def worst(table: pd.DataFrame, n: int = 3) -> pd.DataFrame:
    """The compared rows furthest from their figure, in multiples of their tolerance."""
    compared = table[(table["status"] == "compared") & table["simulated"].notna()].copy()
    compared["over"] = compared["rel_error"] / compared["tolerance"]
    return compared.sort_values("over", ascending=False).head(n)
