"""The Learning rate tab: descent on one variable, the linear model, a range test and BatchNorm.

Each section is a thin layout over one lib experiment. The handlers' parameter names are the
config keys; the parameters added after the notebook's ones default to the notebook's behaviour.
"""

import gradio as gr

from lib.lr_batched import reporting_progress
from lib.lr_batchnorm import BatchNormSweepConfig
from lib.lr_linear_model import LinearModelConfig
from lib.lr_quadratic import QuadraticConfig
from lib.lr_range_test import RangeTestConfig
from lib.lr_rates import as_text
from space.common import Endpoint, optional_text, run_for_app

QUADRATIC = QuadraticConfig()
LINEAR = LinearModelConfig()
RANGE_TEST = RangeTestConfig()
BATCHNORM = BatchNormSweepConfig()

# Inline $…$ and display $$…$$ math in the tab's Markdown.
LATEX = [{"left": "$$", "right": "$$", "display": True},
         {"left": "$", "right": "$", "display": False}]

UNSCALED_DATA = "\n".join(f"{x}, {2 * x}" for x in (1, 2, 3, 4, 5, 100, 200))


def _run_with_progress(experiment_id, config, progress):
    """Run an experiment for a handler, passing lib's progress reports to gr.Progress."""
    def report(fraction, text):
        progress(fraction, desc=text)

    with reporting_progress(report):
        return run_for_app(experiment_id, config)


