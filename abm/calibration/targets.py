"""Calibration targets: observed marginals the model should reproduce, and how to read them off a run.

A targets table (CSV or Parquet) has one row per observed figure:

    indicator   a model indicator (see the README) or a derived one (DERIVED below)
    group       migrant, land_losing_farmer, urban_poor or all
    sex         female, male or all (default all)
    when        the step (month) it describes, or `horizon`
    observed    the figure, in the indicator's unit (shares in [0, 1])
    sd          optional: its uncertainty (the distance divides by it)
    weight      optional: its weight in the distance (default 1)
    source      optional: where the figure comes from
    since       optional: an earlier step; the figure is then the average yearly growth rate of the
                indicator between `since` and `when`, (v_when / v_since) ** (12 / (when - since)) - 1,
                as statistical offices report population growth between two censuses

`load_targets` checks every row and reports every problem at once, naming the row and the column.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from abm.indicators import GROUP_LABELS, INDEX, SEX_LABELS, UNIT

GROUP = {g: k for k, g in enumerate(GROUP_LABELS)}
SEX = {s: k for k, s in enumerate(SEX_LABELS)}
REQUIRED = ("indicator", "group", "when", "observed")
OPTIONAL = ("sex", "sd", "weight", "source", "since")
# derived figures that surveys and yearbooks report, computed from the indicators and the
# city's non-simulated urban-hukou residents (`background`, persons); group must be `all`
DERIVED = {
    "migrant_share_of_residents": "migrant residents, of all residents (the simulated groups plus the other "
                                  "urban-hukou residents)",
    "urban_hukou_share_of_local_hukou": "local-hukou residents holding an urban hukou (including converted "
                                        "migrants), of all local-hukou residents",
    "resident_population": "all residents, persons: the simulated groups plus the other urban-hukou residents",
}
DERIVED_UNIT = {"migrant_share_of_residents": "share", "urban_hukou_share_of_local_hukou": "share",
                "resident_population": "persons"}


class TargetError(ValueError):
    """A targets file that cannot be used; `problems` names each bad row and column."""

    def __init__(self, source: str, problems: list[str]):
        self.problems = problems
        super().__init__(f"{source}: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


def is_share(name: str) -> bool:
    return DERIVED_UNIT.get(name, UNIT.get(name)) == "share"


def unit_of(name: str, growth: bool = False) -> str:
    """The unit of a target: its indicator's, or per_year for a growth rate between two steps."""
    return "per_year" if growth else DERIVED_UNIT.get(name, UNIT.get(name, ""))


def validate_targets(frame: pd.DataFrame, horizon: int | None = None, source: str = "targets") -> pd.DataFrame:
    """Check and normalise a targets table; raises TargetError listing every problem."""
    problems = []
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        raise TargetError(source, [f"missing column(s): {', '.join(missing)}; a targets table needs "
                                   f"{', '.join(REQUIRED)} and may have {', '.join(OPTIONAL)}"])
    unknown = [c for c in frame.columns if c not in REQUIRED + OPTIONAL]
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)}; allowed: {', '.join(REQUIRED + OPTIONAL)}")
    if frame.empty:
        problems.append("no target rows")
    f = frame.copy()
    f["sex"] = f["sex"].fillna("all") if "sex" in f else "all"
    f["weight"] = pd.to_numeric(f["weight"], errors="coerce").fillna(1.0) if "weight" in f else 1.0
    f["sd"] = pd.to_numeric(f["sd"], errors="coerce") if "sd" in f else np.nan
    if "source" not in f:
        f["source"] = ""
    allowed = sorted(INDEX) + sorted(DERIVED)
    if "since" not in f:
        f["since"] = None
    steps, sinces = [], []
    for k, row in f.iterrows():
        where = f"row {k + 2}"  # the header is row 1 of the file
        name = row["indicator"]
        if name not in INDEX and name not in DERIVED:
            problems.append(f"{where}: indicator {name!r} is unknown; allowed: {', '.join(allowed)}")
        if row["group"] not in GROUP:
            problems.append(f"{where}: group {row['group']!r} is unknown; allowed: {', '.join(GROUP_LABELS)}")
        elif name in DERIVED and row["group"] != "all":
            problems.append(f"{where}: {name} is a whole-city figure; its group must be 'all'")
        if row["sex"] not in SEX:
            problems.append(f"{where}: sex {row['sex']!r} is unknown; allowed: {', '.join(SEX_LABELS)}")
        step = _step(row["when"], horizon)
        if step is None:
            problems.append(f"{where}: when {row['when']!r} must be a step (0 .. {horizon if horizon else 'horizon'})"
                            " or 'horizon'")
        steps.append(step)
        since = -1
        if not _blank(row["since"]):
            since = _step(row["since"], horizon)
            if since is None or since < 0 or (step is not None and step >= 0 and since >= step):
                problems.append(f"{where}: since {row['since']!r} must be a step before when ({row['when']!r}): "
                                "the figure is then the yearly growth rate between the two")
                since = -1
        sinces.append(since)
        try:
            obs = float(row["observed"])
        except (TypeError, ValueError):
            problems.append(f"{where}: observed {row['observed']!r} is not a number")
            continue
        if not np.isfinite(obs):
            problems.append(f"{where}: observed must be a finite number")
        elif name in INDEX or name in DERIVED:
            if sinces[-1] >= 0:
                if not obs > -1.0:
                    problems.append(f"{where}: observed {obs:g} is a yearly growth rate and must exceed -1")
            elif is_share(name) and not 0.0 <= obs <= 1.0:
                problems.append(f"{where}: observed {obs:g} is a share of {name} and must lie in [0, 1]")
        if not pd.isna(row["sd"]) and not row["sd"] > 0:
            problems.append(f"{where}: sd must be positive (got {row['sd']!r})")
        if not row["weight"] >= 0:
            problems.append(f"{where}: weight must be zero or more (got {row['weight']!r})")
    if problems:
        raise TargetError(source, problems)
    f["step"] = steps
    f["since"] = np.array(sinces, dtype=int)
    f["observed"] = f["observed"].astype(float)
    return f[["indicator", "group", "sex", "when", "step", "since", "observed", "sd", "weight",
              "source"]].reset_index(drop=True)


