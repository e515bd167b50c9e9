"""Parts of the normal equation vs gradient descent experiments.

`data` builds X and y, `solvers` solves least squares five ways, `conditioning` judges each
result against κ(X) and the dtype, `descent` runs gradient descent, `summary` describes a run,
and `accuracy` and `cost` are sweeps (error against κ, time against n and d).
`lib.normal_vs_gd` ties them into the tab's experiment.
"""
