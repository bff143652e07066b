"""A sweep as EMA workbench results: its `experiments` table and `outcomes` dictionary, and the .tar.gz that
EMA's `load_results` reads.

    from abm.sweep.export import ema_results, save_ema

    experiments, outcomes = ema_results("results/sweeps/discovery")     # in memory
    save_ema("results/sweeps/discovery", "discovery.tar.gz")            # for ema_workbench.load_results

`experiments` has one row per finished run, in the sweep's arm order, then by design point and replicate:
a column per design parameter (named as in the sweep config, e.g. `behaviour.reg_const`), then EMA's
`scenario`, `policy` and `model` columns (categories, as EMA writes them). `policy` is the arm. `scenario`
is the world a run lives in: its design point and replicate, numbered point x replicates + replicate, so
that, as in EMA, the runs of two policies with the same scenario share their uncertain inputs, here down to
the seed (common random numbers): they pair. `model` is `abm_<city>`.

`outcomes` maps `<indicator>__<group>` (a Python identifier, as EMA 3 requires of names) to an array of
shape (runs,): the value at the horizon as `abm compare` reads it (stocks and rates at the last month,
flows summed over the last twelve). With `series=True` it also holds `<indicator>__<group>__series` of
shape (runs, months), the monthly values from month 1 to the horizon, and `TIME` (runs, months), the month
numbers EMA's time-series plots put on their x axis.

The file matches what EMA's `save_results` writes (checked against EMA workbench 2.5 and 3.0):
`experiments.csv`, one file per outcome (`<name>.cls`, a CSV column, for a scalar outcome;
`<name>.csv` without a header, a row per run, for an array) and `metadata.json` listing each outcome's
class, name and file and each experiment column's dtype; `metadata.json` also carries an `abm` entry
(the sweep, how the scenario numbers are made), which EMA ignores. Writing it needs no EMA.
"""

from __future__ import annotations

import io
import json
import tarfile
from pathlib import Path
from typing import Optional, Sequence

import numpy as np
import pandas as pd

from abm.indicators import GROUP_LABELS, NAMES, POLICY_OUTCOMES
from abm.store import atomic_file
from abm.sweep.compare import horizon_outcomes
from abm.sweep.store import finished, read_indicators, read_manifest

FORMATS = ("ema",)
META_VERSION = 0.1  # the metadata version EMA's save_results writes


def outcome_name(indicator: str, group: str) -> str:
    return f"{indicator}__{group}"


def pairs(outcomes: Sequence[str] = (), groups: Sequence[str] = ()) -> list[tuple[str, str]]:
    """The (indicator, group) pairs to export: the headline outcomes (abm.indicators.POLICY_OUTCOMES) unless
    indicators or groups are named; named indicators take the named groups (default: all households);
    named groups alone take the headline indicators."""
    if not outcomes and not groups:
        return list(POLICY_OUTCOMES)
    names = list(dict.fromkeys(outcomes or [n for n, _ in POLICY_OUTCOMES]))
    return [(n, g) for n in names for g in (list(dict.fromkeys(groups)) or ["all"])]


def pair_problems(outcomes: Sequence[str], groups: Sequence[str]) -> list[str]:
    out = [f"--outcome: unknown indicator {n!r}; allowed: {', '.join(NAMES)}" for n in outcomes if n not in NAMES]
    out += [f"--group: unknown group {g!r}; allowed: {', '.join(GROUP_LABELS)}" for g in groups
            if g not in GROUP_LABELS]
    return out


def check(folder: Path, to: str, out: Optional[Path], outcomes: Sequence[str], groups: Sequence[str]
          ) -> tuple[Path, list[tuple[str, str]], list[str]]:
    """(where the file goes, the outcomes, every problem with the folder, the format, the outcomes and --out)."""
    from abm.config import out_file_problem

    found = []
    try:
        read_manifest(folder)
    except FileNotFoundError as exc:
        found.append(str(exc))
    found += pair_problems(outcomes, groups)
    if to not in FORMATS:
        found.append(f"--to: unknown format {to!r}; allowed: {', '.join(FORMATS)}")
    dest = Path(out) if out is not None else Path(folder) / "ema.tar.gz"
    if (out is not None or not found) and (where := out_file_problem(dest, "--out" if out is not None else "export")):
        found.append(where)
    return dest, pairs(outcomes, groups), found


