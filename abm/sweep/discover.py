"""Scenario discovery on a sweep: under which design-parameter values does an outcome fall below (or rise
above) a value?

The cases of interest are runs at the horizon (stocks and rates at the last month, flows summed over the
last twelve, as `abm compare` reads them) of one arm: either the arm's own outcome, or, with `effect`, its
paired difference from the baseline arm's run of the same design point and replicate (common random
numbers: the same seed, so the difference is the policy's, not luck's). Each run is one row: its design
point's parameter values (those that vary) and whether it is a case of interest (strictly below or above
the value).

Two methods, neither written here again:

- `prim`: the Patient Rule Induction Method of EMA workbench (`ema_workbench.analysis.prim.Prim`, with its
  defaults: peeling and pasting alpha 0.05, minimum mass 0.05, the lenient objective). Its peeling
  trajectory is a sequence of ever smaller boxes, each with its coverage (share of the cases of interest
  inside), density (share of the runs inside that are cases of interest), mass (share of runs inside) and
  the quasi-p value of each restriction (Bryant & Lempert 2010: a one-sided binomial test of whether the
  restriction raises the density beyond what the box without it has; small is significant).
- `cart`: a classification tree of scikit-learn (`DecisionTreeClassifier`, leaves of at least 5% of the
  runs as EMA's CART, a fixed random_state so that ties resolve the same way every time); every leaf the
  tree assigns to the cases of interest is a box, its quasi-p values computed as EMA computes PRIM's.

The chosen box is the one with the highest harmonic mean of coverage and density (ties: fewer restricted
parameters, then the higher coverage): the box that best separates the cases of interest from the rest.
`write` puts every box in `DIR/discovery/<query>.csv` (one row per box and restricted parameter) and the
query, the boxes and the chosen one in `<query>.json`, which `abm report` shows.
"""

from __future__ import annotations

import dataclasses
import json
import math
import warnings
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib.metadata import version
from pathlib import Path
from typing import Optional

import numpy as np
import pandas as pd

from abm.indicators import GROUP_LABELS, NAMES
from abm.store import atomic_file, write_json
from abm.sweep.compare import horizon_outcomes, unit_at_horizon
from abm.sweep.store import finished

METHODS = ("prim", "cart")
FOLDER = "discovery"
MASS_MIN = 0.05  # EMA workbench's default minimum mass of a PRIM box and of a CART leaf


@dataclasses.dataclass(frozen=True)
class Query:
    outcome: Optional[str]
    group: str = "all"
    below: Optional[float] = None
    above: Optional[float] = None
    arm: Optional[str] = None  # None: the sweep's baseline arm
    effect: bool = False  # the arm's paired difference from the baseline arm
    method: str = "prim"

    @property
    def direction(self) -> str:
        return "below" if self.below is not None else "above"

    @property
    def value(self) -> float:
        return self.below if self.below is not None else self.above

    def slug(self, baseline: str) -> str:
        arm = f"{self.arm}_vs_{baseline}" if self.effect else (self.arm or baseline)
        return f"{self.outcome}-{self.group}-{arm}-{self.direction}_{self.value:g}-{self.method}"

    def describe(self, baseline: str) -> str:
        arm = self.arm or baseline
        what = (f"the effect of {arm} against {baseline} on {self.outcome} · {self.group}" if self.effect
                else f"{self.outcome} · {self.group} in arm {arm}")
        return f"{what} at the horizon, {self.direction} {self.value:g}"


def design_ranges(manifest: dict) -> dict[str, tuple[float, float]]:
    """Each design parameter's range as the sweep config declares it: {low, high}, or a grid's extremes."""
    out = {}
    for name, v in (manifest["config"].get("design") or {}).get("parameters", {}).items():
        if isinstance(v, dict):
            out[name] = (float(v["low"]), float(v["high"]))
        elif isinstance(v, list):
            out[name] = (float(min(v)), float(max(v)))
        else:
            out[name] = (float(v), float(v))
    return out


def varied(manifest: dict) -> list[str]:
    """The design parameters that take more than one value over the design points."""
    points = manifest["design"]["points"]
    return [n for n in manifest["design"]["parameters"] if len({p.get(n) for p in points}) > 1]


