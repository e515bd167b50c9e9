"""Deep-link queries read into tab and input values, links written back, and run downloads."""

import json
from pathlib import Path

import gradio as gr
import pytest

from lib.experiments import run_experiment
from lib.records import loads_strict
from space import deeplink, sharing
from space.app import ENDPOINTS, demo

INPUTS = deeplink.collect_inputs(ENDPOINTS)
TAB_IDS = list(ENDPOINTS)


def component(api_name, key):
    for endpoint in ENDPOINTS[tab_of(api_name)]:
        if endpoint.api_name == api_name:
            return endpoint.inputs[key]
    raise KeyError(api_name)


def tab_of(api_name):
    for tab_id, endpoints in ENDPOINTS.items():
        if any(endpoint.api_name == api_name for endpoint in endpoints):
            return tab_id
    raise KeyError(api_name)


def read(query):
    from urllib.parse import parse_qsl

    return deeplink.read_query(parse_qsl(query, keep_blank_values=True), INPUTS, TAB_IDS)


def test_tab_ids_are_the_documented_ones():
    assert TAB_IDS == ["normalization", "learning-rate", "normal-equation", "archive"]


def test_tab_parameter_selects_tab():
    link = read("tab=normal-equation")
    assert link.tab_id == "normal-equation"
    assert link.values == {}
    assert link.notices == []


def test_unknown_tab_is_ignored_with_notice():
    link = read("tab=optimizers")
    assert link.tab_id is None
    assert len(link.notices) == 1
    assert "no such tab" in link.notices[0]
    assert "`learning-rate`" in link.notices[0]


def test_bare_key_sets_every_endpoint_of_tab():
    link = read("tab=learning-rate&learning_rates=0.5")
    assert link.values == {component(api_name, "learning_rates"): "0.5"
                           for api_name in ("lr_quadratic", "lr_linear_model", "lr_batchnorm")}
    assert link.notices == []


@pytest.mark.parametrize("query", [
    "tab=learning-rate&learning_rates=0.5&lr_linear_model.learning_rates=0.01",
    "tab=learning-rate&lr_linear_model.learning_rates=0.01&learning_rates=0.5",
])
def test_prefixed_key_wins_over_bare_key(query):
    link = read(query)
    assert link.values[component("lr_quadratic", "learning_rates")] == "0.5"
    assert link.values[component("lr_linear_model", "learning_rates")] == "0.01"


def test_prefixed_key_reaches_another_tab():
    link = read("tab=normalization&normal_vs_gd.lr=0.5")
    assert link.values == {component("normal_vs_gd", "lr"): "0.5"}


def test_bare_key_defaults_to_first_tab():
    link = read("eps=0.001")
    assert link.tab_id is None
    assert link.values == {component("normalization", "eps"): 0.001}


def test_key_of_other_tab_names_that_tab():
    link = read("tab=learning-rate&lr=0.5")
    assert link.values == {}
    assert len(link.notices) == 1
    assert "tab=normal-equation" in link.notices[0]
    assert "normal_vs_gd.lr" in link.notices[0]


def test_unknown_key_is_ignored_with_notice():
    link = read("tab=learning-rate&momentum_of_doom=3")
    assert link.values == {}
    assert "no input of that name" in link.notices[0]


@pytest.mark.parametrize("name", ["view", "__theme", "logs", "deep_link", "__sign"])
def test_gradio_keys_are_ignored_silently(name):
    link = read(f"{name}=dark")
    assert link.values == {}
    assert link.notices == []


@pytest.mark.parametrize(("query", "message"), [
    ("tab=normal-equation&lr=fast", "lr must be a number, got 'fast'"),
    ("tab=normal-equation&lr=nan", "lr must be finite"),
    ("tab=normal-equation&lr=-1", "lr must be > 0"),
    ("tab=normal-equation&normal_vs_gd.tolerance=fast", "must be a number, got `fast`"),
    ("tab=normal-equation&normal_vs_gd.tolerance=nan", "must be finite"),
    ("tab=normal-equation&normal_vs_gd.seed=9007199254740993", "to stay exact in JSON"),
    ("tab=learning-rate&lr_linear_model.batch_size=0", "batch_size must be"),
    ("tab=learning-rate&lr_range_test.lr_max=-1", "lr_max must be > 0"),
    ("tab=normal-equation&normal_vs_gd_cost.repeats=0", "repeats must be"),
    ("tab=normal-equation&iterations=2.5", "must be an integer"),
    ("tab=normal-equation&gradient=median", "must be one of `sum`, `mean`"),
    ("tab=learning-rate&lr_quadratic.learning_rates=0.1,-1", r"learning_rates[1] must be > 0"),
    ("tab=learning-rate&continue_training=maybe", "must be true or false"),
    ("tab=normalization&ddof=2", "must be one of"),
    ("tab=normalization&eps=-1", "eps must be > 0 (or exactly 0"),
])
def test_invalid_value_is_ignored_with_notice(query, message):
    link = read(query)
    assert link.values == {}
    assert len(link.notices) == 1
    assert message in link.notices[0]


