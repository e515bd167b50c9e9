"""The Markdown summary of a normal_vs_gd record: the text alternative to its plots.

Math is written for KaTeX with $…$ (inline) delimiters; tables avoid LaTeX because "|" would
split their cells.
"""

import math

SOLVER_LABELS = {
    "inverse": "inverse (XᵀX)⁻¹Xᵀy",
    "solve": "solve (LU on XᵀX)",
    "cholesky": "Cholesky on XᵀX",
    "lstsq": "lstsq (QR, SVD of R)",
    "pinv": "pinv (SVD of X)",
}


def summarize(record):
    """Describe the record in Markdown: solvers, conditioning, failures and GD's rate."""
    results = record["results"]
    config = record["config"]
    sections = [
        solver_table(results, config),
        conditioning_text(results, config),
        failure_text(results, config),
        descent_text(results, config),
    ]
    notes = results.get("notes") or []
    return "\n\n".join(part for part in sections + notes if part)


def solver_table(results, config):
    """Return the table of θ, MSE, error against float64 lstsq and residual per method."""
    lines = [
        "| method | θ | MSE | rel. error vs float64 lstsq | ‖XᵀXθ − Xᵀy‖ | verdict |",
        "|---|---|---:|---:|---:|---|",
    ]
    if results["theta_true"] is not None and not config["standardize"]:
        lines.append(f"| true | {_fmt_theta(results['theta_true'])} | | | | |")
    for name, outcome in results["solvers"].items():
        used = " **(answer)**" if results["solver_used"] == name else ""
        theta = outcome["theta"]
        if theta is None and outcome["returned_theta"] is not None:
            shown = f"not an answer (returned max \\|θ\\| {_max_abs(outcome['returned_theta'])})"
        elif theta is None:
            shown = "no result"
        else:
            shown = _fmt_theta(theta)
        lines.append(
            f"| {SOLVER_LABELS[name]}{used} | {shown} | {_cell(outcome.get('mse'))} | "
            f"{_cell(outcome.get('error_vs_reference'), '.2e')} | "
            f"{_cell(outcome.get('residual_normal_equations'), '.2e')} | {outcome['status']} |"
        )
    reference = results["reference"]
    used = " **(answer)**" if results["solver_used"] == "lstsq (float64)" else ""
    lines.append(f"| float64 lstsq (reference){used} | {_fmt_theta(reference['theta'])} | "
                 f"{_fmt(reference['mse'])} | 0 | | |")
    gd_error = _relative_error(results["theta_gd"], reference["theta"])
    lines.append(f"| gradient descent | {_fmt_theta(results['theta_gd'])} | "
                 f"{_fmt(results['mse_gd'])} | {_fmt(gd_error, '.2e')} | | |")
    header = (f"**θ by every method** ({config['dtype']}, solver `{config['solver']}`"
              + (f" chose {results['auto_choice']}" if config["solver"] == "auto" else "")
              + f"; parameters {', '.join(results['parameter_names'])}).")
    return header + "\n\n" + "\n".join(lines)


def conditioning_text(results, config):
    """Return the condition numbers and the digits each dtype can be expected to keep."""
    analysis = results["conditioning"]
    dtype = config["dtype"]
    p = analysis["num_parameters"]
    text = (
        f"**Conditioning.** $\\kappa(X) = {_tex(analysis['cond_x'])}$ and "
        f"$\\kappa(X^\\top X) = \\kappa(X)^2 = {_tex(analysis['cond_gram'])}$ "
        f"(rank {analysis['rank']} of {p}). A solver's relative error is about "
        f"$\\kappa\\,\\varepsilon$, so of the {analysis['digits_available']:.1f} digits that "
        f"{dtype} carries ($\\varepsilon = {_tex(analysis['eps'])}$), the normal equations keep "
        f"about {analysis['digits_normal_equations']:.1f} and QR/SVD on $X$ about "
        f"{analysis['digits_lstsq']:.1f}."
    )
    other = "float64" if dtype == "float32" else "float32"
    other_eps = 2.220446049250313e-16 if other == "float64" else 1.1920928955078125e-07
    text += (f" In {other} ($\\varepsilon = {_tex(other_eps)}$) they would keep "
             f"{_digits(analysis['cond_gram'], other_eps):.1f} and "
             f"{_digits(analysis['cond_x_range'], other_eps):.1f}.")
    return text


