"""The first run says that it compiles the kernels (a minute with no progress), and later runs do not."""

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
