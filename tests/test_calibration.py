"""Calibration: target files, the ABC-SMC sampler, recovery of known values, determinism and resume."""

import json
import shutil

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from abm.calibration import abc, kernels
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

def test_prior_density_integrates_to_one():
    prior = abc.Prior(("a", "b"), np.array([-1.0, 0.01]), np.array([1.0, 1.0]), np.array([False, True]))
    x = prior.sample(np.random.default_rng(0), 20000)
    assert prior.inside(x).all()
    assert np.mean(np.log10(x[:, 1]) < -1) == pytest.approx(0.5, abs=0.02)  # log-uniform: half below 0.1
    grid_a, grid_b = np.linspace(-1, 1, 401), np.geomspace(0.01, 1, 4001)
    dens = prior.density(np.array([[a, b] for a in grid_a[::40] for b in grid_b]))
    per_a = dens.reshape(len(grid_a[::40]), -1)
    assert np.trapezoid(per_a[0], grid_b) * 2 == pytest.approx(1.0, rel=1e-3)


def _last_generation(prior, n=60, seed=0):
    rng = np.random.default_rng(seed)
    x = prior.sample(rng, n)
    w = rng.random(n) + 0.5
    return abc.Generation(0, np.inf, x, w / w.sum(), rng.random(n), np.zeros((n, 1)), np.zeros(n, np.int64), n)


@pytest.mark.parametrize("parents", kernels.PARENTS)
@pytest.mark.parametrize("kernel", kernels.KERNELS)
def test_proposals_stay_inside_and_their_weights_undo_the_kernel(kernel, parents):
    """Weights prior / q of proposals drawn from q (inside the prior) must give back the prior: the density
    used for the weights is the one the proposals were drawn from."""
    prior = abc.Prior(("a", "b"), np.array([-1.0, 0.0]), np.array([1.0, 2.0]), np.array([False, False]))
    prev = _last_generation(prior)
    q = abc.transition(abc.Settings(kernel=kernel, parents=parents), prev, 0.5)
    moved = abc.propose(np.random.default_rng(1), prior, q, 40000)
    assert prior.inside(moved).all()
    w = abc.weights_for(moved, prior, q)
    assert w.sum() == pytest.approx(1.0) and (w > 0).all()
    assert w @ moved == pytest.approx([0.0, 1.0], abs=0.03)  # the prior's mean
    assert w @ (moved[:, 0] < -0.5) == pytest.approx(0.25, abs=0.02)  # and its quarters
    assert w @ (moved[:, 1] > 1.5) == pytest.approx(0.25, abs=0.02)


@pytest.mark.parametrize("parents", kernels.PARENTS)
@pytest.mark.parametrize("kernel", kernels.KERNELS)
def test_a_kernels_density_is_the_density_of_its_draws(kernel, parents):
    rng = np.random.default_rng(2)
    centres = rng.normal(size=(8, 2))
    w = rng.random(8)
    q = kernels.fit(kernel, centres, w / w.sum(), np.arange(8.0), 3.5, parents)  # the first four are within
    x = q.sample(rng, 100_000)
    box = (np.abs(x[:, 0] - 0.3) < 0.5) & (np.abs(x[:, 1] + 0.2) < 0.5)
    g = np.linspace(-0.2, 0.8, 101)
    h = np.linspace(-0.7, 0.3, 101)
    grid = np.array([[a, b] for a in g for b in h])
    mass = np.trapezoid(np.trapezoid(q.density(grid).reshape(101, 101), h, axis=1), g)
    assert box.mean() == pytest.approx(mass, abs=0.005)


def test_each_kernel_moves_its_parents_as_its_definition_says():
    rng = np.random.default_rng(3)
    x, d = rng.normal(size=(30, 3)), rng.random(30)
    w = rng.random(30)
    w /= w.sum()
    near = d <= 0.4
    v = w[near] / w[near].sum()
    q = kernels.fit("olcm", x, w, d, 0.4, "all")
    for j in (0, 7, 29):  # each particle's own covariance: the spread of those within the tolerance about it
        expected = sum(vk * np.outer(xk - x[j], xk - x[j]) for vk, xk in zip(v, x[near]))
        assert q.covs[j] == pytest.approx(expected, rel=1e-9, abs=1e-12)
    q = kernels.fit("twice_covariance", x, w, d, 0.4, "all")
    assert q.covs == pytest.approx(2 * np.cov(x, aweights=w, rowvar=False, bias=True), rel=1e-9)
    q = kernels.fit("silverman", x, w, d, 0.4, "within")
    assert np.array_equal(q.centres, x[near]) and q.weights == pytest.approx(v)
    n = 1 / (v ** 2).sum()
    assert q.covs == pytest.approx(np.cov(x[near], aweights=v, rowvar=False) * (4 / (n * 5)) ** (2 / 7), rel=1e-9)
    few = kernels.fit("silverman", x, w, np.where(np.arange(30) < 3, 0.0, 1.0), 0.5, "within")
    assert len(few.centres) == 30  # three within cannot span three dimensions: every particle is a parent


