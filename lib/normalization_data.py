"""The normalization experiment's input: data pasted by the user, or generated from a seed."""

import json

import numpy as np

from lib.validation import ConfigError, check_real, check_text

DISTRIBUTIONS = ("uniform", "normal", "shifted")

# The "shifted" distribution: feature c is normal with mean SHIFTED_MEANS[c % 3] and standard
# deviation SHIFTED_STDS[c % 3], so features live on very different scales.
SHIFTED_MEANS = (0.0, 10.0, 100.0)
SHIFTED_STDS = (1.0, 2.0, 5.0)


def parse_data(data):
    """Return `data` (a nested list N×C or N×C×L, or text rows of numbers) as a float64 array.

    Text is read one row per line, numbers separated by commas or whitespace, or as a JSON
    nested list when it starts with "[". Ragged or non-numeric data raises `ConfigError` naming
    the row and column.
    """
    if isinstance(data, str):
        data = _parse_text_rows(check_text("data", data))
    if not isinstance(data, (list, tuple)) or not data:
        raise ConfigError("data must be a non-empty list of rows (N×C) or of N×C×L values")

    rows = []
    width = None
    length = None
    for row_index, row in enumerate(data):
        if not isinstance(row, (list, tuple)):
            raise ConfigError(f"data row {row_index} must be a list of numbers, got {row!r}")
        if width is None:
            width = len(row)
        if len(row) != width or width == 0:
            raise ConfigError(
                f"data is ragged: row {row_index} has {len(row)} values, row 0 has {width}"
            )
        cells = []
        for column, cell in enumerate(row):
            cell_length = len(cell) if isinstance(cell, (list, tuple)) else None
            if row_index == 0 and column == 0:
                length = cell_length
            if cell_length != length or cell_length == 0:
                raise ConfigError(
                    f"data is ragged: row {row_index} column {column} has "
                    f"{_describe_length(cell_length)}, row 0 column 0 has "
                    f"{_describe_length(length)}"
                )
            cells.append(_check_cell(cell, row_index, column))
        rows.append(cells)
    return np.array(rows, dtype=np.float64)


def _describe_length(length):
    return "a single number" if length is None else f"a list of {length} values"


def _check_cell(cell, row_index, column):
    if isinstance(cell, (list, tuple)):
        return [check_real(f"data row {row_index} column {column} position {position}", value)
                for position, value in enumerate(cell)]
    return check_real(f"data row {row_index} column {column}", cell)


def _parse_text_rows(text):
    text = text.strip()
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(f"data is not a valid JSON nested list: {error.msg}") from None

    rows = []
    for row_index, line in enumerate(line for line in text.splitlines() if line.strip()):
        cells = line.replace(",", " ").split()
        row = []
        for column, cell in enumerate(cells):
            try:
                row.append(float(cell))
            except ValueError:
                raise ConfigError(
                    f"data row {row_index} column {column} is not a number: {cell!r}"
                ) from None
        rows.append(row)
    return rows


def generate_data(config):
    """Return the input as float64, shape (N, C) or (N, C, L): the config's data or a draw.

    1. uniform: [0, 1) from `RandomState(seed).rand`, the same numbers as the course's
       `np.random.seed(seed); np.random.rand(N, C)` without touching NumPy's global state
       (the app serves several users at once).
    2. normal: standard normal from `RandomState(seed).standard_normal`.
    3. shifted: standard normal scaled and shifted per feature by SHIFTED_STDS and
       SHIFTED_MEANS (means 0, 10, 100, repeating).
    """
    if config.data is not None:
        return np.array(config.data, dtype=np.float64)

    shape = (config.batch_size, config.num_features)
    if config.length is not None:
        shape += (config.length,)
    generator = np.random.RandomState(config.seed)
    if config.distribution == "uniform":
        return generator.rand(*shape)

    x = generator.standard_normal(shape)
    if config.distribution == "shifted":
        features = np.arange(config.num_features) % len(SHIFTED_MEANS)
        broadcast = (1, -1) if x.ndim == 2 else (1, -1, 1)
        x = (x * np.take(SHIFTED_STDS, features).reshape(broadcast)
             + np.take(SHIFTED_MEANS, features).reshape(broadcast))
    return x
