"""Named sets of configs per experiment: `notebook` reproduces the course notebook, `sweep` varies it."""

NOTEBOOK = {
    "normalization": [{}],
    "normalization_sweep": [],
    "lr_quadratic": [{}],
    "lr_linear_model": [{}, {"continue_training": True}],
    # Not in the notebook: these run only in the sweep.
    "lr_range_test": [],
    "lr_batchnorm": [],
    "normal_vs_gd": [{}],
    "normal_vs_gd_accuracy": [],
    "normal_vs_gd_cost": [],
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
        # Regimes over a dense grid: 1000 rates in one vectorized pass.
        {"start": 10.0, "learning_rates": {"low": 0.001, "high": 1.2, "count": 1000,
                                           "scale": "linear"}, "iterations": 25},
        {"start": 10.0, "momentum": 0.5, "iterations": 100,
         "learning_rates": {"low": 0.001, "high": 1.8, "count": 1000, "scale": "linear"}},
        {"function": "quartic", "start": 1.5, "iterations": 100,
         "learning_rates": {"low": 0.001, "high": 0.5, "count": 1000, "scale": "linear"}},
        {"function": "double_well", "start": 1.5, "iterations": 100,
         "learning_rates": {"low": 0.001, "high": 0.5, "count": 1000, "scale": "linear"}},
    ],
    "lr_linear_model": [
        {"seed": seed, "learning_rates": [0.001, 0.005, 0.01, 0.02, 0.027, 0.028, 0.03, 0.05]}
        for seed in (0, 1, 42)
    ] + [
        # Final loss against lr, raw and standardized x, and the optimizers and gradients.
        {"learning_rates": {"low": 1e-4, "high": 3.0, "count": 64, "scale": "log"},
         "standardize": standardize, **variant}
        for standardize in (False, True)
        for variant in ({}, {"gradient": "sum"}, {"momentum": 0.9}, {"optimizer": "adam"},
                        {"batch_size": 10})
    ] + [
        # Unscaled features: x = 1 … 5, 100, 200 and y = 2x, one weight from 0, no bias.
        {"data": [[x, 2.0 * x] for x in (1, 2, 3, 4, 5, 100, 200)], "bias": False,
         "initial_weight": 0.0, "dtype": "float64", "epochs": 15, "gradient": gradient,
         "learning_rates": {"low": 1e-6, "high": 1e-2, "count": 64, "scale": "log"}}
        for gradient in ("mean", "sum")
    ],
    "lr_range_test": [
        {"standardize": standardize, "batch_size": batch_size}
        for standardize in (False, True)
        for batch_size in (None, 10)
    ] + [{"optimizer": "adam", "lr_max": 100.0}],
    "lr_batchnorm": [
        {"feature_scale": scale, "epochs": 30,
         "learning_rates": {"low": 1e-3, "high": 10.0, "count": 16, "scale": "log"}}
        for scale in (1.0, 10.0, 100.0)
    ],
    "normal_vs_gd": [
        {"seed": seed, "gradient": gradient, "lr": lr, "iterations": 2000}
        for seed in (0, 42)
        for gradient, lr in (("sum", 0.001), ("sum", 0.01), ("mean", 0.1), ("mean", 1.0))
    ] + [
        {"data": "1 20 1\n3 40 2\n5 60 3", "standardize": True, "solver": "inverse",
         "gd_init": "zeros", "lr": "auto", "gradient": "mean"},
        {"data": "1 1 2\n1 1.00001 0.00001\n1 1.00001 4.00001", "dtype": "float32",
         "solver": "inverse", "lr": "auto"},
        {"num_samples": 3, "num_features": 5, "true_theta": None, "gd_init": "zeros",
         "lr": "auto", "iterations": 20000},
        {"scale": [1, 1, 1000], "lr": "auto"},
        {"scale": [1, 1, 1000], "standardize": True, "lr": "auto"},
    ] + [
        {"num_samples": 1000, "num_features": 8, "true_theta": None, "correlation": rho,
         "dtype": dtype, "lr": "auto", "gradient": "mean", "iterations": 20000}
        for rho in (0.0, 0.9, 0.99, 0.999, 0.9999)
        for dtype in ("float32", "float64")
    ],
    "normal_vs_gd_accuracy": [
        {"num_samples": n, "num_features": d} for n, d in ((200, 10), (2000, 50))
    ],
    # Sizes past 1e5 samples or 1024 features run only on a CUDA device.
    "normal_vs_gd_cost": [
        {"num_features": 100, "num_samples": 10_000,
         "sample_sizes": [1000, 10_000, 100_000, 1_000_000],
         "feature_counts": [16, 64, 256, 1024, 4096],
         "dtype": dtype, "repeats": 3, "max_iterations": 5000, "threads": 0,
         "cpu_max_samples": 100_000, "cpu_max_features": 1024}
        for dtype in ("float32", "float64")
    ],
}

PRESETS = {"notebook": NOTEBOOK, "sweep": SWEEP}

GROUPS = {
    "normalization": ["normalization", "normalization_sweep"],
    "learning_rate": ["lr_quadratic", "lr_linear_model", "lr_range_test", "lr_batchnorm"],
    "normal_vs_gd": ["normal_vs_gd", "normal_vs_gd_accuracy", "normal_vs_gd_cost"],
    "all": ["normalization", "normalization_sweep", "lr_quadratic", "lr_linear_model",
            "lr_range_test", "lr_batchnorm", "normal_vs_gd", "normal_vs_gd_accuracy",
            "normal_vs_gd_cost"],
}

# Reduced configs for `--quick` (CI and a first try): these replace the sweep's configs where a
# single config is itself a large sweep.
QUICK = {
    "normalization_sweep": [{"batch_sizes": [2, 16, 256], "feature_counts": [3, 64],
                             "repeats": 2}],
    "lr_batchnorm": [{"feature_scale": 100.0, "epochs": 10, "num_samples": 256,
                      "learning_rates": {"low": 1e-3, "high": 1.0, "count": 4, "scale": "log"}}],
    "normal_vs_gd_cost": [{"num_features": 8, "num_samples": 1000,
                           "sample_sizes": [1000, 10_000], "feature_counts": [8, 32],
                           "repeats": 1, "max_iterations": 500}],
}
