"""Labels for what a training run did, read from its loss curve.

The rules, in order (the first that applies wins); L₀ is the loss before training (the first
epoch's loss unless given), L the last finite one:

1. diverged at epoch k: the loss was not finite at epoch k (training stopped there), or rose
   above DIVERGED_GROWTH × L₀ at epoch k.
2. diverging: L > L₀, the loss ends higher than it started.
3. converged: with a known minimum L*, L − L* <= CONVERGED_FRACTION × (L₀ − L*). Without one
   (a network), the loss is no longer falling and the parameters no longer zig-zag.
4. oscillating: the last two epochs moved the parameters in opposite directions (a zig-zag
   across the valley) and the loss is not yet at the minimum.
5. too slow: the loss is still falling.
6. stalled: otherwise, flat above the minimum (mini-batch noise, or Adam's fixed step size).

"Still falling" means, with a known minimum, that the loss fell by more than FLAT_FRACTION
over the last tenth of the epochs. Without one the epoch losses are mini-batch averages, which
are noisy, so it means that the mean loss of the last tenth of the epochs lies more than
NOISY_FLAT_FRACTION below the mean of the tenth before.
"""

import math

DIVERGED_GROWTH = 1e8
CONVERGED_FRACTION = 1e-6
FLAT_FRACTION = 1e-4
NOISY_FLAT_FRACTION = 1e-2

LABELS = ("converged", "oscillating", "too slow", "stalled", "diverging", "diverged")


def label_run(losses, *, zigzag, minimum_loss=None, initial_loss=None):
    """Return (label, epoch) for one loss curve; epoch is the divergence epoch, else None.

    `losses` is a list of floats with None or nan for epochs after training stopped; `zigzag`
    is True when the last two updates pointed in opposite directions; `minimum_loss` is the
    lowest loss the model can reach, or None when unknown. `initial_loss` is the loss before
    any step; give it when the first epoch's loss is an average over that epoch's steps, which
    can already contain a blow-up.
    """
    values = [math.nan if value is None else float(value) for value in losses]
    first = values[0] if initial_loss is None else float(initial_loss)
    for epoch, value in enumerate(values):
        if not math.isfinite(value) or value > DIVERGED_GROWTH * first:
            return "diverged", epoch

    last = values[-1]
    if last > first:
        return "diverging", None

    window = max(1, len(values) // 10)
    if minimum_loss is not None:
        earlier = values[-1 - window] if len(values) > 1 else first
        falling = earlier - last > FLAT_FRACTION * abs(earlier)
        converged = last - minimum_loss <= CONVERGED_FRACTION * (first - minimum_loss)
    else:
        recent = sum(values[-window:]) / window
        before = values[-2 * window:-window] or values[:1]
        falling = sum(before) / len(before) - recent > NOISY_FLAT_FRACTION * abs(recent)
        converged = not falling and not zigzag and len(values) > 1
    if converged:
        return "converged", None
    if zigzag:
        return "oscillating", None
    if falling:
        return "too slow", None
    return "stalled", None


def label_text(label, epoch):
    """Return the label as shown to users, e.g. "diverged at epoch 3"."""
    if label == "diverged":
        return f"diverged at epoch {epoch}"
    if label == "too slow":
        return "too slow (loss still falling)"
    return label
