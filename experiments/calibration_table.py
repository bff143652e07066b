"""Markdown tables of calibration results, for the README.

    python experiments/calibration_table.py results/calibration/recovery [results/calibration/zhengzhou ...]
    python experiments/calibration_table.py results/calibration/zhengzhou --scorecard results/scorecard

For each folder: every parameter (estimate, 95% interval, prior, true value when known) and every
target (observed, simulated with its 95% interval; a growth target shows the months it spans), read from
summary.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def fmt(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 1e4 else f"{v:.4g}"


def table(folder: Path) -> str:
    s = json.loads((folder / "summary.json").read_text())
    lines = [f"`{s['name']}`: {s['evaluations']:,} evaluations in {s['wall_seconds']:.0f} s "
             f"({s['evaluations_per_second']:.1f} a second on this machine), stopped after {s['stopped']}.", "",
             "| parameter | estimate | 95% interval | interval / prior range | prior | true |",
             "|---|---:|---:|---:|---:|---:|"]
    for name, p in s["parameters"].items():
        true = "" if "true" not in p else f"{fmt(p['true'])} ({'inside' if p['true_inside'] else 'outside'})"
        lines.append(f"| `{name}` | {fmt(p['estimate'])} | [{fmt(p['ci_low'])}, {fmt(p['ci_high'])}] | "
                     f"{p['interval_share_of_prior']:.0%} | [{fmt(p['prior_low'])}, {fmt(p['prior_high'])}] "
                     f"{p['prior']} | {true} |")
    lines += ["", "| target | month | observed | simulated | 95% interval |", "|---|---:|---:|---:|---:|"]
    for t in s["targets"]:
        month = f"growth {t['since']}-{t['when']}" if t.get("since") is not None else t["when"]
        lines.append(f"| `{t['indicator']}` ({t['group']}) | {month} | {fmt(t['observed'])} | "
                     f"{fmt(t['simulated'])} | [{fmt(t['ci_low'])}, {fmt(t['ci_high'])}] |")
    return "\n".join(lines)


def out_of_sample(folder: Path, scorecard: Path) -> str:
    """The city's `validate` rows of a finished scorecard (never fitted): its own figures one by one, the
    national ones summarised."""
    import pandas as pd

    city = json.loads((folder / "summary.json").read_text())["name"]
    t = pd.read_parquet(scorecard / "scorecard.parquet")
    fitted = t["fitted"].astype(bool) if "fitted" in t else False  # scorecards before the flag have none
    t = t[(t["city"] == city) & (t["status"] == "compared") & (t["role"] == "validate") & ~fitted
          & t["simulated"].notna()]
    own, national = t[t["site"] == city], t[t["site"] != city]
    lines = [f"Out of sample ({city}, status quo, `{scorecard.name}`): {len(own)} figures of the city, "
             f"{len(national)} national figures."]
    if len(own):
        lines += ["", "| figure | year | observed | simulated (90% of replicates) | relative error | tolerance | met |",
                  "|---|---:|---:|---:|---:|---:|---|"]
        for r in own.sort_values(["indicator", "year"]).itertuples():
            year = f"{r.since}-{r.year} growth" if not pd.isna(r.since) else str(r.year)
            lines.append(f"| `{r.indicator}` ({r.group}) | {year} | {fmt(r.observed)} | {fmt(r.simulated)} "
                         f"[{fmt(r.sim_low)}, {fmt(r.sim_high)}] | {r.rel_error:.0%} | {r.tolerance:.0%} | "
                         f"{'yes' if r.met else 'no'} |")
    if len(national):
        by = national.groupby("indicator").agg(rows=("met", "size"), met=("met", "sum"),
                                               ard=("rel_error", "mean"))
        lines += ["", "National figures held to this city: " + "; ".join(
            f"`{k}` {int(v.met)} of {int(v.rows)} within tolerance (ARD {v.ard:.2f})" for k, v in by.iterrows())
            + "."]
    return "\n".join(lines)


if __name__ == "__main__":
    args = sys.argv[1:]
    card = None
    if "--scorecard" in args:
        k = args.index("--scorecard")
        card = Path(args[k + 1])
        del args[k:k + 2]
    print("\n\n".join(table(Path(p)) + ("\n\n" + out_of_sample(Path(p), card) if card else "") for p in args))
