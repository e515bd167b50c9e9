"""Caps on the work one config may ask for, in one place.

The app and its API run under `APP`; the jobs, which run on purpose-built machines, under the
larger `JOBS`. Config validation reads the caps in force through `current()`; `use(JOBS)`
switches them for a block of code in the current thread or task only.

`APP` keeps one request, including its plots, the record and its JSON encoding, within about
2 s of CPU and 512 MB. The figures behind each cap were measured on a 2-core x86-64 box with
torch 2.13.0 (CPU) and matplotlib 3.11.2, one request at a time after a warm-up:

- normalization: drawing the two figures costs about 4 ms of CPU per value (one bar and two
  markers each), so 256 values take about 1 s and 2048 take 6 s.
- lr_quadratic: 100 000 iterations at one rate take 1.1 s; 10 000 iterations at 32 rates
  (320 000 series values) take 1.3 s and a 3 MB record.
- lr_linear_model: each epoch costs about 64 µs of fixed overhead plus about 60 ns per
  (learning rate, sample) pair: 10 000 epochs at 32 rates on 100 samples take 1.5 s, and
  4000 epochs at 64 rates on 1000 samples take 11 s.
- normal_vs_gd: the loss of every iterate is evaluated on all samples at once, an
  (iterations, num_samples) array; 10 000 × 1000 adds 150 MB and 1000 × 100 000 adds 1.5 GB.
  Plotting 256 parameters costs about 2 s.
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
    max_batch_values: int = 4096

APP = Limits(name="app", max_samples=100_000, max_features=64, max_elements=200_000,
             max_iterations=100_000, max_learning_rates=64, max_flops=1e9)
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
