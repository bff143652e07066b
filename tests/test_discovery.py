"""Scenario discovery (`abm discover`) and the EMA workbench export (`abm export --to ema`), on a small synthetic
sweep store with a planted box: nothing is simulated.

The store has two arms over 40 design points of two behaviour parameters, two replicates each. Each
(point, replicate) has its own luck, the same in both arms (common random numbers), large enough to hide the
pilot's effect in the arm's own values; the pilot's effect on migrants' public-school share is 0.01 inside
the planted box (reg_const <= -4 and left_behind_const >= 1) and 0.2 outside, so only the paired difference
shows the box exactly.
"""

import json
import tarfile

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from abm.cli import app
from abm.indicators import GROUP_LABELS, INDEX, N_INDICATORS, SEX_LABELS
from abm.store import write_json
from abm.sweep import discover as sd
from abm.sweep.export import ema_results, outcome_name, save_ema
from abm.sweep.store import write_run

runner = CliRunner()

PARAMS = ("behaviour.reg_const", "behaviour.left_behind_const")
RANGES = {"behaviour.reg_const": (-6.0, -2.0), "behaviour.left_behind_const": (-2.0, 3.0)}
POINTS, REPS, MONTHS = 40, 2, 14
G = GROUP_LABELS.index("migrant")


def inside(p: dict) -> bool:
    return p["behaviour.reg_const"] <= -4.0 and p["behaviour.left_behind_const"] >= 1.0


def history(level: float, rng: np.random.Generator) -> np.ndarray:
    """[step, indicator, group, sex]: public-school share `level` at every step, registration rate and monthly
    departures (a flow) drawn at random."""
    h = np.zeros((MONTHS + 1, N_INDICATORS, len(GROUP_LABELS), len(SEX_LABELS)))
    h[:, INDEX["public_school_share"]] = level
    h[:, INDEX["registration_rate"]] = rng.uniform(0, 1, (MONTHS + 1, 1, 1))
    h[:, INDEX["departures"]] = rng.integers(0, 50, (MONTHS + 1, 1, 1))
    return h


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    out = tmp_path_factory.mktemp("discovery") / "sweep"
    (out / "indicators").mkdir(parents=True)
    rng = np.random.default_rng(3)
    points = [{} for _ in range(POINTS)]
    for name in PARAMS:  # a Latin hypercube by hand: each parameter's range cut in POINTS strata
        lo, hi = RANGES[name]
        strata = (rng.permutation(POINTS) + rng.uniform(0, 1, POINTS)) / POINTS
        for k in range(POINTS):
            points[k][name] = float(lo + (hi - lo) * strata[k])
    arms = {"base": ["baseline"], "pilot": ["baseline", "zhengzhou"]}
    for k, p in enumerate(points):
        for r in range(REPS):
            luck = float(rng.uniform(-0.3, 0.3))
            base = 0.6 + luck
            levels = {"base": base, "pilot": base + (0.01 if inside(p) else 0.2)}
            for arm in arms:
                record = {"run_id": f"{arm}-p{k}-r{r}", "arm": arm, "point": k, "replicate": r, "seed": 500 + r,
                          "status": "ok", "params": p}
                write_run(out, history(levels[arm], np.random.default_rng([k, r, len(arm)])), record, list(PARAMS))
    manifest = {"kind": "sweep", "name": "planted", "baseline_arm": "base",
                "config": {"arms": arms, "design": {"method": "lhs", "parameters": {
                    n: {"low": RANGES[n][0], "high": RANGES[n][1]} for n in PARAMS}}},
                "base": {"city": "zhengzhou", "horizon_months": MONTHS},
                "design": {"method": "lhs", "parameters": list(PARAMS), "points": points},
                "replicates": REPS, "seeds": [500, 501], "runs": POINTS * REPS * 2, "fingerprint": "test"}
    write_json(out / "manifest.json", manifest)
    return out, manifest


def query(**kw):
    base = dict(outcome="public_school_share", group="migrant", arm="pilot", effect=True, below=0.05)
    return sd.Query(**(base | kw))


def test_cases_pair_each_run_with_the_baseline_run_of_its_point_and_seed(store):
    out, manifest = store
    x, y, value = sd.cases(out, manifest, query())
    assert len(value) == POINTS * REPS and list(x.columns) == list(PARAMS)
    planted = np.array([inside(manifest["design"]["points"][k]) for k in range(POINTS) for _ in range(REPS)])
    assert np.allclose(value, np.where(planted, 0.01, 0.2))  # the luck cancels in the pair
    assert (y == planted).all()
    _, y_level, level = sd.cases(out, manifest, query(effect=False, below=0.5))
    assert level.std() > 0.1 and not (y_level == planted).all()  # the arm's own values hide the box


