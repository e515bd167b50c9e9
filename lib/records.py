"""Records: the plain, strict-JSON dicts that the app, the API and the jobs return."""

import json
import math

import numpy as np
import torch


def to_json_value(value):
    """Convert arrays, tensors and scalars to JSON values; a non-finite float becomes None.

    The event that produced a non-finite value (such as ``diverged_at_epoch``) is recorded by
    the experiment itself, so nothing is lost by writing ``null``.
    """
    if isinstance(value, torch.Tensor):
        value = value.detach().cpu().double().numpy()
    if isinstance(value, np.ndarray):
        return to_json_value(value.tolist())
    if isinstance(value, dict):
        return {str(key): to_json_value(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_json_value(item) for item in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        value = float(value)
        return value if math.isfinite(value) else None
    return value


def make_record(config, results, timings_s):
    """Build the record of one run: experiment id, config, results and timings in seconds."""
    return {
        "experiment": config.experiment,
        "config": config.to_dict(),
        "results": to_json_value(results),
        "timings_s": to_json_value(timings_s),
    }


def _reject_constant(name):
    raise ValueError(f"non-standard JSON constant {name} (NaN or Infinity) in a record")


def dumps_strict(value, **kwargs):
    """Serialize `value` as strict JSON; raise ValueError on NaN or Infinity."""
    return json.dumps(value, allow_nan=False, **kwargs)


def loads_strict(text):
    """Parse strict JSON; raise ValueError on the NaN, Infinity and -Infinity tokens."""
    return json.loads(text, parse_constant=_reject_constant)
