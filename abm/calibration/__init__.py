"""Fitting the model to data: the synthetic population (IPF) now; targets and estimation later."""
