"""Caps on the work one config may ask for, in one place.

The app and its API run under `APP` (sized so that one request stays within about 2 s of CPU
and 512 MB); the jobs, which run on purpose-built machines, under the larger `JOBS`. Config
validation reads the caps in force through `current()`; `use(JOBS)` switches them for a block
of code in the current thread or task only.
"""

import contextlib
import contextvars
import dataclasses


@dataclasses.dataclass(frozen=True)
class Limits:
    """Upper bounds on sizes and counts that config validation enforces."""

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

# NOTE: these caps are first estimates; they have not yet been measured against the 2 s and
# 512 MB budget on a 2-core machine.
APP = Limits(name="app", max_samples=100_000, max_features=256, max_elements=1_000_000,
             max_iterations=100_000, max_learning_rates=256, max_flops=1e9)
JOBS = Limits(name="jobs", max_samples=10_000_000, max_features=8192,
              max_elements=500_000_000, max_iterations=10_000_000, max_learning_rates=100_000,
              max_flops=1e15)
JOBS = dataclasses.replace(JOBS, max_recorded_values=50_000_000, max_training_work=10**13,
                           max_steps=1_000_000, max_hidden_units=4096,
                           max_network_work=10**15, max_network_steps=1_000_000)

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