def problems(manifest: Optional[dict], q: Query) -> list[str]:
    """What is wrong with a query (on this sweep, when its manifest is given), each with what is allowed."""
    out = []
    if q.outcome is None:
        out.append(f"--outcome: required, the indicator judged; allowed: {', '.join(NAMES)}")
    elif q.outcome not in NAMES:
        out.append(f"--outcome: unknown indicator {q.outcome!r}; allowed: {', '.join(NAMES)}")
    if q.group not in GROUP_LABELS:
        out.append(f"--group: unknown group {q.group!r}; allowed: {', '.join(GROUP_LABELS)}")
    if manifest is not None:
        arms, baseline = list(manifest["config"]["arms"]), manifest["baseline_arm"]
        if q.arm is not None and q.arm not in arms:
            out.append(f"--arm: arm {q.arm!r} is not in this sweep; arms: {', '.join(arms)}")
        elif q.effect and (q.arm or baseline) == baseline:
            others = [a for a in arms if a != baseline]
            out.append(f"--effect: needs --arm, an arm other than the baseline arm {baseline!r} to pair with it; "
                       + (f"arms: {', '.join(others)}" if others else "this sweep has no other arm"))
        if not varied(manifest):
            out.append(f"this sweep has no design parameter that varies (design: {manifest['design']['method']}); "
                       "scenario discovery needs a design (grid, lhs or sobol)")
    if q.below is not None and q.above is not None:
        out.append("--below and --above: give one of them, not both")
    elif q.below is None and q.above is None:
        out.append("--below V or --above V: give one, the value the outcome falls below (or rises above) in the "
                   "cases of interest")
    elif not math.isfinite(q.value):
        out.append(f"--{q.direction}: {q.value} is not a finite number")
    if q.method not in METHODS:
        out.append(f"--method: unknown method {q.method!r}; allowed: {', '.join(METHODS)}")
    return out


def check(folder: Path, q: Query) -> tuple[Optional[dict], list[str]]:
    """(the sweep's manifest, every problem with the folder, the query and where the table goes), nothing
    read beyond the manifest."""
    from abm.config import out_file_problem
    from abm.sweep.store import read_manifest

    found, manifest = [], None
    try:
        manifest = read_manifest(folder)
    except FileNotFoundError as exc:
        found.append(str(exc))
    found += problems(manifest, q)
    if manifest is not None and not found:
        path = target(folder, manifest, q)
        if path.parent.exists() and not path.parent.is_dir():
            found.append(f"discovery table: {path.parent} is a file, not a folder; move it away")
        elif where := out_file_problem(path if path.parent.is_dir() else path.parent, "discovery table"):
            found.append(where)
    return manifest, found


class NoCases(ValueError):
    """The query selects no case of interest, or only cases of interest: nothing to tell apart."""


def cases(folder: Path, manifest: dict, q: Query) -> tuple[pd.DataFrame, np.ndarray, pd.Series]:
    """(x, y, value): the varying design parameters of each run (or pair of runs), whether it is a case of
    interest, and the outcome (or effect) it was judged on. Rows are ordered by point and replicate."""
    baseline = manifest["baseline_arm"]
    arm = q.arm or baseline
    names = varied(manifest)
    y = horizon_outcomes(Path(folder), [(q.outcome, q.group)])
    keys = ["point", "replicate"]
    rows = y[y["arm"] == arm].set_index(keys)["value"]
    if q.effect:
        base = y[y["arm"] == baseline].set_index(keys)["value"]
        rows = (rows - base).dropna()
    rows = rows.sort_index()
    if rows.empty:
        raise NoCases(f"arm {arm!r} has no finished runs" + (f" paired with {baseline!r}" if q.effect else ""))
    points = manifest["design"]["points"]
    x = pd.DataFrame([{n: float(points[p][n]) for n in names} for p, _ in rows.index], columns=names)
    value = pd.Series(rows.to_numpy(), name="value")
    hit = (value < q.value) if q.below is not None else (value > q.value)
    n, k = len(value), int(hit.sum())
    if k == 0 or k == n:
        noun = "pair of runs" if q.effect else "run"
        what = f"no {noun} is" if k == 0 else f"every {noun} is"
        raise NoCases(f"no cases of interest to tell apart: {what} {q.direction} {q.value:g} "
                      f"({q.describe(baseline)}: {n} {'pairs' if q.effect else 'runs'}, values "
                      f"{value.min():.4g} .. {value.max():.4g}); choose a value inside that range")
    return x, hit.to_numpy().astype(int), value


