"""The Normal equation vs GD tab: solvers, conditioning, failures, GD's rate, and cost."""

import gradio as gr

from lib.experiments import EXPERIMENTS
from lib.normal_equation.cost import CostConfig
from lib.normal_equation.cost import run_record as run_cost_record
from lib.normal_equation.solvers import SOLVERS
from lib.normal_vs_gd import NormalVsGdConfig
from lib.validation import ConfigError
from space.common import Endpoint, optional_text, run_for_app

DEFAULTS = NormalVsGdConfig()
COST = CostConfig()
LATEX = [{"left": "$$", "right": "$$", "display": True},
         {"left": "$", "right": "$", "display": False}]

INTRO = (
    "Fit $y \\approx X\\theta$ with five closed-form solvers and with gradient descent, and see "
    "when each answer can be trusted. Start from an example below (the notebook, a singular "
    "$X^\\top X$, float32 beyond its digits, unscaled features), then change one control at a "
    "time: `correlation` and `scale` raise $\\kappa(X)$, `standardize` undoes `scale`, and "
    "`lr` \"auto\" is the largest safe step $1/\\lambda_{\\max}$."
)

STANDARDIZED_ROWS = "1 20 1\n3 40 2\n5 60 3"
FLOAT32_ROWS = "1 1 2\n1 1.00001 0.00001\n1 1.00001 4.00001"
EXAMPLE_LABELS = [
    "The notebook: inverse, sum gradient at lr 0.01",
    "Singular XᵀX: standardized [[1, 20], [3, 40], [5, 60]]",
    "float32 beyond its digits: κ(AᵀA) ≈ 1.8e11",
    "Unscaled features: scale 1, 1, 1000 (then tick standardize)",
    "n < d: 3 samples, 5 features",
    "Correlated features (0.9999) in float32, GD on X",
]
# Values in the order of the `inputs` dict in `build`.
EXAMPLES = [
    [42, 100, "1.5, -0.8, 2", 0.1, "0.01", 10000, "sum", 0, False, "", 0.0, "", False,
     "float64", "inverse", 1e-6, "random", True],
    [42, 100, "", 0.1, "auto", 200, "mean", 0, False, STANDARDIZED_ROWS, 0.0, "", True,
     "float64", "inverse", 1e-6, "zeros", True],
    [42, 100, "", 0.1, "auto", 1000, "sum", 0, False, FLOAT32_ROWS, 0.0, "", False,
     "float32", "inverse", 1e-6, "random", True],
    [42, 100, "1.5, -0.8, 2", 0.1, "auto", 10000, "mean", 0, False, "", 0.0, "1, 1, 1000",
     False, "float64", "auto", 1e-6, "random", True],
    [42, 3, "", 0.1, "auto", 20000, "mean", 5, False, "", 0.0, "", False, "float64", "inverse",
     1e-8, "zeros", True],
    [42, 1000, "", 0.1, "auto", 5000, "mean", 4, True, "", 0.9999, "", False, "float32",
     "auto", 1e-4, "random", False],
]


def _number_or_text(value):
    """Return a float for numeric text ("0.01"), the text otherwise ("auto"); None if empty."""
    value = optional_text(value)
    if isinstance(value, str):
        text = value.strip()
        try:
            return float(text)
        except ValueError:
            return text
    return value


def normal_vs_gd(seed, num_samples, true_theta, noise, lr, iterations, gradient,
                 num_features=None, fit_intercept=False, data="", correlation=0.0, scale="",
                 standardize=False, dtype="float64", solver="auto", tolerance=1e-6,
                 gd_init="random", gd_on_gram=True):
    """Fit θ by every solver and by GD; return plots, summary and record.

    num_features 0 or empty means "the length of true_theta" (a Number box cannot be empty).
    """
    config = {"seed": seed, "num_samples": num_samples, "true_theta": optional_text(true_theta),
              "noise": noise, "lr": _number_or_text(lr), "iterations": iterations,
              "gradient": gradient, "num_features": num_features or None,
              "fit_intercept": fit_intercept, "data": optional_text(data),
              "correlation": correlation, "scale": optional_text(scale),
              "standardize": standardize, "dtype": dtype, "solver": solver,
              "tolerance": tolerance, "gd_init": gd_init, "gd_on_gram": gd_on_gram}
    return run_for_app("normal_vs_gd", config)


