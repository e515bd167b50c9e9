"""Named sets of configs per experiment: `notebook` reproduces the course notebook, `sweep` varies it."""

NOTEBOOK = {
    "normalization": [{}],
    "normalization_sweep": [],
    "lr_quadratic": [{}],
    "lr_linear_model": [{}, {"continue_training": True}],
    "normal_vs_gd": [{}],
}

SWEEP = {
    "normalization": [
        {"seed": seed, "batch_size": batch_size, "num_features": 3}
        for seed in (0, 1, 42)
        for batch_size in (2, 4, 16, 256)
    ] + [{"eps": 1e-12}, {"eps": 0.0}, {"momentum": None, "train_steps": 5}, {"ddof": 1},
         {"distribution": "shifted", "batch_size": 64, "num_features": 6, "train_steps": 20},
         {"batch_size": 16, "length": 8}, {"weight": 2.0, "bias": 3.0}],
    "normalization_sweep": [{}],
    "lr_quadratic": [
        {"learning_rates": [round(0.05 * i, 2) for i in range(1, 25)], "iterations": 25},
        {"start": -3.0, "learning_rates": [0.25, 0.5, 0.75, 1.0, 1.05], "iterations": 50},
    ],
    "lr_linear_model": [
        {"seed": seed, "learning_rates": [0.001, 0.005, 0.01, 0.02, 0.027, 0.028, 0.03, 0.05]}
        for seed in (0, 1, 42)
    ],
    "normal_vs_gd": [
        {"seed": seed, "gradient": gradient, "lr": lr, "iterations": 2000}
        for seed in (0, 42)
        for gradient, lr in (("sum", 0.001), ("sum", 0.01), ("mean", 0.1), ("mean", 1.0))
    ],
}

PRESETS = {"notebook": NOTEBOOK, "sweep": SWEEP}

GROUPS = {
    "normalization": ["normalization", "normalization_sweep"],
    "learning_rate": ["lr_quadratic", "lr_linear_model"],
    "all": ["normalization", "lr_quadratic", "lr_linear_model", "normal_vs_gd",
            "normalization_sweep"],
}

# Reduced configs for `--quick` (CI and a first try): these replace the sweep's configs where a
# single config is itself a large sweep.
QUICK = {
    "normalization_sweep": [{"batch_sizes": [2, 16, 256], "feature_counts": [3, 64],
                             "repeats": 2}],
}
