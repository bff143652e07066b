"""Helpers shared by the kernels: candidates, priority orders and capacity counts."""

import numpy as np
from numba import njit

from abm.state import ACTIVE, FORMAL, N_FORMAL_SECTORS, N_SKILLS


@njit(cache=True)
def flagged(flag):
    """The ids whose flag is set, in id order: the candidates a serial allocation visits."""
    return np.nonzero(flag)[0]


@njit(cache=True)
def in_priority_order(candidates, keys):
    """Candidates sorted by their priority keys (a phase's `priority`: lower is served first).

    A stable sort over candidates listed in id order: equal keys (which a 53-bit draw practically never
    gives) keep id order, as the Mesa engine's sort does.
    """
    return candidates[np.argsort(keys, kind="mergesort")]


@njit(cache=True)
def count_formal(h, n, employed):
    employed[:, :] = 0
    for i in range(n):
        if h.status[i] == ACTIVE and h.employment[i] == FORMAL:
            employed[h.sector[i], h.skill[i]] += 1


@njit(cache=True)
def vacancies(jobs, employed):
    v = np.zeros((N_FORMAL_SECTORS, N_SKILLS), dtype=np.int64)
    for s in range(N_FORMAL_SECTORS):
        for k in range(N_SKILLS):
            v[s, k] = max(0, int(jobs[s, k]) - employed[s, k])
    return v
