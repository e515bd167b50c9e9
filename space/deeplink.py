"""Deep links: read a tab and input values from a page URL's query, and write such a query.

The query scheme, built from the `Endpoint`s each tab returns:

1. `tab=<tab id>` selects a tab (`normalization`, `learning-rate`, `normal-equation`).
2. `<key>=<value>` sets the input named by config key `key` in every endpoint of the selected
   tab that has it. The selected tab is the first one when `tab` is absent or unknown.
3. `<api_name>.<key>=<value>` sets `key` in that endpoint only, whatever tab is selected. It
   takes precedence over the bare `<key>`, so `?tab=learning-rate&learning_rates=0.5&
   lr_linear_model.learning_rates=0.01` gives /lr_quadratic 0.5 and /lr_linear_model 0.01.
4. A key the app does not know, or a value its input cannot take, is ignored and reported in a
   notice. A key the query does not name leaves its input as it is.

Values are read as their input reads typed text: numbers as decimal or scientific notation,
check boxes as true/false (also 1/0, yes/no, on/off), choices by value or label, text as is.
A value that names a config key must also pass that config's validation on its own, so a link
never sets an input to something the Run button would reject for that key alone.
"""

import dataclasses
import math
from urllib.parse import quote, urlencode

import gradio as gr

from lib.experiments import EXPERIMENTS
from lib.validation import ConfigError
from space.common import optional_text

TAB_PARAMETER = "tab"

# Query keys that Gradio or Hugging Face Spaces read themselves, such as `?view=api`,
# `?__theme=dark`, `?logs=container` and Gradio's own `?deep_link=`. They are ignored without a
# notice, and so is any key that starts with "__".
FOREIGN_PARAMETERS = frozenset({"view", "logs", "deep_link"})

# Values longer than this are cut in notices, so a long link cannot flood the page.
NOTICE_VALUE_CHARS = 40


class LinkValueError(ValueError):
    """A query value that its input cannot take. The message gives the reason."""


@dataclasses.dataclass(frozen=True)
class LinkInput:
    """One input a link can set: where it is, its config key, its component and its default."""

    tab_id: str
    api_name: str
    key: str
    component: object
    default: object


@dataclasses.dataclass
class LinkRequest:
    """A query read: the tab to select, the values by component, and the notices to show."""

    tab_id: str | None
    values: dict
    notices: list


def collect_inputs(endpoints_by_tab):
    """List every endpoint input of every tab as a `LinkInput`, in layout order.

    `endpoints_by_tab` maps a tab id to the endpoints its `build()` returned. The default is the
    component's value when the app was built, which is what a page shows before any link.
    """
    inputs = []
    for tab_id, endpoints in endpoints_by_tab.items():
        for endpoint in endpoints:
            for key, component in endpoint.inputs.items():
                inputs.append(LinkInput(tab_id, endpoint.api_name, key, component,
                                        component.value))
    return inputs


def query_name(link_input, inputs):
    """Return the query key for `link_input`: the bare config key unless its tab shares it."""
    sharing = [other for other in inputs
               if other.tab_id == link_input.tab_id and other.key == link_input.key]
    if len(sharing) > 1:
        return f"{link_input.api_name}.{link_input.key}"
    return link_input.key


def read_query(items, inputs, tab_ids):
    """Turn query (name, text) pairs into a `LinkRequest`.

    `items` keeps the query's order and repeats; a later value of a name replaces an earlier
    one. `tab_ids` lists the tabs in order, the first being the one shown by default.
    """
    items = list(items)
    notices = []
    tab_id = _read_tab(items, tab_ids, notices)
    shown_tab = tab_id or tab_ids[0]

    # component -> (value, set by a prefixed name)
    chosen = {}
    seen_names = set()
    for name, text in items:
        if name == TAB_PARAMETER or name in FOREIGN_PARAMETERS or name.startswith("__"):
            continue
        if name in seen_names:
            notices.append(f"{_code(name)} is given more than once; the last value is used.")
        seen_names.add(name)

        prefixed = "." in name
        targets = _targets(name, inputs, shown_tab)
        if not targets:
            notices.append(_unknown_name_notice(name, inputs, shown_tab))
            continue

        for target in targets:
            try:
                value = parse_value(target.component, text)
                check_config_value(target.api_name, target.key, value)
            except LinkValueError as error:
                notices.append(f"{_code(f'{name}={text}')} was ignored: {error}")
                continue
            previous = chosen.get(target.component)
            if previous is not None and previous[1] and not prefixed:
                continue
            chosen[target.component] = (value, prefixed)

    values = {component: value for component, (value, _) in chosen.items()}
    return LinkRequest(tab_id, values, notices)


def _read_tab(items, tab_ids, notices):
    texts = [text for name, text in items if name == TAB_PARAMETER]
    if not texts:
        return None
    if len(texts) > 1:
        notices.append(f"{_code(TAB_PARAMETER)} is given more than once; the last value is used.")
    if texts[-1] in tab_ids:
        return texts[-1]
    valid = ", ".join(_code(tab_id) for tab_id in tab_ids)
    notices.append(f"{_code(f'{TAB_PARAMETER}={texts[-1]}')} was ignored: no such tab. "
                   f"Valid tabs are {valid}.")
    return None


def _targets(name, inputs, shown_tab):
    if "." in name:
        api_name, key = name.split(".", 1)
        return [item for item in inputs if item.api_name == api_name and item.key == key]
    return [item for item in inputs if item.tab_id == shown_tab and item.key == name]


