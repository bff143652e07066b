"""The step's phases, each one module: its columns, parameters, named random streams, per-household
logic and allocation of shared capacity, called by both engines (abm.kernels drives them over the columns,
abm.agents for one household)."""
