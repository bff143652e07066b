"""The configs that ship inside the package (`abm/configs/`), found through importlib.resources.

A built-in config is named by its path under `abm/configs/` without `.yaml`:

    quickstart                          Zhengzhou, status quo, 20,000 households, 10 years
    scenarios/<site>                    each pilot site with its own policy package
    calibrated/<city>                   the calibrated status quo of zhengzhou, yanta, jinnan, changshu
    sweeps/smoke, sweeps/pilots,        sweep configs
    sweeps/discovery
    calibration/recovery, calibration/<city>   calibration configs

`abm run quickstart` works from any folder. A path that exists always wins over a built-in name;
`configs/<name>.yaml` (the path the README uses inside a checkout) names the same built-in, so the
documented commands work outside a checkout too. Relative paths inside a built-in config (a sweep's
`base:`, a calibration's `targets:`) resolve against its file, as for any config. City profiles
(`cities/<name>.yaml`) are named by a config's `city:`, not run directly.
"""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

KINDS = {"quickstart": "run", "scenarios": "run", "calibrated": "run", "sweeps": "sweep",
         "calibration": "calibration"}


def root() -> Path:
    """The package's configs folder, as a real folder (the package is installed as files, not zipped)."""
    found = files("abm") / "configs"
    if not isinstance(found, Path):
        raise RuntimeError(f"abm's configs are in an archive ({found}); install abm as files (pip install)")
    return found


def names(kind: str | None = None) -> list[str]:
    """Every built-in config name (of one kind: run, sweep or calibration), sorted; city profiles and target
    tables are not configs."""
    base = root()
    out = []
    for path in sorted(base.rglob("*.yaml")):
        name = path.relative_to(base).with_suffix("").as_posix()
        if KINDS.get(name.split("/")[0]) in ((kind,) if kind else KINDS.values()):
            out.append(name)
    return out


def find(name: str) -> Path | None:
    """The file of the built-in config `name` (with or without `configs/` and `.yaml`), or None."""
    key = name.replace("\\", "/").removeprefix("./").removeprefix("configs/").removesuffix(".yaml")
    return root() / f"{key}.yaml" if key in names() else None


def locate(config: Path) -> Path:
    """`config` itself if it exists (or names no built-in), else the built-in config it names."""
    config = Path(config)
    if config.exists():
        return config
    return find(config.as_posix()) or config
