"""`abm report DIR`: one self-contained HTML page (figures embedded as PNG) from a sweep folder.

Sections: what was run; each arm's policies, levers, precedence and resolved rules; paired effects
against the baseline arm with 95% intervals (table and figure); indicator trajectories per arm with
replicate bands; breakdowns by group and by sex at the horizon; for a parameter design, how each
outcome responds to each parameter; for a Sobol design, first- and total-order sensitivity indices
(SALib); the scenario discoveries `abm discover` wrote in the folder (abm.sweep.discover). Every number
in a table goes through abm.fmt.number, as in the terminal.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import numpy as np
import pandas as pd

from abm.fmt import html_table, number, percent
from abm.indicators import BREAKDOWN, POLICY_OUTCOMES, TRAJECTORIES, UNIT
from abm.store import atomic_file
from abm.sweep.compare import horizon_outcomes, panels, unit_at_horizon
from abm.sweep.store import failures, finished, read_indicators, read_manifest, runs_frame

GROUP_NAMES = {"migrant": "migrants", "land_losing_farmer": "land-losing farmers", "urban_poor": "urban poor",
               "all": "all households"}


def label(name: str, group: str | None = None, horizon: bool = False) -> str:
    unit = unit_at_horizon(name) if horizon else UNIT[name]
    text = name.replace("_", " ").capitalize()
    return f"{text}, {GROUP_NAMES[group]} ({unit})" if group else f"{text} ({unit})"


def pyramid_figure(records: list[dict], palette: dict, base_arm: str) -> str | None:
    """Persons by age and sex over every group: each arm's mean over its runs at the last month, beside the
    baseline arm's first month (the runs' records keep both)."""
    import matplotlib.pyplot as plt

    from abm.indicators import AGE_BANDS

    ends: dict[str, list] = {}
    starts = []
    for r in records:
        if r.get("status") == "ok" and r.get("pyramid"):
            ends.setdefault(r["arm"], []).append(np.asarray(r["pyramid"]["end"]).sum(axis=0))
            if r["arm"] == base_arm:
                starts.append(np.asarray(r["pyramid"]["start"]).sum(axis=0))
    if not ends:
        return None
    y = np.arange(len(AGE_BANDS))
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    if starts:
        first = np.mean(starts, axis=0)
        ax.barh(y, -first[0], height=0.9, color="0.85", label=f"{base_arm}, month 0")
        ax.barh(y, first[1], height=0.9, color="0.85")
    for arm in palette:
        if arm in ends:
            last = np.mean(ends[arm], axis=0)
            ax.step(-last[0], y, where="mid", color=palette[arm], label=f"{arm}, last month")
            ax.step(last[1], y, where="mid", color=palette[arm])
    ax.axvline(0.0, color="0.3", linewidth=0.8)
    ax.set_yticks(y, AGE_BANDS, fontsize=7)
    ax.set_xticks(ax.get_xticks(), [number(abs(v)) for v in ax.get_xticks()], fontsize=8)
    ax.set_xlabel("persons (women left, men right)")
    ax.legend(fontsize=8, loc="upper right")
    fig.tight_layout()
    return figure_html(fig, "Age pyramid, every group: grey bars the baseline arm's first month, lines each "
                            "arm's last month (mean over its runs).")


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=110, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode()


def figure_html(fig, caption: str) -> str:
    return (f'<figure><img alt="{html.escape(caption)}" src="data:image/png;base64,{_png(fig)}">'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>")


def _compact(axis) -> None:
    """Tick labels such as 150k, 2.5M and 4bn, so large counts and budgets stay readable."""
    from matplotlib.ticker import FuncFormatter

    def fmt(v, _pos):
        for size, suffix in ((1e9, "bn"), (1e6, "M"), (1e3, "k")):
            if abs(v) >= size:
                return f"{v / size:g}{suffix}"
        return number(v, scale=1.0)  # no 1e-05 on an axis

    axis.set_major_formatter(FuncFormatter(fmt))


def panel_grid(n: int, cols: int = 3, size=(4.6, 3.2)):
    import matplotlib.pyplot as plt

    rows = max(1, -(-n // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(size[0] * cols, size[1] * rows), squeeze=False)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat[:n])


def effects_figure(table: pd.DataFrame, base_arm: str) -> str:
    pairs = list(dict.fromkeys(zip(table["indicator"], table["group"])))
    fig, axes = panel_grid(len(pairs))
    for ax, (name, group) in zip(axes, pairs):
        t = table[(table["indicator"] == name) & (table["group"] == group)]
        y = np.arange(len(t))
        ax.errorbar(t["effect"], y, xerr=[t["effect"] - t["ci_low"], t["ci_high"] - t["effect"]], fmt="o",
                    capsize=3, color="#1f5f8b")
        ax.axvline(0, color="grey", lw=0.8, ls="--")
        ax.set_yticks(y, t["arm"])
        ax.invert_yaxis()
        ax.set_title(f"{name.replace('_', ' ')} · {GROUP_NAMES[group]}", fontsize=10)
        ax.set_xlabel(f"effect ({unit_at_horizon(name)})")
        _compact(ax.xaxis)
    fig.suptitle(f"Paired effect against {base_arm} at the horizon, with 95% intervals over replicates", y=1.0)
    fig.tight_layout()
    return figure_html(fig, f"Effect of each arm against {base_arm}: mean paired difference at the last month "
                        "(flows summed over the last year); bars are 95% intervals.")


def _palette(arms: list[str]) -> dict:
    import seaborn as sns

    return dict(zip(arms, sns.color_palette(n_colors=len(arms))))


def _arm_legend(fig, palette: dict) -> None:
    """One legend for the whole figure, below it, arms in the sweep's order."""
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=c, lw=3) for c in palette.values()]
    fig.legend(handles, list(palette), title="arm", loc="upper center", bbox_to_anchor=(0.5, 0.0),
               ncol=min(len(palette), 8), frameon=False)