@pytest.mark.parametrize(("query", "api_name", "key", "expected"), [
    ("tab=normal-equation&iterations=500", "normal_vs_gd", "iterations", 500),
    ("tab=normal-equation&iterations=5e2", "normal_vs_gd", "iterations", 500),
    ("tab=normal-equation&gradient=mean", "normal_vs_gd", "gradient", "mean"),
    ("tab=normal-equation&normal_vs_gd.seed=9007199254740992", "normal_vs_gd", "seed",
     9007199254740992),
    ("tab=normal-equation&lr=auto", "normal_vs_gd", "lr", "auto"),
    ("tab=normal-equation&lr=0.5", "normal_vs_gd", "lr", "0.5"),
    ("tab=normal-equation&solver=cholesky", "normal_vs_gd", "solver", "cholesky"),
    ("tab=learning-rate&lr_linear_model.batch_size=10", "lr_linear_model", "batch_size", "10"),
    ("tab=learning-rate&lr_max=2", "lr_range_test", "lr_max", 2.0),
    ("tab=normalization&eps=0", "normalization", "eps", 0.0),
    ("tab=learning-rate&continue_training=true", "lr_linear_model", "continue_training", True),
    ("tab=learning-rate&continue_training=0", "lr_linear_model", "continue_training", False),
    ("tab=normalization&ddof=1", "normalization", "ddof", 1),
    ("tab=normalization&momentum=", "normalization", "momentum", None),
    ("tab=normalization&data=1 2%0A3 4%0A5 7", "normalization", "data", "1 2\n3 4\n5 7"),
])
def test_valid_value_is_read(query, api_name, key, expected):
    link = read(query)
    assert link.notices == []
    value = link.values[component(api_name, key)]
    assert value == expected
    assert type(value) is type(expected)


def test_repeated_key_uses_last_value():
    link = read("tab=normal-equation&lr=0.1&lr=0.2")
    assert link.values == {component("normal_vs_gd", "lr"): "0.2"}
    assert "more than once" in link.notices[0]


def test_notice_shortens_and_defuses_value():
    link = read("tab=normal-equation&lr=`<script>" + "x" * 100)
    assert len(link.notices) == 1
    notice = link.notices[0]
    assert "`lr='<script>" in notice
    assert "x" * 60 not in notice


def tab_inputs(tab_id):
    return [item for item in INPUTS if item.tab_id == tab_id]


def test_query_leaves_out_defaults():
    inputs = tab_inputs("normal-equation")
    values = [item.default for item in inputs]
    assert deeplink.make_query("normal-equation", inputs, values) == "tab=normal-equation"


def test_query_prefixes_shared_keys_only():
    inputs = tab_inputs("learning-rate")
    changes = {("lr_quadratic", "learning_rates"): "0.5, 1.5",
               ("lr_linear_model", "epochs"): 20}
    values = [changes.get((item.api_name, item.key), item.default) for item in inputs]
    query = deeplink.make_query("learning-rate", inputs, values)
    # epochs is shared with /lr_batchnorm, learning_rates with both other endpoints.
    assert query == ("tab=learning-rate&lr_quadratic.learning_rates=0.5,%201.5"
                     "&lr_linear_model.epochs=20")


def test_query_keeps_unshared_keys_bare():
    inputs = tab_inputs("learning-rate")
    changes = {("lr_range_test", "lr_max"): 2.0, ("lr_batchnorm", "hidden_units"): 32}
    values = [changes.get((item.api_name, item.key), item.default) for item in inputs]
    query = deeplink.make_query("learning-rate", inputs, values)
    assert query == "tab=learning-rate&lr_max=2&hidden_units=32"


ROUND_TRIP_CHANGES = {
    "normalization": {"seed": 7, "eps": 0.001, "momentum": None, "ddof": 1,
                      "data": "1 2\n3 4\n5 7", "length": 5, "distribution": "shifted",
                      "affine": False, "weight": "2", "train_steps": 3},
    "learning-rate": {("lr_quadratic", "learning_rates"): "0.5, 1.01", "start": -2.5,
                      "continue_training": True, ("lr_linear_model", "learning_rates"): "0.02",
                      ("lr_linear_model", "batch_size"): "10", "lr_max": 2.5,
                      ("lr_range_test", "optimizer"): "adam", "feature_scale": 10.0},
    "normal-equation": {"lr": "0.0001", "gradient": "mean", "true_theta": "1, 2", "noise": 0.0,
                        "solver": "lstsq", "fit_intercept": True, "correlation": 0.5,
                        ("normal_vs_gd_cost", "sample_sizes"): "100, 200",
                        ("normal_vs_gd_cost", "dtype"): "float32"},
    "archive": {},
}


