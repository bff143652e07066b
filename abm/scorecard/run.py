"""Running the scorecard: every city's status quo and pilot over replicates on Ray, held to the facts.

For each city: a sweep with two arms, `baseline` (the status quo) and `pilot` (the policies of the
city's scenario, configs/scenarios/<city>.yaml), with the behaviour of the city's calibrated config
where one exists (configs/calibrated/<city>.yaml), over `replicates` replicates on seeds seed .. seed +
replicates - 1 in both arms (common random numbers: replicate r has the same luck in both). The
horizon runs from the profile's year to the end of the latest year of a figure the city's run is held
to (national figures included), and at least to the end of the national growth band (pattern b) and
three years (MIN_MONTHS: pilot effects, Yiwu's decline).

The sweeps run through abm.sweep.execute.run_sweep into OUT/runs/<city>/ (sweep folders that `abm
compare` and `abm report` read), each beside its config (OUT/runs/<city>.yaml, runnable by `abm
sweep`). Everything is written into a hidden working folder beside OUT (.<name>.partial) that is renamed
to OUT when complete, so OUT is never half-written; a scorecard killed or interrupted keeps its finished
runs there, and `resume=True` (`abm scorecard ... --resume`) finishes it.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Optional

import numpy as np
import pandas as pd

from abm import __version__
from abm.city import BUILTIN_CITIES, CITIES_DIR, load_profile
from abm.indicators import GROUP_LABELS, INDEX, NAMES, SEX_LABELS
from abm.parameters import BEHAVIOUR_BY_NAME
from abm.scorecard import facts as F
from abm.scorecard import patterns as P
from abm.scorecard.metrics import CityRuns, at, json_safe, score_rows, summarise, worst
from abm.store import OutputExists, atomic_file, git_commit, sha256, versions, write_json_atomic
from abm.yamlio import load_yaml

SCENARIOS_DIR = CITIES_DIR.parent / "scenarios"
CALIBRATED_DIR = CITIES_DIR.parent / "calibrated"
CALIBRATION_DIR = CITIES_DIR.parent / "calibration"
MIN_MONTHS = 36
MAX_MONTHS = 600
ARMS = ("baseline", "pilot")
COLUMNS = ("city", "site", "since", "year", "indicator", "group", "observed", "unit", "simulated", "sim_low", "sim_high",
           "pilot_simulated", "difference", "abs_error", "rel_error", "tolerance", "met", "status", "reason", "role", "fitted",
           "model", "model_group", "month", "first_month", "source", "url", "quote", "note", "file", "row",
           "tolerance_reason")


class SettingsError(ValueError):
    """Bad input to the scorecard; `problems` names each."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(f"scorecard: {len(problems)} problem(s)\n" + "\n".join(f"  - {p}" for p in problems))


class RunsFailed(RuntimeError):
    def __init__(self, failed: dict[str, str], work: Path):
        self.failed, self.work = failed, work
        names = sorted(failed)
        shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
        first = failed[names[0]].splitlines()[0] if names else ""
        super().__init__(f"{len(failed)} run(s) failed: {shown} (the first: {first})")


@dataclass(frozen=True)
class Settings:
    cities: tuple[str, ...] = BUILTIN_CITIES
    replicates: int = 5
    households: int = 20_000
    seed: Optional[int] = None  # default: each scenario's own seed
    seed_facts: Path = F.SEED_FILE
    external_facts: Optional[Path] = F.EXTERNAL_FILE

    def problems(self) -> list[str]:
        out = []
        unknown = [c for c in self.cities if c not in BUILTIN_CITIES]
        if not self.cities:
            out.append(f"--cities: name at least one city; allowed: {', '.join(BUILTIN_CITIES)}")
        if unknown:
            out.append(f"--cities: unknown {', '.join(map(repr, unknown))}; allowed: {', '.join(BUILTIN_CITIES)}")
        if len(set(self.cities)) != len(self.cities):
            out.append("--cities: a city is named twice")
        if self.replicates < 1:
            out.append(f"--replicates must be 1 or more (got {self.replicates})")
        if not 10 <= self.households <= 50_000_000:
            out.append(f"--households must be 10 .. 50,000,000 (got {self.households})")
        return out

    def record(self) -> dict:
        return {"cities": list(self.cities), "replicates": self.replicates, "households": self.households,
                "seed": self.seed, "seed_facts": str(self.seed_facts),
                "external_facts": None if self.external_facts is None else str(self.external_facts)}


