"""docs/api.md against the app: every endpoint and parameter documented, ranges and defaults
true, and every example run against the app on 127.0.0.1 with the output the page shows."""

import contextlib
import dataclasses
import io
import json
import math
import re
from pathlib import Path

import pytest

from lib.experiments import EXPERIMENTS
from lib.validation import ConfigError
from space import apidoc
from space.app import demo

API_DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
DOC_APP_URL = "http://127.0.0.1:7860/"
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5}
# Ranges written as words, checked by the experiment's own tests instead: free-form data, a
# count that depends on another parameter, a bound set by another parameter, archive files.
PROSE_RANGES = {("normalization", "data"), ("normalization", "weight"), ("normalization", "bias"),
                ("lr_linear_model", "data"), ("lr_range_test", "lr_min"),
                ("lr_range_test", "lr_max"), ("normal_vs_gd", "data"),
                ("normal_vs_gd", "scale"), ("archive_file", "file_name"),
                ("archive_record", "file_name"), ("archive_record", "record_index")}

TEXT = API_DOC.read_text(encoding="utf-8")
API = demo.get_api_info()["named_endpoints"]


def sections():
    """Return {endpoint name without "/": section text} for the "## /name" headings."""
    parts = re.split(r"^## ", TEXT, flags=re.MULTILINE)
    return {part.split("\n", 1)[0][1:]: part for part in parts if part.startswith("/")}


def parameter_rows(section):
    """Return the parameter table's rows as dicts keyed by its header names."""
    lines = [line for line in section.splitlines() if line.startswith("|")]
    if not lines:
        return []
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    rows = []
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        rows.append(dict(zip(header, cells, strict=True)))
    for row in rows:
        row["parameter"] = row["parameter"].strip("`")
    return rows


SECTIONS = sections()
ENDPOINT_NAMES = sorted(name.lstrip("/") for name in API)
EXPERIMENT_NAMES = [name for name in ENDPOINT_NAMES if name in EXPERIMENTS]


def test_every_experiment_endpoint_is_an_experiment():
    assert [name for name in ENDPOINT_NAMES if not name.startswith("archive_")] == \
        EXPERIMENT_NAMES


def test_generated_tables_are_current():
    stale = [f"{path.name}: {name}" for (path, name), table in apidoc.generated_tables().items()
             if f"<!-- generated: {name} -->\n{table}\n<!-- end generated -->"
             not in path.read_text(encoding="utf-8")]
    assert stale == [], "run python -m space.apidoc"


def test_doc_has_a_section_per_endpoint():
    assert sorted(SECTIONS) == ENDPOINT_NAMES


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_doc_lists_every_parameter_in_order(name):
    documented = [row["parameter"] for row in parameter_rows(SECTIONS[name])]
    parameters = [parameter["parameter_name"] for parameter in API[f"/{name}"]["parameters"]]
    assert documented == parameters


def keys_not_taken(section):
    """Return the config keys a section says the endpoint does not take."""
    match = re.search(r"^Config keys? that (?:is|are) not (?:a )?parameters? of this endpoint"
                      r"(.*?)(?:\n\n|\Z)", section, re.MULTILINE | re.DOTALL)
    if match is None:
        return set()
    return set(re.findall(r"`([^`]+)`", match.group(1)))


@pytest.mark.parametrize("name", EXPERIMENT_NAMES)
def test_doc_lists_every_config_key(name):
    documented = {row["parameter"] for row in parameter_rows(SECTIONS[name])}
    config_keys = {field.name for field in dataclasses.fields(EXPERIMENTS[name].config_class)}
    assert keys_not_taken(SECTIONS[name]) == config_keys - documented


@pytest.mark.parametrize("name", ENDPOINT_NAMES)
def test_doc_defaults_equal_api_defaults(name):
    defaults = {parameter["parameter_name"]: parameter["parameter_default"]
                for parameter in API[f"/{name}"]["parameters"]}
    for row in parameter_rows(SECTIONS[name]):
        documented = json.loads(row["default"].strip("`"))
        assert documented == defaults[row["parameter"]], row["parameter"]


