"""Outputs are never half-written."""

import pytest

from abm import runner
from abm.config import parse_config, resolve
from abm.store import OutputExists, atomic_dir


def test_a_failure_before_the_rename_leaves_nothing(tmp_path):
    final = tmp_path / "run"
    with pytest.raises(RuntimeError):
        with atomic_dir(final) as tmp:
            (tmp / "indicators.parquet").write_text("partial")
            raise RuntimeError("disk full")
    assert not final.exists()
    assert list(tmp_path.iterdir()) == []


def test_write_outputs_failing_midway_leaves_no_partial_folder(tmp_path, monkeypatch):
    cfg = parse_config({"name": "x", "city": "yanta", "households": 100, "horizon_months": 2, "seed": 1})
    result = runner.simulate(resolve(cfg))

    def boom(world):
        raise OSError("no space left on device")

    monkeypatch.setattr(runner, "households_frame", boom)
    with pytest.raises(OSError):
        runner.write_outputs(cfg, result, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_an_existing_non_empty_folder_is_never_overwritten(tmp_path):
    final = tmp_path / "run"
    final.mkdir()
    (final / "precious.parquet").write_text("results")
    with pytest.raises(OutputExists):
        with atomic_dir(final):
            pass
    assert (final / "precious.parquet").read_text() == "results"


def test_a_run_folder_gets_the_mode_of_any_new_folder_not_0700(tmp_path):
    import os

    mask = os.umask(0o022)
    try:
        with atomic_dir(tmp_path / "run") as tmp:
            (tmp / "x").write_text("1")
        (tmp_path / "sweep").mkdir()  # how sweep and calibration folders are made
    finally:
        os.umask(mask)
    assert (tmp_path / "run").stat().st_mode & 0o777 == 0o755
    assert (tmp_path / "run").stat().st_mode & 0o777 == (tmp_path / "sweep").stat().st_mode & 0o777