@dataclass
class CityPlan:
    city: str
    year: int
    horizon: int
    scenario: Path
    calibrated: Optional[Path]
    behaviour: dict
    config: dict  # the sweep config
    sweep: object  # abm.sweep.config.Sweep

    @property
    def pilot_rules(self) -> dict:
        return self.sweep.specs[("pilot", 0)].rules

    @property
    def seeds(self) -> list[int]:
        return sorted({t.seed for t in self.sweep.tasks})


@dataclass
class Result:
    out: Path
    table: pd.DataFrame
    patterns: list
    summary: dict
    seconds: float
    plans: list[CityPlan] = field(default_factory=list)


def calibrated_behaviour(city: str) -> tuple[dict, Optional[Path]]:
    """The behaviour of the city's calibrated config, if there is one for its status quo."""
    path = CALIBRATED_DIR / f"{city}.yaml"
    if not path.is_file():
        return {}, None
    data = load_yaml(path)
    if data.get("city") != city:
        return {}, None
    return dict(data.get("behaviour") or {}), path


def plan(settings: Settings, facts: pd.DataFrame) -> tuple[list[CityPlan], pd.DataFrame]:
    """Each city's sweep, resolved (ConfigError lists every problem), and the facts paired with the runs."""
    from abm.sweep.config import parse_sweep

    if problems := settings.problems():
        raise SettingsError(problems)
    years = {c: load_profile(c).year for c in settings.cities}
    comps = F.comparisons(facts, years)
    band = F.growth_band(facts)
    plans, problems = [], []
    for city in settings.cities:
        y0 = years[city]
        held = comps[(comps["city"] == city) & comps["month"].notna()]
        months = [MIN_MONTHS] + ([int(held["month"].max())] if len(held) else [])
        if band is not None and y0 <= band[3]:
            months.append(12 * (band[3] - y0 + 1))
        horizon = max(months)
        if horizon > MAX_MONTHS:
            problems.append(f"{city}: a figure dated {y0 + horizon // 12 - 1} needs {horizon} months from {y0}; "
                            f"runs are at most {MAX_MONTHS}")
            continue
        scenario = SCENARIOS_DIR / f"{city}.yaml"
        sc = load_yaml(scenario)
        behaviour, calibrated = calibrated_behaviour(city)
        name = f"scorecard-{city}"
        base = {"name": name, "city": city, "households": settings.households, "horizon_months": horizon,
                "seed": settings.seed if settings.seed is not None else sc["seed"], "policies": ["baseline"],
                "behaviour": dict(sc.get("behaviour") or {}) | behaviour}
        pilot = {"policies": list(sc["policies"]), "precedence": dict(sc.get("precedence") or {})}
        config = {"name": name, "base": base, "arms": {"baseline": ["baseline"], "pilot": pilot},
                  "baseline_arm": "baseline", "replicates": settings.replicates}
        sweep = parse_sweep(config, f"scorecard sweep for {city}", SCENARIOS_DIR)
        plans.append(CityPlan(city, y0, horizon, scenario, calibrated, base["behaviour"], config, sweep))
    if problems:
        raise SettingsError(problems)
    return plans, comps


