"""Learning rates given as a list, or as a range with a count for a sweep.

A config's `learning_rates` is one of:

1. a list of rates, or text such as "0.1, 0.01, 0.5" (see `lib.validation.parse_number_list`);
2. a range {"low": 1e-4, "high": 1.0, "count": 64, "scale": "log"}, or the same as text
   "1e-4:1:64:log". The "linear" scale spaces the rates evenly (`numpy.linspace`), the "log"
   scale evenly in log(lr) (`numpy.geomspace`); both include `low` and `high`.

A list is stored as a tuple of floats and a range as a dict, so a record keeps the form it was
given in, and `expand` turns either into the array of rates.
"""

import json

import numpy as np

from lib.validation import ConfigError, check_choice, check_int, check_real, check_real_list

SCALES = ("linear", "log")
RANGE_KEYS = ("low", "high", "count", "scale")


def check_learning_rates(name, value, *, max_count, low=0.0, high=1e3):
    """Return `value` as a tuple of rates or a range dict, each rate in (low, high].

    Raises `ConfigError` naming the field, the rule and the value.
    """
    if isinstance(value, str) and (":" in value or value.strip().startswith("{")):
        value = _parse_range_text(name, value)
    if isinstance(value, dict):
        return _check_range(name, value, max_count=max_count, low=low, high=high)
    return check_real_list(name, value, max_length=max_count, low=low, low_inclusive=False,
                           high=high)


def expand(learning_rates):
    """Return the rates of a checked `learning_rates` value as a float64 array of shape (K,)."""
    if isinstance(learning_rates, dict):
        space = np.geomspace if learning_rates["scale"] == "log" else np.linspace
        return space(learning_rates["low"], learning_rates["high"], learning_rates["count"])
    return np.asarray(learning_rates, dtype=np.float64)


def describe(learning_rates):
    """Return a short text for the rates, e.g. "64 rates from 0.0001 to 1 (log-spaced)"."""
    if isinstance(learning_rates, dict):
        return (f"{learning_rates['count']} rates from {learning_rates['low']:g} to "
                f"{learning_rates['high']:g} ({learning_rates['scale']}-spaced)")
    return ", ".join(f"{lr:g}" for lr in learning_rates)


def as_text(learning_rates):
    """Return the text form of a checked value, which `check_learning_rates` reads back."""
    if isinstance(learning_rates, dict):
        return (f"{learning_rates['low']:g}:{learning_rates['high']:g}:"
                f"{learning_rates['count']}:{learning_rates['scale']}")
    return ", ".join(f"{lr:g}" for lr in learning_rates)


def _parse_range_text(name, text):
    text = text.strip()
    if text.startswith("{"):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"{name} is not a valid JSON object: {error.msg}") from None

    parts = [part.strip() for part in text.split(":")]
    if len(parts) not in (3, 4):
        raise ConfigError(
            f"{name} as a range must read low:high:count or low:high:count:log, got {text!r}"
        )
    try:
        low, high = float(parts[0]), float(parts[1])
        count = float(parts[2])
    except ValueError:
        raise ConfigError(
            f"{name} as a range must read low:high:count with numbers, got {text!r}"
        ) from None
    scale = parts[3] if len(parts) == 4 else "linear"
    return {"low": low, "high": high, "count": count, "scale": scale}


def _check_range(name, value, *, max_count, low, high):
    unknown = sorted(set(value) - set(RANGE_KEYS))
    if unknown:
        raise ConfigError(f"unknown key {unknown[0]!r} in {name}; a range has the keys "
                          f"{', '.join(RANGE_KEYS)}")
    missing = [key for key in ("low", "high", "count") if key not in value]
    if missing:
        raise ConfigError(f"{name} as a range needs the key {missing[0]!r}")

    range_low = check_real(f"{name}.low", value["low"], low=low, low_inclusive=False, high=high)
    range_high = check_real(f"{name}.high", value["high"], low=low, low_inclusive=False,
                            high=high)
    if range_high <= range_low:
        raise ConfigError(f"{name}.high must be > {name}.low = {range_low:g}, got {range_high:g}")
    count = check_int(f"{name}.count", value["count"], low=2, high=max_count)
    scale = check_choice(f"{name}.scale", value.get("scale", "linear"), SCALES)
    return {"low": range_low, "high": range_high, "count": count, "scale": scale}
