"""What the commands print besides results: that the first run compiles the kernels (a minute with no progress),
and none of Ray's own log lines."""

import os
import shutil
import subprocess

import numba
from typer.testing import CliRunner

from abm import jitcache
from abm.cli import app
from abm.runner import COMPILING


def test_the_cache_is_cold_until_a_kernel_index_is_in_it(tmp_path, monkeypatch):
    folder = tmp_path / "abm-digest"
    monkeypatch.setattr(numba.config, "CACHE_DIR", str(folder))
    assert jitcache.cold()
    (folder / "abm" / "kernels").mkdir(parents=True)
    assert jitcache.cold()  # folders alone are no cache
    (folder / "abm" / "kernels" / "labour.match_jobs-65.py311.nbi").write_bytes(b"index")
    assert not jitcache.cold()


def test_run_says_it_compiles_only_when_the_cache_is_cold(tmp_path, monkeypatch):
    config = tmp_path / "small.yaml"
    config.write_text("name: small\ncity: yanta\nhouseholds: 100\nhorizon_months: 2\nseed: 5\n")
    runner = CliRunner()
    monkeypatch.setattr(jitcache, "cold", lambda: True)
    cold = runner.invoke(app, ["run", str(config), "--out", str(tmp_path / "a"), "-q"])
    assert cold.exit_code == 0, cold.output
    assert COMPILING in cold.output
    monkeypatch.undo()
    assert not jitcache.cold()  # the run above left this version's kernels in the cache
    warm = runner.invoke(app, ["run", str(config), "--out", str(tmp_path / "b"), "-q"])
    assert warm.exit_code == 0, warm.output
    assert COMPILING not in warm.output


def test_a_quiet_sweep_on_ray_prints_nothing_on_stderr(tmp_path, ray_address):
    config = tmp_path / "tiny.yaml"
    config.write_text("name: tiny\nbase: {name: t, city: yanta, households: 100, horizon_months: 2, seed: 3}\n"
                      "arms: {status_quo: [baseline]}\nreplicates: 1\n")
    env = dict(os.environ, RAY_ADDRESS=ray_address)  # the session's cluster (conftest): no start-up to wait for
    res = subprocess.run([shutil.which("abm"), "sweep", str(config), "--address", ray_address, "-q", "--out",
                          str(tmp_path / "out")], capture_output=True, text=True, env=env, timeout=300)
    assert res.returncode == 0, res.stderr
    assert res.stderr == ""  # Ray says "Connecting to existing Ray cluster", and more, at INFO level
    assert "1 run ok" in res.stdout


def test_the_scorecard_says_it_compiles_when_the_cache_is_cold(tmp_path, monkeypatch, ray_address):
    monkeypatch.setattr(jitcache, "cold", lambda: True)
    res = CliRunner().invoke(app, ["scorecard", "--cities", "yiwu", "--replicates", "1", "--households", "100",
                                   "--address", ray_address, "--out", str(tmp_path / "card"), "-q"])
    assert res.exit_code == 0, res.output
    assert COMPILING in res.output
    bad = CliRunner().invoke(app, ["scorecard", "--cities", "atlantis", "--out", str(tmp_path / "bad"), "-q"])
    assert bad.exit_code == 2 and COMPILING not in bad.output  # nothing is compiled for input that cannot run
