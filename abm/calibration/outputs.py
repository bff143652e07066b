"""What a calibration leaves behind: the posterior, the summary, the calibrated config, the report."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import yaml

from abm.calibration.abc import Generation, weighted_quantile
from abm.calibration.config import Calibration
from abm.store import atomic_file, write_json_atomic


def parameter_summary(cal: Calibration, gen: Generation) -> dict:
    truth = cal.config.recovery.truth if cal.config.recovery else {}
    out = {}
    for j, name in enumerate(cal.names):
        prior = cal.config.parameters[name]
        lo, med, hi = weighted_quantile(gen.particles[:, j], gen.weights, [0.025, 0.5, 0.975])
        row = {"estimate": float(med), "mean": float(gen.weights @ gen.particles[:, j]), "ci_low": float(lo),
               "ci_high": float(hi), "prior_low": prior.low, "prior_high": prior.high, "prior": prior.prior,
               "interval_share_of_prior": float((hi - lo) / (prior.high - prior.low))}
        if name in truth:
            row["true"] = truth[name]
            row["true_inside"] = bool(lo <= truth[name] <= hi)
        out[name] = row
    return out


def target_summary(targets: pd.DataFrame, gen: Generation) -> list[dict]:
    rows = []
    for k, t in targets.iterrows():
        sim = gen.summaries[:, k]
        lo, hi = weighted_quantile(sim, gen.weights, [0.025, 0.975])
        since = int(t["since"]) if "since" in t and t["since"] >= 0 else None
        rows.append({"indicator": t["indicator"], "group": t["group"], "sex": t["sex"], "when": int(t["step"]),
                     **({"since": since} if since is not None else {}),
                     "observed": float(t["observed"]),
                     "observed_sd": None if pd.isna(t["sd"]) else float(t["sd"]),
                     "simulated": float(gen.weights @ sim), "ci_low": float(lo), "ci_high": float(hi),
                     "source": t.get("source", "") or ""})
    return rows


def calibrated_config(cal: Calibration, estimates: dict[str, float]) -> dict:
    from abm.sweep.config import split_values, with_levers

    data = cal.base.model_dump(mode="json")
    behaviour, levers = split_values({name: float(round(v)) if cal.declared[name].integer else round(float(v), 6)
                                      for name, v in estimates.items()})
    data["behaviour"] |= behaviour
    data["policies"] = with_levers(list(cal.base.policies), levers)
    data["name"] = f"{cal.config.name}-calibrated"
    return data


def write_outputs(cal: Calibration, out: Path, gens: list[Generation], targets: pd.DataFrame, seconds: float,
                  evaluations: int, stopped: str) -> dict:
    out = Path(out)
    last = gens[-1]
    post = pd.DataFrame(last.particles, columns=cal.names).assign(weight=last.weights, distance=last.distances,
                                                                  seed=last.seeds)
    with atomic_file(out / "posterior.parquet") as tmp:
        post.to_parquet(tmp, index=False)
    history = [{"generation": g.t + 1, "epsilon": g.epsilon, "proposed": g.proposed, "accepted": len(g.weights),
                "acceptance": g.acceptance, "seconds": g.seconds,
                "effective_sample_size": float(1.0 / (g.weights ** 2).sum())} for g in gens]
    params = parameter_summary(cal, last)
    total_evals = sum(g.proposed for g in gens) * cal.config.abc.draws
    pop = pd.read_csv(out / "population_fit.csv")
    summary = {
        "name": cal.config.name,
        "parameters": params,
        "targets": target_summary(targets, last),
        "history": history,
        "stopped": stopped,
        "evaluations": int(total_evals),
        "evaluations_this_session": int(evaluations),
        "wall_seconds": seconds,
        "evaluations_per_second": evaluations / seconds if seconds > 0 else None,
        "population_fit": {"draws": int(pop["draw"].nunique()),
                           "max_abs_gap_households": float(pop["max_abs_gap"].max()),
                           "max_share_gap": float(pop["max_share_gap"].max())},
    }
    write_json_atomic(out / "summary.json", summary)
    config = calibrated_config(cal, {n: p["estimate"] for n, p in params.items()})
    header = (f"# {cal.config.name}: calibrated by `abm calibrate {cal.source}`; estimates are posterior medians "
              f"(see summary.json for the 95% intervals)\n")
    with atomic_file(out / "calibrated.yaml") as tmp:
        tmp.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    from abm.calibration.report import build_report

    build_report(out, cal, gens, targets, summary)
    return summary
