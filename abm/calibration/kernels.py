"""Transition kernels of the ABC-SMC sampler: how a new generation's proposals move the last one's particles.

Every kernel is a mixture of Gaussians, one per parent, chosen by weight: q(theta) = sum_j u_j N(theta;
theta_j, Sigma_j). Which particles of the last generation are parents (`parents`):

- `within`: those whose distance is within the new generation's tolerance, their weights renormalised
  (u_j proportional to w_j 1[d_j <= epsilon]); the others would not be particles of the new generation
  at all. This is the reweighting step of Del Moral, Doucet & Jasra (2012, Stat. Comput. 22:1009)
  before a move. When fewer than parameters + 1 particles are within, every particle is a parent (the
  spread of so few would be flat in some direction).
- `all`: every particle, u = w (Beaumont et al. 2009; Toni et al. 2009).

How far they move (`kernel`), d the number of parameters:

- `silverman`: one Sigma for all, the parents' weighted covariance (with the small-sample correction of
  np.cov's aweights) times the square of Silverman's rule-of-thumb bandwidth (4 / (n (d + 2)))^(1/(d + 4)),
  n = 1 / sum u^2 the parents' effective number: pyABC's default MultivariateNormalTransition (Klinger,
  Rickert & Hasenauer 2018, Bioinformatics 34:3591) fitted to the parents.
- `olcm`: the optimal local covariance matrix of Filippi, Barnes, Cornebise & Stumpf (2013, Stat. Appl.
  Genet. Mol. Biol. 12:87): each parent's own Sigma_j = sum_k v_k (theta_k - theta_j)(theta_k - theta_j)^T
  over the particles k within the new tolerance, v their renormalised weights: their weighted covariance
  plus the outer product of the parent's offset from their mean, so a parent far from where the new
  generation will live moves far.
- `twice_covariance`: one Sigma for all, twice the parents' weighted covariance (Beaumont et al. 2009,
  Biometrika 96:983); with `parents: all` and fixed rounds, the sampler before issue 17.

Proposals outside the prior are dropped and the whole draw (parent and move) is made again, so the
accepted proposals follow q restricted to the prior's support up to one constant, and the importance
weight prior / q needs no per-parent truncation mass. Any parents and kernel give a valid sampler
(q covers the prior's support); they differ in how many proposals a generation needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

KERNELS = ("silverman", "olcm", "twice_covariance")
PARENTS = ("within", "all")


@dataclass(frozen=True)
class Kernel:
    centres: np.ndarray   # (N, d): the parents
    weights: np.ndarray   # (N,): their weights, summing to 1
    covs: np.ndarray      # (d, d) shared by every parent, or (N, d, d) one per parent

    @property
    def shared(self) -> bool:
        return self.covs.ndim == 2

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """n draws of q (before the prior's support is applied)."""
        idx = rng.choice(len(self.weights), size=n, p=self.weights)
        z = rng.standard_normal((n, self.centres.shape[1]))
        if self.shared:
            return self.centres[idx] + z @ np.linalg.cholesky(self.covs).T
        chol = np.linalg.cholesky(self.covs)
        return self.centres[idx] + np.einsum("nij,nj->ni", chol[idx], z)

    def density(self, x: np.ndarray) -> np.ndarray:
        """q(x) = sum_j w_j N(x; theta_j, Sigma_j), for each row of x."""
        d = self.centres.shape[1]
        diff = x[:, None, :] - self.centres[None, :, :]
        if self.shared:
            norm = 1.0 / np.sqrt((2 * np.pi) ** d * np.linalg.det(self.covs))
            return (norm * np.exp(-0.5 * np.einsum("mnk,kl,mnl->mn", diff, np.linalg.inv(self.covs), diff))
                    ) @ self.weights
        _, logdet = np.linalg.slogdet(self.covs)
        maha = np.einsum("mnk,nkl,mnl->mn", diff, np.linalg.inv(self.covs), diff)
        return np.exp(-0.5 * (maha + logdet + d * np.log(2 * np.pi))) @ self.weights


def _jitter(cov: np.ndarray) -> np.ndarray:
    """A tiny ridge, so that a degenerate covariance (particles on a line) stays positive definite."""
    d = cov.shape[-1]
    scale = np.maximum(1.0, np.abs(cov).max(axis=(-2, -1), keepdims=True))
    return cov + np.eye(d) * 1e-12 * scale


def weighted_cov(particles: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """The weights' covariance of the particles (weights summing to 1, no small-sample correction)."""
    diff = particles - weights @ particles
    return (diff.T * weights) @ diff


def silverman_factor(weights: np.ndarray, d: int) -> float:
    n_eff = 1.0 / float((weights ** 2).sum())
    return (4.0 / (n_eff * (d + 2))) ** (1.0 / (d + 4))


def within(particles: np.ndarray, weights: np.ndarray, distances: np.ndarray, epsilon: float):
    """The particles within the tolerance and their renormalised weights; all of them if too few are."""
    near = distances <= epsilon
    if near.sum() <= particles.shape[1]:
        near = np.ones(len(weights), bool)
    return particles[near], weights[near] / weights[near].sum()


def fit(name: str, particles: np.ndarray, weights: np.ndarray, distances: np.ndarray, epsilon: float,
        parents: str = "within") -> Kernel:
    """The kernel `name` moving the last generation (particles, weights, distances) towards `epsilon`."""
    if parents not in PARENTS:
        raise ValueError(f"unknown parents {parents!r}; known: {', '.join(PARENTS)}")
    near, v = within(particles, weights, distances, epsilon)
    x, u = (near, v) if parents == "within" else (particles, weights)
    if name == "silverman":
        cov = weighted_cov(x, u) / (1.0 - float((u ** 2).sum()))
        return Kernel(x, u, _jitter(cov * silverman_factor(u, x.shape[1]) ** 2))
    if name == "olcm":
        offset = x - v @ near
        return Kernel(x, u, _jitter(weighted_cov(near, v)[None, :, :] + offset[:, :, None] * offset[:, None, :]))
    if name == "twice_covariance":
        return Kernel(x, u, _jitter(2.0 * weighted_cov(x, u)))
    raise ValueError(f"unknown kernel {name!r}; known: {', '.join(KERNELS)}")
