"""Bad input through the HTTP API, the validation checks behind it, and no code from data.

Requests go over raw HTTP (`/gradio_api/call/<api_name>`), so that values a typed client would
never send (NaN, 10**400, a list where a number belongs) reach the server as JSON.
Each endpoint's inputs and their defaults are read from the app, so a new input needs no change
here except the rows that test it.
"""

import json
import re
from pathlib import Path

import httpx
import pytest

from lib import limits
from lib.validation import ConfigError, check_int, check_real, check_real_list, check_text

REPOSITORY = Path(__file__).resolve().parent.parent
GENERIC_ERROR = "upstream Gradio app has raised an exception"
NAN = float("nan")
INF = float("inf")

def endpoint_inputs(api_name):
    """Return the endpoint's {config key: component default}, in the order the API takes them."""
    from space.app import ENDPOINTS

    for endpoints in ENDPOINTS.values():
        for endpoint in endpoints:
            if endpoint.api_name == api_name:
                return {key: component.value for key, component in endpoint.inputs.items()}
    raise KeyError(api_name)


def call_api(app_url, api_name, changes=None, timeout=60.0):
    """Call `api_name` with its defaults updated by `changes`; return (event, data).

    `event` is "complete" or "error"; `data` is the output list or the error dict.
    """
    inputs = {**endpoint_inputs(api_name), **(changes or {})}
    # json.dumps writes NaN and Infinity tokens, which the server's JSON parser accepts.
    body = json.dumps({"data": list(inputs.values())})
    base = f"{app_url}gradio_api/call/{api_name}"
    with httpx.Client(trust_env=False, timeout=timeout) as http:
        started = http.post(base, content=body, headers={"Content-Type": "application/json"})
        started.raise_for_status()
        stream = http.get(f"{base}/{started.json()['event_id']}")
    return last_event(stream.text)


def last_event(text):
    """Return (event, data) of the last complete or error event of a server-sent event stream."""
    event, data = None, None
    for block in text.split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if fields.get("event") in ("complete", "error"):
            event, data = fields["event"], json.loads(fields["data"])
    return event, data


def rates(count, step=0.001):
    return ", ".join(f"{step * (i + 1):g}" for i in range(count))


