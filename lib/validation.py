"""Config validation shared by every experiment, the app, the API and the jobs.

Each check takes the field name and the value received, and raises `ConfigError` with a message
that names the field, the rule and the value, e.g. ``lr must be > 0 and finite, got -0.1``.
"""

import json
import math
import numbers

from lib import limits

# The largest integer that a JSON reader holding numbers as IEEE doubles (JavaScript, jq)
# keeps exact; integers beyond it are rejected so a record reads back as it was written.
MAX_EXACT_INT = 2**53


class ConfigError(ValueError):
    """An invalid config value; its message is shown to the user as it is."""


def _describe(value):
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return text


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_real(name, value, *, low=None, high=None, low_inclusive=True, high_inclusive=True):
    """Return `value` as a finite float within [low, high] (bounds optional, open or closed)."""
    if not _is_real(value):
        raise ConfigError(f"{name} must be a number, got {_describe(value)}")

    rule = _range_rule(low, high, low_inclusive, high_inclusive)
    try:
        value = float(value)
    except OverflowError:  # an int beyond the float range, e.g. 10**400 from JSON
        raise ConfigError(f"{name} must be finite{rule}, got {_describe_int(value)}") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name} must be finite{rule}, got {value}")
    too_low = low is not None and (value < low or (value == low and not low_inclusive))
    too_high = high is not None and (value > high or (value == high and not high_inclusive))
    if too_low or too_high:
        raise ConfigError(f"{name} must be{rule.replace(' and', '', 1)}, got {value:g}")
    return value


def _range_rule(low, high, low_inclusive, high_inclusive):
    parts = []
    if low is not None:
        parts.append(f"{'>=' if low_inclusive else '>'} {low:g}")
    if high is not None:
        parts.append(f"{'<=' if high_inclusive else '<'} {high:g}")
    if not parts:
        return ""
    return " and " + " and ".join(parts)


def check_int(name, value, *, low=None, high=None):
    """Return `value` as an int within [low, high]; integral floats such as 4.0 are accepted.

    The range is also clipped to ±2**53 (`MAX_EXACT_INT`), so every accepted integer survives a
    round trip through a JSON reader that holds numbers as doubles.
    """
    if _is_real(value) and not isinstance(value, numbers.Integral):
        if math.isfinite(value) and float(value).is_integer():
            value = int(value)
    if not isinstance(value, numbers.Integral) or isinstance(value, bool):
        raise ConfigError(f"{name} must be an integer, got {_describe(value)}")

    value = int(value)
    if (low is not None and value < low) or (high is not None and value > high):
        rule = _range_rule(low, high, True, True).replace(" and", "", 1)
        raise ConfigError(f"{name} must be{rule}, got {_describe_int(value)}")
    if abs(value) > MAX_EXACT_INT:
        raise ConfigError(f"{name} must be between -2**53 and 2**53 to stay exact in JSON, "
                          f"got {_describe_int(value)}")
    return value


def _describe_int(value):
    # str() of an int over 4300 digits raises ValueError in Python 3.11+, and a long one
    # would flood the message anyway.
    if abs(value) < 10**30:
        return str(value)
    return f"an integer of about {len(format(abs(value), 'x')) * 4} bits"


def check_text(name, value, max_length=None):
    """Return `value` if it is a str of at most `max_length` characters.

    `max_length` defaults to the `max_text_length` of the limits in force.
    """
    if max_length is None:
        max_length = limits.current().max_text_length
    if not isinstance(value, str):
        raise ConfigError(f"{name} must be text, got {_describe(value)}")
    if len(value) > max_length:
        raise ConfigError(
            f"{name} must be at most {max_length} characters long, got {len(value)}"
        )
    return value


def check_budget(name, amount, maximum, remedy):
    """Raise `ConfigError` if `amount`, a product of fields named by `name`, exceeds `maximum`.

    `remedy` says which fields to lower, e.g. "use fewer iterations or learning_rates".
    """
    if amount > maximum:
        raise ConfigError(f"{name} must be <= {maximum}, got {amount}: {remedy}")
    return amount


def check_bool(name, value):
    """Return `value` if it is a bool."""
    if not isinstance(value, bool):
        raise ConfigError(f"{name} must be true or false, got {_describe(value)}")
    return value


def check_choice(name, value, choices):
    """Return `value` if it is one of `choices`."""
    if value not in choices:
        allowed = ", ".join(repr(choice) for choice in choices)
        raise ConfigError(f"{name} must be one of {allowed}, got {_describe(value)}")
    return value


def parse_number_list(name, value):
    """Return a list of numbers from a list, or from text such as "0.1, 0.01" or "[0.1, 0.01]".

    Text is read as JSON when it starts with "[", otherwise as numbers separated by commas or
    whitespace. Nothing is evaluated as code. Text longer than the `max_text_length` in force
    is rejected before it is split or parsed.
    """
    if isinstance(value, str):
        text = check_text(name, value).strip()
        if text.startswith("["):
            try:
                return json.loads(text)
            except json.JSONDecodeError as error:
                raise ConfigError(f"{name} is not a valid JSON list: {error.msg}") from None
        items = [item for item in text.replace(",", " ").split() if item]
        numbers_read = []
        for position, item in enumerate(items):
            try:
                numbers_read.append(float(item))
            except ValueError:
                raise ConfigError(
                    f"{name} must contain numbers only, got {item!r} at position {position}"
                ) from None
        return numbers_read
    if isinstance(value, (list, tuple)):
        return list(value)
    raise ConfigError(f"{name} must be a list of numbers, got {_describe(value)}")


def check_real_list(name, value, *, min_length=1, max_length, **bounds):
    """Return `value` (a list or text, see `parse_number_list`) as a tuple of checked floats."""
    items = parse_number_list(name, value)
    if not min_length <= len(items) <= max_length:
        raise ConfigError(
            f"{name} must have between {min_length} and {max_length} entries, got {len(items)}"
        )
    return tuple(check_real(f"{name}[{i}]", item, **bounds) for i, item in enumerate(items))


def check_keys(experiment, mapping, allowed):
    """Raise `ConfigError` if `mapping` is not a dict or has a key outside `allowed`."""
    if not isinstance(mapping, dict):
        raise ConfigError(f"a {experiment} config must be a JSON object, got {_describe(mapping)}")
    unknown = sorted(set(mapping) - set(allowed))
    if unknown:
        raise ConfigError(
            f"unknown config key {unknown[0]!r} for {experiment}; "
            f"valid keys are: {', '.join(allowed)}"
        )
