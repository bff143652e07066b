"""The ABC-SMC samplers side by side on the recovery problem, over several calibration seeds.

    python experiments/sampler_comparison.py [--out results/sampler_comparison] [--seeds 1 2 3] [--workers 2]
        [--sampler old --sampler new]

Each run is `configs/calibration/recovery.yaml` (same priors, targets, distance, particles, generations
and tolerances) with `abc.seed` set to the seed and the sampler's `abc` options: `old` is the sampler
before issue 17 (kernel twice_covariance, every particle a parent, fixed rounds of one proposal per
particle), `new` the default (kernel silverman, parents within the new tolerance, adaptive rounds).
Runs go one at a time into OUT/<sampler>-seed<N>; a folder that already holds a finished run is read,
not run again, and an unfinished one is resumed. Prints one row per run:
evaluations, seconds, each parameter's 95% interval as a share of its prior range (natural scale, as
summary.json), whether every true value lies inside, and then each sampler's median evaluations.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
RECOVERY = ROOT / "configs" / "calibration" / "recovery.yaml"
SAMPLERS = {"old": {"kernel": "twice_covariance", "parents": "all", "rounds": "fixed"},
            "new": {"kernel": "silverman", "parents": "within", "rounds": "adaptive"}}


def config_for(sampler: str, seed: int, folder: Path) -> Path:
    data = yaml.safe_load(RECOVERY.read_text())
    data["base"] = str((RECOVERY.parent / data["base"]).resolve())
    data["abc"] = {**data["abc"], **SAMPLERS[sampler], "seed": seed}
    path = folder / f"recovery-{sampler}-{seed}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def run(sampler: str, seed: int, out: Path, workers: int) -> dict:
    """The summary of one calibration, run (or finished) unless it is already there."""
    if (out / "summary.json").is_file() and (out / "posterior.parquet").is_file():
        return json.loads((out / "summary.json").read_text())
    from abm.calibration.config import load_calibration
    from abm.calibration.run import calibrate

    with tempfile.TemporaryDirectory() as tmp:
        cal = load_calibration(config_for(sampler, seed, Path(tmp)))
        return calibrate(cal, out, workers=workers, resume=out.is_dir()).summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "results" / "sampler_comparison")
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--sampler", choices=list(SAMPLERS), action="append")
    args = ap.parse_args()
    samplers = args.sampler or list(SAMPLERS)
    rows, names = [], None
    for sampler in samplers:
        for seed in args.seeds:
            s = run(sampler, seed, args.out / f"{sampler}-seed{seed}", args.workers)
            names = names or list(s["parameters"])
            rows.append((sampler, seed, s))
    short = [n.split(".")[-1] for n in names]
    print("| sampler | seed | evaluations | seconds | " + " | ".join(f"{n} interval / prior" for n in short)
          + " | every truth inside |")
    print("|---|---:|---:|---:|" + "---:|" * len(short) + "---|")
    for sampler, seed, s in rows:
        p = s["parameters"]
        print(f"| {sampler} | {seed} | {s['evaluations']:,} | {s['wall_seconds']:.0f} | "
              + " | ".join(f"{p[n]['interval_share_of_prior']:.0%}" for n in names)
              + f" | {'yes' if all(p[n]['true_inside'] for n in names) else 'NO'} |")
    print()
    for sampler in samplers:
        evals = [s["evaluations"] for name, _, s in rows if name == sampler]
        print(f"{sampler} ({', '.join(f'{k} {v}' for k, v in SAMPLERS[sampler].items())}): median "
              f"{statistics.median(evals):,.0f} evaluations over seeds {', '.join(map(str, args.seeds))}")


if __name__ == "__main__":
    main()
