"""The Learning rate tab: gradient descent on x² and SGD on a linear model."""

import gradio as gr

from lib.lr_linear_model import LinearModelConfig
from lib.lr_quadratic import QuadraticConfig
from space.common import Endpoint, run_for_app

QUADRATIC = QuadraticConfig()
LINEAR = LinearModelConfig()


def _as_text(values):
    return ", ".join(f"{value:g}" for value in values)


def lr_quadratic(start, learning_rates, iterations):
    """Run gradient descent on x² at each learning rate; return plots, summary and record."""
    config = {"start": start, "learning_rates": learning_rates, "iterations": iterations}
    return run_for_app("lr_quadratic", config)


def lr_linear_model(seed, num_samples, learning_rates, epochs, continue_training):
    """Train the linear model at each learning rate; return the plot, summary and record."""
    config = {"seed": seed, "num_samples": num_samples, "learning_rates": learning_rates,
              "epochs": epochs, "continue_training": continue_training}
    return run_for_app("lr_linear_model", config)


def build():
    """Lay out the tab's two parts, wire them to /lr_quadratic and /lr_linear_model, return both."""
    gr.Markdown(
        "### Part 1: gradient descent on f(x) = x²\n"
        "Each step is x ← x − lr·2x. Try a rate above 1, the critical rate 2/f''."
    )
    with gr.Row():
        with gr.Column(scale=1):
            start = gr.Number(QUADRATIC.start, label="start (x₀)")
            quadratic_rates = gr.Textbox(_as_text(QUADRATIC.learning_rates),
                                         label="learning_rates (comma separated)")
            iterations = gr.Number(QUADRATIC.iterations, label="iterations", precision=0)
            quadratic_run = gr.Button("Run part 1", variant="primary")
        with gr.Column(scale=2):
            iterates_plot = gr.Plot(label="|x_k| against k")
            path_plot = gr.Plot(label="Iterates on the curve")
            quadratic_summary = gr.Markdown()
            quadratic_record = gr.JSON(label="Record")

    gr.Markdown(
        "### Part 2: SGD on a linear model\n"
        "Full-batch SGD on y ≈ w·x + b with the MSE loss, each rate from the same initial "
        "weights. Rates above the critical rate computed from the data diverge."
    )
    with gr.Row():
        with gr.Column(scale=1):
            seed = gr.Number(LINEAR.seed, label="seed", precision=0)
            num_samples = gr.Number(LINEAR.num_samples, label="num_samples", precision=0)
            linear_rates = gr.Textbox(_as_text(LINEAR.learning_rates),
                                      label="learning_rates (comma separated)")
            epochs = gr.Number(LINEAR.epochs, label="epochs", precision=0)
            continue_training = gr.Checkbox(
                LINEAR.continue_training,
                label="continue_training (one model through all rates, as the notebook)")
            linear_run = gr.Button("Run part 2", variant="primary")
        with gr.Column(scale=2):
            losses_plot = gr.Plot(label="Loss per epoch")
            linear_summary = gr.Markdown()
            linear_record = gr.JSON(label="Record")

    quadratic = Endpoint(
        "lr_quadratic",
        {"start": start, "learning_rates": quadratic_rates, "iterations": iterations},
        [iterates_plot, path_plot, quadratic_summary, quadratic_record],
        quadratic_run, quadratic_record,
    )
    linear = Endpoint(
        "lr_linear_model",
        {"seed": seed, "num_samples": num_samples, "learning_rates": linear_rates,
         "epochs": epochs, "continue_training": continue_training},
        [losses_plot, linear_summary, linear_record],
        linear_run, linear_record,
    )
    return [quadratic.wire(lr_quadratic), linear.wire(lr_linear_model)]