def trajectories_figure(frame: pd.DataFrame, palette: dict) -> str:
    import seaborn as sns

    fig, axes = panel_grid(len(TRAJECTORIES))
    for ax, (name, group) in zip(axes, TRAJECTORIES):
        d = frame[(frame["indicator"] == name) & (frame["group"] == group) & (frame["sex"] == "all")]
        sns.lineplot(data=d, x="step", y="value", hue="arm", hue_order=list(palette), palette=palette,
                     errorbar=("pi", 95), ax=ax, legend=False)
        ax.set_title(f"{name.replace('_', ' ')} · {GROUP_NAMES[group]}", fontsize=10)
        ax.set_xlabel("month")
        ax.set_ylabel(UNIT[name])
        _compact(ax.yaxis)
    _arm_legend(fig, palette)
    fig.suptitle("Trajectories per arm: mean over replicates and design points, band = 95% of runs", y=1.0)
    fig.tight_layout()
    return figure_html(fig, "Indicator trajectories per arm; the band holds the middle 95% of runs.")


def breakdown_figure(last: pd.DataFrame, by: str, palette: dict) -> str:
    import seaborn as sns

    fig, axes = panel_grid(len(BREAKDOWN))
    for ax, name in zip(axes, BREAKDOWN):
        d = last[last["indicator"] == name]
        d = d[d["sex"] == "all"] if by == "group" else d[(d["group"] == "all") & (d["sex"] != "all")]
        d = d.assign(**{by: d[by].astype(str).map(lambda v: GROUP_NAMES.get(v, v))})
        sns.barplot(data=d, x=by, y="value", hue="arm", hue_order=list(palette), palette=palette,
                    errorbar=("ci", 95), n_boot=200, seed=0, ax=ax, legend=False)
        ax.set_title(name.replace("_", " "), fontsize=10)
        ax.set_xlabel("")
        ax.set_ylabel(UNIT[name])
        ax.tick_params(axis="x", labelsize=8)
    _arm_legend(fig, palette)
    fig.suptitle(f"At the horizon, by {by} (bars: 95% confidence interval of the mean over runs)", y=1.0)
    fig.tight_layout()
    what = "household group" if by == "group" else "sex of the household head (all groups)"
    return figure_html(fig, f"Indicators at the last month by {what}, per arm.")


def bounds(name: str) -> tuple[float, float]:
    """The values an indicator can take: shares lie in [0, 1]; every other indicator (counts, money,
    pupils per class) is at least 0."""
    return (0.0, 1.0) if UNIT[name] == "share" else (0.0, np.inf)


