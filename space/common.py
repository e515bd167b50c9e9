"""Helpers shared by every tab: running an experiment for a handler, lib errors as gr.Error."""

import dataclasses
import logging

import gradio as gr
import torch

from lib.experiments import EXPERIMENTS, run_experiment
from lib.validation import ConfigError

logger = logging.getLogger(__name__)

# One torch thread for every request. torch's thread count is process-wide: the cost sweep sets
# it (its `threads`, default 1) while it runs, which changed the float32 results of requests
# running next to it (tests/test_load.py found BatchNorm1d outputs differing in the last bits).
# The caps in lib/limits.py were measured with one thread, and the queue runs two requests per
# endpoint on a 2-core machine.
torch.set_num_threads(1)


def optional_text(value):
    """Return None for an empty text box, so the config key keeps its "not given" meaning."""
    if isinstance(value, str) and not value.strip():
        return None
    return value


def run_for_app(experiment_id, config):
    """Run an experiment for a handler and return (figures..., summary, record).

    A `ConfigError` becomes a `gr.Error` with the lib's message. Any other exception is logged
    and reported as a generic failure, so no stack trace reaches the user.
    """
    experiment = EXPERIMENTS[experiment_id]
    try:
        record = run_experiment(experiment_id, config)
    except ConfigError as error:
        raise gr.Error(str(error), print_exception=False) from None
    except Exception:
        logger.exception("%s failed with config %r", experiment_id, config)
        raise gr.Error(f"{experiment_id} failed unexpectedly; the error was logged on the "
                       "server. Try other inputs.", print_exception=False) from None

    figures = experiment.plot(record)
    return (*figures, experiment.summarize(record), record)


@dataclasses.dataclass
class Endpoint:
    """One Run button of a tab: its API name, its inputs by config key, and its outputs.

    Tabs return these from `build()` so that the app can wire things that span tabs (deep links,
    downloads) without knowing each tab's layout.
    """

    api_name: str
    inputs: dict
    outputs: list
    button: object
    record: object

    def wire(self, handler):
        """Connect the button to `handler`, whose parameter names are the keys of `inputs`.

        The handler gets the values as sent (preprocess=False), so lib validates them all:
        Gradio's preprocessing would round a Number(precision=0) and reject NaN, infinity or
        text with an error that carries no message, and reject an unknown Radio choice with
        one that does not name the input.
        """
        self.button.click(handler, inputs=list(self.inputs.values()), outputs=self.outputs,
                          api_name=self.api_name, preprocess=False)
        return self