@dataclasses.dataclass
class Discovery:
    query: Query
    baseline: str
    runs: int
    cases: int
    boxes: list[dict]  # coverage, density, mass, runs, cases, restricted, limits: [{parameter, low, high, ...}]
    chosen: int
    implementation: str
    values: tuple[float, float]

    @property
    def box(self) -> dict:
        return self.boxes[self.chosen]


@contextmanager
def _quiet():
    """EMA workbench warns at import (optional extras it lacks) and, under pandas 3, of its own use of a
    deprecated pandas keyword; none of it is the user's to act on."""
    with warnings.catch_warnings():
        for category in (DeprecationWarning, FutureWarning, UserWarning, ImportWarning):
            warnings.simplefilter("ignore", category)
        yield


def quasi_p(y: np.ndarray, inside: np.ndarray, relaxed: np.ndarray) -> float:
    """Bryant & Lempert's quasi-p value of one restriction: P(at least the box's cases of interest | the box's
    runs drawn at the density of the box with that restriction removed), a one-sided binomial test."""
    from scipy.stats import binomtest

    t, h = int(inside.sum()), int(y[inside].sum())
    p = y[relaxed].sum() / relaxed.sum()
    return float(binomtest(h, t, p, alternative="greater").pvalue)


def _box(stats: dict, lims: pd.DataFrame, init: pd.DataFrame, qp: dict, ranges: dict) -> dict:
    limits = []
    for name in lims.columns:
        low, high = float(lims.loc[0, name]), float(lims.loc[1, name])
        lo0, hi0 = float(init.loc[0, name]), float(init.loc[1, name])
        if low == lo0 and high == hi0:
            continue
        q = [None if v is None or v == -1 or v != v else float(v) for v in qp.get(name, [None, None])]
        limits.append({"parameter": name, "low": low, "high": high, "restricts_low": low != lo0,
                       "restricts_high": high != hi0, "design_low": ranges.get(name, (lo0, hi0))[0],
                       "design_high": ranges.get(name, (lo0, hi0))[1], "qp_low": q[0], "qp_high": q[1]})
    return {**stats, "restricted": len(limits), "limits": limits}


def _prim(x: pd.DataFrame, y: np.ndarray, ranges: dict) -> tuple[list[dict], str]:
    import inspect

    with _quiet():
        from ema_workbench.analysis import prim as ema_prim

        # EMA workbench 2.x (the last for Python 3.11) asks for a threshold on y: any value in (0, 1] marks the
        # runs with y = 1 as the cases of interest, and one that small keeps the box whatever its density, as
        # 3.x (Python 3.12 and later), which takes a binary y and no threshold, always does
        extra = ({"threshold": 1e-9, "threshold_type": ema_prim.ABOVE}
                 if "threshold" in inspect.signature(ema_prim.Prim.__init__).parameters else {})
        alg = ema_prim.Prim(x, y, peel_alpha=0.05, paste_alpha=0.05, mass_min=MASS_MIN, **extra)
        box = alg.find_box()
    traj = box.peeling_trajectory
    qps = getattr(box, "p_values", None) or getattr(box, "qp")
    init = box.box_lims[0]
    boxes = []
    for i in range(len(traj)):
        r = traj.iloc[i]
        stats = {"box": i, "coverage": float(r["coverage"]), "density": float(r["density"]),
                 "mass": float(r["mass"]), "runs": int(r["n"]), "cases": int(r["k"])}
        boxes.append(_box(stats, box.box_lims[i], init, qps[i], ranges))
    return boxes, f"EMA workbench {version('ema-workbench')} (PRIM)"


