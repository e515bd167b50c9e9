"""Caps on the work one config may ask for, in one place.

The app and its API run under `APP`; the jobs, which run on purpose-built machines, under the
larger `JOBS`. Config validation reads the caps in force through `current()`; `use(JOBS)`
switches them for a block of code in the current thread or task only.

`APP` keeps one request, including its plots, the record and its JSON encoding, within about
2 s of CPU and 512 MB. Each experiment also checks its own work estimate against the budgets
below (`max_work`, `max_training_work`, `max_flops`, ...), so a cap on one size alone does not
decide the cost. Measured at the caps on a 2-core x86-64 machine (torch 2.13.0 CPU, matplotlib
3.11.2), one request at a time, run + figures encoded as WebP + summary + JSON:

- normalization, 4096 × 4 shifted values with 10 training steps: 1.5 s of CPU, 2.8 MB record;
  16 × 8 × 128 values: 1.1 s. Earlier figures that drew one bar per value cost about 4 ms per
  value, which is why the figures now draw at most 8 features × 256 values.
- normal_vs_gd, 256 features, 700 samples, 1000 iterations: 0.7 s.
- lr_quadratic, 256 learning rates × 300 iterations: 0.6 s, 1.8 MB record.
- The learning-rate experiments at their own caps: 0.3 to 1.6 s with one torch thread.
"""

import contextlib
import contextvars
import dataclasses


@dataclasses.dataclass(frozen=True)
class Limits:
    """Upper bounds on sizes and counts that config validation enforces.

    `max_series_values` bounds the values of a record's per-step series (iterations × learning
    rates). `max_work` bounds the arithmetic of one run in element operations, counted by each
    experiment as it documents (e.g. epochs × learning rates × samples). `max_text_length`
    bounds, in characters, text that is parsed into numbers; longer text is rejected before it
    is split.
    """

    name: str
    max_samples: int
    max_features: int
    max_elements: int
    max_iterations: int
    max_learning_rates: int
    # The learning-rate experiments' caps have defaults, so the app's set needs no new keywords.
    # Measured on a shared, busy 2-core machine with one torch thread: run, plot and summary of
    # each learning-rate experiment at these caps took 0.3 to 1.6 s of CPU. With torch's default
    # two threads there, the MLP sweep took over ten times as long.
    # Numbers kept per step in a record: rates × (iterations + 1), or rates × epochs.
    max_recorded_values: int = 100_000
    # Per-sample parameter uses of one run: rates × samples × epochs × parameters per model.
    max_training_work: int = 30_000_000
    # Optimizer steps of one run: epochs × mini-batches per epoch (or range-test steps).
    max_steps: int = 3_000
    # Width of each hidden layer of the BatchNorm experiment's MLP.
    max_hidden_units: int = 128
    # Per-sample parameter uses of the MLP sweep: 2 variants × rates × samples × epochs ×
    # parameters per model. Batched matrix products do far more of these per second than the
    # linear model's elementwise steps, hence a cap of its own.
    max_network_work: int = 2_000_000_000
    # Optimizer steps of the MLP sweep, both variants: each costs several linear-model steps.
    max_network_steps: int = 1_000
    # Estimated floating-point operations of one run, for experiments that estimate them.
    max_flops: float = 1e9
    # Values of a record's per-step series (iterations × learning rates).
    max_series_values: int = 320_000
    # Arithmetic of one run in element operations, counted as each experiment documents.
    max_work: int = 25_000_000
    # Characters of text parsed into numbers; longer text is rejected before it is split.
    max_text_length: int = 100_000
    # Values of the normalization experiment's input batch (N × C × L), which its record
    # repeats several times over (input, by hand, BatchNorm1d, from scratch, eval mode).
    max_batch_values: int = 16_384

APP = Limits(name="app", max_samples=100_000, max_features=256, max_elements=200_000,
             max_iterations=100_000, max_learning_rates=256, max_flops=1e9)
JOBS = Limits(name="jobs", max_samples=10_000_000, max_features=8192,
              max_elements=500_000_000, max_iterations=10_000_000, max_learning_rates=100_000,
              max_flops=1e15)
JOBS = dataclasses.replace(JOBS, max_recorded_values=50_000_000, max_training_work=10**13,
                           max_steps=1_000_000, max_hidden_units=4096,
                           max_network_work=10**15, max_network_steps=1_000_000,
                           max_series_values=500_000_000, max_work=10**13,
                           max_text_length=100_000_000, max_batch_values=500_000_000)

_current = contextvars.ContextVar("limits", default=APP)


def current():
    """Return the limits in force."""
    return _current.get()


@contextlib.contextmanager
def use(limits):
    """Apply `limits` to configs built inside the block."""
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)
