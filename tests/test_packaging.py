"""A wheel installed the ordinary way (not editable) runs every built-in city from a folder outside the checkout.

The wheel is built from a copy of what the wheel needs (pyproject.toml, README.md, abm/), without build
isolation, so nothing is downloaded and the checkout gets no build/ folder. It is installed with --no-deps
into a fresh venv that sees this environment's site-packages through a .pth file (so the dependencies are
not downloaded either); the venv's own site-packages comes first, so `abm` is the wheel's.
"""

import os
import shutil
import site
import subprocess
import sys
import venv
from pathlib import Path

import pandas as pd
import pytest

from abm.city import BUILTIN_CITIES

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(the venv's python, its bin folder) with the wheel installed."""
    tmp = tmp_path_factory.mktemp("packaging")
    src = tmp / "src"
    src.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "abm", src / "abm", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    wheels = tmp / "wheels"
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w",
                    str(wheels), str(src)], check=True, cwd=tmp)
    (wheel,) = wheels.glob("abm_urbanization-*.whl")
    env_dir = tmp / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             check=True, capture_output=True, text=True).stdout.strip()
    ours = [p for p in site.getsitepackages() + [site.getusersitepackages()] if os.path.isdir(p)]
    Path(purelib, "outer_site_packages.pth").write_text("\n".join(ours) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "--no-index",
                    "-q", str(wheel)], check=True)
    return python, env_dir / "bin"


def _abm(installed, cwd, *args):
    python, bindir = installed
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{bindir}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run([str(bindir / "abm"), *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


def test_the_wheel_holds_the_package_not_the_checkout(installed, tmp_path):
    python, _ = installed
    where = subprocess.run([str(python), "-c", "import abm, abm.builtin; print(abm.__file__); "
                            "print(abm.builtin.root())"], cwd=tmp_path, capture_output=True, text=True, check=True)
    module, configs = where.stdout.split()
    assert Path(module).is_relative_to(python.parent.parent)
    assert Path(configs).is_relative_to(python.parent.parent)
    assert (Path(configs) / "cities" / "seed_facts.csv").is_file()


def test_every_built_in_city_runs_from_a_temporary_folder(installed, tmp_path):
    runs = {city: f"scenarios/{city}" for city in BUILTIN_CITIES} | {"quickstart": "quickstart"}
    for label, name in runs.items():
        out = tmp_path / label
        res = _abm(installed, tmp_path, "run", name, "--households", "100", "--months", "2", "--out", str(out), "-q")
        assert res.returncode == 0, f"{name}: {res.stderr}"
        frame = pd.read_parquet(out / "indicators.parquet")
        assert set(frame["step"]) == {0, 1, 2}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(runs)  # nothing else written in the folder


def test_built_in_sweep_and_calibration_configs_find_their_base_and_targets(installed, tmp_path):
    for name, kind in (("sweeps/smoke", "sweep"), ("calibration/zhengzhou", "calibration"),
                       ("calibration/recovery", "calibration"), ("configs/quickstart.yaml", "run")):
        res = _abm(installed, tmp_path, "validate", name)
        assert res.returncode == 0, f"{name}: {res.stderr}"
        assert f"a valid {kind} config" in res.stdout
    res = _abm(installed, tmp_path, "run", "scenarios/nowhere", "-q")
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert list(tmp_path.iterdir()) == []