def optional_number(value):
    """Return None for an empty text box, the number it holds, or the text as typed.

    Text that is not a number goes to lib unchanged, so its validation message names it.
    """
    value = optional_text(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return value
    return value


def _zero_momentum_for_adam(optimizer, momentum):
    return 0.0 if optimizer == "adam" else momentum


def lr_quadratic(start, learning_rates, iterations, function="quadratic", curvature=1.0,
                 momentum=0.0):
    """Run gradient descent on one variable at each learning rate; return plots, summary, record."""
    config = {"start": start, "learning_rates": learning_rates, "iterations": iterations,
              "function": function, "curvature": curvature, "momentum": momentum}
    return run_for_app("lr_quadratic", config)


def lr_linear_model(seed, num_samples, learning_rates, epochs, continue_training,
                    standardize=False, batch_size=None, optimizer="sgd", momentum=0.0,
                    gradient="mean", dtype="float32", data=None, bias=True, initial_weight=None,
                    initial_bias=None, progress=gr.Progress()):
    """Train the linear model at each learning rate; return the plot, summary and record."""
    config = {"seed": seed, "num_samples": num_samples, "learning_rates": learning_rates,
              "epochs": epochs, "continue_training": continue_training,
              "standardize": standardize, "batch_size": optional_number(batch_size),
              "optimizer": optimizer, "momentum": momentum, "gradient": gradient,
              "dtype": dtype, "data": optional_text(data), "bias": bias,
              "initial_weight": optional_number(initial_weight),
              "initial_bias": optional_number(initial_bias)}
    return _run_with_progress("lr_linear_model", config, progress)


def lr_range_test(seed, num_samples, lr_min, lr_max, num_steps, smoothing, stop_factor,
                  standardize, batch_size, optimizer, momentum, gradient,
                  progress=gr.Progress()):
    """Run the learning-rate range test; return the plot, summary and record."""
    config = {"seed": seed, "num_samples": num_samples, "lr_min": lr_min, "lr_max": lr_max,
              "num_steps": num_steps, "smoothing": smoothing, "stop_factor": stop_factor,
              "standardize": standardize, "batch_size": optional_number(batch_size),
              "optimizer": optimizer, "momentum": momentum, "gradient": gradient}
    return _run_with_progress("lr_range_test", config, progress)


def lr_batchnorm(seed, num_samples, num_features, feature_scale, hidden_units, learning_rates,
                 epochs, batch_size, optimizer, momentum, progress=gr.Progress()):
    """Train the MLP with and without BatchNorm at each rate; return the plot, summary, record."""
    config = {"seed": seed, "num_samples": num_samples, "num_features": num_features,
              "feature_scale": feature_scale, "hidden_units": hidden_units,
              "learning_rates": learning_rates, "epochs": epochs, "batch_size": batch_size,
              "optimizer": optimizer, "momentum": momentum}
    return _run_with_progress("lr_batchnorm", config, progress)


def _rates_box(default, label="learning_rates"):
    return gr.Textbox(as_text(default), label=label,
                      info="a list (0.1, 0.01) or a range low:high:count, "
                           "with :log for log spacing (1e-4:1:64:log)")


def _optimizer_inputs(defaults):
    optimizer = gr.Radio(["sgd", "adam"], value=defaults.optimizer, label="optimizer")
    momentum = gr.Number(defaults.momentum, label="momentum (SGD only; 0 = plain SGD)")
    optimizer.change(_zero_momentum_for_adam, inputs=[optimizer, momentum], outputs=momentum,
                     api_visibility="private")
    return optimizer, momentum


def build_quadratic():
    """Lay out part 1 and return its endpoint."""
    gr.Markdown(
        "### Part 1: gradient descent on one variable\n"
        "Each step is $x \\leftarrow x - \\text{lr}\\cdot f'(x)$. On $f(x) = a x^2$ the "
        "iterates follow $x_k = (1 - 2a\\cdot\\text{lr})^k x_0$, so the critical rate is "
        "$2/f'' = 1/a$. On $x^4$ and the double well $(x^2 - 1)^2$ the curvature changes "
        "with $x$, and the local curvature decides.",
        latex_delimiters=LATEX,
    )
    with gr.Row():
        with gr.Column(scale=1):
            start = gr.Number(QUADRATIC.start, label="start (x₀)")
            learning_rates = _rates_box(QUADRATIC.learning_rates)
            iterations = gr.Number(QUADRATIC.iterations, label="iterations", precision=0)
            function = gr.Radio(["quadratic", "quartic", "double_well"],
                                value=QUADRATIC.function, label="function")
            curvature = gr.Number(QUADRATIC.curvature, label="curvature a (f = a·x², …)")
            momentum = gr.Number(QUADRATIC.momentum, label="momentum μ (0 = plain GD)")
            run = gr.Button("Run part 1", variant="primary")
        with gr.Column(scale=2):
            iterates_plot = gr.Plot(label="|x_k − x*| against k")
            sweep_plot = gr.Plot(label="Iterates on the curve, final distance against lr")
            summary = gr.Markdown()
            record = gr.JSON(label="Record", max_height=320)

    inputs = {"start": start, "learning_rates": learning_rates, "iterations": iterations,
              "function": function, "curvature": curvature, "momentum": momentum}
    gr.Examples(
        [[5.0, "0.1, 0.01, 0.5", 25, "quadratic", 1.0, 0.0],
         [10.0, "0.2, 0.5, 0.9, 1.0, 1.1", 10, "quadratic", 1.0, 0.0],
         [10.0, "1.1, 500", 200, "quadratic", 1.0, 0.0],
         [10.0, "0.001:1.2:250", 25, "quadratic", 1.0, 0.0],
         [10.0, "0.05:1.8:200", 60, "quadratic", 1.0, 0.5],
         [1.5, "0.01:0.5:50", 60, "quartic", 1.0, 0.0],
         [1.5, "0.01:0.5:50", 60, "double_well", 1.0, 0.0]],
        inputs=list(inputs.values()),
        example_labels=["The notebook's setup", "x₀ = 10: the five regimes",
                        "lr 1.1 and 500 diverge (500 overflows)", "250 rates: the regime map",
                        "Momentum 0.5 moves the threshold to 1.5", "x⁴: local curvature",
                        "Double well: leaving the basin"],
    )
    endpoint = Endpoint("lr_quadratic", inputs, [iterates_plot, sweep_plot, summary, record],
                        run, record)
    return endpoint.wire(lr_quadratic)


def build_linear_model():
    """Lay out part 2 and return its endpoint."""
    gr.Markdown(
        "### Part 2: SGD on a linear model\n"
        "Every rate trains from the same initial weights, all in one batched run. The loss "
        "$L = \\frac{1}{n}\\sum_i (w x_i + b - y_i)^2$ has a constant Hessian $H$, so gradient "
        "descent is stable for $\\text{lr} < 2/\\lambda_{\\max}(H)$, the dashed line. "
        "Standardizing $x$ makes $H = 2I$ and moves that line from about 0.028 to 1, as in "
        "the Normalization tab.",
        latex_delimiters=LATEX,
    )
    with gr.Row():
        with gr.Column(scale=1):
            seed = gr.Number(LINEAR.seed, label="seed", precision=0)
            num_samples = gr.Number(LINEAR.num_samples, label="num_samples", precision=0)
            learning_rates = _rates_box(LINEAR.learning_rates)
            epochs = gr.Number(LINEAR.epochs, label="epochs", precision=0)
            continue_training = gr.Checkbox(
                LINEAR.continue_training,
                label="continue_training (one model through all rates, as the notebook)")
            standardize = gr.Checkbox(LINEAR.standardize, label="standardize x")
            with gr.Accordion("Optimizer, batches, data", open=False):
                batch_size = gr.Textbox("", label="batch_size (empty = full batch)")
                optimizer, momentum = _optimizer_inputs(LINEAR)
                gradient = gr.Radio(["mean", "sum"], value=LINEAR.gradient,
                                    label="gradient (mean = MSELoss; sum = n × mean)")
                dtype = gr.Radio(["float32", "float64"], value=LINEAR.dtype, label="dtype")
                data = gr.Textbox("", lines=3, label="data: one 'x, y' pair per line "
                                                    "(empty = the notebook's data)")
                bias = gr.Checkbox(LINEAR.bias, label="bias (fit b)")
                initial_weight = gr.Textbox("", label="initial_weight (empty = nn.Linear's)")
                initial_bias = gr.Textbox("", label="initial_bias (empty = nn.Linear's)")
            run = gr.Button("Run part 2", variant="primary")
        with gr.Column(scale=2):
            plot = gr.Plot(label="Loss per epoch, final loss against lr")
            summary = gr.Markdown()
            record = gr.JSON(label="Record", max_height=320)

    inputs = {"seed": seed, "num_samples": num_samples, "learning_rates": learning_rates,
              "epochs": epochs, "continue_training": continue_training,
              "standardize": standardize, "batch_size": batch_size, "optimizer": optimizer,
              "momentum": momentum, "gradient": gradient, "dtype": dtype, "data": data,
              "bias": bias, "initial_weight": initial_weight, "initial_bias": initial_bias}
    notebook = [42, 100, "0.01, 0.1, 0.5", 100, False, False, "", "sgd", 0.0, "mean",
                "float32", "", True, "", ""]
    gr.Examples(
        [notebook,
         [42, 100, "1e-4:2:48:log", 100, False, False, "", "sgd", 0.0, "mean", "float32", "",
          True, "", ""],
         [42, 100, "1e-4:2:48:log", 100, False, True, "", "sgd", 0.0, "mean", "float32", "",
          True, "", ""],
         [42, 100, "1e-4, 1.5e-4", 15, False, False, "", "sgd", 0.0, "mean", "float64",
          UNSCALED_DATA, False, "0", ""],
         [42, 100, "1.5e-5, 0.01", 10, False, False, "", "sgd", 0.0, "sum", "float64",
          UNSCALED_DATA, False, "0", ""],
         [42, 100, "1e-4:2:48:log", 100, False, False, "", "adam", 0.0, "mean", "float32",
          "", True, "", ""]],
        inputs=list(inputs.values()),
        example_labels=["The notebook's setup (lr 0.1 and 0.5 diverge)",
                        "Sweep: final loss against lr, raw x", "The same sweep, standardized x",
                        "Unscaled x, mean gradient: 1e-4 converges, 1.5e-4 diverges",
                        "Unscaled x, sum gradient: lr 0.01 reaches 1e30",
                        "Adam: no 2/λ threshold"],
    )
    endpoint = Endpoint("lr_linear_model", inputs, [plot, summary, record], run, record)
    return endpoint.wire(lr_linear_model)


def build_range_test():
    """Lay out the range test and return its endpoint."""
    gr.Markdown(
        "### Learning-rate range test\n"
        "One run whose rate grows exponentially each step, the way an LR finder works. Its "
        "suggestions (steepest descent of the smoothed loss, minimum/10) are drawn beside the "
        "critical rate computed from the data.",
        latex_delimiters=LATEX,
    )
    with gr.Row():
        with gr.Column(scale=1):
            seed = gr.Number(RANGE_TEST.seed, label="seed", precision=0)
            num_samples = gr.Number(RANGE_TEST.num_samples, label="num_samples", precision=0)
            lr_min = gr.Number(RANGE_TEST.lr_min, label="lr_min")
            lr_max = gr.Number(RANGE_TEST.lr_max, label="lr_max")
            num_steps = gr.Number(RANGE_TEST.num_steps, label="num_steps", precision=0)
            smoothing = gr.Number(RANGE_TEST.smoothing, label="smoothing β of the moving average")
            stop_factor = gr.Number(RANGE_TEST.stop_factor,
                                    label="stop_factor (stop above this × the minimum)")
            standardize = gr.Checkbox(RANGE_TEST.standardize, label="standardize x")
            batch_size = gr.Textbox("", label="batch_size (empty = full batch)")
            optimizer, momentum = _optimizer_inputs(RANGE_TEST)
            gradient = gr.Radio(["mean", "sum"], value=RANGE_TEST.gradient, label="gradient")
            run = gr.Button("Run the range test", variant="primary")
        with gr.Column(scale=2):
            plot = gr.Plot(label="Loss against lr")
            summary = gr.Markdown()
            record = gr.JSON(label="Record", max_height=320)

    inputs = {"seed": seed, "num_samples": num_samples, "lr_min": lr_min, "lr_max": lr_max,
              "num_steps": num_steps, "smoothing": smoothing, "stop_factor": stop_factor,
              "standardize": standardize, "batch_size": batch_size, "optimizer": optimizer,
              "momentum": momentum, "gradient": gradient}
    endpoint = Endpoint("lr_range_test", inputs, [plot, summary, record], run, record)
    return endpoint.wire(lr_range_test)


def build_batchnorm():
    """Lay out the BatchNorm sweep and return its endpoint."""
    gr.Markdown(
        "### Learning rate and BatchNorm\n"
        "A two-hidden-layer MLP on a synthetic regression task whose features span "
        "`feature_scale`, trained with and without BatchNorm at every rate.",
    )
    with gr.Row():
        with gr.Column(scale=1):
            seed = gr.Number(BATCHNORM.seed, label="seed", precision=0)
            num_samples = gr.Number(BATCHNORM.num_samples, label="num_samples", precision=0)
            num_features = gr.Number(BATCHNORM.num_features, label="num_features", precision=0)
            feature_scale = gr.Number(BATCHNORM.feature_scale,
                                      label="feature_scale (largest feature's std)")
            hidden_units = gr.Number(BATCHNORM.hidden_units, label="hidden_units", precision=0)
            learning_rates = _rates_box(BATCHNORM.learning_rates)
            epochs = gr.Number(BATCHNORM.epochs, label="epochs", precision=0)
            batch_size = gr.Number(BATCHNORM.batch_size, label="batch_size", precision=0)
            optimizer, momentum = _optimizer_inputs(BATCHNORM)
            run = gr.Button("Run the BatchNorm sweep", variant="primary")
        with gr.Column(scale=2):
            plot = gr.Plot(label="Final loss against lr, with and without BatchNorm")
            summary = gr.Markdown()
            record = gr.JSON(label="Record", max_height=320)

    inputs = {"seed": seed, "num_samples": num_samples, "num_features": num_features,
              "feature_scale": feature_scale, "hidden_units": hidden_units,
              "learning_rates": learning_rates, "epochs": epochs, "batch_size": batch_size,
              "optimizer": optimizer, "momentum": momentum}
    endpoint = Endpoint("lr_batchnorm", inputs, [plot, summary, record], run, record)
    return endpoint.wire(lr_batchnorm)


def build():
    """Lay out the tab's four sections, wire their Run buttons and return their endpoints."""
    gr.Markdown(
        "Try the examples under each part: the notebook's setup, then a rate above the "
        "critical one to watch it diverge. Then sweep a range such as `1e-4:2:48:log` in "
        "part 2, with and without standardized x, and compare the runs with the dashed "
        "threshold computed from the data."
    )
    return [build_quadratic(), build_linear_model(), build_range_test(), build_batchnorm()]
