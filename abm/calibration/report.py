"""The calibration fit report: one HTML page with its figures embedded."""

from __future__ import annotations

import html
from pathlib import Path

import numpy as np
import pandas as pd

from abm.calibration.abc import Generation
from abm.calibration.config import Calibration
from abm.calibration.targets import unit_of
from abm.fmt import html_table, number, percent
from abm.store import atomic_file
from abm.sweep.report import PAGE, figure_html, panel_grid


def plain_log_axis(axis, low: float, high: float) -> None:
    """Log-axis ticks whose labels do not run into each other: 0.002, 0.005, 0.01 (not 2x10^-3 on every
    minor tick) for a range of a decade or so, fewer per decade for wider ranges, powers of ten beyond
    five decades, and four plain ticks for a range narrower than 0.7 of a decade."""
    from matplotlib.ticker import FuncFormatter, LogFormatterSciNotation, LogLocator, MaxNLocator, NullFormatter

    decades = np.log10(high / low)
    if decades < 0.7:  # too narrow for 1-2-5 ticks: four evenly spaced ones
        axis.set_major_locator(MaxNLocator(nbins=4))
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    elif decades > 5:
        axis.set_major_locator(LogLocator(base=10, numticks=6))
        axis.set_major_formatter(LogFormatterSciNotation())
    else:
        subs = (1.0, 2.0, 5.0) if decades <= 1.3 else (1.0, 3.0) if decades <= 2.5 else (1.0,)
        axis.set_major_locator(LogLocator(base=10, subs=subs, numticks=20))
        axis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v)))
    axis.set_minor_formatter(NullFormatter())


def posterior_figure(cal: Calibration, gen: Generation, params: dict) -> str:
    fig, axes = panel_grid(len(cal.names), cols=min(3, len(cal.names)))
    for j, (ax, name) in enumerate(zip(axes, cal.names)):
        p = params[name]
        lo, hi = p["prior_low"], p["prior_high"]
        bins = np.linspace(lo, hi, 31) if p["prior"] == "uniform" else np.geomspace(lo, hi, 31)
        ax.hist(gen.particles[:, j], bins=bins, weights=gen.weights, density=True, color="#1f5f8b", alpha=0.75,
                label="posterior")
        if p["prior"] == "uniform":
            ax.plot([lo, hi], [1 / (hi - lo)] * 2, color="grey", ls="--", label="prior")
        else:
            x = np.geomspace(lo, hi, 100)
            ax.plot(x, 1 / (x * np.log(hi / lo)), color="grey", ls="--", label="prior")
            ax.set_xscale("log")
            plain_log_axis(ax.xaxis, lo, hi)
        ax.axvspan(p["ci_low"], p["ci_high"], color="#1f5f8b", alpha=0.12, label="95% interval")
        ax.axvline(p["estimate"], color="#1f5f8b", lw=1.5, label="estimate (median)")
        if "true" in p:
            ax.axvline(p["true"], color="#c0392b", lw=1.5, ls=":", label="true value")
        ax.set_title(name, fontsize=10)
        ax.set_xlabel(f"{cal.declared[name].unit}")
        ax.set_ylabel("density")
        if j == 0:
            ax.legend(fontsize=7)
    fig.suptitle("Posterior marginals (last generation, weighted) against the priors", y=1.0)
    fig.tight_layout()
    return figure_html(fig, "Posterior of each free parameter; the shaded band is its 95% interval.")


def targets_figure(rows: list[dict]) -> str:
    fig, axes = panel_grid(len(rows), cols=min(3, len(rows)), size=(4.2, 2.8))
    for ax, r in zip(axes, rows):
        ax.errorbar([1], [r["simulated"]], yerr=[[r["simulated"] - r["ci_low"]], [r["ci_high"] - r["simulated"]]],
                    fmt="o", color="#1f5f8b", capsize=4, label="simulated (95%)")
        err = None if r["observed_sd"] is None else [[1.96 * r["observed_sd"]], [1.96 * r["observed_sd"]]]
        ax.errorbar([0], [r["observed"]], yerr=err, fmt="s", color="#c0392b", capsize=4, label="observed")
        ax.set_xticks([0, 1], ["observed", "simulated"])
        ax.set_xlim(-0.6, 1.6)
        ax.set_title(f"{r['indicator'].replace('_', ' ')} · {r['group']} · {_months(r)}", fontsize=9)
        ax.set_ylabel(unit_of(r["indicator"], "since" in r))
    axes[0].legend(fontsize=7)
    fig.suptitle("Targets: observed against simulated under the posterior (95% of posterior runs)", y=1.0)
    fig.tight_layout()
    return figure_html(fig, "Each target as observed and as the calibrated model simulates it.")