def normal_vs_gd_cost(seed, num_samples, num_features, sample_sizes, feature_counts,
                      correlation, dtype, tolerance, max_iterations, repeats,
                      progress=gr.Progress()):
    """Time every solver and GD as n and d grow; return the plot, summary and record."""
    config = {"seed": seed, "num_samples": num_samples, "num_features": num_features,
              "sample_sizes": sample_sizes, "feature_counts": feature_counts,
              "correlation": correlation, "dtype": dtype, "tolerance": tolerance,
              "max_iterations": max_iterations, "repeats": repeats}
    try:
        config = CostConfig.from_dict(config)
    except ConfigError as error:
        raise gr.Error(str(error), print_exception=False) from None

    progress(0.0, desc="timing")
    record = run_cost_record(config, progress=lambda fraction, text: progress(fraction,
                                                                              desc=text))
    experiment = EXPERIMENTS["normal_vs_gd_cost"]
    return (*experiment.plot(record), experiment.summarize(record), record)


def _as_text(values):
    return ", ".join(f"{value:g}" for value in values)


def build():
    """Lay out the tab, wire /normal_vs_gd and /normal_vs_gd_cost, return both endpoints."""
    gr.Markdown(INTRO, latex_delimiters=LATEX)
    with gr.Row():
        with gr.Column(scale=1):
            gr.Markdown("**Data**")
            seed = gr.Number(DEFAULTS.seed, label="seed", precision=0)
            num_samples = gr.Number(DEFAULTS.num_samples, label="num_samples (n)", precision=0)
            num_features = gr.Number(0, label="num_features (d; 0 = length of true_theta)",
                                     precision=0)
            true_theta = gr.Textbox(_as_text(DEFAULTS.true_theta),
                                    label="true_theta (comma separated; empty = drawn)")
            noise = gr.Number(DEFAULTS.noise, label="noise (std of the Gaussian noise)")
            correlation = gr.Slider(0.0, 0.9999, value=DEFAULTS.correlation, step=0.0001,
                                    label="correlation between features")
            scale = gr.Textbox("", label="scale per feature (comma separated, e.g. 1, 1, 1000)")
            standardize = gr.Checkbox(DEFAULTS.standardize,
                                      label="standardize features (mean 0, std 1, ddof 0)")
            fit_intercept = gr.Checkbox(DEFAULTS.fit_intercept,
                                        label="fit_intercept (prepend a column of ones)")
            data = gr.Textbox("", lines=3, label="data (optional: rows of numbers, the last "
                              "column is y; replaces the drawn data)")
            gr.Markdown("**Solvers**")
            dtype = gr.Radio(["float64", "float32"], value=DEFAULTS.dtype, label="dtype")
            solver = gr.Dropdown(["auto", *SOLVERS], value=DEFAULTS.solver,
                                 label="solver shown as the answer (all five always run)")
            gr.Markdown("**Gradient descent**")
            lr = gr.Textbox(str(DEFAULTS.lr), label='lr (a number, or "auto" = 1/λ_max)')
            iterations = gr.Number(DEFAULTS.iterations, label="iterations", precision=0)
            gradient = gr.Radio(["sum", "mean"], value=DEFAULTS.gradient,
                                label="gradient (sum over samples as the notebook, or mean)")
            tolerance = gr.Number(DEFAULTS.tolerance, label="tolerance on ‖θ_k − θ_∞‖/‖θ_∞‖")
            gd_init = gr.Radio(["random", "zeros"], value=DEFAULTS.gd_init,
                               label="θ₀ (random as the notebook, or zeros)")
            gd_on_gram = gr.Checkbox(DEFAULTS.gd_on_gram,
                                     label="iterate on XᵀX and Xᵀy (n·d² up front, then d² "
                                     "per step instead of n·d)")
            run = gr.Button("Run", variant="primary")
        with gr.Column(scale=2):
            losses_plot = gr.Plot(label="GD: loss and distance to θ_∞ per iteration")
            theta_plot = gr.Plot(label="θ and error of every method")
            summary = gr.Markdown(latex_delimiters=LATEX)
            record = gr.JSON(label="Record")

    inputs = {"seed": seed, "num_samples": num_samples, "true_theta": true_theta,
              "noise": noise, "lr": lr, "iterations": iterations, "gradient": gradient,
              "num_features": num_features, "fit_intercept": fit_intercept, "data": data,
              "correlation": correlation, "scale": scale, "standardize": standardize,
              "dtype": dtype, "solver": solver, "tolerance": tolerance, "gd_init": gd_init,
              "gd_on_gram": gd_on_gram}
    gr.Examples(EXAMPLES, inputs=list(inputs.values()), example_labels=EXAMPLE_LABELS,
                label="Examples (fill the controls, then press Run)")
    endpoint = Endpoint("normal_vs_gd", inputs, [losses_plot, theta_plot, summary, record],
                        run, record)

    cost = _build_cost()
    return [endpoint.wire(normal_vs_gd), cost.wire(normal_vs_gd_cost)]