def ema_results(folder: Path, outcomes: Optional[Sequence[tuple[str, str]]] = None,
                series: bool = False) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The sweep in `folder` as EMA workbench's (experiments, outcomes); see the module's docstring.

    `outcomes` lists (indicator, group) pairs (default: the headline outcomes of `abm compare`); `series`
    adds each one's monthly values and `TIME`. Raises abm.sweep.store.NotASweepFolder (a FileNotFoundError)
    for a folder that is not a sweep folder and FileNotFoundError for one with no finished runs.
    """
    folder = Path(folder)
    manifest = read_manifest(folder)
    wanted = list(outcomes) if outcomes is not None else list(POLICY_OUTCOMES)
    names = manifest["design"]["parameters"]
    arms = list(manifest["config"]["arms"])
    reps = int(manifest["replicates"])
    records = finished(folder)
    if not records:
        raise FileNotFoundError(f"{folder} holds no finished runs")
    runs = pd.DataFrame([{"arm": r["arm"], "point": int(r["point"]), "replicate": int(r["replicate"]),
                          **{n: float(r["params"][n]) for n in names}} for r in records.values()])
    runs["_arm"] = runs["arm"].map({a: k for k, a in enumerate(arms)})
    runs = runs.sort_values(["_arm", "point", "replicate"]).reset_index(drop=True)
    keys = ["arm", "point", "replicate"]
    experiments = runs[names].astype("float64").copy()
    experiments["scenario"] = pd.Categorical(runs["point"] * reps + runs["replicate"])
    experiments["policy"] = pd.Categorical(runs["arm"], categories=[a for a in arms if a in set(runs["arm"])])
    experiments["model"] = pd.Categorical([f"abm_{manifest['base']['city']}"] * len(runs))

    index = pd.MultiIndex.from_frame(runs[keys])
    result: dict[str, np.ndarray] = {}
    at = horizon_outcomes(folder, wanted)
    for ind, group in wanted:
        d = at[(at["indicator"] == ind) & (at["group"] == group)].set_index(keys)["value"]
        result[outcome_name(ind, group)] = d.reindex(index).to_numpy(dtype="float64")
    if series:
        frame = read_indicators(folder, indicators=sorted({n for n, _ in wanted}))
        frame = frame[(frame["sex"] == "all") & (frame["step"] >= 1)]
        months = np.sort(frame["step"].unique())
        for ind, group in wanted:
            d = frame[(frame["indicator"] == ind) & (frame["group"] == group)]
            wide = d.pivot_table(index=keys, columns="step", values="value", observed=True)
            result[outcome_name(ind, group) + "__series"] = wide.reindex(index=index, columns=months).to_numpy(
                dtype="float64")
        result["TIME"] = np.tile(months.astype("float64"), (len(runs), 1))
    return experiments, result


def _member(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    archive.addfile(info, io.BytesIO(data))


def write_ema(experiments: pd.DataFrame, outcomes: dict[str, np.ndarray], dest: Path,
              provenance: Optional[dict] = None) -> Path:
    """(experiments, outcomes) as the .tar.gz EMA's save_results writes, atomically."""
    dest = Path(dest)
    listed = []
    with atomic_file(dest) as tmp, tarfile.open(tmp, "w:gz") as archive:
        _member(archive, "experiments.csv", experiments.to_csv(index=False).encode("utf-8"))
        for name, values in outcomes.items():
            values = np.asarray(values)
            if values.ndim == 1:  # EMA's ScalarOutcome.to_disk: a header-less CSV column, named .cls
                kind, file = "ScalarOutcome", f"{name}.cls"
            elif values.ndim == 2:  # ArrayOutcome.to_disk for fewer than three dimensions
                kind, file = "ArrayOutcome", f"{name}.csv"
            else:
                raise ValueError(f"outcome {name}: {values.ndim} dimensions; 1 or 2 are written")
            _member(archive, file, pd.DataFrame(values).to_csv(header=False, index=False).encode("utf-8"))
            listed.append((kind, name, file))
        meta = {"version": META_VERSION, "outcomes": listed,
                "experiments": {k: v.name for k, v in experiments.dtypes.to_dict().items()}}
        if provenance:
            meta["abm"] = provenance
        _member(archive, "metadata.json", json.dumps(meta).encode("utf-8"))
    return dest


def save_ema(folder: Path, dest: Path, outcomes: Optional[Sequence[tuple[str, str]]] = None,
             series: bool = False) -> tuple[Path, int]:
    """Write the sweep in `folder` to `dest` (a .tar.gz) for ema_workbench.load_results; returns `dest` and the
    number of runs (rows) written."""
    experiments, result = ema_results(folder, outcomes, series)
    manifest = read_manifest(folder)
    provenance = {"sweep": manifest["name"], "folder": str(Path(folder).resolve()),
                  "fingerprint": manifest.get("fingerprint"), "baseline_arm": manifest["baseline_arm"],
                  "replicates": manifest["replicates"],
                  "scenario": "design point x replicates + replicate (the same scenario: the same design point "
                              "and seed in every policy)",
                  "outcomes": "at the horizon: stocks and rates at the last month, flows summed over the last 12"}
    return write_ema(experiments, result, dest, provenance), len(experiments)