@pytest.mark.parametrize("name", EXPERIMENT_NAMES)
def test_doc_counts_returned_figures(name):
    match = re.search(r"^Returns (\w+) figures?", SECTIONS[name], re.MULTILINE)
    figures = [item for item in API[f"/{name}"]["returns"] if item["component"] == "Plot"]
    assert NUMBER_WORDS[match.group(1)] == len(figures)
    assert len(API[f"/{name}"]["returns"]) == len(figures) + 2


def accepts(name, key, value):
    """Tell whether `key`'s own rule takes `value`, the other parameters at their defaults.

    An error that does not start with the key's name comes from a rule across parameters (a cap
    on a product such as rates × samples × epochs, or batch_size <= num_samples), which the
    page states in words; such a value passes the key's own range.
    """
    try:
        EXPERIMENTS[name].config_class.from_dict({key: value})
    except ConfigError as error:
        return not re.match(rf"{re.escape(key)}(\[\d+\])? must", str(error))
    return True


def bound_cases(condition, integral):
    """Return (value, accepted) pairs at and just past a bound such as ">= 1" or "< 5"."""
    operator, number = condition.split()
    bound = int(number) if integral else float(number)
    below = bound - 1 if integral else math.nextafter(bound, -math.inf)
    above = bound + 1 if integral else math.nextafter(bound, math.inf)
    return {
        ">=": [(bound, True), (below, False)],
        ">": [(bound, False), (above, True)],
        "<=": [(bound, True), (above, False)],
        "<": [(bound, False), (below, True)],
    }[operator]


def range_cases(row):
    """Return (value, accepted) pairs that test the row's documented range."""
    text = row["range"]
    integral = row["type"].startswith("int")
    if text.endswith(" or auto"):
        return [("auto", True)] + range_cases({**row, "range": text.removesuffix(" or auto")})
    if text == "true or false":
        return [(True, True), (False, True), ("yes", False)]
    if text.startswith("one of "):
        choices = [json.loads(item) if item.isdigit() else item
                   for item in text.removeprefix("one of ").split(", ")]
        return [(choice, True) for choice in choices] + [("not-a-choice", False)]
    if text.startswith("each "):
        conditions, counts = text.removeprefix("each ").split("; ")
        cases = [([value], accepted) for condition in conditions.split(", ")
                 for value, accepted in bound_cases(condition, integral)]
        valid = next(value for value, accepted in cases if accepted)
        low, high = map(int, re.fullmatch(r"(\d+) to (\d+) values", counts).groups())
        cases += [(valid * low, True), (valid * high, True), (valid * (high + 1), False)]
        if low > 0:
            cases.append((valid * (low - 1), False))
        return cases
    return [case for condition in text.split(", ") for case in bound_cases(condition, integral)]


@pytest.mark.parametrize("name", EXPERIMENT_NAMES)
def test_doc_ranges_are_what_configs_check(name):
    for row in parameter_rows(SECTIONS[name]):
        if (name, row["parameter"]) in PROSE_RANGES:
            continue
        cases = range_cases(row)
        assert cases, row["parameter"]
        for value, accepted in cases:
            description = value if not isinstance(value, list) else f"{len(value)} × {value[:1]}"
            assert accepts(name, row["parameter"], value) == accepted, (row["parameter"],
                                                                         description)


def examples():
    """Return (python code, expected output or None) for each example, in page order."""
    blocks = [(match.group(1), match.group(2)) for match in FENCE.finditer(TEXT)]
    pairs = []
    for index, (language, code) in enumerate(blocks):
        if language != "python":
            continue
        following = blocks[index + 1] if index + 1 < len(blocks) else None
        expected = following[1] if following and following[0] == "text" else None
        pairs.append((code, expected))
    return pairs


EXAMPLES = examples()


def test_doc_has_an_example_per_endpoint():
    code = "\n".join(code for code, _ in EXAMPLES)
    for name in ENDPOINT_NAMES:
        assert f'api_name="/{name}"' in code, name


@pytest.fixture(scope="module")
def namespace():
    """The variables the doc's examples share, as in one Python session."""
    return {}


@pytest.mark.parametrize("number", range(len(EXAMPLES)))
def test_doc_example_prints_what_doc_shows(number, namespace, app_url, tmp_path, monkeypatch):
    code, expected = EXAMPLES[number]
    monkeypatch.chdir(tmp_path)

    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(code.replace(DOC_APP_URL, app_url), namespace)

    if expected is not None:
        assert output.getvalue() == expected