def _blank(v) -> bool:
    return v is None or (isinstance(v, float) and np.isnan(v)) or (isinstance(v, str) and not v.strip())


def _step(when, horizon: int | None) -> int | None:
    if isinstance(when, str) and when.strip() == "horizon":
        return horizon if horizon is not None else -1
    try:
        step = int(float(when))
    except (TypeError, ValueError):
        return None
    if step != float(when) or step < 0 or (horizon is not None and step > horizon):
        return None
    return step


def load_targets(path: str | Path, horizon: int | None = None) -> pd.DataFrame:
    path = Path(path)
    if path.is_dir():
        raise TargetError(str(path), [f"{path} is a folder, not a targets file"])
    if not path.is_file():
        raise TargetError(str(path), [f"targets file {path} not found"])
    if path.suffix != ".parquet":
        from abm.yamlio import YamlError, read_text

        try:
            text = read_text(path, "targets file")
        except YamlError as exc:
            raise TargetError(str(path), [str(exc)]) from None
    try:
        frame = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(io.StringIO(text), comment="#",
                                                                                    skipinitialspace=True)
    except Exception as exc:  # noqa: BLE001 - any unreadable file gets one clear message
        raise TargetError(str(path), [f"cannot read it as {'Parquet' if path.suffix == '.parquet' else 'CSV'}: "
                                      f"{exc}"]) from None
    return validate_targets(frame, horizon, str(path))


@dataclass(frozen=True)
class Extractor:
    """Reads the targets' simulated values off an indicator history [step, indicator, group, sex]."""
    indicator: tuple[str, ...]
    group: np.ndarray
    sex: np.ndarray
    step: np.ndarray
    since: np.ndarray  # -1: a level at `step`; else the yearly growth rate from `since` to `step`

    @classmethod
    def of(cls, targets: pd.DataFrame) -> "Extractor":
        since = targets["since"].to_numpy(int) if "since" in targets else np.full(len(targets), -1)
        return cls(tuple(targets["indicator"]), np.array([GROUP[g] for g in targets["group"]]),
                   np.array([SEX[s] for s in targets["sex"]]), targets["step"].to_numpy(int), since)

    def value(self, k: int, h: np.ndarray, background: float) -> float:
        name = self.indicator[k]
        return derived(name, h, background) if name in DERIVED else float(h[INDEX[name], self.group[k], self.sex[k]])

    def __call__(self, history: np.ndarray, background: float) -> np.ndarray:
        out = np.empty(len(self.indicator))
        for k in range(len(self.indicator)):
            out[k] = self.value(k, history[self.step[k]], background)
            if self.since[k] >= 0:
                out[k] = growth_rate(self.value(k, history[self.since[k]], background), out[k],
                                     self.step[k] - self.since[k])
        return out


def growth_rate(start: float, end: float, months: int) -> float:
    """Average yearly growth from `start` to `end` over `months`; 0 when there is nothing to grow from."""
    return (end / start) ** (12.0 / months) - 1.0 if start > 0 and end >= 0 and months > 0 else 0.0


def derived(name: str, h: np.ndarray, background: float) -> float:
    """A derived figure from one step's indicators [indicator, group, sex]."""
    pop = h[INDEX["population"], :, 2]
    gap = h[INDEX["urbanization_gap"], :, 2]  # share of each group's persons without urban hukou
    residents = pop[3] + background
    if name == "resident_population":
        return float(residents)
    if name == "migrant_share_of_residents":
        return pop[0] / residents if residents > 0 else 0.0
    # local hukou: farmers, the urban poor, the other urban residents, and migrants converted to local hukou
    converted = pop[0] * (1.0 - gap[0])
    local = pop[1] + pop[2] + background + converted
    rural_local = pop[1] * gap[1] + pop[2] * gap[2]
    return 1.0 - rural_local / local if local > 0 else 0.0
