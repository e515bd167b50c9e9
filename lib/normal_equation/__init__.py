"""Parts of the normal equation vs gradient descent experiments.

`data` builds X and y, `solvers` solves least squares five ways and judges each answer against
the conditioning of X, `descent` runs gradient descent, and `conditioning` and `cost` are the
sweeps (accuracy against κ, time against n and d). `lib.normal_vs_gd` ties them into the tab's
experiment.
"""