def _old_generation_step(rng, prior, prev, n):
    """The sampler's move before issue 17, kept here verbatim as the reference for its selectable form."""
    d = prev.particles.shape[1]
    diff = prev.particles - prev.weights @ prev.particles
    cov = 2.0 * (diff.T * prev.weights) @ diff
    cov = cov + np.eye(d) * 1e-12 * max(1.0, float(np.abs(cov).max()))
    chol = np.linalg.cholesky(cov)
    out = np.empty((0, d))
    while len(out) < n:
        idx = rng.choice(len(prev.weights), size=n, p=prev.weights)
        cand = prev.particles[idx] + rng.standard_normal((n, d)) @ chol.T
        out = np.vstack([out, cand[prior.inside(cand)]])
    out = out[:n]
    inv = np.linalg.inv(cov)
    norm = 1.0 / np.sqrt((2 * np.pi) ** d * np.linalg.det(cov))
    dd = out[:, None, :] - prev.particles[None, :, :]
    w = prior.density(out) / ((norm * np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", dd, inv, dd))) @ prev.weights)
    return out, w / w.sum()


def test_the_old_sampler_is_still_there_bit_for_bit():
    prior = abc.Prior(("a", "b"), np.array([-1.0, 0.01]), np.array([1.0, 1.0]), np.array([False, True]))
    prev = _last_generation(prior)
    q = abc.transition(abc.Settings(kernel="twice_covariance", parents="all"), prev, 0.5)
    moved = abc.propose(np.random.default_rng(4), prior, q, 300)
    old, old_w = _old_generation_step(np.random.default_rng(4), prior, prev, 300)
    assert np.array_equal(moved, old) and np.array_equal(abc.weights_for(moved, prior, q), old_w)


def test_adaptive_rounds_are_sized_to_the_acceptance_rate():
    s = abc.Settings(particles=100, rounds="adaptive")
    prev = abc.Generation(0, np.inf, np.zeros((100, 1)), np.full(100, 0.01), np.zeros(100), np.zeros((100, 1)),
                          np.zeros(100, np.int64), 400)
    assert abc.round_size(s, None, 0, 0, 0) == 100  # the prior: every proposal is accepted
    assert abc.round_size(s, prev, 0, 0, 0) == 400  # the last generation accepted one in four
    prev.passed = 125  # and 25 more within its tolerance after its 100th: one in 3.2
    assert abc.round_size(s, prev, 0, 0, 0) == 320
    assert abc.round_size(s, prev, 40, 400, 400) == 600  # this one accepts one in ten so far
    assert abc.round_size(s, prev, 0, 400, 400) == 800  # nothing yet: twice the last round
    assert abc.round_size(s, prev, 99, 300, 300) == abc.MIN_ROUND
    assert abc.round_size(abc.Settings(particles=100, rounds="fixed"), prev, 40, 400, 100) == 100


def _toy_run(rounds="adaptive", calls=None, **sampler):
    """A toy model: y = theta + noise; the posterior should sit on the observation."""
    prior = abc.Prior(("theta",), np.array([-10.0]), np.array([10.0]), np.array([False]))
    s = abc.Settings(particles=200, generations=6, seed=5, rounds=rounds, **sampler)

    def evaluate(theta, seeds):
        if calls is not None:
            calls.append(len(theta))
        noise = np.array([np.random.default_rng(int(sd)).normal(0, 0.2) for sd in seeds])
        y = theta[:, 0] + noise
        return np.abs(y - 2.5), y[:, None]

    gens = [None]
    for t in range(s.generations):
        gens.append(abc.next_generation(prior, s, gens[-1], t, evaluate, 10**6))
    return gens[1:]


@pytest.mark.parametrize("rounds", abc.ROUNDS)
@pytest.mark.parametrize("parents", kernels.PARENTS)
@pytest.mark.parametrize("kernel", kernels.KERNELS)
def test_the_sampler_recovers_a_known_mean_with_normalised_weights(kernel, parents, rounds):
    gens = _toy_run(rounds, kernel=kernel, parents=parents)
    for gen in gens:
        assert gen.weights.sum() == pytest.approx(1.0) and (gen.weights >= 0).all()
    lo, hi = abc.weighted_quantile(gens[-1].particles[:, 0], gens[-1].weights, [0.025, 0.975])
    assert lo < 2.5 < hi and hi - lo < 1.5


def test_adaptive_rounds_cost_what_the_acceptance_needs_not_a_multiple_of_the_particles():
    calls = []
    adaptive = _toy_run("adaptive", calls)
    fixed = _toy_run("fixed")
    assert all(g.proposed % 200 == 0 for g in fixed)
    assert any(g.proposed % 200 for g in adaptive[1:])
    assert sum(g.proposed for g in adaptive) < sum(g.proposed for g in fixed)
    assert sum(calls) == sum(g.proposed for g in adaptive)
    assert all(g.passed >= len(g.weights) for g in adaptive)
    again = _toy_run("adaptive")
    for a, b in zip(adaptive, again):  # the seed alone fixes the rounds and the draws
        assert np.array_equal(a.particles, b.particles) and a.proposed == b.proposed


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
