"""The phases' unit cases, read from tests/phases/<phase>.yaml: named inputs, expected outputs."""

from pathlib import Path

import numpy as np
import pytest
import yaml

from abm.parameters import BEHAVIOUR, make_record
from abm.phases import (
    accounts,
    assistance,
    health,
    housing,
    insurance,
    labour,
    lifecourse,
    market,
    registration,
    requisition,
    schooling,
    settlement,
)
from abm.rules import RULES
from abm.state import LABELS, LEFT_POVERTY, MOVED_ON, NO_HOME, RETURNED_HOME

PHASES = {"lifecourse": lifecourse, "requisition": requisition, "labour": labour,
          "insurance": insurance, "market": market, "housing": housing,
          "registration": registration, "schooling": schooling, "health": health, "assistance": assistance,
          "settlement": settlement, "accounts": accounts}
CASES = [(phase, case) for phase in PHASES
         for case in yaml.safe_load((Path(__file__).parent / "phases" / f"{phase}.yaml").read_text())]
CODES = {name: {label: k for k, label in enumerate(labels)} for name, labels in LABELS.items()}
CODES["tenure"]["no_home"] = NO_HOME
CODES["scheme"] = CODES["medical_scheme"] = {label: k for k, label in enumerate(health.SCHEMES)}
CODES["old_tenure"] = CODES["tenure"]
CODES["held"] = CODES["school"]
CODES["leaving"] = {"stays": settlement.STAYING, "returned_home": RETURNED_HOME, "moved_on": MOVED_ON,
                    "left_poverty": LEFT_POVERTY}
CODES["eviction"] = CODES["how"] = {"stays": housing.STAYS, "evicted": housing.EVICTED,
                                    "demolished": housing.DEMOLISHED}


def _value(name, v):
    """An input as the function takes it: a label becomes its code, a list an array (children's ages: a
    tuple)."""
    if isinstance(v, str):
        return CODES[name][v]
    if isinstance(v, list):
        return tuple(v) if name in ("kids", "q_kids") else np.array(v)
    return v


def _tables(case):
    """Monthly death probabilities q[sex, age] and birth probabilities f[age], the same at every age."""
    t = case.get("tables", {})
    q = np.stack([np.full(101, t.get("q_female", 0.0)), np.full(101, t.get("q_male", 0.0))])
    return {"q": q, "f": np.full(101, t.get("f", 0.0))}


@pytest.mark.parametrize("phase, case", CASES, ids=[c["name"] for _, c in CASES])
def test_phase_case(phase, case):
    module = PHASES[phase]
    fn = getattr(module, case["function"])
    p = make_record(BEHAVIOUR, case.get("behaviour", {}))
    r = make_record(RULES, case.get("rules", {}))
    inputs = {k: _value(k, v) for k, v in case.get("input", {}).items()}
    args = {"p": p, "r": r, "seed": 1, "step": 3} | _tables(case) | inputs
    names = list(fn.py_func.__code__.co_varnames[:fn.py_func.__code__.co_argcount])
    out = fn(*[args[n] for n in names])
    out = out if isinstance(out, tuple) else (out,)
    # an array input that the function books into (vacancies, employed) is an output too
    got = {k: v for k, v in inputs.items() if isinstance(v, np.ndarray)}
    got |= dict(zip(module.RETURNS[case["function"]], out))
    for name, expected in case["output"].items():
        value, expected = got[name], _value(name, expected) if isinstance(expected, str) else expected
        if isinstance(expected, list):
            value = np.array(value) if isinstance(value, tuple) else value
            np.testing.assert_array_equal(value, np.array(expected), err_msg=name)
        else:
            assert value == pytest.approx(expected, rel=1e-12), name
