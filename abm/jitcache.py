"""One Numba cache folder per version of the compiled sources.

Numba's on-disk cache checks only the file that defines a function, so a kernel compiled against an
older `decisions.py` (or older constants in `state.py`) would be loaded after that file changed. This
module, imported by `abm/__init__.py` before any kernel is defined, points Numba at a folder named by a
digest of every module whose code or constants are compiled, so any change to them starts a fresh cache.

The base folder is `NUMBA_CACHE_DIR` when set, else `__pycache__/numba` inside the package, else
`~/.cache/abm-numba` where the package folder is read-only.

Inside that folder a kernel's cache is found by its file's path inside the package, not by the file's
absolute path (Numba's own choice), so every copy of the same sources shares one cache: a checkout, the
wheel installed from it, a fresh clone in CI. The digest in the folder name guarantees the sources are the
same; Numba still checks each file's content hash.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import numba
from numba.core import caching
from numba.core.caching import UserProvidedCacheLocator

PACKAGE = Path(__file__).resolve().parent


def compiled_sources() -> list[Path]:
    """Modules with jitted code, and the modules whose constants and records they compile in."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if "njit" in text or "@jit" in text or path.name in ("state.py", "parameters.py", "rules.py", "rng.py"):
            found.append(path)
    return found


def digest() -> str:
    h = hashlib.sha256(numba.__version__.encode())
    for path in compiled_sources():
        h.update(path.relative_to(PACKAGE).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


def _base() -> Path:
    if os.environ.get("NUMBA_CACHE_DIR"):
        return Path(os.environ["NUMBA_CACHE_DIR"])
    local = PACKAGE / "__pycache__" / "numba"
    try:
        local.mkdir(parents=True, exist_ok=True)
        if os.access(local, os.W_OK):
            return local
    except OSError:
        pass
    return Path.home() / ".cache" / "abm-numba"


class PackageCacheLocator(UserProvidedCacheLocator):
    """Numba's locator for `numba.config.CACHE_DIR`, keyed by the source's folder inside the package."""

    def __init__(self, py_func, py_file):
        super().__init__(py_func, py_file)
        inside = Path(py_file).resolve().parent.relative_to(PACKAGE)
        self._cache_path = os.path.join(numba.config.CACHE_DIR, "abm", *inside.parts)

    @classmethod
    def from_function(cls, py_func, py_file):
        try:
            Path(py_file).resolve().relative_to(PACKAGE)
        except (ValueError, OSError):
            return None  # not one of ours: Numba's own locators decide
        return super().from_function(py_func, py_file)


def configure() -> Path:
    folder = _base() / f"abm-{digest()}"
    numba.config.CACHE_DIR = str(folder)
    locators = (getattr(caching, "CacheImpl", None) or caching._CacheImpl)._locator_classes  # renamed in 0.6x
    if PackageCacheLocator not in locators:
        locators.insert(0, PackageCacheLocator)
    return folder


def cold() -> bool:
    """True if no kernel of this version of the sources is cached yet: the next run compiles them all."""
    return not any(Path(numba.config.CACHE_DIR).rglob("*.nbi"))


CACHE_DIR = configure()