def _build_cost():
    gr.Markdown(
        "### Cost as the problem grows\n"
        "Times every solver and GD to tolerance on standard normal features, first against n, "
        "then against d, and draws the cost model (normal equation $O(nd^2 + d^3)$, GD "
        "$O(nd)$ per step times the steps κ asks for) with the crossover. The app keeps the "
        "sizes small; the jobs run up to n = 10⁶ and d = 4096 on a GPU.",
        latex_delimiters=LATEX)
    with gr.Row():
        with gr.Column(scale=1):
            seed = gr.Number(COST.seed, label="seed", precision=0)
            sample_sizes = gr.Textbox(_as_text(COST.sample_sizes),
                                      label="sample_sizes (n values, at d = num_features)")
            num_features = gr.Number(COST.num_features, label="num_features (d for the n "
                                     "sweep)", precision=0)
            feature_counts = gr.Textbox(_as_text(COST.feature_counts),
                                        label="feature_counts (d values, at n = num_samples)")
            num_samples = gr.Number(COST.num_samples, label="num_samples (n for the d sweep)",
                                    precision=0)
            correlation = gr.Slider(0.0, 0.9999, value=COST.correlation, step=0.0001,
                                    label="correlation (raises κ, so GD needs more steps)")
            dtype = gr.Radio(["float64", "float32"], value=COST.dtype, label="dtype")
            tolerance = gr.Number(COST.tolerance, label="GD tolerance")
            max_iterations = gr.Number(COST.max_iterations, label="GD max_iterations",
                                       precision=0)
            repeats = gr.Number(COST.repeats, label="repeats (median of)", precision=0)
            run = gr.Button("Time them", variant="primary")
        with gr.Column(scale=2):
            cost_plot = gr.Plot(label="Time against n and d")
            summary = gr.Markdown(latex_delimiters=LATEX)
            record = gr.JSON(label="Record")
    inputs = {"seed": seed, "num_samples": num_samples, "num_features": num_features,
              "sample_sizes": sample_sizes, "feature_counts": feature_counts,
              "correlation": correlation, "dtype": dtype, "tolerance": tolerance,
              "max_iterations": max_iterations, "repeats": repeats}
    return Endpoint("normal_vs_gd_cost", inputs, [cost_plot, summary, record], run, record)