@pytest.mark.parametrize("method", ["prim", "cart"])
def test_the_planted_box_is_found(store, method):
    out, manifest = store
    found = sd.discover(out, manifest, query(method=method))
    box = found.box
    assert box["coverage"] == 1 and box["density"] == 1  # the planted box separates the cases exactly
    limits = {lim["parameter"]: lim for lim in box["limits"]}
    assert set(limits) == set(PARAMS)
    reg, left = limits["behaviour.reg_const"], limits["behaviour.left_behind_const"]
    x, y, _ = sd.cases(out, manifest, query())
    hits = x[y == 1]
    # the box's edges lie between the outermost case of interest and the planted edge (-4 and 1)
    assert reg["restricts_high"] and not reg["restricts_low"]
    assert hits["behaviour.reg_const"].max() <= reg["high"] <= -3.5
    assert left["restricts_low"] and not left["restricts_high"]
    assert 0.5 <= left["low"] <= hits["behaviour.left_behind_const"].min()
    assert all(p is not None and p < 0.05 for lim in box["limits"] for p in (lim["qp_low"], lim["qp_high"])
               if p is not None)
    assert (reg["design_low"], reg["design_high"]) == RANGES["behaviour.reg_const"]
    assert found.implementation.startswith("EMA workbench" if method == "prim" else "scikit-learn")


def test_quasi_p_of_a_cart_box_is_computed_as_ema_computes_prims(store):
    """The CART quasi-p values are this package's; they must equal EMA's for the same box."""
    out, manifest = store
    found = sd.discover(out, manifest, query(method="prim"))
    x, y, _ = sd.cases(out, manifest, query())
    for lim in found.box["limits"]:
        def within(relax_side=None):
            keep = np.ones(len(y), bool)
            for other in found.box["limits"]:
                col = x[other["parameter"]].to_numpy()
                lo_on = other["restricts_low"] and not (other is lim and relax_side == "low")
                hi_on = other["restricts_high"] and not (other is lim and relax_side == "high")
                keep &= (col >= other["low"]) if lo_on else True
                keep &= (col <= other["high"]) if hi_on else True
            return keep

        side = "low" if lim["restricts_low"] else "high"
        assert sd.quasi_p(y, within(), within(side)) == pytest.approx(lim[f"qp_{side}"], rel=1e-9)


def test_the_chosen_box_balances_coverage_and_density():
    boxes = [{"coverage": 1.0, "density": 0.2, "restricted": 0}, {"coverage": 0.9, "density": 0.9, "restricted": 2},
             {"coverage": 0.9, "density": 0.9, "restricted": 1}, {"coverage": 0.3, "density": 1.0, "restricted": 3}]
    assert sd.choose(boxes) == 2


def tree(root):
    """Every file with its modification time, and every folder (a folder's own time changes when the output
    location is probed, a file created and removed at once)."""
    return {str(p.relative_to(root)): p.stat().st_mtime_ns if p.is_file() else "folder"
            for p in sorted(root.rglob("*"))}


def test_discover_prints_the_box_writes_the_table_and_the_report_shows_it(store):
    out, _ = store
    args = ["discover", str(out), "--outcome", "public_school_share", "--group", "migrant", "--arm", "pilot",
            "--effect", "--below", "0.05"]
    result = runner.invoke(app, args)
    text = " ".join(result.output.split())
    assert result.exit_code == 0, result.output
    assert f"of {POINTS * REPS} pairs of runs" in text
    assert "behaviour.reg_const <= " in text and "behaviour.left_behind_const >= " in text and "chosen box" in text
    table = pd.read_csv(out / "discovery" / "public_school_share-migrant-pilot_vs_base-below_0.05-prim.csv")
    assert table["chosen"].sum() == 2  # the chosen box, one row per restricted parameter
    assert set(table[table["chosen"]]["parameter"]) == set(PARAMS)
    assert {"coverage", "density", "mass", "rule", "low", "high", "design_low", "design_high", "qp_low",
            "qp_high"} <= set(table.columns)
    assert table["box"].nunique() > 5  # the whole peeling trajectory
    assert not list(out.rglob(".*.tmp-*"))
    record = json.loads((out / "discovery" / "public_school_share-migrant-pilot_vs_base-below_0.05-prim.json")
                        .read_text())
    assert record["boxes"][record["chosen"]]["coverage"] >= 0.9
    from abm.sweep.report import discovery_section

    page = "\n".join(discovery_section(out, POINTS * REPS * 2))
    assert "<h2>Scenario discovery</h2>" in page and page.count("data:image/png;base64,") == 2
    assert "behaviour.reg_const &lt;= " in page and "significant" in page
    assert "run <code>abm discover</code> again" in "\n".join(discovery_section(out, 7))  # a resumed sweep


def test_no_case_of_interest_is_bad_input_and_writes_nothing(store):
    out, _ = store
    before = tree(out)
    result = runner.invoke(app, ["discover", str(out), "--outcome", "public_school_share", "--group", "migrant",
                                 "--arm", "pilot", "--effect", "--below", "-1"])
    text = " ".join(result.output.split())
    assert result.exit_code == 2 and text.count("error:") == 1, result.output
    assert "no cases of interest" in text and "values 0.01 .. 0.2" in text
    assert tree(out) == before


