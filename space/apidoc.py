"""The generated tables of docs/api.md and docs/embedding.md, so they cannot drift from the app.

`python -m space.apidoc` rewrites every table between a `<!-- generated: NAME -->` line and the
next `<!-- end generated -->` line of both pages; `python -m space.apidoc --check` exits with
status 1 and names the tables that differ. tests/test_api_docs.py and
tests/test_deeplink_docs.py run the check.

What comes from the app itself: the endpoints, their parameters in order and their defaults
(`demo.get_api_info()`), the tab ids and labels (`space.app.TABS`) and the deep-link names
(`space.deeplink.query_name`). What is written here: each parameter's type, range and meaning.
The tests hold each written range against the config's own validation.
"""

import json
import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"
API_DOC = DOCS / "api.md"
EMBEDDING_DOC = DOCS / "embedding.md"
END = "<!-- end generated -->"

SEED_64 = ">= 0, <= 9007199254740992"
RATES = "each > 0, <= 1000; 1 to 256 values"
RATES_MEANING = ("the step sizes to compare, one run each: a list (`0.1, 0.01`) or a range "
                 "`low:high:count`, with `:log` for log spacing (`1e-4:1:64:log`)")
OPTIMIZER = "`sgd` (with `momentum`) or `adam`"
MOMENTUM = "momentum μ of SGD (heavy ball); 0 is plain SGD; set to 0 for Adam"

