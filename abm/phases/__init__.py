"""The step's phases, each one module: its columns, parameters, named random streams, per-household
logic and allocation of shared capacity, called by both engines (abm.kernels drives them over the columns,
abm.agents for one household).

A phase's functions take named scalars and the behaviour and rules records `p` and `r` (one-element
structured arrays, read as `p[0].name`), and return the household's new values. Those that draw take (seed, step, i)
and draw from the phase's named streams; those that allocate shared capacity book it in the arrays passed.
Each module's RETURNS names what its functions return, for its unit cases in tests/phases/<phase>.yaml."""

from abm import rng
from abm.decisions import jit
from abm.state import PRIVATE_MIGRANT, PUBLIC


@jit
def priority_key(seed, step, i, stream, offset):
    """Where household i stands when a shared capacity is served: `offset` (an admission class, 0 where
    there is none) plus its draw from the phase's priority stream. Lower keys are served first, equal keys
    (which a 53-bit draw practically never gives) in id order. Both engines order by this key."""
    return offset + rng.draw(seed, step, i, stream)


@jit
def give_back_seats(public_used, private_used, district, school, kids):
    """`kids` public or private migrant-school places (by `school`; other codes hold none) are given back in
    `district`: a family leaving the city or its district, or giving up the places it kept."""
    if school == PUBLIC:
        public_used[district] -= kids
    elif school == PRIVATE_MIGRANT:
        private_used[district] -= kids
