"""Refresh the scorecard's committed figures: the regression guard's and the README's summary.

    python experiments/refresh_scorecard.py                  # both: the small and the full scorecard
    python experiments/refresh_scorecard.py --full DIR       # take the README summary from a finished scorecard
    python experiments/refresh_scorecard.py --small-only     # only tests/golden/scorecard_small.json

Run it only on purpose: when the model or the facts change and the new figures are meant. The test
tests/test_scorecard.py fails when a fresh small scorecard has a smaller share of rows within tolerance
than tests/golden/scorecard_small.json, or when the facts files differ from the ones that file was made
with. The README's summary sits between the SUMMARY markers; the diff of the commit is the record.
"""

from __future__ import annotations

import argparse
import json
import math
import tempfile
from datetime import datetime
from pathlib import Path

from abm.scorecard.metrics import json_safe
from abm.scorecard.run import Settings, scorecard
from abm.store import sha256

ROOT = Path(__file__).resolve().parents[1]
GOLDEN = ROOT / "tests" / "golden" / "scorecard_small.json"
README = ROOT / "README.md"
BEGIN, END = "<!-- scorecard summary: begin -->", "<!-- scorecard summary: end -->"
SMALL = Settings(cities=("changshu", "yiwu"), replicates=3, households=1000)


def facts_checksums(settings: Settings) -> dict[str, str | None]:
    out = {}
    for path in (settings.seed_facts, settings.external_facts):
        if path is not None:
            out[Path(path).name] = sha256(Path(path)) if Path(path).is_file() else None
    return out


def small_record(settings: Settings = SMALL, workers: int | None = None) -> dict:
    """Run the small scorecard in a temporary folder; the figures the guard compares against."""
    with tempfile.TemporaryDirectory() as tmp:
        result = scorecard(settings, Path(tmp) / "small", workers=workers)
    return json_safe({"settings": {"cities": list(settings.cities), "replicates": settings.replicates,
                                   "households": settings.households},
                      "facts": facts_checksums(settings),
                      "summary": result.summary,
                      "patterns": {p.key: p.verdict for p in result.patterns}})


def _pct(v: float) -> str:
    return "n/a" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:.0%}"


def _num(v) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    return f"{v:,.0f}" if abs(v) >= 1000 else f"{v:.4g}"


def summary_markdown(folder: Path) -> str:
    """The README's summary of a finished scorecard folder."""
    m = json.loads((Path(folder) / "manifest.json").read_text(encoding="utf-8"))
    s, st = m["summary"], m["settings"]
    ard = ("n/a (no `validate` rows yet)" if not s["validate_rows"]
           else f"{s['ard_validate']:.3f} ({s['validate_rows']} rows)")
    mase = ("n/a (no figure observed in two or more years)" if not s["mase_series"]
            else f"{s['mase_mean']:.3f} (mean of {s['mase_series']} series)")
    lines = [
        f"Latest full scorecard ({datetime.fromisoformat(m['created']).date()}, commit "
        f"{(m['git'] or {}).get('commit', 'unknown')[:10]}): {len(m['cities'])} cities, {st['households']:,} households, "
        f"{st['replicates']} replicates, {m['seconds']:.0f} s on this machine.",
        "",
        f"- rows: {s['rows']} ({s['compared']} compared, {s['by_construction']} held by construction, "
        f"{s['not_comparable']} not comparable)",
        f"- within tolerance: {_pct(s['share_within_tolerance'])} of the compared rows ({s['within_tolerance']} of "
        f"{s['compared']})",
        f"- ARD of the validate rows: {ard}; ARD of all compared rows: {_num(s['ard_all'])}",
        f"- ARD of the validate rows by kind: levels, shares and flows {_num(s.get('ard_validate_levels'))}, "
        f"growth rates {_num(s.get('ard_validate_growth'))}",
        f"- MASE: {mase}",
        f"- patterns: {s['patterns_passed']} passed of {s['patterns_checked']} checked",
        "",
        "| pattern | verdict | numbers |",
        "|---|---|---|",
    ]
    for p in m["patterns"]:
        lines.append(f"| {p['key']}: {p['name']} | {p['verdict']} | {p['detail']} |")
    if m["worst"]:
        lines += ["", "Furthest from their figures (relative error over tolerance):", "",
                  "| city | figure | year | observed | simulated | relative error | tolerance | role |",
                  "|---|---|---:|---:|---:|---:|---:|---|"]
        for w in m["worst"]:
            year = f"{w['since']}-{w['year']} growth" if w.get("since") is not None else w["year"]
            lines.append(f"| {w['city']} | `{w['indicator']}` ({w['group']}, {w['site']}) | {year} | "
                         f"{_num(w['observed'])} | "
                         f"{_num(w['simulated'])} | {_pct(w['rel_error'])} | {_pct(w['tolerance'])} | {w['role']} |")
    return "\n".join(lines)


def write_readme(text: str) -> None:
    readme = README.read_text(encoding="utf-8")
    if BEGIN not in readme or END not in readme:
        raise SystemExit(f"README.md has no {BEGIN} ... {END} markers")
    head, rest = readme.split(BEGIN, 1)
    _, tail = rest.split(END, 1)
    README.write_text(f"{head}{BEGIN}\n{text}\n{END}{tail}", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--full", type=Path, help="a finished full scorecard folder to summarise in the README")
    parser.add_argument("--small-only", action="store_true", help="refresh only the regression guard's figures")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    record = small_record(workers=args.workers)
    GOLDEN.write_text(json.dumps(record, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {GOLDEN}: share within tolerance {_pct(record['summary']['share_within_tolerance'])}")
    if args.small_only:
        return
    folder = args.full
    if folder is None:
        folder = ROOT / "results" / "scorecard" / datetime.now().strftime("%Y%m%d-%H%M%S")
        scorecard(Settings(), folder, workers=args.workers)
    write_readme(summary_markdown(folder))
    print(f"README.md: scorecard summary from {folder}")


if __name__ == "__main__":
    main()
