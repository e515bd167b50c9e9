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
    # Estimated floating-point operations of one run, for experiments that estimate them.
    max_flops: float = 1e9


# NOTE: these caps are first estimates; they have not yet been measured against the 2 s and
# 512 MB budget on a 2-core machine.
APP = Limits(name="app", max_samples=100_000, max_features=256, max_elements=1_000_000,
             max_iterations=100_000, max_learning_rates=256, max_flops=1e9)
JOBS = Limits(name="jobs", max_samples=10_000_000, max_features=8192,
              max_elements=500_000_000, max_iterations=10_000_000, max_learning_rates=100_000,
              max_flops=1e15)

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
