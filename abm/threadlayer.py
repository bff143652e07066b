"""The Numba threading layer the kernels run on, chosen before any kernel runs.

Numba's own choice on Linux without TBB is GNU OpenMP (`omp`). Two things go wrong with it:

- its threads spin-wait at the end of every parallel loop, so beside other busy processes a run
  collapses: the quickstart's steps took 25-40 s beside two busy processes instead of under 1 s
  (README, Performance), because a spinning thread holds the core its partner needs to finish;
- libgomp does not survive `fork()`: a process forked after a run (multiprocessing's fork start
  method, pyABC's multicore sampler, EMA workbench) is killed with "fork() called from a process
  already using GNU OpenMP, this is unsafe".

Intel TBB is fork-safe and thread-safe, sleeps instead of spinning when it has nothing to do, and is
as fast as OpenMP here. Its wheel (the `tbb` dependency on x86-64 Linux and Windows) puts the library
in the environment's `lib` folder, where the dynamic loader does not look, so it is loaded here by
path; Numba then finds it by name. Where TBB cannot be loaded, Numba's `forksafe` choice applies
(`workqueue` on Linux): safe to fork, robust under load, but two to four times slower on small runs
(many short parallel loops). A `NUMBA_THREADING_LAYER` set by the user wins; if that is `omp`, its
threads are told to sleep rather than spin (`OMP_WAIT_POLICY=passive`) unless the user set a policy.

Numba loads one layer per process, at its first parallel loop: a program that runs parallel Numba code of
its own should import abm first. Results never depend on the layer or the number of threads (README,
Engines and determinism).
"""

from __future__ import annotations

import ctypes
import os
import sys

import numba

LIBRARY = {"linux": "libtbb.so.12", "win32": "tbb12.dll", "darwin": "libtbb.12.dylib"}.get(sys.platform, "")


def _load_tbb() -> bool:
    """Load the TBB runtime of the `tbb` package, if installed; True if it is loaded."""
    from importlib.metadata import PackageNotFoundError, distribution

    try:
        dist = distribution("tbb")
    except PackageNotFoundError:
        return False
    for f in dist.files or ():
        if f.name == LIBRARY:
            try:
                ctypes.CDLL(str(dist.locate_file(f)), mode=ctypes.RTLD_GLOBAL)
                return True
            except OSError:
                return False
    return False


def configure() -> str:
    """Choose the layer (before any parallel kernel has run); returns what was asked of Numba."""
    chosen = os.environ.get("NUMBA_THREADING_LAYER", "").strip()
    if chosen and chosen != "default":
        if chosen == "omp":
            os.environ.setdefault("OMP_WAIT_POLICY", "passive")  # read by libgomp when Numba loads it
        return chosen
    layer = "tbb" if _load_tbb() else "forksafe"
    numba.config.THREADING_LAYER = layer
    return layer


REQUESTED = configure()
