"""The Normalization tab: by-hand standardization against BatchNorm1d."""

import gradio as gr

from lib.normalization import NormalizationConfig
from space.common import Endpoint, optional_text, run_for_app

DEFAULTS = NormalizationConfig()


def normalization(seed, batch_size, num_features, data, eps, momentum, ddof):
    """Standardize each feature by hand and with BatchNorm1d; return plots, summary and record."""
    config = {"seed": seed, "batch_size": batch_size, "num_features": num_features,
              "data": optional_text(data), "eps": eps, "momentum": momentum, "ddof": ddof}
    return run_for_app("normalization", config)


def build():
    """Lay out the tab, wire its Run button to /normalization and return its endpoints."""
    gr.Markdown(
        "Standardize each feature (column) of a batch by hand with NumPy and with "
        "`torch.nn.BatchNorm1d` in training mode, then compare. Both normalize **each feature "
        "over the batch**; the small difference is BatchNorm's `eps`."
    )
    with gr.Row():
        with gr.Column(scale=1):
            seed = gr.Number(DEFAULTS.seed, label="seed", precision=0)
            batch_size = gr.Number(DEFAULTS.batch_size, label="batch_size (N)", precision=0)
            num_features = gr.Number(DEFAULTS.num_features, label="num_features (C)",
                                     precision=0)
            data = gr.Textbox("", label="data (optional: one row per line, or a JSON nested list "
                                    "N×C or N×C×L; replaces the generated data)", lines=3)
            eps = gr.Number(DEFAULTS.eps, label="eps")
            momentum = gr.Number(DEFAULTS.momentum, label="momentum (empty = cumulative average)")
            ddof = gr.Radio([0, 1], value=DEFAULTS.ddof, label="ddof of the by-hand std")
            run = gr.Button("Run", variant="primary")
        with gr.Column(scale=2):
            values_plot = gr.Plot(label="Normalized values, per feature")
            difference_plot = gr.Plot(label="Difference and the eps prediction")
            summary = gr.Markdown()
            record = gr.JSON(label="Record")

    inputs = {"seed": seed, "batch_size": batch_size, "num_features": num_features,
              "data": data, "eps": eps, "momentum": momentum, "ddof": ddof}
    endpoint = Endpoint("normalization", inputs,
                        [values_plot, difference_plot, summary, record], run, record)
    return [endpoint.wire(normalization)]
