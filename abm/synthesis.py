"""Synthetic population by iterative proportional fitting (Deming & Stephan 1940).

For each group a table over (district, household size, head's age band, head's
sex) starts from a prior that carries the association of size with age
(`size_age_affinity`) and is scaled in turn to each one-way marginal of the
profile until every margin matches. The fitted table is then integerised
(largest remainders, then a repair that moves households along one axis at a
time), so every margin of the drawn population is within one household of its
target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numba import njit

from abm import rng
from abm.city import CityProfile
from abm.state import GROUPS

AXES = ("district", "size", "age", "sex")


@dataclass
class IPFResult:
    table: np.ndarray
    iterations: int
    max_error: float  # largest absolute gap between a fitted margin and its target


def ipf(prior: np.ndarray, margins: dict[int, np.ndarray], tol: float = 1e-10, max_iter: int = 1000) -> IPFResult:
    """Scale `prior` so that its sum over all axes but k equals margins[k] for every k.

    The margins must all add up to the same total, and a target above zero needs
    some prior mass in that slice; either failure raises ValueError.
    """
    totals = {k: float(m.sum()) for k, m in margins.items()}
    first = next(iter(totals.values()))
    for k, t in totals.items():
        if abs(t - first) > 1e-6 * max(1.0, abs(first)):
            raise ValueError(f"margins do not add up to the same total: axis {k} sums to {t}, not {first}")
    table = prior.astype(float).copy()
    err = np.inf
    it = 0
    for it in range(1, max_iter + 1):
        for k, target in margins.items():
            other = tuple(a for a in range(table.ndim) if a != k)
            current = table.sum(axis=other)
            if np.any((current == 0) & (target > 0)):
                raise ValueError(f"axis {k}: a target is above zero where the prior has no mass")
            factor = np.divide(target, current, out=np.zeros_like(current), where=current > 0)
            shape = [1] * table.ndim
            shape[k] = -1
            table *= factor.reshape(shape)
        err = max(float(np.abs(table.sum(axis=tuple(a for a in range(table.ndim) if a != k)) - m).max())
                  for k, m in margins.items())
        if err < tol * max(1.0, first):
            break
    return IPFResult(table, it, err)


@njit(cache=True)
def _tiebreak(n, seed, group):
    out = np.empty(n)
    for j in range(n):
        out[j] = rng.draw_at(seed, -1, group, rng.SYNTH_TIEBREAK, j)
    return out


def _largest_remainder(weights: np.ndarray, total: int, ties: np.ndarray) -> np.ndarray:
    exact = weights / weights.sum() * total if weights.sum() > 0 else np.zeros_like(weights)
    counts = np.floor(exact).astype(np.int64)
    short = total - int(counts.sum())
    if short > 0:
        order = np.lexsort((ties, -(exact - counts)))
        counts[order[:short]] += 1
    return counts


def integerise(table: np.ndarray, total: int, seed: int, group: int) -> np.ndarray:
    """Whole counts summing to `total` whose every one-way margin is its target rounded.

    Cells are first rounded by largest remainders (ties by the run's draws).
    Then, axis by axis, one household at a time moves from the most
    over-filled category to the most under-filled one, keeping its other
    coordinates, from the cell that rounding over-filled most. A move along
    one axis leaves every other margin as it was, so when the last axis is
    repaired each margin is within one household of its exact target.
    """
    fitted = table / table.sum() * total if table.sum() > 0 else np.zeros_like(table)
    ties = _tiebreak(table.size, seed, group).reshape(table.shape)
    counts = _largest_remainder(fitted.ravel(), total, ties.ravel()).reshape(table.shape)
    for k in range(table.ndim):
        other = tuple(a for a in range(table.ndim) if a != k)
        target = _largest_remainder(fitted.sum(axis=other), total, np.zeros(table.shape[k]))
        c, f = np.moveaxis(counts, k, 0), np.moveaxis(fitted, k, 0)  # views: writes reach `counts`
        gap = c.sum(axis=tuple(range(1, c.ndim))) - target
        while gap.any():
            a, b = int(np.argmax(gap)), int(np.argmin(gap))
            excess = np.where(c[a] > 0, c[a] - f[a], -np.inf)
            cell = np.unravel_index(int(np.argmax(excess)), excess.shape)
            c[(a,) + cell] -= 1
            c[(b,) + cell] += 1
            gap[a] -= 1
            gap[b] += 1
    return counts


def district_shares(profile: CityProfile, group: str) -> np.ndarray:
    """The profile's district shares, or the default pattern (an assumption): migrants and
    farmers lean to the outer districts, the urban poor to the inner ones."""
    if profile.district_shares and group in profile.district_shares:
        return np.asarray(profile.district_shares[group], float)
    d = profile.districts
    x = np.arange(d) / max(d - 1, 1)
    w = {"migrant": 1.0 + x, "land_losing_farmer": 0.2 + 2.0 * x ** 2, "urban_poor": 2.0 - x}[group]
    return w / w.sum()


def group_margins(profile: CityProfile, group: str, total: float) -> tuple[np.ndarray, dict[int, np.ndarray]]:
    n_d = profile.districts
    n_a = len(profile.age_bands)
    prior = np.ones((n_d, 5, n_a, 2)) * np.asarray(profile.size_age_affinity, float)[None, :, :, None]
    fem = profile.female_head_share[group]
    margins = {0: district_shares(profile, group) * total,
               1: np.asarray(profile.size_shares[group], float) * total,
               2: np.asarray(profile.age_shares[group], float) * total,
               3: np.array([fem, 1.0 - fem]) * total}
    return prior, margins


def agents_per_group(profile: CityProfile, n_agents: int) -> dict[str, int]:
    real = profile.real_households()
    total = sum(real.values())
    exact = np.array([real[g] / total * n_agents for g in GROUPS])
    counts = np.floor(exact).astype(int)
    counts[np.argsort(-(exact - counts), kind="stable")[: n_agents - counts.sum()]] += 1
    return dict(zip(GROUPS, counts.tolist()))


@dataclass
class Synthesis:
    group: np.ndarray
    district: np.ndarray
    size: np.ndarray
    age_band: np.ndarray
    sex: np.ndarray
    fits: dict[str, IPFResult]
    counts: dict[str, np.ndarray]  # integer tables by group


def synthesize(profile: CityProfile, n_agents: int, seed: int) -> Synthesis:
    per_group = agents_per_group(profile, n_agents)
    cols = {k: [] for k in ("group", "district", "size", "age_band", "sex")}
    fits, counts = {}, {}
    for gi, g in enumerate(GROUPS):
        prior, margins = group_margins(profile, g, float(per_group[g]))
        fit = ipf(prior, margins)
        fits[g] = fit
        c = integerise(fit.table, per_group[g], seed, gi) if per_group[g] else np.zeros(fit.table.shape, int)
        counts[g] = c
        idx = np.repeat(np.arange(c.size), c.ravel())
        d, s, a, x = np.unravel_index(idx, c.shape)
        cols["group"].append(np.full(idx.size, gi))
        cols["district"].append(d)
        cols["size"].append(s + 1)
        cols["age_band"].append(a)
        cols["sex"].append(x)
    arrays = {k: np.concatenate(v).astype(np.int64) for k, v in cols.items()}
    return Synthesis(fits=fits, counts=counts, **arrays)


def margin_report(profile: CityProfile, synth: Synthesis) -> list[dict]:
    """How well the drawn population matches its marginals: one row per group and axis."""
    rows = []
    for g in GROUPS:
        c = synth.counts[g]
        total = c.sum()
        _, margins = group_margins(profile, g, float(total))
        for k, target in margins.items():
            got = c.sum(axis=tuple(a for a in range(c.ndim) if a != k))
            rows.append({"group": g, "axis": AXES[k], "households": int(total),
                         "max_abs_gap": float(np.abs(got - target).max()),
                         "max_share_gap": float(np.abs(got - target).max() / total) if total else 0.0})
    return rows