def test_the_export_holds_the_store(store):
    out, manifest = store
    experiments, outcomes = ema_results(out, [("public_school_share", "migrant"), ("departures", "migrant")],
                                        series=True)
    n = POINTS * REPS * 2
    assert list(experiments.columns) == [*PARAMS, "scenario", "policy", "model"] and len(experiments) == n
    assert list(experiments["policy"][:2]) == ["base", "base"] and list(experiments["policy"][-1:]) == ["pilot"]
    assert set(experiments["model"]) == {"abm_zhengzhou"}
    k, r = 7, 1  # the base arm's run of point 7, replicate 1
    row = 7 * REPS + r
    assert int(experiments["scenario"].iloc[row]) == k * REPS + r
    for name in PARAMS:
        assert experiments[name].iloc[row] == manifest["design"]["points"][k][name]
    h = history(0.0, np.random.default_rng([k, r, len("base")]))
    assert outcomes[outcome_name("departures", "migrant")][row] == h[-12:, INDEX["departures"], G, 2].sum()
    assert np.array_equal(outcomes["departures__migrant__series"][row], h[1:, INDEX["departures"], G, 2])
    share = outcomes["public_school_share__migrant"]
    pilot = share[n // 2:] - share[: n // 2]  # same scenario order in both policies: the rows pair
    assert np.array_equal(experiments["scenario"][: n // 2].to_numpy(), experiments["scenario"][n // 2:].to_numpy())
    assert np.allclose(pilot, [0.01 if inside(manifest["design"]["points"][p]) else 0.2
                               for p in range(POINTS) for _ in range(REPS)])
    assert outcomes["TIME"].shape == (n, MONTHS) and outcomes["TIME"][0, -1] == MONTHS


def test_the_ema_file_has_ema_workbenchs_layout(store, tmp_path):
    out, _ = store
    path, runs = save_ema(out, tmp_path / "ema.tar.gz", [("public_school_share", "migrant")], series=True)
    experiments, outcomes = ema_results(out, [("public_school_share", "migrant")], series=True)
    with tarfile.open(path, "r:gz") as archive:
        meta = json.loads(archive.extractfile("metadata.json").read())
        assert meta["version"] == 0.1 and meta["experiments"]["scenario"] == "category"
        assert meta["experiments"]["behaviour.reg_const"] == "float64"
        assert [o[0] for o in meta["outcomes"]] == ["ScalarOutcome", "ArrayOutcome", "ArrayOutcome"]
        table = pd.read_csv(archive.extractfile("experiments.csv"))
        assert table[list(PARAMS)].equals(experiments[list(PARAMS)]) and len(table) == runs
        for kind, name, file in meta["outcomes"]:
            values = pd.read_csv(archive.extractfile(file), header=None).to_numpy()
            assert np.array_equal(values.reshape(outcomes[name].shape), outcomes[name])  # exact: floats round-trip


def test_ema_workbench_loads_the_export(store, tmp_path):
    ema = pytest.importorskip("ema_workbench", reason="ema_workbench is not installed in this environment")
    out, _ = store
    result = runner.invoke(app, ["export", str(out), "--to", "ema", "--out", str(tmp_path / "e.tar.gz"),
                                 "--series"])
    assert result.exit_code == 0, result.output
    with sd._quiet():
        experiments, outcomes = ema.load_results(str(tmp_path / "e.tar.gz"))
    mine, theirs = ema_results(out, series=True)
    assert experiments[list(PARAMS)].equals(mine[list(PARAMS)])
    assert list(experiments["policy"].astype(str)) == list(mine["policy"].astype(str))
    assert str(experiments["scenario"].dtype) == "category"
    assert set(outcomes) == set(theirs)
    for name, values in theirs.items():
        assert np.array_equal(outcomes[name], values, equal_nan=True), name


def test_the_python_api_checks_the_query_and_exports(store):
    from abm import api
    from abm.config import ConfigError

    out, _ = store
    with pytest.raises(ConfigError) as err:
        api.discover(out, "nope", group="aliens", below=1, above=2, arm="pilot")
    assert len(err.value.problems) == 3  # the indicator, the group, both --below and --above
    found = api.discover(out, "public_school_share", group="migrant", below=0.05, arm="pilot", effect=True,
                         method="cart")
    assert found.box["coverage"] == 1 and not list(out.rglob("*-cart.*"))  # write=False writes nothing
    experiments, outcomes = api.ema_results(out, ["public_school_share", ("departures", "migrant")])
    assert set(outcomes) == {"public_school_share__all", "departures__migrant"} and len(experiments) == 160
    with pytest.raises(ConfigError):
        api.ema_results(out, [("departures", "aliens")])
