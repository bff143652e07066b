"""ABC-SMC (approximate Bayesian computation by sequential Monte Carlo), deterministic for a seed.

The sampler of Beaumont et al. (2009, Biometrika 96:983) and Toni et al. (2009, J. R. Soc. Interface
6:187): generation 0 samples the prior; each later generation proposes by picking a particle of the
last generation by weight and moving it with a Gaussian kernel of twice the particles' weighted
covariance, keeps proposals whose distance is within a tolerance (the `quantile` of the last
generation's distances), and weights each kept particle by prior / sum_j w_j K(theta | theta_j).

Proposals come in rounds; round k of generation t draws from `default_rng([seed, t, k])` and is judged
in proposal order, so the posterior depends only on the seed, never on how many workers evaluate it.
This module knows nothing of the model: `evaluate(thetas, model_seeds) -> distances, summaries`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np


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

    @property
    def acceptance(self) -> float:
        return len(self.weights) / self.proposed if self.proposed else 0.0


def model_seed(seed: int, t: int, k: int, i: int) -> int:
    """The model seed of proposal i of round k in generation t: distinct, and independent of workers."""
    return int(np.random.SeedSequence([seed, t, k, i]).generate_state(1, np.uint64)[0] >> np.uint64(2))


def kernel_cov(particles: np.ndarray, weights: np.ndarray) -> np.ndarray:
    d = particles.shape[1]
    mean = weights @ particles
    diff = particles - mean
    cov = 2.0 * (diff.T * weights) @ diff
    return cov + np.eye(d) * 1e-12 * max(1.0, float(np.abs(cov).max()))


def _kernel_density(x: np.ndarray, centres: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """(len(x), len(centres)) Gaussian kernel densities."""
    inv = np.linalg.inv(cov)
    norm = 1.0 / np.sqrt((2 * np.pi) ** cov.shape[0] * np.linalg.det(cov))
    diff = x[:, None, :] - centres[None, :, :]
    return norm * np.exp(-0.5 * np.einsum("ijk,kl,ijl->ij", diff, inv, diff))


def propose(rng: np.random.Generator, prior: Prior, prev: Generation | None, n: int) -> np.ndarray:
    if prev is None:
        return prior.sample(rng, n)
    cov = kernel_cov(prev.particles, prev.weights)
    chol = np.linalg.cholesky(cov)
    out = np.empty((0, len(prior.names)))
    while len(out) < n:
        idx = rng.choice(len(prev.weights), size=n, p=prev.weights)
        cand = prev.particles[idx] + rng.standard_normal((n, len(prior.names))) @ chol.T
        out = np.vstack([out, cand[prior.inside(cand)]])
    return out[:n]


def weights_for(new: np.ndarray, prior: Prior, prev: Generation | None) -> np.ndarray:
    if prev is None:
        w = np.ones(len(new))
    else:
        k = _kernel_density(new, prev.particles, kernel_cov(prev.particles, prev.weights))
        w = prior.density(new) / (k @ prev.weights)
    return w / w.sum()


@dataclass
class Settings:
    particles: int = 100
    generations: int = 6
    quantile: float = 0.5
    min_acceptance: float = 0.02
    max_evaluations: int = 50_000
    seed: int = 0
    round_size: int = 0  # proposals per round; 0: the number of particles


@dataclass
class Run:
    generations: list[Generation] = field(default_factory=list)
    evaluations: int = 0
    stopped: str = ""


def next_generation(prior: Prior, s: Settings, prev: Generation | None, t: int,
                    evaluate: Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]],
                    budget: int) -> Generation | None:
    """Fill generation t; None if the evaluation budget runs out first."""
    eps = np.inf if prev is None else float(np.quantile(prev.distances, s.quantile))
    kept_theta, kept_d, kept_sum, kept_seed = [], [], [], []
    proposed, k = 0, 0
    size = s.round_size or s.particles
    while len(kept_d) < s.particles:
        if proposed + size > budget:
            return None
        rng = np.random.default_rng([s.seed, t, k])
        theta = propose(rng, prior, prev, size)
        seeds = np.array([model_seed(s.seed, t, k, i) for i in range(size)], dtype=np.int64)
        dist, summ = evaluate(theta, seeds)
        for i in range(size):  # in proposal order, so the result does not depend on who evaluated what
            if len(kept_d) < s.particles and dist[i] <= eps:
                kept_theta.append(theta[i])
                kept_d.append(dist[i])
                kept_sum.append(summ[i])
                kept_seed.append(seeds[i])
        proposed += size
        k += 1
    particles = np.array(kept_theta)
    return Generation(t=t, epsilon=eps, particles=particles, weights=weights_for(particles, prior, prev),
                      distances=np.array(kept_d), summaries=np.array(kept_sum), seeds=np.array(kept_seed),
                      proposed=proposed)


def weighted_quantile(values: np.ndarray, weights: np.ndarray, q) -> np.ndarray:
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cdf = (np.cumsum(w) - 0.5 * w) / w.sum()
    return np.interp(q, cdf, v)
