"""Markdown tables of calibration results, for the README.

    python experiments/calibration_table.py results/calibration/recovery [results/calibration/zhengzhou ...]

For each folder: every parameter (estimate, 95% interval, prior, true value when known) and every
target (observed, simulated with its 95% interval), read from summary.json.
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
        lines.append(f"| `{t['indicator']}` ({t['group']}) | {t['when']} | {fmt(t['observed'])} | "
                     f"{fmt(t['simulated'])} | [{fmt(t['ci_low'])}, {fmt(t['ci_high'])}] |")
    return "\n".join(lines)


if __name__ == "__main__":
    print("\n\n".join(table(Path(p)) for p in sys.argv[1:]))
