import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from abm.cli import app
from abm.indicators import NAMES

runner = CliRunner()


@pytest.fixture
def config(tmp_path):
    path = tmp_path / "small.yaml"
    path.write_text("name: small\ncity: changshu\nhouseholds: 300\nhorizon_months: 6\nseed: 5\n")
    return path


def test_run_writes_indicators_households_and_manifest(config, tmp_path):
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(config), "--out", str(out), "--months", "4"])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.output and "household-steps/s" in result.output
    ind = pd.read_parquet(out / "indicators.parquet")
    assert list(ind.columns) == ["step", "group", "sex", "indicator", "value"]
    assert set(ind["indicator"]) == set(NAMES)
    assert set(ind["group"]) == {"migrant", "land_losing_farmer", "urban_poor", "all"}
    assert set(ind["sex"]) == {"female", "male", "all"}
    assert ind["step"].max() == 4 and not ind["value"].isna().any()
    hh = pd.read_parquet(out / "households.parquet")
    assert {"group", "tenure", "hukou", "school", "status"} <= set(hh.columns)
    man = json.loads((out / "manifest.json").read_text())
    assert man["seed"] == 5 and man["engine"] == "numba" and man["config"]["horizon_months"] == 4
    assert {"compile_seconds", "init_seconds", "step_seconds"} <= set(man["timings"])
    assert {"mesa", "numba", "numpy"} <= set(man["versions"])
    assert len(man["inputs"]["config"]["sha256"]) == 64 and "city_profile" in man["inputs"]
    assert "commit" in man["git"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.tmp")]


def test_bad_config_exits_2_names_both_fields_and_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: bad\ncity: yiwu\nhouseholds: 100\nhorizon_months: -3\nseed: 1\nflavour: sour\n")
    out = tmp_path / "out"
    result = runner.invoke(app, ["run", str(bad), "--out", str(out)])
    assert result.exit_code == 2
    assert "horizon_months" in result.output and "flavour" in result.output
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [bad]


def test_missing_config_and_taken_output_exit_2(config, tmp_path):
    assert runner.invoke(app, ["run", str(tmp_path / "nope.yaml")]).exit_code == 2
    taken = tmp_path / "taken"
    taken.mkdir()
    (taken / "keep.txt").write_text("mine")
    result = runner.invoke(app, ["run", str(config), "--out", str(taken)])
    assert result.exit_code == 2 and "already exists" in result.output
    assert [p.name for p in taken.iterdir()] == ["keep.txt"]


def test_command_line_overrides_are_validated_too(config):
    result = runner.invoke(app, ["run", str(config), "--households", "3"])
    assert result.exit_code == 2 and "households" in result.output


def test_validate(config, tmp_path):
    ok = runner.invoke(app, ["validate", str(config)])
    assert ok.exit_code == 0 and "valid" in ok.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncity: nowhere\nhouseholds: 100\nhorizon_months: 3\nseed: 1\npolicies: [utopia]\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2 and "nowhere" in result.output and "utopia" in result.output


def test_policies_lists_parameters_with_ranges_units_and_sources():
    result = runner.invoke(app, ["policies"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    for text in ("baseline", "hukou_quota_share", "pension_employer", "0.18", "002_777f4d6435f8d24d"):
        assert text in result.output
    assert runner.invoke(app, ["policies", "nothing"]).exit_code == 2


def test_engines_write_equal_tables(config, tmp_path):
    for engine in ("numba", "mesa"):
        r = runner.invoke(app, ["run", str(config), "--engine", engine, "--out", str(tmp_path / engine), "-q"])
        assert r.exit_code == 0, r.output
    a = pd.read_parquet(tmp_path / "numba" / "indicators.parquet")
    b = pd.read_parquet(tmp_path / "mesa" / "indicators.parquet")
    pd.testing.assert_frame_equal(a, b, check_exact=False, rtol=1e-9)


def test_parameters_lists_behaviour_parameters():
    result = runner.invoke(app, ["parameters"], env={"COLUMNS": "250"})
    assert result.exit_code == 0
    assert "match_efficiency" in result.output and "hazard_migrant" in result.output


def test_conflicting_policies_exit_2_naming_both_and_precedence_settles_it(tmp_path):
    path = tmp_path / "clash.yaml"
    path.write_text("name: clash\ncity: yiwu\nhouseholds: 100\nhorizon_months: 2\nseed: 1\npolicies: [yiwu, kunshan]\n")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert str(path) in result.output and "'yiwu' and 'kunshan'" in result.output and "school_rule" in result.output
    path.write_text(path.read_text() + "precedence: {school_rule: kunshan}\n")
    assert runner.invoke(app, ["validate", str(path)]).exit_code == 0


def test_validate_recognises_run_sweep_and_calibration_configs_and_says_which(tmp_path):
    root = Path(__file__).resolve().parents[1] / "configs"
    for path, kind in ((root / "quickstart.yaml", "run"), (root / "sweeps" / "smoke.yaml", "sweep"),
                       (root / "calibration" / "recovery.yaml", "calibration")):
        result = runner.invoke(app, ["validate", str(path)])
        assert result.exit_code == 0, result.output
        assert f"a valid {kind} config" in result.output
    bad = tmp_path / "bad_sweep.yaml"
    bad.write_text("name: s\nbase: {city: yiwu, households: 100, horizon_months: 2, seed: 1}\n"
                   "arms: {a: [baseline]}\nreplicates: 0\n")
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "read as a sweep config: it has arms, replicates" in text and "1 problem(s)" in text
    assert "replicates: 0 is out of range" in text
