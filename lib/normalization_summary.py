"""The normalization experiment's text summary: every number the plots show, in Markdown.

Math is written for Markdown renderers with $...$ LaTeX (the app's Markdown enables it).
"""

import math

# Features listed by name in the summary; wider inputs are summarized by their range.
MAX_LISTED_FEATURES = 6
# Training steps listed in the running-statistics table; longer runs show the first and last.
MAX_LISTED_STEPS = 6


def summarize(record):
    """Describe the record's key numbers in Markdown: the text alternative to its plots."""
    config = record["config"]
    results = record["results"]
    sections = []
    training = results.get("manual") is not None
    if training:
        sections += [_by_hand(config, results), _which_axis(results)]
    else:
        sections.append(
            "**Training mode is undefined here**: each feature has one value in the batch, so "
            "its batch variance is 0/0. Only the fresh layer's eval-mode output is shown."
        )
    sections += [_running_stats(config, results), _eval_mode(config, results)]
    if training:
        sections.append(_from_scratch(results))
    return "\n\n".join(sections)


def _by_hand(config, results):
    lines = [
        "### 1. By hand vs BatchNorm1d (training mode)",
        "Both compute $\\gamma\\,(x-\\mu_c)/\\sigma_c + \\beta$ for each feature $c$ over the "
        "batch; BatchNorm1d divides by $\\sqrt{\\sigma_c^2 + \\varepsilon}$ with the biased "
        "variance.",
        "",
        f"- Largest |by hand − BatchNorm1d|: **{_fmt(results['max_abs_diff'])}**",
        f"- Difference that eps = {config['eps']:g} alone predicts: "
        f"**{_fmt(results['eps_predicted_diff'])}**",
        f"- BatchNorm1d's float32 rounding against the exact float64 value: "
        f"{_fmt(results['float32_rounding'])}",
    ]
    if config["eps"] == 0:
        lines.append(
            f"- eps = 0: torch 2.13 rejects it in training mode (\"batch_norm eps must be "
            f"positive during training\"), so the layer ran with eps = "
            f"{results['torch_eps']:.3g}, the smallest normal float64. It changes no nonzero "
            "float32 variance, so by hand and BatchNorm1d agree to float32 rounding."
        )
    if config["ddof"] == 1:
        lines.append(
            "- The by-hand std uses ddof = 1 (unbiased) and BatchNorm's forward pass ddof = 0, "
            "which adds a factor $\\sqrt{n/(n-1)}$ to the difference; eps alone no longer "
            "explains it."
        )
    if results["constant_features"]:
        eps_text = ("eps = 0 leaves 0/0 there as well" if config["eps"] == 0
                    else "BatchNorm1d returns 0 (times γ, plus β) because eps keeps the divisor "
                         "above 0")
        lines.append(
            f"- Feature(s) {results['constant_features']} are constant: by hand divides 0 by 0 "
            f"(nan, shown as empty in the record and missing in the plots); {eps_text}."
        )
    return "\n".join(lines)


def _which_axis(results):
    return "\n".join([
        "### 2. Which axis is normalized",
        "Per feature (column) after normalizing, before γ and β:",
        "",
        "| method | feature means | feature stds | max abs difference from BatchNorm1d |",
        "|---|---|---|---|",
        f"| BatchNorm1d | {_range(results['batchnorm_feature_mean'])} | "
        f"{_range(results['batchnorm_feature_std'])} | 0 |",
        f"| each row (the notebook's claim) | {_range(results['row_feature_mean'])} | "
        f"{_range(results['row_feature_std'])} | {_fmt(results['row_max_abs_diff'])} |",
        f"| LayerNorm (each sample) | {_range(results['layer_norm_feature_mean'])} | "
        f"{_range(results['layer_norm_feature_std'])} | "
        f"{_fmt(results['layer_norm_max_abs_diff'])} |",
        "",
        "BatchNorm1d gives every feature mean 0 and std 1, as the by-hand column-wise code does. "
        "The course notebook says it normalizes each row and that a transpose is needed; "
        "normalizing rows gives the numbers in the second line instead.",
    ])


def _from_scratch(results):
    check = results["from_scratch_check"]
    verdict = "match" if check["passed"] else "**do not match**"
    gradients = ", ".join(
        f"{name} {_fmt(check[key])}"
        for name, key in (("∂/∂x", "grad_input"), ("∂/∂γ", "grad_weight"),
                          ("∂/∂β", "grad_bias"))
        if check[key] is not None
    )
    return "\n".join([
        "### 5. BatchNorm from scratch",
        f"- Against BatchNorm1d in float64 the output and gradients {verdict} to within "
        f"{check['tolerance']:g}: output {_fmt(check['output'])}, {gradients}.",
        f"- Against the float32 BatchNorm1d column: "
        f"{_fmt(results['from_scratch_max_abs_diff'])} (float32 rounding).",
    ])


