"""Shared fixtures. The Numba cache, Ray and matplotlib write to the system temp folder, never the home folder."""

import os
import tempfile

os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(tempfile.gettempdir(), "abm-numba-cache"))
os.environ.setdefault("RAY_AUTH_MODE", "disabled")
os.environ.setdefault("MPLCONFIGDIR", tempfile.mkdtemp(prefix="abm-matplotlib-"))  # not ~/.cache/matplotlib

import pytest  # noqa: E402

from abm.city import load_profile  # noqa: E402
from abm.policies import instantiate, resolve_rules  # noqa: E402
from abm.spec import RunSpec  # noqa: E402


def make_spec(city="zhengzhou", households=300, months=12, seed=1, policies=("baseline",), behaviour=None,
              start_month=1, precedence=None):
    profile = load_profile(city)
    pols = instantiate(list(policies))
    return RunSpec(profile=profile, households=households, horizon_months=months, seed=seed, policies=pols,
                   behaviour=behaviour or {}, rules=resolve_rules(pols, profile.rules, precedence),
                   start_month=start_month)


@pytest.fixture
def spec_factory():
    return make_spec


@pytest.fixture(scope="session")
def ray_address():
    """One local Ray cluster with two CPUs for the whole test session, shut down at the end."""
    import ray

    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False)
    try:
        yield ray.get_runtime_context().gcs_address
    finally:
        ray.shutdown()
