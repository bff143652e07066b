"""What a sweep folder records about how it was made, enough to run it again."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from abm import __version__
from abm.city import CITIES_DIR, profile_path
from abm.store import git_commit, sha256, versions
from abm.sweep.config import Sweep


def manifest(sweep: Sweep) -> dict:
    inputs = dict(sweep.inputs)
    run_dir = inputs["base"].parent if "base" in inputs else sweep.base_dir
    inputs["city_profile"] = profile_path(sweep.base.city, run_dir)
    inputs["city_defaults"] = CITIES_DIR / "_defaults.yaml"
    arms = {}
    for (arm, point), spec in sweep.specs.items():
        if point == 0:
            arms[arm] = {"policies": [{"name": p.name, "parameters": p.values} for p in spec.policies],
                         "rules": {k: float(v) for k, v in spec.rules.items()}}
    return {
        "abm_version": __version__,
        "kind": "sweep",
        "name": sweep.config.name,
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "source": sweep.source,
        "config": sweep.config.model_dump(mode="json"),
        "base": sweep.base.model_dump(mode="json"),
        "baseline_arm": sweep.baseline_arm,
        "arms": arms,
        "design": {"method": sweep.method, "parameters": sweep.design_names, "points": sweep.points},
        "replicates": sweep.config.replicates,
        "seeds": sorted({t.seed for t in sweep.tasks}),
        "runs": len(sweep.tasks),
        "fingerprint": sweep.fingerprint(),
        "versions": versions(),
        "git": git_commit(),
        "inputs": {k: {"path": str(v), "sha256": sha256(Path(v))} for k, v in inputs.items() if Path(v).is_file()},
    }

