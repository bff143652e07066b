"""The sweep results store: a Parquet dataset, a runs table and a manifest.

    DIR/manifest.json           resolved sweep config, design points, versions, git commit, input checksums
    DIR/indicators/<run>.parquet one file per finished run, in long format:
                                arm, point, replicate, seed, step, group, sex, indicator, value, <design...>
    DIR/runs.parquet            one row per run: arm, point, replicate, seed, design values, status,
                                error, timings, host
    DIR/failed/<run>.json       the record of a run that raised (removed once a resume runs it)

Each run's file is written under a hidden temporary name and renamed into place
(abm.store.atomic_file), and carries its own run record in the Parquet metadata, so the indicator
files are the truth: `runs.parquet` is rebuilt from them (and the failure records) whenever it is
written, and a sweep killed at any moment loses at most the runs in flight. Readers (pandas,
pyarrow, DuckDB) skip names that start with a dot.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Optional

import numpy as np

from abm.indicators import GROUP_LABELS, NAMES, SEX_LABELS
from abm.store import atomic_file, write_json_atomic

if TYPE_CHECKING:
    import pandas as pd

INDICATORS = "indicators"
FAILED = "failed"
RECORD_KEY = b"abm.run"
KEYS = ("arm", "point", "replicate", "seed", "step", "group", "sex", "indicator")


def run_table(history: np.ndarray, record: dict, design_names: list[str]):
    """One run's indicator history [step, indicator, group, sex] as a long Arrow table."""
    import pyarrow as pa

    steps, n_ind, n_g, n_s = history.shape
    s, k, g, x = np.meshgrid(np.arange(steps), np.arange(n_ind), np.arange(n_g), np.arange(n_s), indexing="ij")
    n = history.size
    cols = {
        "arm": pa.array([record["arm"]] * n, pa.string()),
        "point": pa.array(np.full(n, record["point"], np.int32)),
        "replicate": pa.array(np.full(n, record["replicate"], np.int32)),
        "seed": pa.array(np.full(n, record["seed"], np.int64)),
        "step": pa.array(s.ravel().astype(np.int32)),
        "group": pa.array(np.asarray(GROUP_LABELS, dtype=object)[g.ravel()], pa.string()),
        "sex": pa.array(np.asarray(SEX_LABELS, dtype=object)[x.ravel()], pa.string()),
        "indicator": pa.array(np.asarray(NAMES, dtype=object)[k.ravel()], pa.string()),
        "value": pa.array(history.ravel().astype(np.float64)),
    }
    for name in design_names:
        cols[name] = pa.array(np.full(n, record["params"][name], np.float64))
    table = pa.table(cols)
    return table.replace_schema_metadata({RECORD_KEY: json.dumps(record, default=str).encode()})


def write_run(out: Path, history: np.ndarray, record: dict, design_names: list[str]) -> Path:
    import pyarrow.parquet as pq

    final = Path(out) / INDICATORS / f"{record['run_id']}.parquet"
    with atomic_file(final) as tmp:
        pq.write_table(run_table(history, record, design_names), tmp)
    (Path(out) / FAILED / f"{record['run_id']}.json").unlink(missing_ok=True)
    return final


def write_failed(out: Path, record: dict) -> None:
    folder = Path(out) / FAILED
    folder.mkdir(exist_ok=True)
    write_json_atomic(folder / f"{record['run_id']}.json", record)


def finished(out: Path) -> dict[str, dict]:
    """run_id -> record of every run whose indicator file is in place."""
    import pyarrow.parquet as pq

    found = {}
    for path in sorted((Path(out) / INDICATORS).glob("[!.]*.parquet")):
        meta = pq.read_schema(path).metadata or {}
        found[path.stem] = json.loads(meta[RECORD_KEY])
    return found


def failures(out: Path) -> dict[str, dict]:
    folder = Path(out) / FAILED
    return {p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("[!.]*.json"))}