def execute(plans: list[CityPlan], work: Path, workers: Optional[int] = None, address: Optional[str] = None,
            resume: bool = False, progress: Optional[Callable[[Optional[dict], int, int], None]] = None) -> None:
    """Run every city's sweep into work/runs/<city>/ on one Ray session; raises RunsFailed at the end."""
    import ray
    import yaml

    from abm.sweep.execute import connect_ray, run_sweep

    from abm.sweep.store import finished

    total = sum(len(p.sweep.tasks) for p in plans)
    failed: dict[str, str] = {}
    offset = 0
    (work / "runs").mkdir(parents=True, exist_ok=True)
    done = sum(len(finished(work / "runs" / p.city)) for p in plans if (work / "runs" / p.city).is_dir())
    started = connect_ray(workers, address) if done < total else False  # a resume with every run done
    try:
        for p in plans:
            with atomic_file(work / "runs" / f"{p.city}.yaml") as tmp:
                tmp.write_text(f"# the {p.city} sweep of this scorecard: `abm sweep` runs it again\n"
                               + yaml.safe_dump(p.config, sort_keys=False), encoding="utf-8")

            def step(rec, done, n, offset=offset):
                if progress is not None:
                    progress(rec, offset + done, total)

            outcome = run_sweep(p.sweep, work / "runs" / p.city, workers=workers, address=address, resume=resume,
                                progress=step)
            failed |= {f"{p.city}/{k}": v for k, v in outcome.failed.items()}
            offset += len(p.sweep.tasks)
    finally:
        if started:
            ray.shutdown()
    if failed:
        raise RunsFailed(failed, work)


def load_runs(folder: Path, arm: str) -> np.ndarray:
    """An arm's histories from a sweep folder: [replicate, step, indicator, group, sex]."""
    import pyarrow.parquet as pq

    from abm.sweep.store import INDICATORS, finished

    records = sorted((r for r in finished(folder).values() if r["arm"] == arm), key=lambda r: r["replicate"])
    out = []
    codes = {"indicator": {n: k for k, n in enumerate(NAMES)}, "group": {g: k for k, g in enumerate(GROUP_LABELS)},
             "sex": {s: k for k, s in enumerate(SEX_LABELS)}}
    for rec in records:
        t = pq.read_table(folder / INDICATORS / f"{rec['run_id']}.parquet",
                          columns=["step", "indicator", "group", "sex", "value"]).to_pandas()
        steps = int(t["step"].max()) + 1
        hist = np.full((steps, len(NAMES), len(GROUP_LABELS), len(SEX_LABELS)), np.nan)
        hist[t["step"].to_numpy(), t["indicator"].map(codes["indicator"]).to_numpy(),
             t["group"].map(codes["group"]).to_numpy(), t["sex"].map(codes["sex"]).to_numpy()] = t["value"].to_numpy()
        out.append(hist)
    return np.stack(out)


def city_runs(plans: list[CityPlan], work: Path) -> dict[str, CityRuns]:
    return {p.city: CityRuns(p.year, load_profile(p.city).background_urban_persons(),
                             load_runs(work / "runs" / p.city, "baseline"), load_runs(work / "runs" / p.city, "pilot"))
            for p in plans}


def pilot_effects(plans: list[CityPlan], work: Path) -> dict[str, dict[tuple[str, str], dict]]:
    """Each pilot's paired effects on its expected indicators at the horizon (abm.sweep.compare.effects)."""
    from abm.sweep.compare import effects

    out = {}
    for p in plans:
        pairs = tuple((e.indicator, e.group) for e in P.EXPECTATIONS.get(p.city, []))
        table = effects(work / "runs" / p.city, "baseline", pairs) if pairs else pd.DataFrame()
        out[p.city] = {(r.indicator, r.group): r._asdict() for r in table.itertuples()} if len(table) else {}
    return out


