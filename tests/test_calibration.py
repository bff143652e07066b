"""Calibration: target files, the ABC-SMC sampler, recovery of known values, determinism and resume."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from abm.calibration import abc
from abm.calibration.config import load_calibration
from abm.calibration.run import calibrate
from abm.calibration.targets import TargetError, load_targets, validate_targets
from abm.cli import app

runner = CliRunner()

SMALL = """name: small
base: {{city: zhengzhou, households: 600, horizon_months: 24, seed: 1}}
parameters:
  behaviour.reg_const: {{low: -6.0, high: -2.0}}
  behaviour.hazard_migrant: {{low: 0.002, high: 0.02, prior: loguniform}}
recovery:
  truth: {{behaviour.reg_const: -4.0, behaviour.hazard_migrant: 0.006}}
  targets:
    - {{indicator: registration_rate, group: migrant, when: 12}}
    - {{indicator: registration_rate, group: migrant, when: 24}}
    - {{indicator: households, group: migrant, when: 12}}
    - {{indicator: households, group: migrant, when: 24}}
  runs: 6
  seed: 7
abc: {{particles: {particles}, generations: {generations}, seed: 3}}
"""


def write_config(folder, particles=60, generations=5, name="small.yaml"):
    path = folder / name
    path.write_text(SMALL.format(particles=particles, generations=generations))
    return path


# ---- targets -------------------------------------------------------------------------------------

def test_a_good_targets_file_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_text("indicator,group,sex,when,observed,sd,weight,source\n"
                    "registration_rate,migrant,all,12,0.6,0.02,1,survey\n"
                    "migrant_share_of_residents,all,,horizon,0.27,,,seed 001\n")
    t = load_targets(path, horizon=36)
    assert list(t["step"]) == [12, 36] and list(t["sex"]) == ["all", "all"] and list(t["weight"]) == [1.0, 1.0]


@pytest.mark.parametrize("rows, expected", [
    ("indicator,group,when\nregistration_rate,migrant,12\n", "missing column(s): observed"),
    ("indicator,group,when,observed\nhappiness,migrant,12,0.5\n", "row 2: indicator 'happiness' is unknown"),
    ("indicator,group,when,observed\nregistration_rate,migrant,12,1.4\n", "must lie in [0, 1]"),
    ("indicator,group,when,observed\nregistration_rate,martians,12,0.4\n", "group 'martians' is unknown"),
    ("indicator,group,when,observed\nregistration_rate,migrant,99,0.4\n", "when 99 must be a step (0 .. 36)"),
    ("indicator,group,when,observed\nmigrant_share_of_residents,migrant,12,0.3\n", "its group must be 'all'"),
    ("indicator,group,when,observed,sd\nhouseholds,migrant,12,500,-1\n", "sd must be positive"),
    ("indicator,group,when,observed,colour\nhouseholds,migrant,12,500,red\n", "unknown column(s): colour"),
])
def test_bad_target_files_are_named(tmp_path, rows, expected):
    path = tmp_path / "t.csv"
    path.write_text(rows)
    with pytest.raises(TargetError) as exc:
        load_targets(path, horizon=36)
    assert expected in str(exc.value)


def test_every_bad_row_is_listed_and_the_cli_exits_2(tmp_path):
    (tmp_path / "t.csv").write_text("indicator,group,when,observed\nhappiness,migrant,12,0.5\n"
                                    "registration_rate,migrant,12,-0.1\n")
    cfg = tmp_path / "c.yaml"
    cfg.write_text("name: c\nbase: {city: zhengzhou, households: 300, horizon_months: 24, seed: 1}\n"
                   "parameters: {behaviour.reg_const: {low: -6, high: -2}}\ntargets: t.csv\n")
    result = runner.invoke(app, ["calibrate", str(cfg), "--out", str(tmp_path / "o")])
    assert result.exit_code == 2
    assert "row 2: indicator 'happiness'" in result.output and "row 3: observed -0.1" in result.output
    assert not (tmp_path / "o").exists()


def test_bad_calibration_configs_are_named(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("name: c\nbase: {city: zhengzhou, households: 300, horizon_months: 24, seed: 1}\n"
                   "parameters:\n  behaviour.reg_const: {low: -60, high: -2}\n  behaviour.nope: {low: 0, high: 1}\n"
                   "  kunshan.rent_share: {low: 0, high: 0.5}\n"
                   "recovery: {truth: {behaviour.reg_const: 3}, targets: [{indicator: households, when: 99}]}\n"
                   "abc: {particles: 50, max_evaluations: 20}\n")
    result = runner.invoke(app, ["calibrate", str(cfg)])
    assert result.exit_code == 2
    assert "abc: max_evaluations (20) must be at least particles (50)" in result.output
    cfg.write_text(cfg.read_text().replace("max_evaluations: 20", "max_evaluations: 500"))
    result = runner.invoke(app, ["calibrate", str(cfg)])
    assert result.exit_code == 2
    for part in ("parameters.behaviour.reg_const: prior bound -60.0 is out of range",
                 "parameters.behaviour.nope: unknown behaviour parameter",
                 "parameters.kunshan.rent_share: the base run has no policy 'kunshan'",
                 "recovery.truth.behaviour.reg_const: 3 lies outside its prior",
                 "recovery.targets[0]: when 99 must be a step"):
        assert part in result.output, part


def test_derived_targets_match_the_city_profile_at_the_start(spec_factory):
    from abm.calibration.targets import Extractor
    from abm.world import World

    t = validate_targets(pd.DataFrame([
        {"indicator": "migrant_share_of_residents", "group": "all", "when": 0, "observed": 0.3},
        {"indicator": "urban_hukou_share_of_local_hukou", "group": "all", "when": 0, "observed": 0.5}]))
    world = World(spec_factory(households=3000))
    got = Extractor.of(t)(np.asarray(world.history), world.background_urban)
    prof = world.spec.profile
    assert got[0] == pytest.approx(prof.migrants / prof.residents, abs=0.01)
    assert got[1] == pytest.approx(prof.urban_share_of_local_hukou, abs=0.01)


# ---- the sampler ---------------------------------------------------------------------------------

def test_prior_density_integrates_to_one_and_proposals_stay_inside():
    prior = abc.Prior(("a", "b"), np.array([-1.0, 0.01]), np.array([1.0, 1.0]), np.array([False, True]))
    rng = np.random.default_rng(0)
    x = prior.sample(rng, 20000)
    assert prior.inside(x).all()
    assert np.mean(np.log10(x[:, 1]) < -1) == pytest.approx(0.5, abs=0.02)  # log-uniform: half below 0.1
    grid_a, grid_b = np.linspace(-1, 1, 401), np.geomspace(0.01, 1, 4001)
    dens = prior.density(np.array([[a, b] for a in grid_a[::40] for b in grid_b]))
    per_a = dens.reshape(len(grid_a[::40]), -1)
    assert np.trapezoid(per_a[0], grid_b) * 2 == pytest.approx(1.0, rel=1e-3)
    prev = abc.Generation(0, np.inf, x[:50], np.full(50, 1 / 50), np.zeros(50), np.zeros((50, 1)),
                          np.zeros(50, np.int64), 50)
    moved = abc.propose(np.random.default_rng(1), prior, prev, 500)
    assert prior.inside(moved).all()
    w = abc.weights_for(moved, prior, prev)
    assert w.sum() == pytest.approx(1.0) and (w > 0).all()


def test_the_sampler_recovers_a_known_mean_with_normalised_weights():
    """A toy model: y = theta + noise; the posterior should sit on the observation."""
    prior = abc.Prior(("theta",), np.array([-10.0]), np.array([10.0]), np.array([False]))
    s = abc.Settings(particles=200, generations=6, seed=5)
    observed = 2.5

    def evaluate(theta, seeds):
        noise = np.array([np.random.default_rng(int(sd)).normal(0, 0.2) for sd in seeds])
        y = theta[:, 0] + noise
        return np.abs(y - observed), y[:, None]

    gen = None
    for t in range(s.generations):
        gen = abc.next_generation(prior, s, gen, t, evaluate, 10**6)
        assert gen.weights.sum() == pytest.approx(1.0) and (gen.weights >= 0).all()
    lo, hi = abc.weighted_quantile(gen.particles[:, 0], gen.weights, [0.025, 0.975])
    assert lo < observed < hi and hi - lo < 1.5


# ---- end to end on Ray -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def recovered(tmp_path_factory, ray_address):
    folder = tmp_path_factory.mktemp("cal")
    out = folder / "out"
    result = calibrate(load_calibration(write_config(folder)), out, workers=2)
    return folder, out, result


def test_recovery_puts_the_true_values_inside_narrow_intervals(recovered):
    _, out, result = recovered
    summary = json.loads((out / "summary.json").read_text())
    for name, p in summary["parameters"].items():
        assert p["ci_low"] <= p["true"] <= p["ci_high"], name
        assert (p["ci_high"] - p["ci_low"]) < 0.5 * (p["prior_high"] - p["prior_low"]), name
    post = pd.read_parquet(out / "posterior.parquet")
    assert len(post) == 60 and post["weight"].sum() == pytest.approx(1.0) and (post["weight"] >= 0).all()
    assert {t["indicator"] for t in summary["targets"]} == {"registration_rate", "households"}
    for t in summary["targets"]:
        assert t["ci_low"] <= t["simulated"] <= t["ci_high"]
    calibrated = (out / "calibrated.yaml").read_text()
    assert "reg_const:" in calibrated and "hazard_migrant:" in calibrated
    page = (out / "report.html").read_text()
    assert page.count('src="data:image/png;base64,') == 3 and "Synthetic population against its marginals" in page
    fit = pd.read_csv(out / "population_fit.csv")
    assert fit["draw"].nunique() == 3 and (fit["max_abs_gap"] <= 1.0 + 1e-9).all()


def test_calibration_is_deterministic_for_a_seed_whatever_the_workers(recovered, tmp_path):
    folder, out, _ = recovered
    again = tmp_path / "again"
    calibrate(load_calibration(write_config(folder)), again, workers=1)
    pd.testing.assert_frame_equal(pd.read_parquet(again / "posterior.parquet"),
                                  pd.read_parquet(out / "posterior.parquet"))


def test_resume_finishes_from_the_last_generation_with_the_same_posterior(recovered, tmp_path):
    folder, out, result = recovered
    partial = tmp_path / "partial"
    shutil.copytree(out, partial)
    for name in ("gen_03.parquet", "gen_04.parquet"):
        (partial / "generations" / name).unlink()
    (partial / "posterior.parquet").unlink()
    result = runner.invoke(app, ["calibrate", str(write_config(folder)), "--out", str(partial), "--resume", "-q",
                                 "--workers", "2"])
    assert result.exit_code == 0, result.output
    pd.testing.assert_frame_equal(pd.read_parquet(partial / "posterior.parquet"),
                                  pd.read_parquet(out / "posterior.parquet"))
    other = write_config(folder, particles=40, name="other.yaml")
    result = runner.invoke(app, ["calibrate", str(other), "--out", str(partial), "--resume", "-q"])
    assert result.exit_code == 2 and "holds a different calibration" in result.output


def test_city_targets_are_the_seed_and_external_figures():
    """Each city's targets file holds its seed facts marked `target` (converted to shares where needed) and
    its external facts marked `calibrate`, with the same values, months and growth spans."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[1] / "configs"
    facts = pd.read_csv(root / "cities" / "seed_facts.csv")
    facts = facts.set_index(["site", "year", "indicator"])["value"]
    ext = pd.read_csv(root / "cities" / "external_facts.csv")
    ext = ext[ext["role"] == "calibrate"]
    external_rows = 0
    for city in ("zhengzhou", "yanta", "jinnan", "changshu", "kunshan"):
        t = load_targets(root / "calibration" / "targets" / f"{city}.csv")
        share = t.set_index(["indicator", "when"])["observed"]
        if city == "kunshan":
            assert share[("population", 12)] == facts[(city, 2009, "migrant_population")]
        else:
            if (city, 2009, "migrant_population") in facts:
                expected = facts[(city, 2009, "migrant_population")] / facts[(city, 2009, "resident_population")]
            else:
                expected = facts[(city, 2009, "migrant_share_of_residents")]
            assert share[("migrant_share_of_residents", 12)] == pytest.approx(expected, abs=1e-4)
            urban = facts[(city, 2009, "urban_hukou_share_of_local_hukou")]
            assert share[("urban_hukou_share_of_local_hukou", 12)] == urban
        for r in ext[ext["site"] == city].itertuples():  # profiles start in 2009: year Y ends at 12 * (Y - 2008)
            since = -1 if pd.isna(r.since) else 12 * (int(r.since) - 2008)
            row = t[(t["indicator"] == r.indicator) & (t["group"] == r.group) & (t["step"] == 12 * (r.year - 2008))
                    & (t["since"] == since)]
            assert len(row) == 1 and row["observed"].iloc[0] == pytest.approx(r.value), (city, r.indicator)
            external_rows += 1
        assert load_calibration(root / "calibration" / f"{city}.yaml").targets is not None
    assert external_rows == len(ext) == 4
    cs = load_targets(root / "calibration" / "targets" / "changshu.csv").set_index(["indicator", "group"])
    for indicator, fact in (("child_enrolment_rate", "migrant_children_enrolment_rate"),
                            ("public_school_share", "migrant_children_public_school_share")):
        assert cs.loc[(indicator, "migrant"), "observed"] == facts[("changshu", 2010, fact)]
