"""The Normalization tab: by-hand standardization against BatchNorm1d and its conventions."""

import json

import gradio as gr

from lib.normalization import SMALLEST_TORCH_EPS, NormalizationConfig
from lib.normalization_data import DISTRIBUTIONS
from space.common import Endpoint, optional_text, run_for_app

DEFAULTS = NormalizationConfig()

LATEX_DELIMITERS = [{"left": "$$", "right": "$$", "display": True},
                    {"left": "$", "right": "$", "display": False}]

# X[n, c, l] = 1 + n + 4c + l, shape (4, 3, 4).
GRID_INPUT = json.dumps([[[1 + n + 4 * c + l for l in range(4)] for c in range(3)]
                         for n in range(4)])


def normalization(seed, batch_size, num_features, data, eps, momentum, ddof, length=None,
                  distribution="uniform", affine=True, weight=1.0, bias=0.0, train_steps=1):
    """Compare by hand, BatchNorm1d and from scratch; return plots, summary and record.

    `weight` and `bias` are one number or C numbers (text such as "2" or "1, 0.5, 2");
    an empty text box keeps the default (1 and 0). `length` 0 means no L, as None does.
    """
    # NOTE: gradio 6.31 shows an empty Number with precision 0 as 0 on page load and sends 0,
    # so length 0 also means "no L".
    length = None if length == 0 else length
    weight = optional_text(weight)
    bias = optional_text(bias)
    config = {"seed": seed, "batch_size": batch_size, "num_features": num_features,
              "data": optional_text(data), "eps": eps, "momentum": momentum, "ddof": ddof,
              "length": length, "distribution": distribution, "affine": affine,
              "weight": DEFAULTS.weight if weight is None else weight,
              "bias": DEFAULTS.bias if bias is None else bias, "train_steps": train_steps}
    return run_for_app("normalization", config)


def _example(label, **changes):
    values = {"seed": DEFAULTS.seed, "batch_size": DEFAULTS.batch_size,
              "num_features": DEFAULTS.num_features, "data": "", "eps": DEFAULTS.eps,
              "momentum": DEFAULTS.momentum, "ddof": DEFAULTS.ddof, "length": None,
              "distribution": DEFAULTS.distribution, "affine": DEFAULTS.affine, "weight": "1",
              "bias": "0", "train_steps": DEFAULTS.train_steps}
    values.update(changes)
    return label, list(values.values())


EXAMPLES = [
    _example("Course notebook: rand(4, 3), seed 42"),
    _example("eps = 0: by hand and BatchNorm1d agree", eps=0.0),
    _example("Batch size 1, (N, C) input: an error", batch_size=1),
    _example("Batch size 1, (1, 3, 5) input: works", batch_size=1, length=5),
    _example("A constant feature column", data="1 2\n1 3\n1 5"),
    _example("(4, 3, 4) input, X = 1 + n + 4c + l", data=GRID_INPUT),
    _example("momentum None: cumulative average, 3 steps", momentum=None, train_steps=3),
    _example("weight 2, bias 3 on the column [1, 3]", data="1\n3", weight="2", bias="3"),
    _example("Fresh layer in eval mode: 3 → x/√(1 + eps)", data="3", train_steps=0),
    _example("Features on scales 0/10/100, 20 steps", distribution="shifted", batch_size=64,
             train_steps=20),
]


def build():
    """Lay out the tab, wire its Run button to /normalization and return its endpoints."""
    gr.Markdown(
        "Normalize a batch per feature by hand (NumPy), with `torch.nn.BatchNorm1d` and with a "
        "from-scratch BatchNorm, then compare. **Try** setting `eps` to 0, raising "
        "`train_steps` to watch `running_var` settle, or pick an example below the Run button.",
        latex_delimiters=LATEX_DELIMITERS,
    )
    with gr.Row():
        with gr.Column(scale=1):
            with gr.Group():
                seed = gr.Number(DEFAULTS.seed, label="seed", precision=0)
                batch_size = gr.Number(DEFAULTS.batch_size, label="batch_size (N)", precision=0)
                num_features = gr.Number(DEFAULTS.num_features, label="num_features (C)",
                                         precision=0)
                length = gr.Number(None, label="length (L; empty or 0: an (N, C) input)",
                                   precision=0, placeholder="empty: an (N, C) input")
                distribution = gr.Radio(list(DISTRIBUTIONS), value=DEFAULTS.distribution,
                                        label="distribution (uniform [0, 1) as the notebook; "
                                              "shifted: feature means 0, 10, 100)")
                data = gr.Textbox("", label="data (optional: one row per line, or a JSON nested "
                                        "list N×C or N×C×L; replaces the generated data)",
                                  lines=3)
            with gr.Group():
                eps = gr.Number(DEFAULTS.eps, label="eps (0 allowed, see the note below)")
                momentum = gr.Number(DEFAULTS.momentum, label="momentum",
                                     placeholder="empty: cumulative average (None)")
                affine = gr.Checkbox(DEFAULTS.affine, label="affine (learnable weight γ and "
                                                            "bias β)")
                weight = gr.Textbox("1", label="weight γ (one number, or one per feature)")
                bias = gr.Textbox("0", label="bias β (one number, or one per feature)")
                train_steps = gr.Number(DEFAULTS.train_steps, precision=0,
                                        label="train_steps (training passes before eval)")
                ddof = gr.Radio([0, 1], value=DEFAULTS.ddof, label="ddof of the by-hand std")
            run = gr.Button("Run", variant="primary")
            inputs = {"seed": seed, "batch_size": batch_size, "num_features": num_features,
                      "data": data, "eps": eps, "momentum": momentum, "ddof": ddof,
                      "length": length, "distribution": distribution, "affine": affine,
                      "weight": weight, "bias": bias, "train_steps": train_steps}
            gr.Examples([values for _, values in EXAMPLES], inputs=list(inputs.values()),
                        example_labels=[label for label, _ in EXAMPLES],
                        label="Examples (click one, then Run)")
            gr.Markdown(
                "eps = 0: torch 2.13's BatchNorm1d raises *batch_norm eps must be positive "
                f"during training*, so the lab passes it {SMALLEST_TORCH_EPS:.3g} (the smallest "
                "normal float64), which leaves every nonzero float32 variance unchanged. The "
                "from-scratch BatchNorm uses eps = 0 itself."
            )
        with gr.Column(scale=2):
            training_plot = gr.Plot(label="Training mode, which axis, from scratch",
                                    show_label=False)
            running_plot = gr.Plot(label="Running statistics and eval mode", show_label=False)
            summary = gr.Markdown(latex_delimiters=LATEX_DELIMITERS)
            with gr.Accordion("Record (JSON)", open=False):
                record = gr.JSON(label="Record")

    endpoint = Endpoint("normalization", inputs,
                        [training_plot, running_plot, summary, record], run, record)
    return [endpoint.wire(normalization)]