def _unknown_name_notice(name, inputs, shown_tab):
    elsewhere = sorted({item.tab_id for item in inputs if item.key == name})
    if elsewhere:
        tabs = ", ".join(_code(f"{TAB_PARAMETER}={tab_id}") for tab_id in elsewhere)
        return (f"{_code(name)} was ignored: the {_code(shown_tab)} tab has no such input. "
                f"Add {tabs} to the link, or prefix the endpoint name "
                f"(for example {_code(_example_prefixed(name, inputs))}).")
    return f"{_code(name)} was ignored: the app has no input of that name."


def _example_prefixed(name, inputs):
    for item in inputs:
        if item.key == name:
            return f"{item.api_name}.{name}"
    return name


def _code(text):
    """Return `text` as a Markdown code span, shortened, with no backtick or line break."""
    text = str(text).replace("`", "'").replace("\n", " ").replace("\r", " ")
    if len(text) > NOTICE_VALUE_CHARS:
        text = text[:NOTICE_VALUE_CHARS - 1] + "…"
    return f"`{text}`"


def parse_value(component, text):
    """Return the value `component` takes for query text `text`; raise LinkValueError if none.

    Supported inputs: Checkbox, Radio, Dropdown, CheckboxGroup, Number, Slider, Textbox.
    """
    if isinstance(component, gr.Checkbox):
        return _parse_bool(text)
    if isinstance(component, gr.CheckboxGroup) or (
            isinstance(component, gr.Dropdown) and component.multiselect):
        items = [item.strip() for item in text.split(",") if item.strip()]
        return [_parse_choice(component, item) for item in items]
    if isinstance(component, (gr.Radio, gr.Dropdown)):
        return _parse_choice(component, text.strip())
    if isinstance(component, (gr.Number, gr.Slider)):
        return _parse_number(component, text)
    if isinstance(component, gr.Textbox):
        return text
    raise LinkValueError(f"a {type(component).__name__} input cannot be set from a link")


TRUE_WORDS = ("true", "1", "yes", "on")
FALSE_WORDS = ("false", "0", "no", "off")


def _parse_bool(text):
    word = text.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise LinkValueError(f"must be true or false, got {_code(text)}")


def _parse_choice(component, text):
    choices = component.choices or []
    for index, (label, value) in enumerate(choices):
        if text == str(value) or text == str(label):
            return index if component.type == "index" else value
    if getattr(component, "allow_custom_value", False):
        return text
    valid = ", ".join(_code(value) for _, value in choices)
    raise LinkValueError(f"must be one of {valid}, got {_code(text)}")


def _parse_number(component, text):
    text = text.strip()
    if not text:
        if isinstance(component, gr.Number):
            return None
        raise LinkValueError("must be a number, got nothing")

    integral = component.precision == 0
    try:
        value = int(text) if integral and text.lstrip("+-").isdigit() else float(text)
    except ValueError:
        raise LinkValueError(f"must be a number, got {_code(text)}") from None
    if not math.isfinite(value):
        raise LinkValueError(f"must be finite, got {_code(text)}")
    if integral:
        if not float(value).is_integer():
            raise LinkValueError(f"must be an integer, got {_code(text)}")
        value = int(value)

    minimum, maximum = component.minimum, component.maximum
    if minimum is not None and value < minimum:
        raise LinkValueError(f"must be >= {minimum:g}, got {_code(text)}")
    if maximum is not None and value > maximum:
        raise LinkValueError(f"must be <= {maximum:g}, got {_code(text)}")
    return value


def check_config_value(api_name, key, value):
    """Raise LinkValueError if `key` is a config key of `api_name` and `value` fails its check.

    The value is checked with every other key at its default, as the Run button would after
    a link that sets only this key. It is checked as the handlers pass text on: an empty text
    becomes None, and a text box that holds a number (such as `lr`, which also takes "auto",
    or `batch_size`) is checked as that number when the config does not take the text itself.
    """
    experiment = EXPERIMENTS.get(api_name)
    if experiment is None:
        return
    fields = {field.name for field in dataclasses.fields(experiment.config_class)}
    if key not in fields:
        return
    value = optional_text(value)
    error = _config_error(experiment.config_class, key, value)
    if error is None:
        return
    number = _text_number(value)
    if number is not None:
        error = _config_error(experiment.config_class, key, number)
        if error is None:
            return
    raise LinkValueError(error)


def _config_error(config_class, key, value):
    try:
        config_class.from_dict({key: value})
    except ConfigError as error:
        return str(error)
    return None


def _text_number(value):
    """Return the float that text such as "0.5" or "nan" reads as, or None."""
    if not isinstance(value, str):
        return None
    try:
        return float(value.strip())
    except ValueError:
        return None


def format_value(component, value):
    """Return the query text that `parse_value` reads back as `value` for `component`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return ",".join(format_value(component, item) for item in value)
    if isinstance(component, (gr.Radio, gr.Dropdown, gr.CheckboxGroup)) and (
            component.type == "index" and isinstance(value, int)):
        return str(component.choices[value][1])
    if isinstance(value, float):
        # repr is the shortest text that reads back as the same float.
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    return str(value)


def same_value(value, default):
    """Tell whether an input's value equals its default, treating 5 and 5.0 as equal."""
    numbers = (int, float)
    if isinstance(value, numbers) and isinstance(default, numbers) and not (
            isinstance(value, bool) or isinstance(default, bool)):
        return float(value) == float(default)
    return value == default


def make_query(tab_id, inputs, values):
    """Return the query string (without "?") that selects `tab_id` and sets changed inputs.

    `inputs` are the tab's `LinkInput`s and `values` their current values, in the same order.
    Inputs at their default are left out, so links stay short and read as the setup's changes.
    """
    pairs = [(TAB_PARAMETER, tab_id)]
    for link_input, value in zip(inputs, values, strict=True):
        if same_value(value, link_input.default):
            continue
        pairs.append((query_name(link_input, inputs),
                      format_value(link_input.component, value)))
    return urlencode(pairs, quote_via=quote, safe=",")
