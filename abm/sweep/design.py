"""Parameter designs: which values each design point gives the swept parameters.

Three methods, all deterministic for the design's seed:

- `grid`: every list expands into a factor, the design is their Cartesian product (first factor
  slowest); a scalar holds for every point.
- `lhs`: a Latin hypercube of `samples` points over the `{low, high}` ranges (scipy.stats.qmc).
- `sobol`: Saltelli's radial layout for first- and total-order Sobol indices. A scrambled Sobol
  sequence (scipy.stats.qmc) of dimension 2D gives `samples` base rows; matrix A is the first D
  columns, B the last D, and each base row contributes D + 2 points: A, A with column i from B for
  i = 1..D, then B. That is the order SALib's `sobol.analyze(calc_second_order=False)` reads.

Integer parameters are rounded after scaling. Values are checked against the declared ranges by the
sweep config, not here.
"""

from __future__ import annotations

import itertools
import math

import numpy as np

METHODS = ("grid", "lhs", "sobol")


def grid(factors: dict[str, list[float]], held: dict[str, float]) -> list[dict[str, float]]:
    names = list(factors)
    points = []
    for combo in itertools.product(*(factors[n] for n in names)):
        points.append({**held, **dict(zip(names, (float(v) for v in combo)))})
    return points or [dict(held)]


def _scale(unit: np.ndarray, ranges: dict[str, tuple[float, float]], integer: set[str]) -> list[dict[str, float]]:
    names = list(ranges)
    lo = np.array([ranges[n][0] for n in names])
    hi = np.array([ranges[n][1] for n in names])
    values = lo + unit * (hi - lo)
    out = []
    for row in values:
        point = {}
        for n, v in zip(names, row):
            point[n] = float(min(max(round(v), ranges[n][0]), ranges[n][1])) if n in integer else float(v)
        out.append(point)
    return out


def lhs(ranges: dict[str, tuple[float, float]], held: dict[str, float], samples: int, seed: int,
        integer: set[str] = frozenset()) -> list[dict[str, float]]:
    from scipy.stats import qmc

    unit = qmc.LatinHypercube(d=len(ranges), seed=np.random.default_rng(seed)).random(samples)
    return [{**held, **p} for p in _scale(unit, ranges, set(integer))]


def sobol(ranges: dict[str, tuple[float, float]], held: dict[str, float], samples: int, seed: int,
          integer: set[str] = frozenset()) -> list[dict[str, float]]:
    """`samples` base rows (a power of two keeps the sequence balanced) times D + 2 points."""
    from scipy.stats import qmc

    d = len(ranges)
    base = qmc.Sobol(d=2 * d, scramble=True, seed=np.random.default_rng(seed)).random(samples)
    a, b = base[:, :d], base[:, d:]
    rows = []
    for j in range(samples):
        rows.append(a[j])
        for i in range(d):
            ab = a[j].copy()
            ab[i] = b[j, i]
            rows.append(ab)
        rows.append(b[j])
    return [{**held, **p} for p in _scale(np.array(rows), ranges, set(integer))]


def sobol_size(samples: int, d: int) -> int:
    return samples * (d + 2)


def is_power_of_two(n: int) -> bool:
    return n > 0 and 2 ** int(math.log2(n)) == n