# (api name, changes to the defaults, regular expression the error message must match)
BAD_INPUTS = [
    # normal_vs_gd
    ("normal_vs_gd", {"lr": NAN}, r"^lr must be finite"),
    ("normal_vs_gd", {"lr": INF}, r"^lr must be finite"),
    ("normal_vs_gd", {"lr": -INF}, r"^lr must be finite"),
    ("normal_vs_gd", {"lr": "fast"}, r"^lr must be a number, got 'fast'"),
    ("normal_vs_gd", {"lr": None}, r"^lr must be a number, got None"),
    ("normal_vs_gd", {"lr": 0}, r"^lr must be > 0"),
    ("normal_vs_gd", {"lr": "-0.1"}, r"^lr must be > 0"),
    ("normal_vs_gd", {"lr": 10**400}, r"^lr must be finite"),
    ("normal_vs_gd", {"noise": -1}, r"^noise must be >= 0"),
    ("normal_vs_gd", {"noise": NAN}, r"^noise must be finite"),
    ("normal_vs_gd", {"iterations": 0}, r"^iterations must be >= 1"),
    ("normal_vs_gd", {"iterations": 10**9}, r"^iterations must be >= 1 and <= "),
    ("normal_vs_gd", {"iterations": 2**53 + 1}, r"^iterations must be"),
    ("normal_vs_gd", {"iterations": NAN}, r"^iterations must be an integer, got nan"),
    ("normal_vs_gd", {"iterations": "many"}, r"^iterations must be an integer, got 'many'"),
    ("normal_vs_gd", {"iterations": 2.5}, r"^iterations must be an integer, got 2.5"),
    ("normal_vs_gd", {"seed": 2**60}, r"^seed must be"),
    ("normal_vs_gd", {"seed": -1}, r"^seed must be >= 0"),
    ("normal_vs_gd", {"num_samples": 10**8}, r"^num_samples must be"),
    ("normal_vs_gd", {"num_samples": 100_000}, r"^num_samples × num_features must be <= \d+"),
    ("normal_vs_gd", {"num_samples": 50_000, "iterations": 100_000, "gd_on_gram": False},
     r"^this run needs about [\d.e+]+ floating-point operations, and the app limit is"),
    ("normal_vs_gd", {"true_theta": "1, x, 2"}, r"^true_theta must contain numbers only"),
    ("normal_vs_gd", {"true_theta": ""}, r"^num_features must be given when true_theta is empty"),
    ("normal_vs_gd", {"true_theta": "1e999"}, r"^true_theta\[0\] must be finite"),
    ("normal_vs_gd", {"true_theta": rates(1000)}, r"^true_theta must have between 1 and"),
    ("normal_vs_gd", {"num_features": 4}, r"^true_theta must have num_features = 4 entries"),
    ("normal_vs_gd", {"gradient": "median"}, r"^gradient must be one of"),
    ("normal_vs_gd", {"fit_intercept": "yes"}, r"^fit_intercept must be true or false"),
    ("normal_vs_gd", {"correlation": 1}, r"^correlation must be >= 0 and <= 0.9999"),
    ("normal_vs_gd", {"scale": "1, 2"}, r"^scale must have 1 or num_features = 3 entries"),
    ("normal_vs_gd", {"scale": "0"}, r"^scale\[0\] must be >= 1e-06"),
    ("normal_vs_gd", {"data": "1 2 3\n4 5"}, r"^data is ragged"),
    ("normal_vs_gd", {"dtype": "float16"}, r"^dtype must be one of"),
    ("normal_vs_gd", {"solver": "magic"}, r"^solver must be one of"),
    ("normal_vs_gd", {"tolerance": 0}, r"^tolerance must be > 0"),
    ("normal_vs_gd", {"gd_init": "ones"}, r"^gd_init must be one of"),
    # normal_vs_gd_cost
    ("normal_vs_gd_cost", {"sample_sizes": "500, x"}, r"^sample_sizes must contain numbers"),
    ("normal_vs_gd_cost", {"sample_sizes": ""}, r"^sample_sizes must have between 1 and 12"),
    ("normal_vs_gd_cost", {"sample_sizes": rates(13, step=1)},
     r"^sample_sizes must have between 1 and 12 entries, got 13"),
    ("normal_vs_gd_cost", {"sample_sizes": "500, 0.5"}, r"^sample_sizes\[1\] must be an integer"),
    ("normal_vs_gd_cost", {"feature_counts": "4, 1000"},
     r"^feature_counts\[1\] must be >= 1 and <= \d+"),
    ("normal_vs_gd_cost", {"sample_sizes": "100000", "num_features": 64},
     r"^the largest X must have at most \d+ values"),
    ("normal_vs_gd_cost", {"sample_sizes": "3000", "num_features": 64, "repeats": 20},
     r"^these sizes need about [\d.e+]+ floating-point operations"),
    ("normal_vs_gd_cost", {"num_samples": INF}, r"^num_samples must be an integer"),
    ("normal_vs_gd_cost", {"repeats": 0}, r"^repeats must be >= 1 and <= 20"),
    ("normal_vs_gd_cost", {"max_iterations": 10**9}, r"^max_iterations must be >= 1 and <= "),
    ("normal_vs_gd_cost", {"dtype": "int8"}, r"^dtype must be one of"),
    ("normal_vs_gd_cost", {"tolerance": 1}, r"^tolerance must be > 0 and < 1"),
    ("normal_vs_gd_cost", {"correlation": -0.5}, r"^correlation must be >= 0"),
    # lr_quadratic
    ("lr_quadratic", {"learning_rates": "0.1, -1"}, r"^learning_rates\[1\] must be > 0"),
    ("lr_quadratic", {"learning_rates": "0"}, r"^learning_rates\[0\] must be > 0"),
    ("lr_quadratic", {"learning_rates": "nan"}, r"^learning_rates\[0\] must be finite"),
    ("lr_quadratic", {"learning_rates": "0.1, inf"}, r"^learning_rates\[1\] must be finite"),
    ("lr_quadratic", {"learning_rates": ""}, r"^learning_rates must have between 1 and"),
    ("lr_quadratic", {"learning_rates": ", ".join(["0.1"] * 10**6)},
     r"^learning_rates must be at most \d+ characters long"),
    ("lr_quadratic", {"learning_rates": "[0.1, 0.2"}, r"^learning_rates is not a valid JSON"),
    ("lr_quadratic", {"learning_rates": "0.1; 0.2"}, r"^learning_rates must contain numbers"),
    ("lr_quadratic", {"learning_rates": "[0.1, 1e999]"}, r"^learning_rates\[1\] must be finite"),
    ("lr_quadratic", {"learning_rates": "[1" + "0" * 400 + "]"},
     r"^learning_rates\[0\] must be finite"),
    ("lr_quadratic", {"learning_rates": "0.001:1:1000000:log"}, r"^learning_rates"),
    ("lr_quadratic", {"learning_rates": "{\"low\": 0.1"},
     r"^learning_rates is not a valid JSON object"),
    ("lr_quadratic", {"iterations": 0}, r"^iterations must be >= 1"),
    ("lr_quadratic", {"iterations": 10**6}, r"^iterations must be >= 1 and <= "),
    ("lr_quadratic", {"iterations": 100_000, "learning_rates": rates(64)},
     r"^learning_rates × \(iterations \+ 1\) must be <= \d+, got 64 × 100001"),
    ("lr_quadratic", {"start": NAN}, r"^start must be finite"),
    ("lr_quadratic", {"start": "x"}, r"^start must be a number, got 'x'"),
    ("lr_quadratic", {"start": 1e300}, r"^start must be >= "),
    ("lr_quadratic", {"function": "cubic"}, r"^function must be one of"),
    ("lr_quadratic", {"curvature": 0}, r"^curvature must be > 0"),
    ("lr_quadratic", {"momentum": 1}, r"^momentum must be >= 0 and < 1"),
    # lr_linear_model
    ("lr_linear_model", {"epochs": 0}, r"^epochs must be >= 1"),
    ("lr_linear_model", {"epochs": None}, r"^epochs must be an integer, got None"),
    ("lr_linear_model", {"epochs": 10**7}, r"^epochs must be >= 1 and <= "),
    ("lr_linear_model", {"epochs": INF}, r"^epochs must be an integer, got inf"),
    ("lr_linear_model", {"epochs": 20_000, "learning_rates": rates(64)},
     r"^learning rates × samples × epochs × parameters must be <= \d+, got 64 × 100 × 20000"),
    ("lr_linear_model", {"epochs": 10_000, "num_samples": 10_000},
     r"^learning rates × samples × epochs × parameters must be <= \d+, got 3 × 10000 × 10000"),
    ("lr_linear_model", {"num_samples": 1}, r"^num_samples must be >= 2"),
    ("lr_linear_model", {"num_samples": 10**12}, r"^num_samples must be >= 2 and <= "),
    ("lr_linear_model", {"learning_rates": "-0.01"}, r"^learning_rates\[0\] must be > 0"),
    ("lr_linear_model", {"learning_rates": "abc"}, r"^learning_rates must contain numbers"),
    ("lr_linear_model", {"seed": -1}, r"^seed must be >= 0"),
    ("lr_linear_model", {"seed": 2**53 + 2}, r"^seed must be between -2\*\*53 and 2\*\*53"),
    ("lr_linear_model", {"continue_training": "yes"},
     r"^continue_training must be true or false"),
    ("lr_linear_model", {"batch_size": "0"}, r"^batch_size must be >= 1"),
    ("lr_linear_model", {"batch_size": "half"}, r"^batch_size must be an integer, got 'half'"),
    ("lr_linear_model", {"optimizer": "adam", "momentum": 0.9},
     r"^momentum must be 0 with optimizer 'adam'"),
    ("lr_linear_model", {"optimizer": "rmsprop"}, r"^optimizer must be one of"),
    ("lr_linear_model", {"gradient": "max"}, r"^gradient must be one of"),
    ("lr_linear_model", {"dtype": "float16"}, r"^dtype must be one of"),
    ("lr_linear_model", {"data": "1, 2"}, r"^data must be a list of between 2 and \d+ \[x, y\]"),
    ("lr_linear_model", {"data": "1, 2\n3"}, r"^data row 1 must be an \[x, y\] pair"),
    ("lr_linear_model", {"initial_weight": "inf"}, r"^initial_weight must be finite"),
    ("lr_linear_model", {"bias": "no"}, r"^bias must be true or false"),
    # lr_range_test
    ("lr_range_test", {"lr_min": 1, "lr_max": 0.5}, r"^lr_max must be > lr_min = 1, got 0.5"),
    ("lr_range_test", {"lr_min": NAN}, r"^lr_min must be finite"),
    ("lr_range_test", {"lr_max": 0}, r"^lr_max must be > 0"),
    ("lr_range_test", {"num_steps": 1}, r"^num_steps must be >= 2"),
    ("lr_range_test", {"num_steps": 10**6}, r"^num_steps must be >= 2 and <= \d+"),
    ("lr_range_test", {"num_steps": "many"}, r"^num_steps must be an integer, got 'many'"),
    ("lr_range_test", {"smoothing": 1}, r"^smoothing must be >= 0 and < 1"),
    ("lr_range_test", {"stop_factor": 1}, r"^stop_factor must be > 1"),
    ("lr_range_test", {"num_samples": 100_000, "num_steps": 3000},
     r"^learning rates × samples × epochs × parameters must be <= \d+"),
    ("lr_range_test", {"optimizer": "rmsprop"}, r"^optimizer must be one of"),
    ("lr_range_test", {"batch_size": "-4"}, r"^batch_size must be >= 1"),
    # lr_batchnorm
    ("lr_batchnorm", {"hidden_units": 10**4}, r"^hidden_units must be >= 1 and <= \d+"),
    ("lr_batchnorm", {"batch_size": 1}, r"^batch_size must be >= 2"),
    ("lr_batchnorm", {"batch_size": 1000}, r"^batch_size must be >= 2 and <= 512"),
    ("lr_batchnorm", {"num_samples": 513}, r"^num_samples % batch_size must not be 1"),
    ("lr_batchnorm", {"learning_rates": "0.001:10:1000000:log"}, r"^learning_rates"),
    ("lr_batchnorm", {"learning_rates": "0.001:10"}, r"^learning_rates as a range must read"),
    ("lr_batchnorm", {"feature_scale": 0.5}, r"^feature_scale must be >= 1"),
    ("lr_batchnorm", {"epochs": 300, "num_samples": 64, "batch_size": 2},
     r"^2 variants × epochs × mini-batches per epoch must be <= \d+"),
    ("lr_batchnorm", {"optimizer": "adam", "momentum": 0.5},
     r"^momentum must be 0 with optimizer 'adam'"),
    ("lr_batchnorm", {"num_features": 64, "hidden_units": 128, "num_samples": 100_000,
                      "batch_size": 50_000},
     r"^2 variants × learning rates × samples × epochs × parameters must be <= \d+"),
    ("lr_batchnorm", {"seed": NAN}, r"^seed must be an integer, got nan"),
    # normalization
    ("normalization", {"eps": 2}, r"^eps must be > 0 \(or exactly 0 for no eps\) and <= 1"),
    ("normalization", {"eps": NAN}, r"^eps must be finite"),
    ("normalization", {"eps": -1}, r"^eps must be > 0"),
    ("normalization", {"momentum": 0}, r"^momentum must be > 0"),
    ("normalization", {"momentum": 2}, r"^momentum must be > 0 and <= 1"),
    ("normalization", {"momentum": INF}, r"^momentum must be finite"),
    ("normalization", {"batch_size": 10**9}, r"^batch_size must be >= 1 and <= "),
    ("normalization", {"batch_size": 1}, r"^batch_size must be >= 2 for an input of shape"),
    ("normalization", {"num_features": 0}, r"^num_features must be >= 1"),
    ("normalization", {"batch_size": 1000, "num_features": 60},
     r"^data must have at most \d+ values, got 60000"),
    ("normalization", {"seed": NAN}, r"^seed must be an integer, got nan"),
    ("normalization", {"data": "1 2\n3"}, r"^data is ragged"),
    ("normalization", {"data": "1, a\n2, 3"}, r"^data row 0 column 1 is not a number"),
    ("normalization", {"data": "[[1, 2], [3"}, r"^data is not a valid JSON"),
    ("normalization", {"data": "nan 1\n2 3"}, r"^data row 0 column 0 must be finite"),
    ("normalization", {"data": "[[1e999, 1], [2, 3]]"}, r"^data row 0 column 0 must be finite"),
    ("normalization", {"data": "1 2\n" * 10**6}, r"^data must be at most \d+ characters long"),
    ("normalization", {"data": "[" + "[1, 2], " * 9000 + "[1, 2]]"},
     r"^data must have at most \d+ values, got 18002"),
    ("normalization", {"ddof": 2}, r"^ddof must be one of"),
    ("normalization", {"distribution": "cauchy"}, r"^distribution must be one of"),
    ("normalization", {"affine": "no"}, r"^affine must be true or false"),
    ("normalization", {"weight": "1, 2"}, r"^weight must be one number or 3 numbers"),
    ("normalization", {"affine": False, "weight": "2"},
     r"^weight must be 1 when affine is false"),
    ("normalization", {"bias": "x"}, r"^bias must contain numbers"),
    ("normalization", {"train_steps": -1}, r"^train_steps must be >= 0"),
    ("normalization", {"train_steps": 9000},
     r"^\(train_steps \+ 1\) · num_features must be at most \d+"),
    ("normalization", {"length": 10**6}, r"^length must be >= 1 and <= \d+"),
]


