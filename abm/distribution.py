"""The distributions the indicators read: the median income per person of the active households (found by a
histogram search, deterministic for any number of threads), and the age pyramid of their members.

`abm.indicators` re-exports `median_per_person`, `pyramid` and `AGE_BANDS`, where callers have always found
them.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from abm.phases.lifecourse import SPOUSE_NONE
from abm.state import ACTIVE

CHUNK = 1 << 14  # households per partial count; fixed, so counts do not depend on the thread count


BUCKETS = 4096  # buckets of the median's search


@njit(cache=True, parallel=True)
def _pc_values(status, income, size, pc):
    """Income per person into `pc` (+0.0 for -0.0, so a value's bits order it); per chunk: active households,
    the least value, the least positive value and the greatest value."""
    n = status.shape[0]
    n_chunks = (n + CHUNK - 1) // CHUNK
    count = np.zeros(n_chunks, dtype=np.int64)
    lo = np.full(n_chunks, np.inf)
    lo_positive = np.full(n_chunks, np.inf)
    hi = np.full(n_chunks, -np.inf)
    for c in prange(n_chunks):
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            if status[i] == ACTIVE:
                v = income[i] / size[i] + 0.0
                pc[i] = v
                count[c] += 1
                lo[c] = min(lo[c], v)
                lo_positive[c] = min(lo_positive[c], v) if v > 0.0 else lo_positive[c]
                hi[c] = max(hi[c], v)
    return count, lo, lo_positive, hi


@njit(cache=True, inline="always")
def _key_bucket(key, first_key, shift):
    """A value's bucket from its bits: zeros join the least positive value's bucket (non-decreasing)."""
    return (max(key, first_key) - first_key) >> shift


@njit(cache=True, parallel=True)
def _key_histogram(status, keys, first_key, shift):
    n = status.shape[0]
    n_chunks = (n + CHUNK - 1) // CHUNK
    hist = np.zeros((n_chunks, BUCKETS), dtype=np.int64)
    for c in prange(n_chunks):
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            if status[i] == ACTIVE:
                hist[c, _key_bucket(keys[i], first_key, shift)] += 1
    return hist


@njit(cache=True, parallel=True)
def _key_gather(status, keys, values, first_key, shift, first, last, offsets, out):
    """The values whose bucket is in [first, last], each chunk into its own slots."""
    n = status.shape[0]
    n_chunks = (n + CHUNK - 1) // CHUNK
    for c in prange(n_chunks):
        j = offsets[c]
        for i in range(c * CHUNK, min(n, (c + 1) * CHUNK)):
            if status[i] == ACTIVE:
                b = _key_bucket(keys[i], first_key, shift)
                if first <= b <= last:
                    out[j] = values[i]
                    j += 1


@njit(cache=True)
def median_per_person(status, income, size, pc):
    """(active households, the median of their income per person): np.median of those values (the mean of
    the two middle ones for an even count), found in parallel rather than by a serial selection over a copy.

    The bits of a non-negative float order it as its value does, so a histogram of the values' bits in
    buckets (by their leading bits: narrow buckets at every scale) finds the bucket(s) holding the two
    middle ranks, and only the values there are searched. Negative values, which no income gives, take the
    serial selection. `pc` is a work array of the households' length (its values are written here).
    """
    n = status.shape[0]
    count, lo_c, lo_positive_c, hi_c = _pc_values(status, income, size, pc)
    m = count.sum()
    if m == 0:
        return 0, 0.0
    lo, hi = lo_c.min(), hi_c.max()
    if hi == 0.0:
        return m, 0.0  # every value is 0
    if lo < 0.0:
        sel = np.empty(m)
        j = 0
        for i in range(n):
            if status[i] == ACTIVE:
                sel[j] = pc[i]
                j += 1
        return m, np.median(sel)
    keys = pc.view(np.uint64)
    bounds = np.array([lo_positive_c.min(), hi]).view(np.uint64)  # buckets span the positive values
    first_key, shift = bounds[0], np.uint64(0)
    while (bounds[1] - first_key) >> shift >= BUCKETS:
        shift += np.uint64(1)
    half = m >> 1
    low_rank = half - 1 if m % 2 == 0 else half  # the two middle ranks (the same one for an odd count)
    hist = _key_histogram(status, keys, first_key, shift)
    total = hist.sum(axis=0)
    below, first = 0, 0
    while below + total[first] <= low_rank:
        below += total[first]
        first += 1
    last, upto = first, below + total[first]
    while upto <= half:
        last += 1
        upto += total[last]
    per_chunk = hist[:, first:last + 1].sum(axis=1)
    offsets = np.zeros(per_chunk.shape[0], dtype=np.int64)
    for c in range(1, per_chunk.shape[0]):
        offsets[c] = offsets[c - 1] + per_chunk[c - 1]
    vals = np.empty(per_chunk.sum())
    _key_gather(status, keys, pc, first_key, shift, first, last, offsets, vals)
    k = half - below
    vals = np.partition(vals, k)  # many equal values (one wage, one size) can share the middle bucket
    b = vals[k]
    a = vals[:k].max() if low_rank < half else b  # the value ranked just below the middle
    return m, (a + b) / 2 if m % 2 == 0 else b


AGE_BAND_YEARS = 5
N_AGE_BANDS = 21  # 0-4, 5-9, ..., 95-99, 100 and over
AGE_BANDS = tuple(f"{5 * b}-{5 * b + 4}" for b in range(N_AGE_BANDS - 1)) + ("100+",)


@njit(cache=True)
def _into(out, g, s, age):
    out[g, s, min(age // AGE_BAND_YEARS, N_AGE_BANDS - 1)] += 1.0


@njit(cache=True)
def pyramid(h, n):
    """Persons of the active households by [group, sex, five-year age band] (agent units)."""
    out = np.zeros((3, 2, N_AGE_BANDS))
    for i in range(n):
        if h.status[i] != ACTIVE:
            continue
        g = h.group[i]
        _into(out, g, h.sex[i], h.age[i])
        if h.spouse[i] != SPOUSE_NONE:
            _into(out, g, 1 - h.sex[i], h.spouse_age[i])
        for k, a in enumerate((h.kid_age0[i], h.kid_age1[i], h.kid_age2[i], h.kid_age3[i])):
            if a >= 0:
                _into(out, g, (h.kid_male[i] >> k) & 1, a)
    return out