def runs_frame(records: Iterable[dict], design_names: list[str]) -> "pd.DataFrame":
    import pandas as pd

    rows = []
    for r in records:
        row = {k: r.get(k) for k in ("run_id", "arm", "point", "replicate", "seed", "status", "error")}
        row |= {name: r["params"].get(name) for name in design_names}
        row |= {k: r.get(k) for k in ("init_seconds", "step_seconds", "total_seconds", "started", "finished",
                                      "host", "pid")}
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["run_id", "arm", "point", "replicate", "seed", "status", "error",
                                        *design_names, "init_seconds", "step_seconds", "total_seconds",
                                        "started", "finished", "host", "pid"])
    return frame.sort_values(["arm", "point", "replicate"], kind="stable").reset_index(drop=True)


def write_runs_table(out: Path, records: Iterable[dict], design_names: list[str]) -> None:
    with atomic_file(Path(out) / "runs.parquet") as tmp:
        runs_frame(records, design_names).to_parquet(tmp, index=False)


class NotASweepFolder(FileNotFoundError):
    """A path given as a sweep folder that is something else; the message says what it is."""


def _manifest_kind(manifest: dict) -> str:
    if manifest.get("kind") in ("sweep", "calibration"):
        return manifest["kind"]
    if "baseline_arm" in manifest and "design" in manifest:
        return "sweep"
    if "engine" in manifest and "seed" in manifest:
        return "run"
    return "unknown"


def folder_kind(out: Path) -> str:
    """What a path holds: missing, file, empty, sweep, calibration, run, or other."""
    out = Path(out)
    if not out.exists():
        return "missing"
    if not out.is_dir():
        return "file"
    if not any(out.iterdir()):
        return "empty"
    try:
        return _manifest_kind(json.loads((out / "manifest.json").read_text(encoding="utf-8"))).replace(
            "unknown", "other")
    except (OSError, ValueError):
        return "run" if (out / "indicators.parquet").is_file() else "other"


def read_manifest(out: Path) -> dict:
    """A sweep folder's manifest; NotASweepFolder says what the path is instead (a run or calibration folder,
    an empty folder, a file, a folder that holds sweep folders)."""
    out = Path(out)
    kind = folder_kind(out)
    if kind == "sweep":
        return json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    if kind == "missing":
        raise NotASweepFolder(f"{out} does not exist; give a sweep folder (written by `abm sweep`)")
    what = {"file": "is a file", "empty": "is an empty folder",
            "calibration": "is a calibration folder (written by `abm calibrate`)",
            "run": "is a run folder (written by `abm run`)"}.get(kind)
    if what is None:
        inside = sorted(p.name for p in out.iterdir() if p.is_dir() and folder_kind(p) == "sweep")
        what = (f"holds sweep folders ({', '.join(inside[:5])}{', ...' if len(inside) > 5 else ''}); give one of them"
                if inside else "is not a sweep folder: it has no sweep manifest.json")
        raise NotASweepFolder(f"{out} {what}")
    raise NotASweepFolder(f"{out} {what}, not a sweep folder (written by `abm sweep`)")


def read_indicators(out: Path, indicators: Optional[list[str]] = None, steps: Optional[list[int]] = None,
                    columns: Optional[list[str]] = None) -> "pd.DataFrame":
    """The sweep's table, sorted by arm, point, replicate, step, group, sex, indicator.

    `indicators` and `steps` filter while reading, so a comparison at the horizon reads little.
    """
    import pyarrow.dataset as ds

    folder = Path(out) / INDICATORS
    if not folder.is_dir() or not any(folder.glob("[!.]*.parquet")):
        raise FileNotFoundError(f"{out} holds no finished runs (no {INDICATORS}/*.parquet)")
    data = ds.dataset(folder, format="parquet")
    flt = None
    if indicators is not None:
        flt = ds.field("indicator").isin(list(indicators))
    if steps is not None:
        cond = ds.field("step").isin(list(steps))
        flt = cond if flt is None else flt & cond
    frame = data.to_table(columns=columns, filter=flt).to_pandas()
    import pandas as pd

    for col, labels in (("group", GROUP_LABELS), ("sex", SEX_LABELS), ("indicator", NAMES)):
        if col in frame.columns:
            frame[col] = pd.Categorical(frame[col], categories=list(labels))
    order = [c for c in KEYS if c in frame.columns]
    return frame.sort_values(order, kind="stable").reset_index(drop=True)