@pytest.mark.parametrize(("api_name", "changes", "pattern"), BAD_INPUTS)
def test_bad_input_names_field(app_url, api_name, changes, pattern):
    event, data = call_api(app_url, api_name, changes)
    assert event == "error"
    message = data.get("error")
    assert message is not None, "the server sent no message: the client shows the generic error"
    assert GENERIC_ERROR not in message
    assert "failed unexpectedly" not in message
    assert re.search(pattern, message), message
    assert len(message) < 400


def test_bad_input_table_covers_every_endpoint():
    from space.app import ENDPOINTS

    api_names = {endpoint.api_name for endpoints in ENDPOINTS.values() for endpoint in endpoints}
    tested = {row[0] for row in BAD_INPUTS}
    assert len(BAD_INPUTS) >= 40
    assert tested == api_names


FIRST_BAD_INPUT = {}
for api_name, changes, _ in BAD_INPUTS:
    FIRST_BAD_INPUT.setdefault(api_name, changes)


@pytest.mark.parametrize("api_name", sorted(FIRST_BAD_INPUT))
def test_good_request_after_bad_one(app_url, api_name):
    event, _ = call_api(app_url, api_name, FIRST_BAD_INPUT[api_name])
    assert event == "error"
    event, data = call_api(app_url, api_name)
    assert event == "complete"
    assert data[-1]["experiment"] == api_name