def _cart(x: pd.DataFrame, y: np.ndarray, ranges: dict) -> tuple[list[dict], str]:
    from sklearn.tree import DecisionTreeClassifier

    clf = DecisionTreeClassifier(min_samples_leaf=max(1, int(MASS_MIN * len(y))), random_state=0)
    clf.fit(x.to_numpy(), y)
    t, data = clf.tree_, x.to_numpy()
    init = pd.DataFrame([x.min(), x.max()]).reset_index(drop=True)
    leaves = []  # (node, {column index: (low or None, high or None)}): low exclusive (x > t), high inclusive

    def walk(node: int, rules: dict) -> None:
        if t.children_left[node] == -1:
            leaves.append((node, rules))
            return
        f, th = int(t.feature[node]), float(t.threshold[node])
        lo, hi = rules.get(f, (None, None))
        walk(int(t.children_left[node]), {**rules, f: (lo, th if hi is None else min(hi, th))})
        walk(int(t.children_right[node]), {**rules, f: (th if lo is None else max(lo, th), hi)})

    walk(0, {})

    def inside(rules: dict) -> np.ndarray:
        keep = np.ones(len(y), bool)
        for f, (lo, hi) in rules.items():
            if lo is not None:
                keep &= data[:, f] > lo
            if hi is not None:
                keep &= data[:, f] <= hi
        return keep

    boxes = []
    for node, rules in leaves:
        members = inside(rules)
        n, k = int(members.sum()), int(y[members].sum())
        if k == 0 or k / n < 0.5:  # the leaves the tree assigns to the cases of interest
            continue
        lims, qp = init.copy(), {}
        for f, (lo, hi) in rules.items():
            name = x.columns[f]
            sides = []
            for side, bound in ((0, lo), (1, hi)):
                if bound is None:
                    sides.append(-1)
                    continue
                lims.loc[side, name] = bound
                relaxed = {**rules, f: (None, hi) if side == 0 else (lo, None)}
                sides.append(quasi_p(y, members, inside(relaxed)))
            qp[name] = sides
        stats = {"box": int(node), "coverage": k / int(y.sum()), "density": k / n, "mass": n / len(y),
                 "runs": n, "cases": k}
        boxes.append(_box(stats, lims, init, qp, ranges))
    boxes.sort(key=lambda b: -b["coverage"])
    return boxes, f"scikit-learn {version('scikit-learn')} (CART, DecisionTreeClassifier)"


def choose(boxes: list[dict]) -> int:
    """The box with the highest harmonic mean of coverage and density; ties: fewer restricted parameters, then
    the higher coverage, then the earlier box."""
    def score(i: int):
        b = boxes[i]
        c, d = b["coverage"], b["density"]
        f = 2 * c * d / (c + d) if c + d > 0 else 0.0
        return (round(f, 12), -b["restricted"], round(c, 12), -i)

    return max(range(len(boxes)), key=score)


def discover(folder: Path, manifest: dict, q: Query) -> Discovery:
    """Boxes of the design space that hold the cases of interest of query `q` (checked with `problems` first)."""
    x, y, value = cases(folder, manifest, q)
    ranges = design_ranges(manifest)
    boxes, impl = (_prim if q.method == "prim" else _cart)(x, y, ranges)
    if not boxes:  # a tree with no leaf of mostly cases of interest: the cases are too thin to box
        raise NoCases(f"CART found no leaf where most runs are cases of interest ({int(y.sum())} of {len(y)} runs "
                      "are); try --method prim")
    return Discovery(query=q, baseline=manifest["baseline_arm"], runs=len(y), cases=int(y.sum()), boxes=boxes,
                     chosen=choose(boxes), implementation=impl, values=(float(value.min()), float(value.max())))


def rule(limit: dict) -> str:
    """'a <= 1.4', 'a >= -2.1' or '-2.1 <= a <= 1.4', limits in four significant figures."""
    from abm.fmt import number

    name, lo, hi = limit["parameter"], number(limit["low"]), number(limit["high"])
    if limit["restricts_low"] and limit["restricts_high"]:
        return f"{lo} <= {name} <= {hi}"
    return f"{name} >= {lo}" if limit["restricts_low"] else f"{name} <= {hi}"


def table(d: Discovery) -> pd.DataFrame:
    """One row per box and restricted parameter (one row with no parameter for a box that restricts none)."""
    rows = []
    for i, b in enumerate(d.boxes):
        head = {"method": d.query.method, "box": b["box"], "chosen": i == d.chosen, "coverage": b["coverage"],
                "density": b["density"], "mass": b["mass"], "runs": b["runs"], "cases": b["cases"],
                "restricted": b["restricted"]}
        for lim in b["limits"] or [None]:
            rows.append(head | ({"parameter": "", "rule": "", "low": np.nan, "high": np.nan, "design_low": np.nan,
                                 "design_high": np.nan, "qp_low": np.nan, "qp_high": np.nan} if lim is None else
                                {"parameter": lim["parameter"], "rule": rule(lim), "low": lim["low"],
                                 "high": lim["high"], "design_low": lim["design_low"],
                                 "design_high": lim["design_high"], "qp_low": _nan(lim["qp_low"]),
                                 "qp_high": _nan(lim["qp_high"])}))
    return pd.DataFrame(rows)