def fit_band(x, y, limits: tuple[float, float] | None = None, points: int = 50):
    """Least-squares line of y on x with its 95% confidence band, on a grid over the range of x.

    Returns (grid, fit, low, high), each clipped to `limits` (an indicator's `bounds`), or None when x does not
    vary. The band is NaN when there are too few runs for one (fewer than three).
    """
    from scipy import stats

    x, y = np.asarray(x, float), np.asarray(y, float)
    if len(x) < 2 or np.ptp(x) == 0:
        return None
    slope, intercept = np.polyfit(x, y, 1)
    grid = np.linspace(x.min(), x.max(), points)
    fit = intercept + slope * grid
    n, sxx = len(x), ((x - x.mean()) ** 2).sum()
    if n > 2:
        s = np.sqrt(((y - intercept - slope * x) ** 2).sum() / (n - 2))
        half = stats.t.ppf(0.975, n - 2) * s * np.sqrt(1 / n + (grid - x.mean()) ** 2 / sxx)
    else:
        half = np.full(points, np.nan)
    low, high = fit - half, fit + half
    if limits is not None:
        fit, low, high = (np.clip(a, *limits) for a in (fit, low, high))
    return grid, fit, low, high


def response_axes(y: pd.DataFrame, runs: pd.DataFrame, names: list[str], palette: dict):
    """The response figure: a panel per headline outcome and design parameter, a line and band per arm."""
    outcomes = list(POLICY_OUTCOMES[:4])
    y = y.merge(runs[["arm", "point", "replicate", *names]], on=["arm", "point", "replicate"])
    n = len(outcomes) * len(names)
    fig, axes = panel_grid(n, cols=min(4, n))
    for k, ((name, group), param) in enumerate((o, p) for o in outcomes for p in names):
        ax = axes[k]
        d = y[(y["indicator"] == name) & (y["group"] == group)]
        for arm, da in d.groupby("arm", sort=False):
            color = palette[arm]
            ax.scatter(da[param], da["value"], s=10, alpha=0.6, color=color)
            band = fit_band(da[param], da["value"], bounds(name))
            if band is not None:
                grid, fit, low, high = band
                ax.plot(grid, fit, color=color, lw=1.2)
                ax.fill_between(grid, low, high, color=color, alpha=0.15, lw=0)
        ax.set_title(f"{name.replace('_', ' ')} · {GROUP_NAMES[group]}", fontsize=9)
        ax.set_xlabel(param)
        ax.set_ylabel(unit_at_horizon(name))
        _compact(ax.yaxis)
    _arm_legend(fig, palette)
    fig.suptitle("Response of each outcome at the horizon to each design parameter (points: runs; lines: "
                 "least-squares fit with its 95% confidence band, clipped to the values the outcome can take)",
                 y=1.0)
    fig.tight_layout()
    return fig


def response_figure(y: pd.DataFrame, runs: pd.DataFrame, names: list[str], palette: dict) -> str:
    return figure_html(response_axes(y, runs, names, palette),
                       "How outcomes respond to the design parameters, per arm.")


def sobol_section(y: pd.DataFrame, manifest: dict) -> str:
    """First- and total-order indices per arm and headline outcome (replicates averaged per point)."""
    import matplotlib.pyplot as plt
    from SALib.analyze import sobol

    names = manifest["design"]["parameters"]
    ranges = manifest["config"]["design"]["parameters"]
    swept = [n for n in names if isinstance(ranges[n], dict)]
    problem = {"num_vars": len(swept), "names": swept, "bounds": [[ranges[n]["low"], ranges[n]["high"]]
                                                                  for n in swept]}
    n_points = len(manifest["design"]["points"])
    rows = []
    for (arm, name, group), d in y.groupby(["arm", "indicator", "group"], observed=True):
        means = d.groupby("point")["value"].mean().reindex(range(n_points))
        if means.isna().any() or means.std() == 0:
            continue
        res = sobol.analyze(problem, means.to_numpy(), calc_second_order=False, seed=0)
        for i, p in enumerate(swept):
            rows.append({"arm": arm, "outcome": f"{name} · {group}", "parameter": p, "S1": res["S1"][i],
                         "S1_conf": res["S1_conf"][i], "ST": res["ST"][i], "ST_conf": res["ST_conf"][i]})
    if not rows:
        return "<p>No outcome varied over the design, so there are no sensitivity indices to show.</p>"
    t = pd.DataFrame(rows)
    outcomes = list(dict.fromkeys(t["outcome"]))[:9]
    fig, axes = panel_grid(len(outcomes))
    for ax, outcome in zip(axes, outcomes):
        d = t[t["outcome"] == outcome]
        labels = [f"{a}\n{p}" for a, p in zip(d["arm"], d["parameter"])]
        x = np.arange(len(d))
        ax.bar(x - 0.2, d["S1"], 0.4, yerr=d["S1_conf"], label="first order", capsize=2)
        ax.bar(x + 0.2, d["ST"], 0.4, yerr=d["ST_conf"], label="total", capsize=2)
        ax.set_xticks(x, labels, fontsize=7)
        ax.set_ylim(bottom=min(0, ax.get_ylim()[0]))
        ax.set_title(outcome.replace("_", " "), fontsize=9)
        ax.set_ylabel("Sobol index (share of variance)")
    axes[0].legend(fontsize=8)
    fig.suptitle("Sobol sensitivity indices at the horizon (SALib; bars: 95% bootstrap intervals)", y=1.0)
    fig.tight_layout()
    plt.close("all")
    return (figure_html(fig, "Share of each outcome's variance over the design due to each parameter alone (first "
                         "order) and with its interactions (total).")
            + html_table(t, SOBOL_COLUMNS))