# Validation checks called directly, for the rules the table reaches only through one field.

def test_check_int_rejects_beyond_2_53():
    with pytest.raises(ConfigError, match=r"^seed must be between -2\*\*53 and 2\*\*53"):
        check_int("seed", 2**53 + 1)
    with pytest.raises(ConfigError, match=r"^seed must be between -2\*\*53 and 2\*\*53"):
        check_int("seed", -(2**53) - 1)
    assert check_int("seed", 2**53) == 2**53


def test_check_int_describes_huge_int():
    with pytest.raises(ConfigError, match=r"got an integer of about \d+ bits$"):
        check_int("iterations", 10**5000, low=1, high=10)


def test_check_real_rejects_int_beyond_float():
    with pytest.raises(ConfigError, match=r"^lr must be finite and > 0, got an integer of"):
        check_real("lr", 10**400, low=0, low_inclusive=False)


def test_check_text_rejects_long_text():
    with pytest.raises(ConfigError, match=r"^data must be at most 5 characters long, got 6$"):
        check_text("data", "123456", max_length=5)
    with pytest.raises(ConfigError, match=r"^data must be text, got 5"):
        check_text("data", 5)


def test_long_list_text_rejected_before_split(monkeypatch):
    # A str subclass whose split() fails proves that the length check comes first.
    class Unsplittable(str):
        def split(self, *args, **kwargs):
            raise AssertionError("the text was split")

        def strip(self, *args):
            return Unsplittable(str.strip(self, *args))

    text = Unsplittable("0.1 " * (limits.APP.max_text_length // 4 + 1))
    with pytest.raises(ConfigError, match=r"^learning_rates must be at most"):
        check_real_list("learning_rates", text, max_length=10)


def test_list_length_checked_before_items():
    # The items are not numbers, so an item check would raise a different message.
    with pytest.raises(ConfigError, match=r"^learning_rates must have between 1 and 3 entries"):
        check_real_list("learning_rates", ["x"] * 10**6, max_length=3)


# No code from data: nothing the project runs evaluates or unpickles a value.

# A method of the same name (torch's `layer.eval()`, `re.compile(...)`) is not the builtin.
FORBIDDEN = re.compile(r"(?<![.\w])(eval|exec|compile)\s*\(|\bpickle\b|\bmarshal\b|\bshelve\b"
                       r"|torch\.load\s*\(|yaml\.load\s*\(")


def test_source_has_no_eval_exec_or_pickle():
    offenders = []
    for folder in ("lib", "space", "jobs"):
        for path in sorted((REPOSITORY / folder).rglob("*.py")):
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if FORBIDDEN.search(line.split("#", 1)[0]):
                    offenders.append(f"{path.relative_to(REPOSITORY)}:{number}: {line.strip()}")
    assert offenders == []
