"""The life course of a city's status quo against its rate tables: monthly births and deaths beside what the
tables expect of that month's population, and the age pyramid at month 0 and the horizon.

    python experiments/lifecourse_check.py [--city zhengzhou] [--households 20000] [--months 120] [--seed 1]
"""

from __future__ import annotations

import argparse

import numpy as np

from abm.demography import total_fertility
from abm.engine import FastEngine
from abm.indicators import AGE_BANDS, pyramid
from abm.phases.lifecourse import N_KIDS, SPOUSE_NONE
from abm.state import ACTIVE, F_BIRTHS, F_DEATHS, FEMALE, GROUPS
from abm.world import World, women_in_union
from tests.conftest import make_spec


def expected_events(w: World) -> tuple[float, float]:
    """Births and deaths the tables expect this month of the active population (agent units)."""
    h, n, q, f = w.h, w.n, w.tables.q_month, w.tables.f_month
    act = h.status[:n] == ACTIVE
    sex, age = h.sex[:n][act], h.age[:n][act].astype(int)
    couple = h.spouse[:n][act] != SPOUSE_NONE
    s_age = h.spouse_age[:n][act].astype(int)
    deaths = q[sex, age].sum() + q[1 - sex[couple], s_age[couple]].sum()
    for k in range(N_KIDS):
        a = getattr(h, f"kid_age{k}")[:n][act].astype(int)
        male = (h.kid_male[:n][act] >> k) & 1
        deaths += q[male[a >= 0], a[a >= 0]].sum()
    births = f[np.where(sex == FEMALE, age, s_age)[couple]].sum()
    return float(births), float(deaths)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--city", default="zhengzhou")
    ap.add_argument("--households", type=int, default=20000)
    ap.add_argument("--months", type=int, default=120)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    w = World(make_spec(city=a.city, households=a.households, months=a.months, seed=a.seed))
    engine = FastEngine(w)
    start = pyramid(w.h, w.n) * w.scale
    women, union = women_in_union(w.h, w.n)
    fertile = slice(15, 50)
    tfr = float(np.sum(np.divide(w.f_marital * union, women, out=np.zeros_like(women), where=women > 0)[fertile]))
    rows = []
    for _ in range(a.months):
        eb, ed = expected_events(w)
        engine.step()
        rows.append((w.step, w.flows[F_BIRTHS].sum(), eb, w.flows[F_DEATHS].sum(), ed))
    end = pyramid(w.h, w.n) * w.scale
    r = np.array(rows)
    print(f"{a.city}, {a.households:,} households (scale {w.scale:.1f}), seed {a.seed}, {a.months} months")
    print(f"total fertility the tables give the city's women at month 0: {tfr:.3f} "
          f"(the schedule for all women: {total_fertility(w.tables.f_annual):.3f}; births only in unions, "
          f"at marital rates)")
    print("year | births  expected | deaths  expected   (agent units, summed over the year)")
    for y in range(0, a.months, 12):
        s = r[y:y + 12].sum(axis=0)
        print(f"{y // 12 + 1:4d} | {s[1]:6.0f} {s[2]:9.1f} | {s[3]:6.0f} {s[4]:9.1f}")
    s = r.sum(axis=0)
    print(f" all | {s[1]:6.0f} {s[2]:9.1f} | {s[3]:6.0f} {s[4]:9.1f}   "
          f"(births {s[1] / s[2] - 1:+.1%}, deaths {s[3] / s[4] - 1:+.1%} against the tables)")
    print("\nage pyramid, persons (real-city units): month 0 | month", a.months)
    print("band    " + "".join(f"{g[:8]:>10} f {g[:8]:>8} m" for g in GROUPS) + " |"
          + "".join(f"{g[:8]:>10} f {g[:8]:>8} m" for g in GROUPS))
    for b, band in enumerate(AGE_BANDS[:18]):
        if start[:, :, b].sum() + end[:, :, b].sum() == 0:
            continue
        cells = [start[g, s, b] for g in range(3) for s in range(2)]
        later = [end[g, s, b] for g in range(3) for s in range(2)]
        print(f"{band:7s} " + "".join(f"{v:12,.0f}" for v in cells) + " |" + "".join(f"{v:12,.0f}" for v in later))
    print(f"persons: {start.sum():,.0f} at month 0, {end.sum():,.0f} at month {a.months}")


if __name__ == "__main__":
    main()