def failure_text(results, config):
    """Return what went wrong with which solver and which answers to trust, or ""."""
    analysis = results["conditioning"]
    solvers = results["solvers"]
    rank, p = analysis["rank"], analysis["num_parameters"]
    lines = []
    if rank < p:
        lines.append(f"**Rank deficient: {solvers['inverse']['reason']}.** "
                     f"np.linalg.cond(XᵀX) gives {analysis['cond_gram_formed']:.2g}: "
                     "infinite in exact arithmetic, finite only through rounding.")
        inverse_max = solvers["inverse"].get("inverse_max_abs")
        if inverse_max is not None:
            lines.append(f"torch.linalg.inv(XᵀX) still returned a matrix with entries up to "
                         f"{inverse_max:.2g} and raised no error: that is rounding noise, so "
                         "the lab does not show the inverse's θ as an answer.")
        start = ("from zero it converges to it" if config["gd_init"] == "zeros" else
                 "from zero it would converge to it; from the random θ₀ it keeps θ₀'s "
                 "component in the null space of X")
        lines.append("Trust lstsq and pinv: they return the **minimum-norm** θ among all "
                     f"minimizers. Gradient descent never moves in the null space of X, so "
                     f"{start}.")
    else:
        bad = [name for name, outcome in solvers.items()
               if outcome["status"] in ("untrusted", "failed")]
        if bad:
            lines.append(f"**Ill-conditioned for {config['dtype']}:** κ(XᵀX) = "
                         f"{analysis['cond_gram']:.2g} while {config['dtype']} carries κ up "
                         f"to about 1/ε ≈ {analysis['dtype_limit_gram']:.2g}. "
                         f"Not to be trusted here: {', '.join(bad)}.")
            raised = [f"{name} raised “{solvers[name]['library_error']}”" for name in bad
                      if solvers[name]["library_error"]]
            if raised:
                lines.append("; ".join(raised) + ".")
            trusted = [f"{name} ({solvers[name]['digits']:.1f} digits expected)"
                       for name, outcome in solvers.items()
                       if outcome["status"] in ("trusted", "low accuracy")]
            advice = (f"Usable: {', '.join(trusted)}" if trusted else
                      f"No {config['dtype']} solver keeps a digit here")
            if config["dtype"] == "float32":
                advice += ("; float64 least squares (the reference row) keeps "
                           f"{_digits(analysis['cond_x_range'], 2.220446049250313e-16):.1f} "
                           "digits and is the answer to trust")
            lines.append(advice + ".")
    if results["solver_note"]:
        lines.append(f"{results['solver_note']} Shown instead: {results['solver_used']}.")
    return " ".join(lines)


def descent_text(results, config):
    """Return GD's step, predicted and measured rates, iterations and cost."""
    gd = results["gd"]
    n = results["num_samples"]
    p = results["num_parameters"]
    lr_text = (f"lr auto = 1/λ_max = {gd['lr']:.4g}" if gd["lr_auto"] else f"lr {gd['lr']:g}")
    lines = [f"**Gradient descent** ({lr_text}, {config['iterations']} iterations, "
             f"θ₀ {gd['init']})."]
    if config["gradient"] == "sum":
        lines.append(
            f"The gradient is the **sum** over samples, $2X^\\top(X\\theta - y)$, as in the "
            f"notebook: lr {gd['lr']:g} on it equals lr **{results['lr_mean_equivalent']:g}** "
            "on the usual mean gradient $\\frac{2}{n}X^\\top(X\\theta - y)$. It is not plain "
            f"GD on the MSE at lr {gd['lr']:g}.")
    lines.append(
        f"Per step the error shrinks by at most $\\rho = \\max_i |1 - s\\lambda_i| = "
        f"{_tex(gd['rate_predicted'], '.6f')}$ (measured: "
        f"{_fmt(gd['rate_measured'], '.6f')}); $\\kappa(H) = {_tex(gd['kappa_hessian'])}$, so "
        f"at lr auto $\\rho = 1 - 1/\\kappa(H) = {_tex(gd['rate_at_auto_lr'], '.6f')}$. "
        f"Steps diverge above lr {_fmt(gd['critical_lr'], '.4g')}.")
    if results["diverged_at_iteration"] is not None:
        lines.append(f"GD diverged: its loss overflowed at iteration "
                     f"{results['diverged_at_iteration']}.")
    else:
        reached = gd["iterations_to_tolerance"]
        predicted = gd["iterations_predicted"]
        lines.append(
            f"$\\|\\theta_k - \\theta_\\infty\\| \\le {_tex(gd['tolerance'])}\\,"
            f"\\|\\theta_\\infty\\|$ "
            + (f"after **{reached}** iterations" if reached is not None
               else f"not within {config['iterations']} iterations")
            + (f" (bound $\\rho^k\\|e_0\\|$: {predicted})." if predicted is not None else ".")
            + f" After {config['iterations']} iterations GD's θ is within "
            f"{_fmt(results['max_abs_theta_diff'])} of the normal equation's.")
    if gd["on_gram"]:
        break_even = gd["gram_setup_flops"] / max(gd["flops_per_iteration_data"]
                                                  - gd["flops_per_iteration_gram"], 1)
        lines.append(
            f"GD iterated on XᵀX and Xᵀy: forming XᵀX cost n·p² = {gd['gram_setup_flops']:.3g} "
            f"flops up front, then {gd['flops_per_iteration_gram']:.3g} per step instead of "
            f"{gd['flops_per_iteration_data']:.3g} on X; that pays off after about "
            f"{break_even:.3g} steps (n = {n}, p = {p}).")
    return " ".join(lines)


def _relative_error(theta, reference):
    if theta is None or any(value is None for value in theta):
        return None
    norm = math.hypot(*reference) or 1e-300
    error = math.hypot(*(a - b for a, b in zip(theta, reference))) / norm
    return error if math.isfinite(error) else None


def _digits(condition, eps):
    if condition is None or not math.isfinite(condition):
        return 0.0
    return max(0.0, -math.log10(condition * eps))


def _max_abs(values):
    return f"{max(abs(value) for value in values if value is not None):.3g}"


def _tex(value, spec=".3g"):
    if value is None:
        return "\\infty"
    text = format(value, spec)
    if "e" in text:
        mantissa, exponent = text.split("e")
        return f"{mantissa} \\times 10^{{{int(exponent)}}}"
    return text


def _cell(value, spec=".7g"):
    return "—" if value is None else format(value, spec)


def _fmt(value, spec=".7g"):
    return "overflow" if value is None else format(value, spec)


def _fmt_theta(values, limit=8):
    shown = ["overflow" if v is None else f"{v:.5g}" for v in values[:limit]]
    if len(values) > limit:
        shown.append(f"… ({len(values)} in all)")
    return "[" + ", ".join(shown) + "]"
