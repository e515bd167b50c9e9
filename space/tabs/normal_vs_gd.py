"""The Normal equation vs GD tab."""

import gradio as gr

from lib.normal_vs_gd import NormalVsGdConfig
from space.common import Endpoint, run_for_app

DEFAULTS = NormalVsGdConfig()


def normal_vs_gd(seed, num_samples, true_theta, noise, lr, iterations, gradient):
    """Fit θ by the normal equation and by GD; return plots, summary and record."""
    config = {"seed": seed, "num_samples": num_samples, "true_theta": true_theta,
              "noise": noise, "lr": lr, "iterations": iterations, "gradient": gradient}
    return run_for_app("normal_vs_gd", config)


def build():
    """Lay out the tab, wire its Run button to /normal_vs_gd and return its endpoints."""
    gr.Markdown(
        "Fit a linear regression two ways: the normal equation XᵀXθ = XᵀY solved directly, "
        "and gradient descent. The notebook's gradient is a **sum** over samples; switch to "
        "`mean` to see what lr means on the usual MSE gradient."
    )
    with gr.Row():
        with gr.Column(scale=1):
            seed = gr.Number(DEFAULTS.seed, label="seed", precision=0)
            num_samples = gr.Number(DEFAULTS.num_samples, label="num_samples", precision=0)
            true_theta = gr.Textbox(", ".join(f"{v:g}" for v in DEFAULTS.true_theta),
                                    label="true_theta (comma separated)")
            noise = gr.Number(DEFAULTS.noise, label="noise (std of the Gaussian noise)")
            lr = gr.Number(DEFAULTS.lr, label="lr")
            iterations = gr.Number(DEFAULTS.iterations, label="iterations", precision=0)
            gradient = gr.Radio(["sum", "mean"], value=DEFAULTS.gradient, label="gradient")
            run = gr.Button("Run", variant="primary")
        with gr.Column(scale=2):
            losses_plot = gr.Plot(label="GD loss per iteration")
            theta_plot = gr.Plot(label="θ side by side")
            summary = gr.Markdown()
            record = gr.JSON(label="Record")

    inputs = {"seed": seed, "num_samples": num_samples, "true_theta": true_theta,
              "noise": noise, "lr": lr, "iterations": iterations, "gradient": gradient}
    endpoint = Endpoint("normal_vs_gd", inputs, [losses_plot, theta_plot, summary, record],
                        run, record)
    return [endpoint.wire(normal_vs_gd)]
