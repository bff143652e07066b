"""Kunshan's neighbourhood admission: requisitioned farmers' and migrants' public-school share and enrolment,
and the public pupils above the norm, at the first September intake (step 8), step 24 and step 44, under the
status quo and under the kunshan pilot (20,000 households, seeds 1-3, means). The README's table
("Schools that follow their pupils") comes from here: python experiments/kunshan_admission.py"""

import numpy as np

from abm.api import make_spec
from abm.indicators import INDEX
from abm.runner import simulate
from abm.state import FARMER, MIGRANT

SEEDS = (1, 2, 3)
STEPS = (8, 24, 44)
COLUMNS = (("public_school_share", FARMER), ("child_enrolment_rate", FARMER), ("public_school_share", MIGRANT),
           ("child_enrolment_rate", MIGRANT), ("pupils_above_norm_share", 3), ("class_size", 3))


def main() -> None:
    print("arm | step | " + " | ".join(f"{name} ({g})" for name, g in COLUMNS))
    for policies in (["baseline"], ["baseline", "kunshan"]):
        runs = [simulate(make_spec({"name": "kunshan-admission", "city": "kunshan", "households": 20000,
                                    "horizon_months": max(STEPS), "seed": s, "policies": policies}),
                         "numba", warm=False).world for s in SEEDS]
        for t in STEPS:
            means = [np.mean([w.history[t][INDEX[name], g, 2] for w in runs]) for name, g in COLUMNS]
            print(f"{'+'.join(policies)} | {t} | " + " | ".join(f"{m:.3f}" for m in means))


if __name__ == "__main__":
    main()