def history_figure(history: list[dict]) -> str:
    import matplotlib.pyplot as plt

    h = pd.DataFrame(history)
    fig, (a, b) = plt.subplots(1, 2, figsize=(10, 3.2))
    finite = h[np.isfinite(h["epsilon"])]
    a.plot(finite["generation"], finite["epsilon"], "o-")
    a.set_title("tolerance (distance a proposal must beat)")
    a.set_xlabel("generation")
    a.set_ylabel("epsilon")
    b.plot(h["generation"], h["acceptance"], "o-", color="#d35400")
    b.set_title("acceptance rate")
    b.set_xlabel("generation")
    b.set_ylabel("accepted / proposed")
    fig.tight_layout()
    return figure_html(fig, "Acceptance history of the ABC-SMC sampler.")


def build_report(out: Path, cal: Calibration, gens: list[Generation], targets: pd.DataFrame, summary: dict) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="paper")
    params = summary["parameters"]
    pop = pd.read_csv(Path(out) / "population_fit.csv")
    meta = {"base": f"{cal.base.city}, {cal.base.households:,} households, {cal.base.horizon_months} months",
            "free parameters": ", ".join(cal.names),
            "sampler": f"ABC-SMC, {cal.config.abc.particles} particles, {len(gens)} generations "
                       f"({summary['stopped']}), {cal.config.abc.draws} population draw(s) per evaluation",
            "evaluations": f"{summary['evaluations']:,} in {summary['wall_seconds']:.0f} s"}
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in meta.items())
    body = [f"<h1>Calibration {html.escape(cal.config.name)}</h1><table class='meta'>{rows}</table>",
            "<h2>Parameters</h2>", posterior_figure(cal, gens[-1], params), parameters_table(cal, params),
            "<h2>Targets</h2>", targets_figure(summary["targets"]), targets_table(summary["targets"]),
            "<h2>Acceptance history</h2>", history_figure(summary["history"]), history_table(summary["history"]),
            "<h2>Synthetic population against its marginals (IPF)</h2>",
            f"<p>Largest gap between a drawn margin and its target over {pop['draw'].nunique()} population "
            "draws, in households and as a share of the group's households.</p>", population_table(pop)]
    dest = Path(out) / "report.html"
    with atomic_file(dest) as tmp:
        tmp.write_text(PAGE.format(title=html.escape(f"Calibration {cal.config.name}"), body="\n".join(body)),
                       encoding="utf-8")
    return dest


def _interval(low: float, high: float) -> str:
    return f"[{number(low)}, {number(high)}]"


def parameters_table(cal: Calibration, params: dict) -> str:
    rows = []
    for name, p in params.items():
        row = {"parameter": name, "unit": cal.declared[name].unit, "estimate (median)": p["estimate"],
               "mean": p["mean"], "95% interval": _interval(p["ci_low"], p["ci_high"]),
               "prior": f"{'log-uniform' if p['prior'] == 'loguniform' else p['prior']} "
                        f"{_interval(p['prior_low'], p['prior_high'])}",
               "interval / prior range": percent(p["interval_share_of_prior"])}
        if "true" in p:
            row["true value"] = f"{number(p['true'])} ({'inside' if p['true_inside'] else 'OUTSIDE'} the interval)"
        rows.append(row)
    return html_table(pd.DataFrame(rows).fillna(""))


def targets_table(targets: list[dict]) -> str:
    rows = [{"target": f"{t['indicator']} · {t['group']}" + ("" if t["sex"] == "all" else f" · {t['sex']}"),
             "unit": unit_of(t["indicator"], "since" in t), "month": _months(t),
             "observed": t["observed"],
             "observed sd": "" if t["observed_sd"] is None else number(t["observed_sd"]),
             "simulated (posterior mean)": t["simulated"], "95% interval": _interval(t["ci_low"], t["ci_high"]),
             "source": t["source"]} for t in targets]
    return html_table(pd.DataFrame(rows))


def _months(t: dict) -> str:
    """A level's month, or the span of a growth rate."""
    return f"growth, months {t['since']}-{t['when']}" if "since" in t else f"month {t['when']}"


def history_table(history: list[dict]) -> str:
    h = pd.DataFrame(history)
    return html_table(h, {"generation": "generation", "epsilon": "tolerance (epsilon)", "proposed": "proposed",
                          "accepted": "accepted", "acceptance": "acceptance rate", "seconds": "seconds",
                          "effective_sample_size": "effective sample size"},
                      formats={"acceptance rate": percent,
                               "tolerance (epsilon)": lambda v: "none (first generation)" if np.isinf(v)
                               else number(v)})


def population_table(pop: pd.DataFrame) -> str:
    t = pop.groupby(["group", "axis"], as_index=False)[["max_abs_gap", "max_share_gap"]].max()
    return html_table(t, {"group": "group", "axis": "margin", "max_abs_gap": "largest gap (households)",
                          "max_share_gap": "largest gap (share of the group)"})
