"""The scorecard's HTML page: summary, patterns, worst rows, a sortable table and one figure per city.

Self-contained: figures are PNG embedded as base64 (abm.sweep.report.figure_html), the table sorts by
any column with a few lines of inline script (no network access needed).
"""

from __future__ import annotations

import html
import math
import warnings

import numpy as np
import pandas as pd

from abm.fmt import number
from abm.scorecard.facts import figure_kind, figure_unit
from abm.scorecard.metrics import series, worst
from abm.sweep.report import PAGE, figure_html, panel_grid

SHOWN = ("city", "site", "since", "year", "indicator", "group", "observed", "simulated", "sim_low", "sim_high",
         "pilot_simulated", "rel_error", "tolerance", "met", "status", "role", "reason", "source")
HEADERS = {"sim_low": "90% low", "sim_high": "90% high", "pilot_simulated": "pilot", "rel_error": "rel. error",
           "met": "within"}
SORT_SCRIPT = """<script>
document.querySelectorAll('table.sortable th').forEach((th, i) => th.addEventListener('click', () => {
  const body = th.closest('table').tBodies[0], dir = th.dataset.dir === 'asc' ? -1 : 1;
  th.dataset.dir = dir === 1 ? 'asc' : 'desc';
  const key = r => { const c = r.cells[i], t = c.dataset.v ?? c.textContent, n = parseFloat(t);
                     return isNaN(n) ? [1, t] : [0, n]; };
  [...body.rows].sort((a, b) => { const x = key(a), y = key(b);
    return (x[0] - y[0]) || ((x[1] > y[1]) - (x[1] < y[1])) * dir; }).forEach(r => body.appendChild(r));
}));
</script>"""
STYLE = """<style>
table.sortable th { cursor: pointer; background: #f3f3f3; position: sticky; top: 0; }
td.l, th.l { text-align: left; } .pass { color: #1a7f37; font-weight: bold; }
.fail { color: #c0392b; font-weight: bold; } .none { color: #777; } .box td, .box th { text-align: left; }
details { margin: 0.6em 0; } p.rule { max-width: 70em; }
</style>"""


def fmt(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "yes" if v else "no"
    if isinstance(v, (int, np.integer)):
        return str(v)  # years, months, rows, counts of runs
    if isinstance(v, (float, np.floating)):
        return number(v)
    return str(v)


def cell(v, left: bool = False) -> str:
    raw = "" if fmt(v) == "" else (str(float(v)) if isinstance(v, (int, float, np.number)) and
                                   not isinstance(v, (bool, np.bool_)) else "")
    attr = f' data-v="{raw}"' if raw else ""
    return f'<td{attr}{" class=l" if left else ""}>{html.escape(fmt(v))}</td>'


def table_html(frame: pd.DataFrame, sortable: bool = False, left=()) -> str:
    head = "".join(f'<th{" class=l" if c in left else ""}>{html.escape(HEADERS.get(c, c))}</th>' for c in frame)
    body = "".join("<tr>" + "".join(cell(v, c in left) for c, v in zip(frame.columns, row)) + "</tr>"
                   for row in frame.itertuples(index=False))
    return f'<table class="{"sortable" if sortable else "plain"}"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'


def verdict_html(v: str) -> str:
    cls = {"pass": "pass", "fail": "fail"}.get(v, "none")
    return f'<span class="{cls}">{html.escape(v)}</span>'


def summary_html(s: dict, record: dict) -> str:
    share = "n/a" if math.isnan(s["share_within_tolerance"]) else f"{s['share_within_tolerance']:.0%}"
    items = {
        "rows": f"{s['rows']}: {s['compared']} compared, {s['by_construction']} held by construction (not scored), "
                f"{s['not_comparable']} not comparable",
        "within tolerance": f"{share} of the compared rows ({s['within_tolerance']} of {s['compared']})",
        "ARD, validate rows": "n/a (no validate rows)" if not s["validate_rows"]
        else f"{s['ard_validate']:.3f} over {s['validate_rows']} rows"
        + (f" ({s['fitted_rows']} rows on quantities a calibration fitted left out)" if s.get("fitted_rows") else ""),
        "ARD, all compared rows": "n/a" if math.isnan(s["ard_all"]) else f"{s['ard_all']:.3f}",
        "ARD, validate rows by kind": f"levels, shares and flows {_or_na(s.get('ard_validate_levels'))}; "
                                      f"growth rates {_or_na(s.get('ard_validate_growth'))}",
        "MASE": "n/a (no figure observed in two or more years)" if not s["mase_series"]
        else f"{s['mase_mean']:.3f}, mean over {s['mase_series']} series",
        "patterns": f"{s['patterns_passed']} passed of {s['patterns_checked']} checked"
                    + (f" ({s['patterns_total'] - s['patterns_checked']} not checked)"
                       if s["patterns_total"] > s["patterns_checked"] else ""),
    }
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(v)}</td></tr>" for k, v in items.items())
    return f'<table class="box">{rows}</table>'