def _running_stats(config, results):
    momentum = config["momentum"]
    if momentum is None:
        rule = ("momentum = None: cumulative average, step $t$ gives its batch the weight "
                "$1/t$: $r_t = (1 - 1/t)\\,r_{t-1} + (1/t)\\,b_t$")
    else:
        rule = (f"momentum = {momentum:g}: $r_t = (1 - {momentum:g})\\,r_{{t-1}} + "
                f"{momentum:g}\\,b_t$")
    lines = [
        "### 3. Running statistics",
        f"Update rule ({rule}), starting from running_mean 0 and running_var 1.",
        "",
        f"- Batch mean they track: {_fmt_list(results['batch_mean'])}",
    ]
    if results["batch_var_unbiased"] is not None:
        lines.append(
            f"- running_var tracks the **unbiased** batch variance "
            f"{_fmt_list(results['batch_var_unbiased'])}, not the biased "
            f"{_fmt_list(results['batch_var'])} the forward pass divides by."
        )
    lines += ["", "| step | num_batches_tracked | weight of the batch | running_mean | "
              "running_var |", "|---|---|---|---|---|"]
    steps = len(results["running_mean_history"])
    shown = list(range(steps))
    if steps > MAX_LISTED_STEPS:
        shown = shown[:MAX_LISTED_STEPS // 2] + shown[-(MAX_LISTED_STEPS // 2):]
    for position, step in enumerate(shown):
        if position > 0 and step != shown[position - 1] + 1:
            lines.append("| … | | | | |")
        factor = "" if step == 0 else _fmt(results["momentum_factors"][step - 1])
        lines.append(
            f"| {step} | {results['num_batches_tracked_history'][step]} | {factor} | "
            f"{_fmt_list(results['running_mean_history'][step])} | "
            f"{_fmt_list(results['running_var_history'][step])} |"
        )
    return "\n".join(lines)


def _eval_mode(config, results):
    steps = config["train_steps"]
    lines = [
        "### 4. Eval mode on the same batch",
        f"After {steps} training step(s) the layer normalizes with running_mean and running_var "
        "instead of the batch statistics: "
        "$(x - \\text{running\\_mean}) / \\sqrt{\\text{running\\_var} + \\varepsilon}$.",
        "",
    ]
    if steps == 0 and config["momentum"] is not None:
        lines.append(
            f"- A fresh layer has running_mean 0 and running_var 1, so eval mode returns "
            f"$x/\\sqrt{{1 + \\varepsilon}}$ (times γ, plus β): {_fresh_example(config)}."
        )
    if results["eval_max_abs_diff"] is None:
        return "\n".join(lines)

    lines += [
        f"- Largest |eval − training output|: **{_fmt(results['eval_max_abs_diff'])}**",
        f"- Per feature, eval's normalized value = scale · training's + shift, with scale "
        f"$\\sqrt{{(\\sigma^2+\\varepsilon)/(\\text{{running\\_var}}+\\varepsilon)}}$ = "
        f"{_fmt_list(results['eval_scale'])} and shift "
        f"$(\\mu - \\text{{running\\_mean}})/\\sqrt{{\\text{{running\\_var}}+\\varepsilon}}$ = "
        f"{_fmt_list(results['eval_shift'])}.",
    ]
    count = _values_per_feature(config, results)
    lines.append(
        f"- Even after many steps on this batch, running_var approaches the unbiased variance, "
        f"so the scale approaches $\\sqrt{{(n-1)/n}}$ = {math.sqrt((count - 1) / count):.4g} "
        f"for n = {count} values per feature, not 1."
    )
    return "\n".join(lines)


def _fresh_example(config):
    value = 3.0
    return f"{value:g} → {value / math.sqrt(1 + config['eps']):.7g} for eps = {config['eps']:g}"


def _values_per_feature(config, results):
    length = config["length"] or 1
    return len(results["input"]) * length


def _fmt(value):
    return "undefined (nan)" if value is None else f"{value:.3g}"


def _fmt_list(values):
    values = list(values)
    shown = ", ".join("nan" if v is None else f"{v:.4g}" for v in values[:MAX_LISTED_FEATURES])
    if len(values) > MAX_LISTED_FEATURES:
        shown += f", … ({len(values)} features)"
    return f"[{shown}]"


def _range(values):
    finite = [value for value in values if value is not None]
    if not finite:
        return "undefined (nan)"
    low, high = f"{min(finite):.3g}", f"{max(finite):.3g}"
    return low if low == high else f"{low} to {high}"