SOBOL_COLUMNS = {"arm": "arm", "outcome": "outcome", "parameter": "parameter", "S1": "first-order index",
                 "S1_conf": "first-order ± (95%)", "ST": "total-order index", "ST_conf": "total-order ± (95%)"}


def build_report(out: Path, dest: Path | None = None) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="paper")
    out = Path(out)
    manifest = read_manifest(out)
    base_arm = manifest["baseline_arm"]
    runs = runs_frame(list(finished(out).values()) + list(failures(out).values()), manifest["design"]["parameters"])
    names = [n for n, _ in TRAJECTORIES]
    frame = read_indicators(out, indicators=sorted(set(names) | set(BREAKDOWN)))
    horizon = int(frame["step"].max())
    last = frame[frame["step"] == horizon]
    parts = [_header(manifest, runs, out), "<h2>Arms</h2>", arms_html(manifest)]
    table, fiscal = panels(out)
    if not table.empty:
        parts += ["<h2>Effects against the baseline arm</h2>", effects_figure(table, base_arm), _effects_html(table)]
        parts += ["<h2>Fiscal cost against the baseline arm</h2>", FISCAL_NOTE, _effects_html(fiscal)]
    palette = _palette([a for a in manifest["config"]["arms"] if a in set(frame["arm"])])
    parts += ["<h2>Trajectories</h2>", trajectories_figure(frame, palette),
              "<h2>By group</h2>", breakdown_figure(last, "group", palette),
              "<h2>By sex</h2>", breakdown_figure(last, "sex", palette)]
    ages = pyramid_figure(list(finished(out).values()), palette, base_arm)
    if ages is not None:
        parts += ["<h2>Age pyramid</h2>", ages]
    design_names = manifest["design"]["parameters"]
    if design_names:
        y = horizon_outcomes(out)
        parts += ["<h2>Response to the design parameters</h2>", response_figure(y, runs, design_names, palette)]
        if manifest["design"]["method"] == "sobol":
            parts += ["<h2>Sensitivity indices (Sobol)</h2>", sobol_section(y, manifest)]
    parts += discovery_section(out, len(runs[runs["status"] == "ok"]))
    dest = Path(dest) if dest else out / "report.html"
    with atomic_file(dest) as tmp:
        tmp.write_text(PAGE.format(title=html.escape(f"Sweep {manifest['name']}"), body="\n".join(parts)),
                       encoding="utf-8")
    return dest


def discovery_section(out: Path, finished_runs: int) -> list[str]:
    """Each scenario discovery written by `abm discover` in this folder, oldest query name first."""
    from abm.sweep.discover import records, report_html

    found = records(out)
    if not found:
        return []
    parts = ["<h2>Scenario discovery</h2>",
             "<p>Boxes of design-parameter values that hold the cases of interest (<code>abm discover</code>). "
             "Coverage: the share of the cases of interest inside the box; density: the share of the runs inside "
             "that are cases of interest; quasi-p: a one-sided binomial test of each restriction (Bryant and "
             "Lempert 2010), above 0.05 the restriction is not significant.</p>"]
    for record in found:
        if record.get("sweep_runs") not in (None, finished_runs):
            parts.append(f"<p><strong>Note:</strong> computed on {record['sweep_runs']} finished runs; the sweep now "
                         f"has {finished_runs}: run <code>abm discover</code> again.</p>")
        parts.append(report_html(record))
    return parts


