"""The scorecard: the model held to every figure and pattern it can be compared with (`abm scorecard`).

facts.py (the seed and external facts, checked, mapped to model figures and paired with the runs),
patterns.py (the seeds' qualitative patterns as rules that pass or fail), metrics.py (errors, ARD, MASE,
the summary), run.py (the sweeps on Ray, scoring, outputs), report.py (the HTML page).
"""
