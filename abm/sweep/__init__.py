"""Sweeps: many runs of one city over policy arms, a parameter design and replicates, on Ray.

`config` validates a sweep file into runs; `design` makes the design points; `execute` runs them on
Ray and `store` writes the Parquet results; `compare` and `report` read them back.
"""
