"""Named sets of configs per experiment: `notebook` reproduces the course notebook, `sweep` varies it."""

NOTEBOOK = {
    "normalization": [{}],
    "lr_quadratic": [{}],
    "lr_linear_model": [{}, {"continue_training": True}],
    "normal_vs_gd": [{}],
    "normal_vs_gd_accuracy": [{}],
    "normal_vs_gd_cost": [{}],
}

SWEEP = {
    "normalization": [
        {"seed": seed, "batch_size": batch_size, "num_features": 3}
        for seed in (0, 1, 42)
        for batch_size in (2, 4, 16, 256)
    ] + [{"eps": 1e-12}, {"momentum": None}, {"ddof": 1}],
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
    "learning_rate": ["lr_quadratic", "lr_linear_model"],
    "all": ["normalization", "lr_quadratic", "lr_linear_model", "normal_vs_gd"],
    "normal_equation": ["normal_vs_gd", "normal_vs_gd_accuracy", "normal_vs_gd_cost"],
}