# {api name: {parameter: (type, range, meaning and unit)}}. A range is "true or false",
# "one of a, b", "each COND, COND; LOW to HIGH values", "COND, COND" or, for the few that
# tests/test_api_docs.py lists in PROSE_RANGES, words.
PARAMETERS = {
    "normalization": {
        "seed": ("int", ">= 0, <= 4294967295",
                 "seed of the generator that draws the batch; unused when `data` is given"),
        "batch_size": ("int", ">= 2, <= 100000",
                       "N, samples in the generated batch; taken from `data` when it is given. "
                       "1 is allowed with `length` >= 2 or `train_steps` 0: BatchNorm1d cannot "
                       "train on one value per feature"),
        "num_features": ("int", ">= 1, <= 256",
                         "C, features (channels) per sample; taken from `data` when given"),
        "data": ("str or nested list", "at most 4096 values, at least 2 per feature in training",
                 "your own batch instead of random numbers: one row per line (numbers "
                 "separated by commas or spaces), or a JSON nested list N×C or N×C×L; empty "
                 "means none"),
        "eps": ("float", ">= 0, <= 1",
                "added to the variance in BatchNorm's denominator, in squared units of the "
                "data; 0 is passed to torch as the smallest normal float64"),
        "momentum": ("float or None", "> 0, <= 1",
                     "weight of the batch statistics in `running_mean` and `running_var`; "
                     "None gives a cumulative average"),
        "ddof": ("int", "one of 0, 1",
                 "delta degrees of freedom of the by-hand standard deviation: 0 divides by N "
                 "as BatchNorm does, 1 by N − 1"),
        "length": ("int or None", ">= 1, <= 100000",
                   "L, positions per channel of an (N, C, L) input; None (or 0 from the app) "
                   "gives an (N, C) input"),
        "distribution": ("str", "one of uniform, normal, shifted",
                         "how the batch is drawn: U(0, 1) as the notebook, N(0, 1), or "
                         "features with means 0, 10, 100, …"),
        "affine": ("bool", "true or false", "whether the layer has a learnable weight γ and "
                   "bias β"),
        "weight": ("float, str or list", "one number or one per feature",
                   "γ: one number for every feature, or C numbers (`\"1, 0.5, 2\"`)"),
        "bias": ("float, str or list", "one number or one per feature",
                 "β: one number for every feature, or C numbers"),
        "train_steps": ("int", ">= 0, <= 100000",
                        "training-mode passes over the batch before eval mode, each updating "
                        "the running statistics"),
    },
    "lr_quadratic": {
        "start": ("float", ">= -1000000, <= 1000000", "x₀, the starting point"),
        "learning_rates": ("str or list", RATES, RATES_MEANING),
        "iterations": ("int", ">= 1, <= 100000", "K, gradient steps per run"),
        "function": ("str", "one of quadratic, quartic, double_well",
                     "f: a·x², a·x⁴ or the double well a·(x² − 1)²"),
        "curvature": ("float", "> 0, <= 1000000", "a, the scale of f; on a·x² the critical "
                      "rate is 1/a"),
        "momentum": ("float", ">= 0, < 1", "momentum μ of heavy-ball descent; 0 is plain GD"),
    },
    "lr_linear_model": {
        "seed": ("int", SEED_64, "seed of the generator that draws the data and the initial "
                 "w and b"),
        "num_samples": ("int", ">= 2, <= 100000", "n, samples in the data set"),
        "learning_rates": ("str or list", RATES, RATES_MEANING),
        "epochs": ("int", ">= 1, <= 100000", "passes over the data per rate"),
        "continue_training": ("bool", "true or false",
                              "false starts every rate from the same initial weights; true "
                              "trains one model through the rates in turn, as the course "
                              "notebook does"),
        "standardize": ("bool", "true or false", "standardize x (mean 0, std 1) before "
                        "training; the critical rate moves from about 0.028 to 1"),
        "batch_size": ("int or None", ">= 1, <= 100000",
                       "samples per step; None (empty text) is full-batch gradient descent"),
        "optimizer": ("str", "one of sgd, adam", OPTIMIZER),
        "momentum": ("float", ">= 0, < 1", MOMENTUM),
        "gradient": ("str", "one of mean, sum",
                     "`mean` is the gradient of MSELoss; `sum` is n times it"),
        "dtype": ("str", "one of float32, float64", "floating-point type of the model and data"),
        "data": ("str or list", "2 to 100000 pairs",
                 "your own data instead of the notebook's: one `x, y` pair per line, or a list "
                 "of [x, y] pairs; empty means none"),
        "bias": ("bool", "true or false", "whether the model fits b as well as w"),
        "initial_weight": ("float or None", ">= -1000000, <= 1000000",
                           "starting w; None (empty text) keeps nn.Linear's seeded draw"),
        "initial_bias": ("float or None", ">= -1000000, <= 1000000",
                         "starting b; None (empty text) keeps nn.Linear's seeded draw"),
    },
    "lr_range_test": {
        "seed": ("int", SEED_64, "seed of the data, the initial weights and the batches"),
        "num_samples": ("int", ">= 2, <= 100000", "n, samples in the data set"),
        "lr_min": ("float", "> 0, <= 1000, < lr_max", "the rate of the first step"),
        "lr_max": ("float", "> 0, <= 1000, > lr_min", "the rate of the last step; the rate "
                   "grows by the same factor each step"),
        "num_steps": ("int", ">= 2, <= 3000", "optimizer steps of the test"),
        "smoothing": ("float", ">= 0, < 1", "β of the bias-corrected moving average of the "
                      "loss"),
        "stop_factor": ("float", "> 1, <= 1e+300", "the test stops once the smoothed loss "
                        "exceeds this times its minimum so far"),
        "standardize": ("bool", "true or false", "standardize x (mean 0, std 1) first"),
        "batch_size": ("int or None", ">= 1, <= 100000",
                       "samples per step; None (empty text) is the full batch"),
        "optimizer": ("str", "one of sgd, adam", OPTIMIZER),
        "momentum": ("float", ">= 0, < 1", MOMENTUM),
        "gradient": ("str", "one of mean, sum",
                     "`mean` is the gradient of MSELoss; `sum` is n times it"),
    },
    "lr_batchnorm": {
        "seed": ("int", SEED_64, "seed of the data, the weights and the batches"),
        "num_samples": ("int", ">= 2, <= 100000", "n, samples of the regression task"),
        "num_features": ("int", ">= 1, <= 256", "features per sample"),
        "feature_scale": ("float", ">= 1, <= 1000000",
                          "standard deviation of the widest feature; the others span down "
                          "to 1 on a log scale"),
        "hidden_units": ("int", ">= 1, <= 128", "width of each of the MLP's two hidden layers"),
        "learning_rates": ("str or list", RATES, RATES_MEANING),
        "epochs": ("int", ">= 1, <= 100000", "passes over the data per rate and variant"),
        "batch_size": ("int", ">= 2, <= 512", "samples per step, at most `num_samples`; "
                       "BatchNorm needs 2"),
        "optimizer": ("str", "one of sgd, adam", OPTIMIZER),
        "momentum": ("float", ">= 0, < 1", MOMENTUM),
    },
    "normal_vs_gd": {
        "seed": ("int", SEED_64, "seed of the generator that draws X, the noise and GD's "
                 "starting θ"),
        "num_samples": ("int", ">= 1, <= 100000", "n, rows of X"),
        "true_theta": ("str or list", "each >= -1000000, <= 1000000; 1 to 256 values",
                       "the θ that generates y; empty with `num_features` draws it"),
        "noise": ("float", ">= 0, <= 1000000",
                  "standard deviation of the Gaussian noise added to y, in units of y"),
        "lr": ("float or str", "> 0, <= 1000000 or auto",
               "GD's step size on the chosen gradient, as a number or text; `auto` is "
               "1/λ_max, the largest safe step"),
        "iterations": ("int", ">= 1, <= 100000", "GD steps at most; GD stops earlier at "
                       "`tolerance`"),
        "gradient": ("str", "one of sum, mean",
                     "`sum` is 2·Xᵀ(Xθ − Y), the course notebook's gradient; `mean` is "
                     "(2/n)·Xᵀ(Xθ − Y), the gradient of the MSE. lr on `sum` equals n·lr on "
                     "`mean`"),
        "num_features": ("int or None", ">= 1, <= 256",
                         "d; None (or 0 from the app) is the length of `true_theta`"),
        "fit_intercept": ("bool", "true or false", "prepend a column of ones to X"),
        "data": ("str or nested list", "rows of numbers, the last column y",
                 "your own data instead of drawn X and y: one row per line; empty means none"),
        "correlation": ("float", ">= 0, <= 0.9999",
                        "correlation between the drawn features; it raises κ(X)"),
        "scale": ("str or list", "1 or d values, each >= 1e-06, <= 1e+06",
                  "a factor per feature of X (one for all, or d); empty means 1"),
        "standardize": ("bool", "true or false",
                        "standardize the features (mean 0, std 1, ddof 0) before fitting"),
        "dtype": ("str", "one of float64, float32", "floating-point type of every solver"),
        "solver": ("str", "one of auto, inverse, solve, cholesky, lstsq, pinv",
                   "the closed-form answer shown as θ; all five always run"),
        "tolerance": ("float", "> 0, < 1", "GD stops once ‖θ_k − θ_∞‖/‖θ_∞‖ is below this"),
        "gd_init": ("str", "one of random, zeros", "θ₀: drawn as the notebook does, or zeros"),
        "gd_on_gram": ("bool", "true or false",
                       "iterate on XᵀX and Xᵀy (n·d² once, then d² per step) instead of X "
                       "(n·d per step)"),
    },
    "normal_vs_gd_cost": {
        "seed": ("int", SEED_64, "seed of the generator that draws the data"),
        "num_samples": ("int", ">= 2, <= 100000", "n of the sweep over d"),
        "num_features": ("int", ">= 1, <= 256", "d of the sweep over n"),
        "sample_sizes": ("str or list", "each >= 1, <= 100000; 1 to 12 values",
                         "the values of n to time, at d = `num_features`"),
        "feature_counts": ("str or list", "each >= 1, <= 256; 1 to 12 values",
                           "the values of d to time, at n = `num_samples`"),
        "correlation": ("float", ">= 0, <= 0.9999",
                        "correlation between features; it raises κ, so GD needs more steps"),
        "dtype": ("str", "one of float64, float32", "floating-point type"),
        "tolerance": ("float", "> 0, < 1", "GD's stopping tolerance on ‖θ_k − θ_∞‖/‖θ_∞‖"),
        "max_iterations": ("int", ">= 1, <= 100000", "GD steps at most per size"),
        "repeats": ("int", ">= 1, <= 20", "timings per size and method; the median is kept"),
    },
    "archive_file": {
        "file_name": ("str", "a file listed by /archive_refresh",
                      "name of a run file in `results/archive/`"),
    },
    "archive_record": {
        "file_name": ("str", "a file listed by /archive_refresh",
                      "name of a run file in `results/archive/`"),
        "record_index": ("int or None", "0 to the file's records − 1",
                         "position of the record in the file; None clears the outputs"),
    },
}


