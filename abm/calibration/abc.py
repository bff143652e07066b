"""ABC-SMC (approximate Bayesian computation by sequential Monte Carlo), deterministic for a seed.

The sampler of Beaumont et al. (2009, Biometrika 96:983) and Toni et al. (2009, J. R. Soc. Interface
6:187): generation 0 samples the prior; each later generation proposes by picking a parent by weight
among the last generation's particles (`parents`: those within the new tolerance, or all) and moving it
with a Gaussian transition kernel (`kernel`; see abm.calibration.kernels), keeps proposals whose
distance is within the tolerance (the `quantile` of the last generation's distances), and weights each
kept particle by prior / q, q = sum_j u_j K_j(theta | theta_j) the mixture it was drawn from.

Proposals come in rounds (`rounds`: `adaptive`, each sized to fill the generation at the acceptance rate
seen so far, or `fixed`, one proposal per particle). Round k of generation t draws from
`default_rng([seed, t, k])`, the round sizes follow from the seed alone, and proposals are judged in
proposal order, the generation keeping the first `particles` accepted, so the posterior depends only on
the seed, never on how many workers evaluate it.
This module knows nothing of the model: `evaluate(thetas, model_seeds) -> distances, summaries`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np

from abm.calibration import kernels


@dataclass(frozen=True)
class Prior:
    """Independent uniform (or log-uniform) priors on a box."""
    names: tuple[str, ...]
    low: np.ndarray
    high: np.ndarray
    log: np.ndarray  # bool per parameter

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        u = rng.random((n, len(self.names)))
        x = self.low + u * (self.high - self.low)
        lo, hi = np.log(self.low[self.log]), np.log(self.high[self.log])
        x[:, self.log] = np.exp(lo + u[:, self.log] * (hi - lo))
        return x

    def inside(self, theta: np.ndarray) -> np.ndarray:
        return np.all((theta >= self.low) & (theta <= self.high), axis=1)

    def density(self, theta: np.ndarray) -> np.ndarray:
        dens = np.empty_like(theta, dtype=float)
        lin = ~self.log
        dens[:, lin] = 1.0 / (self.high[lin] - self.low[lin])
        width = np.log(self.high[self.log] / self.low[self.log])
        dens[:, self.log] = 1.0 / (np.abs(theta[:, self.log]) * width)
        return np.where(self.inside(theta), np.prod(dens, axis=1), 0.0)


@dataclass
class Generation:
    t: int
    epsilon: float
    particles: np.ndarray   # (N, d)
    weights: np.ndarray     # (N,), sums to 1
    distances: np.ndarray   # (N,)
    summaries: np.ndarray   # (N, targets): simulated values of the accepted particles
    seeds: np.ndarray       # (N,): the model seed each accepted particle ran with
    proposed: int           # proposals evaluated to fill this generation
    seconds: float = 0.0
    passed: int = 0         # evaluated proposals within the tolerance, kept or not (0: not recorded)

    @property
    def acceptance(self) -> float:
        """Particles kept per proposal evaluated: what the generation cost."""
        return len(self.weights) / self.proposed if self.proposed else 0.0

    @property
    def rate(self) -> float:
        """Proposals within the tolerance per proposal evaluated, counting those past the last one kept."""
        return (self.passed or len(self.weights)) / self.proposed if self.proposed else 0.0


def model_seed(seed: int, t: int, k: int, i: int) -> int:
    """The model seed of proposal i of round k in generation t: distinct, and independent of workers."""
    return int(np.random.SeedSequence([seed, t, k, i]).generate_state(1, np.uint64)[0] >> np.uint64(2))


def transition(s: Settings, prev: Generation, epsilon: float) -> kernels.Kernel:
    """The kernel that moves `prev`'s particles for a generation of tolerance `epsilon`."""
    return kernels.fit(s.kernel, prev.particles, prev.weights, prev.distances, epsilon, s.parents)


def propose(rng: np.random.Generator, prior: Prior, kernel: kernels.Kernel | None, n: int) -> np.ndarray:
    """n proposals: from the prior in generation 0, else from the kernel, redrawn until inside the prior."""
    if kernel is None:
        return prior.sample(rng, n)
    out = np.empty((0, len(prior.names)))
    while len(out) < n:
        cand = kernel.sample(rng, n)
        out = np.vstack([out, cand[prior.inside(cand)]])
    return out[:n]


def weights_for(new: np.ndarray, prior: Prior, kernel: kernels.Kernel | None) -> np.ndarray:
    """Importance weights prior / q of accepted proposals, q the kernel's mixture density; normalised."""
    w = np.ones(len(new)) if kernel is None else prior.density(new) / kernel.density(new)
    return w / w.sum()


ROUNDS = ("adaptive", "fixed")
MIN_ROUND = 10  # the smallest adaptive round: a round has a fixed cost (tasks sent, results gathered)


@dataclass
class Settings:
    particles: int = 100
    generations: int = 6
    quantile: float = 0.5
    min_acceptance: float = 0.02
    max_evaluations: int = 50_000
    seed: int = 0
    kernel: str = "silverman"
    parents: str = "within"
    rounds: str = "adaptive"
    round_size: int = 0  # proposals per fixed round; 0: the number of particles


def round_size(s: Settings, prev: Generation | None, accepted: int, proposed: int, last: int) -> int:
    """How many proposals the next round of a generation evaluates. Fixed rounds: `round_size` (else one per
    particle). Adaptive rounds: as many as should fill the generation at the acceptance rate seen so far in it
    (the last generation's before its first round); twice the last round while nothing has been accepted.
    Everything it reads is fixed by the seed, so the rounds are the same for any workers and after a resume."""
    if s.rounds == "fixed" or prev is None:  # generation 0 samples the prior and accepts every proposal
        return s.round_size or s.particles
    if proposed and not accepted:
        return 2 * last
    rate = accepted / proposed if proposed else prev.rate
    return max(MIN_ROUND, math.ceil((s.particles - accepted) / rate))


def next_generation(prior: Prior, s: Settings, prev: Generation | None, t: int,
                    evaluate: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
                    budget: int) -> Generation | None:
    """Fill generation t; None if the evaluation budget runs out first."""
    eps = np.inf if prev is None else float(np.quantile(prev.distances, s.quantile))
    kernel = None if prev is None else transition(s, prev, eps)
    kept_theta, kept_d, kept_sum, kept_seed = [], [], [], []
    proposed, passed, k, size = 0, 0, 0, 0
    while len(kept_d) < s.particles:
        size = round_size(s, prev, len(kept_d), proposed, size)
        if s.rounds == "adaptive":
            size = min(size, budget - proposed)
        if size <= 0 or proposed + size > budget:
            return None
        rng = np.random.default_rng([s.seed, t, k])
        theta = propose(rng, prior, kernel, size)
        seeds = np.array([model_seed(s.seed, t, k, i) for i in range(size)], dtype=np.int64)
        dist, summ = evaluate(theta, seeds)
        for i in range(size):  # in proposal order, so the result does not depend on who evaluated what
            if len(kept_d) < s.particles and dist[i] <= eps:
                kept_theta.append(theta[i])
                kept_d.append(dist[i])
                kept_sum.append(summ[i])
                kept_seed.append(seeds[i])
        passed += int(np.sum(dist <= eps))
        proposed += size
        k += 1
    particles = np.array(kept_theta)
    return Generation(t=t, epsilon=eps, particles=particles, weights=weights_for(particles, prior, kernel),
                      distances=np.array(kept_d), summaries=np.array(kept_sum), seeds=np.array(kept_seed),
                      proposed=proposed, passed=passed)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, v)