def _header(manifest: dict, runs: pd.DataFrame, out: Path) -> str:
    base = manifest["base"]
    failed = runs[runs["status"] != "ok"]
    items = {
        "city": base["city"], "households (agents)": f"{base['households']:,}",
        "months": base["horizon_months"], "arms": ", ".join(manifest["config"]["arms"]),
        "baseline arm": manifest["baseline_arm"],
        "design": f"{manifest['design']['method']} over {', '.join(manifest['design']['parameters']) or 'nothing'} "
                  f"({len(manifest['design']['points'])} points)",
        "replicates": f"{manifest['replicates']} (seeds {manifest['seeds'][0]}..{manifest['seeds'][-1]}, "
                      "the same in every arm)",
        "runs": f"{(runs['status'] == 'ok').sum()} finished of {manifest['runs']}"
                + (f"; failed: {', '.join(failed['run_id'])}" if len(failed) else ""),
        "git commit": (manifest.get("git") or {}).get("commit") or "unknown",
        "folder": str(out),
    }
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in items.items())
    return f"<h1>Sweep {html.escape(manifest['name'])}</h1><table class='meta'>{rows}</table>"


def _effects_html(table: pd.DataFrame) -> str:
    t = table.assign(outcome=[label(n, g, horizon=True) for n, g in zip(table["indicator"], table["group"])])
    return html_table(t, EFFECT_COLUMNS, formats={"CRN variance reduction": percent}, scale="baseline",
                      signed=("effect", "95% low", "95% high"))


FISCAL_NOTE = ("<p>What each arm costs the public sector, per year at the horizon (yuan; per person: yuan a month): "
               "the net fiscal cost is every budget line less public rents, plus each social-insurance fund's "
               "outgo less its income; the city's subsidies to a fund count once. A negative effect saves.</p>")


EFFECT_COLUMNS = {"outcome": "outcome", "arm": "arm", "baseline": "baseline", "value": "arm value",
                  "effect": "effect", "ci_low": "95% low", "ci_high": "95% high", "pairs": "pairs",
                  "variance_reduction": "CRN variance reduction"}


def arms_html(manifest: dict) -> str:
    """Each arm's policies (with the levers it sets away from their defaults), precedence and rules.

    Rules are the resolved values in force at the first design point; a lever the design varies is
    named as such rather than given one value.
    """
    from abm.policies import PolicyError, get

    resolved = manifest.get("arms") or {}
    base_arm = manifest["baseline_arm"]
    design = set(manifest["design"]["parameters"])
    base_precedence = manifest["base"].get("precedence") or {}
    base_rules = (resolved.get(base_arm) or {}).get("rules", {})
    rows = []
    for arm, given in manifest["config"]["arms"].items():
        precedence = base_precedence | (given.get("precedence") or {} if isinstance(given, dict) else {})
        policies, levers = [], []
        for pol in (resolved.get(arm) or {}).get("policies", []):
            try:
                cls = get(pol["name"])
                title, defaults = cls.title, {p.name: p.default for p in cls.parameters}
            except PolicyError:
                title, defaults = "", {}
            policies.append(f"{pol['name']} ({title})" if title else pol["name"])
            for lever, value in pol["parameters"].items():
                key = f"{pol['name']}.{lever}"
                if key in design:
                    levers.append(f"{key}: varied by the design")
                elif lever in defaults and value != defaults[lever]:
                    levers.append(f"{key} = {number(value)} (default {number(defaults[lever])})")
        rules = (resolved.get(arm) or {}).get("rules", {})
        changed = [f"{k}: {number(base_rules[k])} → {number(v)}" for k, v in rules.items()
                   if k in base_rules and v != base_rules[k]]
        rows.append({"arm": arm + (" (baseline arm)" if arm == base_arm else ""), "policies": policies,
                     "levers set": levers or ["defaults"],
                     "precedence": [f"{k}: {v}" for k, v in precedence.items()] or ["none"],
                     f"rules that differ from {base_arm}": changed if arm != base_arm
                     else ["(the reference)"]})
    def cell(v) -> str:
        return "<br>".join(html.escape(x) for x in v) if isinstance(v, list) else html.escape(v)

    head = "".join(f"<th>{html.escape(c)}</th>" for c in rows[0])
    body = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in r.values()) + "</tr>" for r in rows)
    return (f"<p>What each arm runs: policies in the order they apply, levers set away from their defaults, "
            f"which policy wins a rule two of them set (precedence), and the resolved rules that differ from "
            f"the baseline arm.</p><table class='arms'><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>")


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 1400px; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.85em; margin: 1em 0; }}
th, td {{ border-bottom: 1px solid #ddd; padding: 3px 8px; text-align: right; }}
table.meta th, table.meta td, table.arms th, table.arms td {{ text-align: left; vertical-align: top; }}
figure {{ margin: 1.5em 0; }} figure img {{ max-width: 100%; }}
figcaption {{ color: #555; font-size: 0.9em; }}
</style></head><body>
{body}
</body></html>
"""