def header_html(record: dict) -> str:
    st = record["settings"]
    facts = record["facts"]
    items = {
        "cities": ", ".join(f"{c} ({v['year']}, {v['horizon_months']} months"
                            + (", calibrated behaviour" if v["calibrated"] else "") + ")"
                            for c, v in record["cities"].items()),
        "runs": f"status quo and pilot, {st['replicates']} replicates each (seeds {record['seeds'][0]}.."
                f"{record['seeds'][-1]}, the same in both arms), {st['households']:,} households",
        "facts": "; ".join(f"{f['path']} ({f['rows']} rows, sha256 {f['sha256'][:12]})"
                           for f in facts.values() if f),
        "git commit": (record.get("git") or {}).get("commit") or "unknown",
        "run time": f"{record['seconds']:.0f} s",
    }
    rows = "".join(f"<tr><th>{html.escape(k)}</th><td>{html.escape(str(v))}</td></tr>" for k, v in items.items())
    return f'<table class="box">{rows}</table>'


def patterns_html(patterns: list) -> str:
    rows = "".join(f"<tr><td class=l>{html.escape(p.key)}</td><td class=l>{html.escape(p.name)}</td>"
                   f"<td class=l>{verdict_html(p.verdict)}</td><td class=l>{html.escape(p.detail)}</td></tr>"
                   for p in patterns)
    parts = [f'<table class="plain"><thead><tr><th class=l>pattern</th><th class=l>rule</th><th class=l>verdict'
             f'</th><th class=l>numbers</th></tr></thead><tbody>{rows}</tbody></table>']
    for p in patterns:
        numbers = pd.DataFrame(p.numbers)
        parts.append(f"<details><summary>{html.escape(p.key)}: {html.escape(p.name)} ({verdict_html(p.verdict)})"
                     f"</summary><p class=rule>{html.escape(p.rule)}</p><p>Source: {html.escape(p.source)}</p>"
                     + (table_html(numbers, left=("city", "when", "indicator", "group", "years", "expected"))
                        if len(numbers) else "") + "</details>")
    return "\n".join(parts)


def _annual(x: np.ndarray) -> np.ndarray:
    """Trailing twelve-month sums of a monthly flow [replicate, step]; NaN before month 12."""
    c = np.cumsum(np.nan_to_num(x[:, 1:]), axis=1)
    out = np.full_like(x, np.nan, dtype=float)
    out[:, 12:] = c[:, 11:] - np.concatenate([np.zeros((x.shape[0], 1)), c[:, :-12]], axis=1)
    return out


def _yearly_growth(y: np.ndarray) -> np.ndarray:
    """Growth over the last twelve months of a stock [replicate, step]; NaN before month 12."""
    out = np.full_like(y, np.nan, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        out[:, 12:] = np.where(y[:, :-12] > 0, y[:, 12:] / y[:, :-12] - 1.0, np.nan)
    return out


def _or_na(v) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.3f}"