@pytest.mark.parametrize("tab_id", TAB_IDS)
def test_query_reads_back_as_same_values(tab_id):
    inputs = tab_inputs(tab_id)
    changes = ROUND_TRIP_CHANGES[tab_id]
    values = [changes.get((item.api_name, item.key), changes.get(item.key, item.default))
              for item in inputs]

    query = deeplink.make_query(tab_id, inputs, values)
    link = read(query)

    assert link.tab_id == tab_id
    assert link.notices == []
    for item, value in zip(inputs, values, strict=True):
        expected = link.values.get(item.component, item.default)
        assert deeplink.same_value(expected, value), (item.api_name, item.key, query)


def test_embed_snippet_escapes_and_rounds_height():
    snippet = sharing.embed_snippet('http://host/?tab=a&b="c"', "Lab <tab>", 1234)
    assert 'src="http://host/?tab=a&amp;b=&quot;c&quot;"' in snippet
    assert 'title="Lab &lt;tab&gt;"' in snippet
    assert 'height="1300"' in snippet


def test_embed_snippet_has_minimum_height():
    assert f'height="{sharing.MIN_EMBED_HEIGHT_PX}"' in sharing.embed_snippet("http://h/", "t")


@pytest.mark.parametrize("experiment_id", ["normalization", "lr_quadratic", "lr_linear_model",
                                           "normal_vs_gd"])
def test_downloads_hold_record_and_figures(experiment_id):
    record = run_experiment(experiment_id)
    paths = [Path(path) for path in sharing.write_downloads(record, ["Loss per epoch"])]

    assert paths[0].name == f"{experiment_id}-record.json"
    assert loads_strict(paths[0].read_text(encoding="utf-8")) == json.loads(json.dumps(record))
    assert paths[1].name == f"{experiment_id}-figure-1-loss-per-epoch.png"
    for path in paths[1:]:
        assert path.suffix == ".png"
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_downloads_of_empty_record_are_none():
    assert sharing.write_downloads(None) is None


def layout_children(node, component_id):
    """Return the ids of the children of the layout node that contains `component_id`."""
    children = node.get("children", [])
    ids = [child["id"] for child in children]
    if component_id in ids:
        return ids
    for child in children:
        found = layout_children(child, component_id)
        if found:
            return found
    return None


@pytest.mark.parametrize("api_name", ["normalization", "lr_quadratic", "lr_linear_model",
                                      "normal_vs_gd"])
def test_downloads_follow_record(api_name):
    endpoint = next(endpoint for endpoint in ENDPOINTS[tab_of(api_name)]
                    if endpoint.api_name == api_name)
    blocks = {getattr(block, "elem_id", None): block for block in demo.blocks.values()}
    downloads = blocks[f"{api_name}-downloads"]
    plots = [output for output in endpoint.outputs if isinstance(output, gr.Plot)]

    siblings = layout_children(demo.config["layout"], endpoint.record._id)
    assert siblings[siblings.index(endpoint.record._id) + 1] == downloads._id
    assert [type(child) for child in downloads.children] == [gr.DownloadButton] * (len(plots) + 1)


def test_components_get_element_ids():
    assert component("lr_quadratic", "learning_rates").elem_id == "lr_quadratic-learning_rates"
    for endpoints in ENDPOINTS.values():
        for endpoint in endpoints:
            assert endpoint.button.elem_id == f"{endpoint.api_name}-run"
            assert endpoint.record.elem_id == f"{endpoint.api_name}-record"


# The archive tab's events are API endpoints too, though not `Endpoint`s: they read run files
# rather than run an experiment. /archive_listing is the load event of its listing's Markdown.
ARCHIVE_API_NAMES = {"/archive_refresh", "/archive_file", "/archive_record", "/archive_listing"}


def test_api_lists_only_endpoints(client):
    api = client.view_api(print_info=False, return_format="dict")
    endpoint_names = {f"/{endpoint.api_name}" for endpoints in ENDPOINTS.values()
                      for endpoint in endpoints}
    assert set(api["named_endpoints"]) == endpoint_names | ARCHIVE_API_NAMES
    assert api["unnamed_endpoints"] == {}