def api_endpoints():
    """Return the app's named endpoints as gradio describes them, by name without "/"."""
    from space.app import demo

    return {name.lstrip("/"): info for name, info in demo.get_api_info()["named_endpoints"].items()}


def parameter_table(api_name, info):
    """Return the Markdown parameter table of one endpoint that takes parameters."""
    written = PARAMETERS[api_name]
    names = [parameter["parameter_name"] for parameter in info["parameters"]]
    if sorted(written) != sorted(names):
        raise KeyError(f"space/apidoc.py describes {sorted(written)} for /{api_name}, "
                       f"the app has {sorted(names)}")
    lines = ["| parameter | type | default | range | meaning and unit |",
             "|---|---|---|---|---|"]
    for parameter in info["parameters"]:
        name = parameter["parameter_name"]
        kind, limits, meaning = written[name]
        default = json.dumps(parameter["parameter_default"], ensure_ascii=False)
        lines.append(f"| `{name}` | {kind} | `{default}` | {limits} | {meaning} |")
    return "\n".join(lines)


def link_table():
    """Return the Markdown table of tab ids, endpoints and deep-link parameter names."""
    from space import deeplink
    from space.app import ENDPOINTS, TABS

    inputs = deeplink.collect_inputs(ENDPOINTS)
    lines = ["| tab id | tab | endpoint | parameters |", "|---|---|---|---|"]
    for tab_id, label, _ in TABS:
        tab_inputs = [item for item in inputs if item.tab_id == tab_id]
        for endpoint in ENDPOINTS[tab_id]:
            names = ", ".join(f"`{deeplink.query_name(item, tab_inputs)}`"
                              for item in tab_inputs if item.api_name == endpoint.api_name)
            lines.append(f"| `{tab_id}` | {label} | `/{endpoint.api_name}` | {names} |")
    return "\n".join(lines)


