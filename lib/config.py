"""The base of every experiment config: built from a dict, validated once, turned back into one."""

import dataclasses

from lib.validation import ConfigError, check_keys


class Config:
    """Mixin for frozen dataclass configs.

    A subclass sets `experiment` and validates its fields in `__post_init__` with the checks of
    `lib.validation`, storing normalized values through `_set` (e.g. a list becomes a tuple).
    """

    experiment = ""

    @classmethod
    def from_dict(cls, mapping):
        """Build a config from `mapping`; keys it omits keep their defaults."""
        names = [field.name for field in dataclasses.fields(cls)]
        check_keys(cls.experiment, mapping, names)
        try:
            return cls(**mapping)
        except TypeError as error:
            raise ConfigError(f"invalid {cls.experiment} config: {error}") from None

    def to_dict(self):
        """Return the config as JSON-ready values (tuples become lists)."""
        return {
            field.name: _to_plain(getattr(self, field.name)) for field in dataclasses.fields(self)
        }

    def _set(self, name, value):
        object.__setattr__(self, name, value)


def _to_plain(value):
    if isinstance(value, tuple):
        return [_to_plain(item) for item in value]
    return value