def _nan(v) -> float:
    return np.nan if v is None else v


def target(folder: Path, manifest: dict, q: Query) -> Path:
    return Path(folder) / FOLDER / f"{q.slug(manifest['baseline_arm'])}.csv"


def write(folder: Path, manifest: dict, d: Discovery) -> Path:
    """The table (CSV) and the record the report reads (JSON), each written atomically; the CSV first, so a
    record always has its table."""
    path = target(folder, manifest, d.query)
    path.parent.mkdir(exist_ok=True)
    with atomic_file(path) as tmp:
        table(d).to_csv(tmp, index=False)
    record = {"query": dataclasses.asdict(d.query), "description": d.query.describe(d.baseline),
              "unit": "difference in " + unit_at_horizon(d.query.outcome) if d.query.effect
              else unit_at_horizon(d.query.outcome),
              "baseline_arm": d.baseline, "runs": d.runs, "cases": d.cases, "values": list(d.values),
              "implementation": d.implementation, "chosen": d.chosen, "boxes": d.boxes, "table": path.name,
              "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
              "sweep_runs": len(finished(folder))}
    with atomic_file(path.with_suffix(".json")) as tmp:
        write_json(tmp, json.loads(json.dumps(record, default=_plain)))
    return path


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        return float(v)
    if isinstance(v, np.bool_):
        return bool(v)
    raise TypeError(type(v))


def records(folder: Path) -> list[dict]:
    """Every discovery written in a sweep folder, by file name."""
    out = []
    for path in sorted((Path(folder) / FOLDER).glob("[!.]*.json")):
        try:
            out.append(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError):
            continue
    return out


def pvalue(p: Optional[float]) -> str:
    """A quasi-p value for people: '< 0.001', '0.034', '' where a side is not restricted."""
    if p is None or p != p:
        return ""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def summary_lines(d: Discovery) -> list[str]:
    from abm.fmt import number, percent

    q, b = d.query, d.box
    runs_word = "pairs of runs" if q.effect else "runs"
    what = "boxes on the peeling trajectory" if q.method == "prim" else "leaves where most runs are cases of interest"
    return [f"cases of interest: {q.describe(d.baseline)}: {d.cases} of {d.runs} {runs_word} "
            f"({percent(d.cases / d.runs)}); values {number(d.values[0])} .. {number(d.values[1])}",
            f"{d.implementation}: {len(d.boxes)} {what}",
            f"chosen box {b['box']} (the best harmonic mean of coverage and density): coverage {number(b['coverage'])}, "
            f"density {number(b['density'])}, mass {number(b['mass'])} ({b['runs']} {runs_word}, {b['cases']} of "
            f"interest), {b['restricted']} restricted parameter{'' if b['restricted'] == 1 else 's'}"]


def limit_rows(box: dict) -> list[tuple[str, str, str, str]]:
    """(restriction, design range, quasi-p, verdict) for each restricted parameter of a box."""
    from abm.fmt import number

    rows = []
    for lim in box["limits"]:
        qps = [p for p in (lim["qp_low"], lim["qp_high"]) if p is not None]
        verdict = "significant" if qps and max(qps) <= 0.05 else "not significant (quasi-p > 0.05)"
        rows.append((rule(lim), f"{number(lim['design_low'])} .. {number(lim['design_high'])}",
                     " / ".join(pvalue(p) for p in qps), verdict))
    return rows