def generated_tables():
    """Return {(path, table name): Markdown} for every generated table of both pages."""
    tables = {(EMBEDDING_DOC, "link parameters"): link_table()}
    for api_name, info in api_endpoints().items():
        if info["parameters"]:
            tables[(API_DOC, f"parameters /{api_name}")] = parameter_table(api_name, info)
    return tables


def replace_tables(text, tables):
    """Return `text` with each generated block's body replaced; raise KeyError on a missing one."""
    for name, table in tables.items():
        start = f"<!-- generated: {name} -->"
        if start not in text:
            raise KeyError(f"no {start!r} line")
        head, rest = text.split(start, 1)
        _, tail = rest.split(END, 1)
        text = f"{head}{start}\n{table}\n{END}{tail}"
    return text


def updated_pages():
    """Return {path: (current text, text with fresh tables)} for both pages."""
    by_path = {}
    for (path, name), table in generated_tables().items():
        by_path.setdefault(path, {})[name] = table
    pages = {}
    for path, tables in by_path.items():
        text = path.read_text(encoding="utf-8")
        pages[path] = (text, replace_tables(text, tables))
    return pages


def main(argv):
    check = "--check" in argv
    stale = []
    for path, (text, fresh) in updated_pages().items():
        if text == fresh:
            continue
        stale.append(path)
        if not check:
            path.write_text(fresh, encoding="utf-8")
    if check and stale:
        names = ", ".join(str(path.relative_to(DOCS.parent)) for path in stale)
        print(f"generated tables are out of date in {names}: run python -m space.apidoc")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
