"""The fast engine's phases: Numba kernels over the household columns.

Each module mirrors one phase of the step (MODEL.md section 3) and calls the
decision functions of abm.decisions; abm.agents holds the same phases written
as Mesa agent methods. Loops that allocate under capacity run serially in the
random priority order, which is what makes the two engines agree.
"""