def trajectory_figure(record: dict) -> str:
    """Coverage against density of every box (PRIM: the peeling trajectory; CART: the leaves), coloured by the
    number of restricted parameters, the chosen box ringed."""
    import matplotlib.pyplot as plt

    from abm.sweep.report import figure_html

    boxes, chosen = record["boxes"], record["chosen"]
    cov = [b["coverage"] for b in boxes]
    den = [b["density"] for b in boxes]
    dims = [b["restricted"] for b in boxes]
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    if record["query"]["method"] == "prim":
        ax.plot(cov, den, color="0.75", lw=0.8, zorder=1)
    top = max(max(dims), 1)
    cmap = plt.get_cmap("viridis", top + 1)
    points = ax.scatter(cov, den, c=dims, cmap=cmap, s=28, zorder=2, vmin=-0.5, vmax=top + 0.5)
    ax.scatter([cov[chosen]], [den[chosen]], s=160, facecolors="none", edgecolors="#c0392b", lw=1.8, zorder=3,
               label=f"chosen box {boxes[chosen]['box']}")
    fig.colorbar(points, ax=ax, label="restricted parameters", ticks=range(top + 1))
    ax.set_xlim(0, 1.03)
    ax.set_ylim(0, 1.03)
    ax.set_xlabel("coverage (share of the cases of interest inside)")
    ax.set_ylabel("density (share of the runs inside that are cases)")
    ax.legend(fontsize=8, loc="lower left")
    fig.tight_layout()
    what = ("PRIM's peeling trajectory: each point a box, from the whole design space (coverage 1) to the "
            "smallest box" if record["query"]["method"] == "prim" else "CART: each point a leaf of the tree where "
            "most runs are cases of interest")
    return figure_html(fig, f"{what}; colour: how many parameters it restricts; ringed: the chosen box.")


def box_figure(record: dict) -> str | None:
    """The chosen box's limits on each restricted parameter, as a share of the parameter's design range."""
    import matplotlib.pyplot as plt

    from abm.fmt import number
    from abm.sweep.report import figure_html

    limits = record["boxes"][record["chosen"]]["limits"]
    if not limits:
        return None
    fig, ax = plt.subplots(figsize=(6.5, 0.8 + 0.7 * len(limits)))
    for k, lim in enumerate(limits):
        lo, hi = lim["design_low"], lim["design_high"]
        span = (hi - lo) or 1.0
        a, b = (lim["low"] - lo) / span, (lim["high"] - lo) / span
        ax.barh(k, 1.0, color="0.9", height=0.5)
        ax.barh(k, b - a, left=a, color="#1f5f8b", height=0.5)
        for x, text, shown in ((a, number(lim["low"]), lim["restricts_low"]), (b, number(lim["high"]),
                                                                               lim["restricts_high"])):
            if shown:
                ax.text(x, k - 0.3, text, ha="center", va="bottom", fontsize=8)
    ax.set_yticks(range(len(limits)), [lim["parameter"] for lim in limits], fontsize=8)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(len(limits) - 0.5, -0.8)
    ax.set_xticks([0, 1], ["design low", "design high"])
    fig.tight_layout()
    return figure_html(fig, "The chosen box (blue) within each restricted parameter's design range (grey).")


def report_html(record: dict) -> str:
    """A section of `abm report` for one discovery record."""
    import html

    from abm.fmt import number, percent

    b = record["boxes"][record["chosen"]]
    runs_word = "pairs of runs" if record["query"]["effect"] else "runs"
    rows = "".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in r) + "</tr>" for r in limit_rows(b))
    limits = ("<table><thead><tr><th>restriction</th><th>design range</th><th>quasi-p</th><th></th></tr></thead>"
              f"<tbody>{rows}</tbody></table>" if rows else "<p>The chosen box restricts no parameter.</p>")
    text = (f"<p>Cases of interest: {html.escape(record['description'])} ({html.escape(record['unit'])}): "
            f"{record['cases']} of {record['runs']} {runs_word} ({percent(record['cases'] / record['runs'])}); "
            f"values {number(record['values'][0])} .. {number(record['values'][1])}. Method: "
            f"{html.escape(record['implementation'])}. Chosen box {b['box']} (the best harmonic mean of coverage "
            f"and density): coverage {number(b['coverage'])}, density {number(b['density'])}, mass "
            f"{number(b['mass'])} ({b['runs']} {runs_word}, {b['cases']} of interest). Every box is in "
            f"<code>discovery/{html.escape(record['table'])}</code>.</p>")
    title = record["description"][:1].upper() + record["description"][1:]
    parts = [f"<h3>{html.escape(title)} ({record['query']['method'].upper()})</h3>", text,
             trajectory_figure(record), limits]
    if (fig := box_figure(record)) is not None:
        parts.append(fig)
    return "\n".join(parts)
