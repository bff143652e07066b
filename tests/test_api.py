"""abm.api: simulate a config with parameter values and a seed, evaluate calibration targets without Ray."""

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from abm import api
from abm.builtin import find
from abm.calibration import abc
from abm.cli import app
from abm.config import ConfigError, load_run

SMALL = {"households": 300, "horizon_months": 3}


@pytest.fixture(scope="module")
def small():
    return api.simulate("quickstart", SMALL, seed=5)


def test_simulate_returns_the_table_abm_run_writes(small, tmp_path):
    out = tmp_path / "run"
    res = CliRunner().invoke(app, ["run", "quickstart", "--households", "300", "--months", "3", "--seed", "5",
                                   "--out", str(out), "-q"])
    assert res.exit_code == 0, res.output
    written = pd.read_parquet(out / "indicators.parquet")
    pd.testing.assert_frame_equal(small, written, check_categorical=False)
    assert small.attrs["seed"] == 5 and small.attrs["households"] == 300


def test_a_file_a_mapping_a_run_config_and_a_spec_give_the_same_run(small):
    path = find("quickstart")
    cfg, spec = load_run(path, SMALL | {"seed": 5})
    mapping = cfg.model_dump()
    for config in (path, str(path)):
        assert api.simulate(config, SMALL, seed=5).equals(small), type(config)
    for config in (mapping, cfg, spec):
        assert api.simulate(config, seed=5).equals(small), type(config)


def test_a_numpy_integer_seed_is_the_same_seed(small):
    assert api.simulate("quickstart", SMALL, seed=np.int64(5)).equals(small)
    assert not api.simulate("quickstart", SMALL, seed=6).equals(small)


@pytest.mark.parametrize("seed", [5.0, np.float64(5), True, -1, 2**63, "5", None.__class__])
def test_a_seed_that_is_not_an_integer_in_range_is_refused(seed):
    with pytest.raises(ValueError) as info:
        api.simulate("quickstart", SMALL, seed=seed)
    assert isinstance(info.value, ConfigError) and "seed:" in str(info.value)


def test_parameters_and_levers_change_the_run_and_a_spec_takes_them_as_its_config_does(small):
    values = {"behaviour.hazard_migrant": 0.02, "baseline.hukou_quota_share": 0.01}
    changed = api.simulate("quickstart", SMALL | values, seed=5)
    assert not changed.equals(small)
    _, spec = load_run(find("quickstart"), SMALL | {"seed": 5})
    assert api.simulate(spec, values).equals(changed)


def test_every_problem_is_reported_at_once_by_field():
    with pytest.raises(ConfigError) as info:
        api.simulate("quickstart", {"households": True, "behaviour.nope": 1.0, "kunshan.rent_share": 0.1,
                                    "baseline.hukou_quota_share": 7, "month": 3}, seed=1.5)
    text = str(info.value)
    for field in ("seed:", "params.households:", "params.behaviour.nope:", "params.kunshan.rent_share: the "
                  "config has no policy 'kunshan'", "params.baseline.hukou_quota_share: 7 is out of range",
                  "params.month: unknown"):
        assert field in text, field
    assert len(info.value.problems) == 6


def test_an_unknown_config_names_the_built_in_ones():
    with pytest.raises(ConfigError, match="built-in run configs: .*quickstart"):
        api.simulate("no/such/config")


@pytest.fixture(scope="module")
def recovery(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cal")
    path = folder / "rec.yaml"
    path.write_text(f"name: rec\nbase: {find('quickstart')}\noverrides: {{households: 300, horizon_months: 12}}\n"
                    "parameters:\n  behaviour.reg_const: {low: -6, high: -2}\n"
                    "recovery:\n  truth: {behaviour.reg_const: -4.0}\n"
                    "  targets: [{indicator: registration_rate, group: migrant, when: 12},\n"
                    "            {indicator: households, group: migrant, when: 6}]\n"
                    "  runs: 2\n  seed: 99\n")
    return api.load_calibration(path)


def test_recovery_targets_without_ray_are_the_mean_of_evaluations_at_the_truth(recovery):
    targets = api.recovery_targets(recovery)
    rec = recovery.config.recovery
    runs = [api.evaluate(recovery, rec.truth, seed=abc.model_seed(rec.seed, 0, 0, r), draws=1, targets=targets)
            for r in range(rec.runs)]
    sims = np.array([r["simulated"].to_numpy() for r in runs])
    np.testing.assert_allclose(targets["observed"], sims.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(targets["sd"], sims.std(axis=0, ddof=1), rtol=1e-9)
    assert runs[0].attrs["distance"] > 0


def test_recovery_targets_equal_those_ray_makes(recovery, ray_address):
    from abm.calibration.run import RayEvaluator, make_recovery_targets

    evaluator = RayEvaluator(recovery, 2, None)
    try:
        on_ray = make_recovery_targets(recovery, evaluator)
    finally:
        evaluator.close()
    pd.testing.assert_frame_equal(api.recovery_targets(recovery), on_ray)


def test_evaluate_checks_values_seed_and_draws_together(recovery):
    with pytest.raises(ConfigError) as info:
        api.evaluate(recovery, {"behaviour.reg_const": 9.0, "behaviour.hazard_migrant": 0.01}, seed=0.5, draws=0)
    text = str(info.value)
    assert "values.behaviour.reg_const: 9.0 is out of range" in text
    assert "values.behaviour.hazard_migrant: not a parameter of this calibration" in text
    assert "seed:" in text and "draws:" in text


def test_a_threads_count_that_numba_cannot_use_is_refused():
    import numba

    with pytest.raises(ConfigError, match="threads"):
        api.simulate("quickstart", SMALL, seed=1, threads=numba.config.NUMBA_NUM_THREADS + 1)


def test_the_readme_example_runs():
    import contextlib
    import io
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text()
    section = readme.split("## Python API", 1)[1]
    code = re.search(r"```python\n(.*?)```", section, re.S).group(1)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        exec(compile(code, "README.md (Python API)", "exec"), {})
    assert "registration_rate" in printed.getvalue() and "distance" in printed.getvalue()