def find_patterns(plans: list[CityPlan], runs: dict[str, CityRuns], effects: dict, facts: pd.DataFrame) -> list:
    by_city = {p.city: p for p in plans}
    found = []
    # a: Yiwu's decline
    if "yiwu" in runs:
        cr, p = runs["yiwu"], by_city["yiwu"]
        years = min(3, (cr.baseline.shape[1] - 1) // 12)
        m = np.stack([at(cr.baseline, "population", "migrant", cr.background, 12 * k, 12 * k)
                      for k in range(years + 1)], axis=1)
        demand = p.behaviour.get("labour_demand_growth", BEHAVIOUR_BY_NAME["labour_demand_growth"].default)
        found.append(P.yiwu_decline(m, cr.year, demand))
    # b: national migrant growth against the cities'
    band = F.growth_band(facts)
    if band is not None:
        low, high, first, last, source = band
        rates = {}
        for city, cr in runs.items():
            if cr.year > last:
                continue
            n = last - cr.year + 1
            m0 = at(cr.baseline, "population", "migrant", cr.background, 0, 0)
            m1 = at(cr.baseline, "population", "migrant", cr.background, 12 * n, 12 * n)
            rates[city] = (cr.year, last, (m1 / m0) ** (1.0 / n) - 1.0)
        found.append(P.migrant_growth(rates, low, high, first, last, source))
    # c: co-production by group: the share of households taking part, migrants against the local groups
    shares, when = {}, {}
    for city, cr in runs.items():
        if float(by_city[city].pilot_rules.get("coproduction_participation", 0.0)) <= 0:
            continue
        h = cr.pilot[:, -1]
        taking_part = h[:, INDEX["coproduction_share"], :3, 2] * h[:, INDEX["households"], :3, 2]
        households = h[:, INDEX["households"], :3, 2]
        shares[city] = (taking_part[:, 0] / households[:, 0],
                        taking_part[:, 1:].sum(axis=1) / households[:, 1:].sum(axis=1))
        when[city] = f"end of {cr.year + (cr.pilot.shape[1] - 1) // 12 - 1}"
    found.append(P.coproduction(shares, when))
    # d: each pilot's own indicators
    for city in runs:
        if city in P.EXPECTATIONS:
            found.append(P.pilot(city, P.EXPECTATIONS[city], effects.get(city, {})))
    return found


def fitted_quantities(city: str) -> set[tuple[str, str, int, int]]:
    """What the city's calibration fitted, when its calibrated config is the one the scorecard runs:
    (model figure, group, month, first month of a growth rate or -1) for each target of
    configs/calibration/<city>.yaml. A `validate` row on one of these (a national figure compared with a
    quantity fitted to the city's own figure) is not out of sample, and is left out of the ARD."""
    from abm.calibration.config import load_calibration

    path = CALIBRATION_DIR / f"{city}.yaml"
    if calibrated_behaviour(city)[1] is None or not path.is_file():
        return set()
    targets = load_calibration(path).targets
    if targets is None:
        return set()
    return {(t.indicator, t.group, int(t.step), int(t.since)) for t in targets.itertuples()}


def evaluate(plans: list[CityPlan], comps: pd.DataFrame, facts: pd.DataFrame, work: Path):
    runs = city_runs(plans, work)
    table = score_rows(comps, runs)
    fitted = {p.city: fitted_quantities(p.city) for p in plans}
    table["fitted"] = [
        r.status == "compared" and (r.model, r.model_group, int(r.month),
                                    int(r.first_month) if not pd.isna(r.since) else -1) in fitted.get(r.city, ())
        for r in table.itertuples()]
    table = table[[c for c in COLUMNS if c in table.columns]]
    order = {"compared": 0, "by construction": 1, "not comparable": 2}
    table = table.assign(_o=table["status"].map(order)).sort_values(
        ["_o", "city", "site", "indicator", "group", "year"], kind="stable").drop(columns="_o").reset_index(drop=True)
    patterns = find_patterns(plans, runs, pilot_effects(plans, work), facts)
    return table, patterns, runs


def _facts_record(path: Optional[Path], facts: pd.DataFrame) -> Optional[dict]:
    if path is None or not Path(path).is_file():
        return None
    return {"path": str(path), "sha256": sha256(Path(path)), "rows": int((facts["file"] == Path(path).name).sum())}


def manifest(settings: Settings, plans: list[CityPlan], facts: pd.DataFrame, summary: dict, patterns: list,
             table: pd.DataFrame, seconds: float) -> dict:
    return json_safe({
        "abm_version": __version__,
        "kind": "scorecard",
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "settings": settings.record(),
        "seeds": sorted({s for p in plans for s in p.seeds}),
        "cities": {p.city: {"year": p.year, "horizon_months": p.horizon,
                            "scenario": {"path": str(p.scenario), "sha256": sha256(p.scenario)},
                            "calibrated": None if p.calibrated is None else
                            {"path": str(p.calibrated), "sha256": sha256(p.calibrated)},
                            "behaviour": p.behaviour, "pilot": p.config["arms"]["pilot"], "seeds": p.seeds,
                            "runs": f"runs/{p.city}"} for p in plans},
        "facts": {"seed_facts": _facts_record(settings.seed_facts, facts),
                  "external_facts": _facts_record(settings.external_facts, facts)},
        "summary": summary,
        "patterns": [{"key": p.key, "name": p.name, "verdict": p.verdict, "rule": p.rule, "source": p.source,
                      "detail": p.detail, "numbers": p.numbers} for p in patterns],
        "worst": json.loads(worst(table)[["city", "site", "since", "year", "indicator", "group", "observed", "simulated",
                                          "rel_error", "tolerance", "role"]].to_json(orient="records")),
        "seconds": seconds,
        "versions": versions(),
        "git": git_commit(),
    })


def work_folder(out: Path) -> Path:
    return Path(out).parent / f".{Path(out).name}.partial"


def out_problem(out: Path, settings: Settings, resume: bool) -> Optional[str]:
    """What is wrong with OUT and its working folder, if anything."""
    from abm.config import out_folder_problem

    out = Path(out)
    if (problem := out_folder_problem(out, "--out")) is not None:
        return problem
    work = work_folder(out)
    if work.exists() and not resume:
        return (f"--out: a scorecard for {out} was stopped before it finished: its runs are in {work}; pass "
                "--resume to finish it, or remove that folder")
    if work.exists():
        saved = work / "settings.json"
        old = json.loads(saved.read_text(encoding="utf-8")) if saved.is_file() else None
        if old != json.loads(json.dumps(settings.record())):
            return f"--resume: {work} holds a scorecard with other settings ({old}); resume it with those"
    elif resume:
        return f"--resume: there is no stopped scorecard for {out} to finish ({work} does not exist)"
    return None


def check(settings: Settings, out: Path, resume: bool = False, workers: Optional[int] = None) -> pd.DataFrame:
    """Every problem found before anything runs, in one SettingsError; returns the facts."""
    problems = list(settings.problems())
    if workers is not None and workers < 1:
        problems.append(f"--workers must be 1 or more (got {workers})")
    if (p := out_problem(out, settings, resume)) is not None:
        problems.append(p)
    facts = None
    try:
        facts = F.load_facts(settings.seed_facts, settings.external_facts)
    except F.FactsError as exc:
        problems.extend(exc.problems)
    if problems:
        raise SettingsError(problems)
    return facts


def prepare(out: Path, settings: Settings) -> Path:
    """The working folder beside OUT, created (or reused by a resume, already checked)."""
    work = work_folder(out)
    if not work.exists():
        work.mkdir(parents=True)
        write_json_atomic(work / "settings.json", settings.record())
    return work


def scorecard(settings: Settings, out: Path, workers: Optional[int] = None, address: Optional[str] = None,
              resume: bool = False, progress: Optional[Callable] = None,
              on_plan: Optional[Callable[[list[CityPlan]], None]] = None) -> Result:
    """Check, plan, run, score and write OUT (see the module docstring). Bad input raises SettingsError
    or ConfigError before anything runs; failed runs raise RunsFailed after the others finished."""
    from abm.scorecard.report import build_report

    t0 = time.perf_counter()
    facts = check(settings, out, resume, workers)
    plans, comps = plan(settings, facts)
    work = prepare(out, settings)
    if on_plan is not None:
        on_plan(plans)
    execute(plans, work, workers, address, resume, progress)
    table, patterns, runs = evaluate(plans, comps, facts, work)
    summary = summarise(table, patterns)
    seconds = time.perf_counter() - t0
    with atomic_file(work / "scorecard.parquet") as tmp:
        table.to_parquet(tmp, index=False)
    with atomic_file(work / "scorecard.csv") as tmp:
        table.to_csv(tmp, index=False)
    record = manifest(settings, plans, facts, summary, patterns, table, seconds)
    with atomic_file(work / "report.html") as tmp:
        tmp.write_text(build_report(table, patterns, summary, plans, runs, record), encoding="utf-8")
    write_json_atomic(work / "manifest.json", record)
    out = Path(out)
    if out.is_dir():
        out.rmdir()
    os.rename(work, out)
    (out / "settings.json").unlink()  # what a resume checks; the manifest records the settings
    return Result(out, table, patterns, summary, seconds, plans)