def city_figure(city: str, table: pd.DataFrame, cr) -> str:
    from matplotlib.ticker import FuncFormatter, MaxNLocator

    rows = table[(table["city"] == city) & table["simulated"].notna()]
    growth = rows["since"].notna()
    panels = list(dict.fromkeys([("population", "migrant", False)] + list(zip(rows["model"], rows["model_group"],
                                                                              growth))))[:12]
    fig, axes = panel_grid(len(panels))
    x = cr.year + np.arange(cr.baseline.shape[1]) / 12.0
    for ax, (name, group, is_growth) in zip(axes, panels):
        for arm, runs, colour in (("status quo", cr.baseline, "#1f5f8b"), ("pilot", cr.pilot, "#e08e0b")):
            y = series(runs, name, group, cr.background)
            if is_growth:
                y = _yearly_growth(y)
            elif figure_kind(name) == "flow":
                y = _annual(y)
            with warnings.catch_warnings():  # months before the first twelve have no yearly figure (NaN)
                warnings.simplefilter("ignore", RuntimeWarning)
                mean, low, high = (np.nanmean(y, axis=0), np.nanquantile(y, 0.05, axis=0),
                                   np.nanquantile(y, 0.95, axis=0))
            ax.plot(x, mean, color=colour, lw=1.5, label=arm)
            ax.fill_between(x, low, high, color=colour, alpha=0.18, lw=0)
        obs = rows[(rows["model"] == name) & (rows["model_group"] == group) & (growth == is_growth)]
        for status, marker, colour in (("compared", "o", "#c0392b"), ("by construction", "s", "#888888")):
            o = obs[obs["status"] == status]
            if len(o) and is_growth:  # an average over the years it spans: a bar from `since` to `year`
                for r in o.itertuples():
                    ax.hlines(r.observed, r.since + 1.0, r.year + 1.0, color=colour, lw=2.5,
                              label=f"observed yearly growth ({status})")
            elif len(o):
                ax.errorbar(o["year"] + 1.0, o["observed"], yerr=o["tolerance"] * o["observed"].abs(), fmt=marker,
                            color=colour, capsize=3, label=f"observed ({status})")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_title(f"{name.replace('_', ' ')} · {group.replace('_', ' ')}" + (" · yearly growth" if is_growth
                                                                               else ""), fontsize=9)
        ax.set_ylabel("per year" if is_growth else figure_unit(name), fontsize=8)
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _p: next(
            (f"{v / s:g}{u}" for s, u in ((1e9, "bn"), (1e6, "M"), (1e3, "k")) if abs(v) >= s), f"{v:g}")))
    handles = {}
    for ax in axes:
        for h, lab in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(lab, h)
    fig.legend(list(handles.values()), list(handles), loc="upper center", bbox_to_anchor=(0.5, 0.0),
               ncol=len(handles), frameon=False)
    fig.suptitle(f"{city}: simulated trajectories (mean, band = middle 90% of replicates) and observed figures "
                 "(bar = tolerance)", y=1.0)
    fig.tight_layout()
    return figure_html(fig, f"{city}: a figure for year Y is plotted at the end of Y; flows as twelve-month sums.")


def build_report(table: pd.DataFrame, patterns: list, summary: dict, plans: list, runs: dict, record: dict) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import seaborn as sns

    sns.set_theme(style="whitegrid", context="paper")
    w = worst(table)
    parts = [STYLE, "<h1>Scorecard: the model against the facts and the seeds' patterns</h1>", header_html(record),
             "<h2>Summary</h2>", summary_html(summary, record),
             "<p>Rows are compared with the status-quo run (the pilot run's mean is shown beside it). A row "
             "<em>held by construction</em> is a figure the initial population holds (an input, or a figure the "
             "profile pins, of its own year): it validates nothing and is left out of the summary. ARD is the "
             "mean of |simulated - observed| / |observed|; MASE divides the error of the later years of a series "
             "by that of a forecast holding its first figure (below 1 beats it).</p>",
             "<h2>Patterns</h2>", patterns_html(patterns),
             "<h2>Furthest from their figures</h2>",
             table_html(w[["city", "site", "year", "indicator", "group", "observed", "simulated", "rel_error",
                           "tolerance", "role", "source"]], left=("city", "site", "indicator", "group", "role",
                                                                   "source"))
             if len(w) else "<p>No compared rows.</p>",
             "<h2>Every row</h2><p>Click a column to sort.</p>",
             table_html(table[list(SHOWN)], sortable=True,
                        left=("city", "site", "indicator", "group", "status", "role", "reason", "source")),
             "<h2>Cities</h2>"]
    for p in plans:
        parts.append(city_figure(p.city, table, runs[p.city]))
    parts.append(SORT_SCRIPT)
    return PAGE.format(title="Scorecard", body="\n".join(parts))
