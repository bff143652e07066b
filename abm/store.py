"""Writing results so that none is ever half-written: a temporary folder renamed into place."""

from __future__ import annotations

import hashlib
import json
import os
import platform
import secrets
import shutil
import subprocess
from contextlib import contextmanager
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Iterator

PACKAGES = ("abm-urbanization", "mesa", "numba", "numpy", "pandas", "pyarrow", "pydantic", "pyyaml", "scipy",
            "ray", "seaborn", "matplotlib", "salib")


class OutputExists(FileExistsError):
    pass


@contextmanager
def atomic_dir(final: Path) -> Iterator[Path]:
    """Yield a temporary sibling folder; on success rename it to `final`, on error remove it.

    The folder gets the mode any new folder gets (0755 under the usual umask), like sweep and calibration
    folders: tempfile.mkdtemp would make it 0700, readable by its owner only."""
    final = Path(final)
    if final.exists() and (not final.is_dir() or any(final.iterdir())):
        raise OutputExists(f"output folder {final} already exists and is not empty; choose another --out")
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = final.parent / f".{final.name}.tmp-{os.getpid()}-{secrets.token_hex(4)}"
    tmp.mkdir()
    try:
        yield tmp
        if final.exists():
            final.rmdir()
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


@contextmanager
def atomic_file(final: Path) -> Iterator[Path]:
    """Yield a hidden temporary path beside `final`; on success sync it and rename it to `final`,
    on error remove it. Readers (pandas, pyarrow, DuckDB) skip names that start with a dot."""
    final = Path(final)
    tmp = final.with_name(f".{final.name}.tmp-{os.getpid()}")
    try:
        yield tmp
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def clean_temporaries(folder: Path) -> int:
    """Remove what a killed writer left half-written anywhere under `folder`; returns how many."""
    found = list(Path(folder).rglob(".*.tmp-*"))
    for p in found:
        shutil.rmtree(p) if p.is_dir() else p.unlink(missing_ok=True)
    return len(found)


def sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for pkg in PACKAGES:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = "not installed"
    return out


def git_commit() -> dict[str, object]:
    """The commit of the checkout abm runs from, and whether it has uncommitted changes."""
    here = Path(__file__).resolve().parent
    try:
        head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=here, capture_output=True, text=True, timeout=5)
        if head.returncode != 0:
            return {"commit": None, "dirty": None}
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=here,
                               capture_output=True, text=True, timeout=5)
        return {"commit": head.stdout.strip(), "dirty": bool(dirty.stdout.strip())}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def write_json(path: Path, data: dict) -> None:
    Path(path).write_text(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n", encoding="utf-8")


def write_json_atomic(path: Path, data: dict) -> None:
    with atomic_file(path) as tmp:
        write_json(tmp, data)
