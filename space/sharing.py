"""Additions to every tab, built from its endpoints: deep links, a link control, downloads.

Everything here works from the `Endpoint`s that each tab's `build()` returns, so an input a tab
gains later is linkable and its runs downloadable with no change in this module.
"""

import html
import logging
import re
import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr
from gradio import route_utils

from lib.experiments import EXPERIMENTS
from lib.records import dumps_strict
from space import deeplink

logger = logging.getLogger(__name__)

# Download folders older than this are deleted when the next run writes its files. Gradio has
# copied each file into its own cache by then, so the links the page shows keep working.
DOWNLOADS_MAX_AGE_S = 3600
FIGURE_DPI = 150

# The embed snippet's height is the page's height when the link was made, rounded up to this.
HEIGHT_STEP_PX = 100
MIN_EMBED_HEIGHT_PX = 600


def name_components(endpoint):
    """Give the endpoint's components stable element ids, unless the tab chose its own.

    Inputs become `<api_name>-<key>`, the button `<api_name>-run`, plots `<api_name>-plot-<i>`
    (from 1), the summary (the last Markdown output) `<api_name>-summary` and the record
    `<api_name>-record`.
    Page styles, the documentation and the browser tests find components by these ids.
    """
    names = {component: f"{endpoint.api_name}-{key}" for key, component in endpoint.inputs.items()}
    names[endpoint.button] = f"{endpoint.api_name}-run"
    names[endpoint.record] = f"{endpoint.api_name}-record"
    plots = [component for component in endpoint.outputs if isinstance(component, gr.Plot)]
    for number, plot in enumerate(plots, start=1):
        names[plot] = f"{endpoint.api_name}-plot-{number}"
    summaries = [component for component in endpoint.outputs if isinstance(component, gr.Markdown)]
    if summaries:
        # Handlers return (*figures, summary, record), so the last Markdown output is the summary.
        names[summaries[-1]] = f"{endpoint.api_name}-summary"
    for component, name in names.items():
        if component.elem_id is None:
            component.elem_id = name


def add_notice():
    """Render the hidden banner that lists what a page's link could not set."""
    return gr.Markdown(visible=False, elem_id="link-notice", elem_classes=["link-notice"])


def wire_deep_links(blocks, tabs, notice, endpoints_by_tab):
    """Set the tab and inputs from the page URL's query when a page loads.

    Inputs the query does not name get `gr.skip()`, so the load event never puts back a default
    over a value the user has already changed. Inside an iframe the query is that of the iframe's
    `src`; inside the `<gradio-app>` web component it is the host page's.
    """
    inputs = deeplink.collect_inputs(endpoints_by_tab)
    tab_ids = list(endpoints_by_tab)
    components = list(dict.fromkeys(item.component for item in inputs))

    def apply_link(request: gr.Request):
        link = deeplink.read_query(_query_items(request), inputs, tab_ids)

        # The first tab is already shown. Selecting it again could pull back a user who
        # switched tabs before this event returned.
        tab_update = gr.skip()
        if link.tab_id not in (None, tab_ids[0]):
            tab_update = gr.Tabs(selected=link.tab_id)
        notice_update = gr.skip()
        if link.notices:
            lines = ["**Some settings in this page's link were ignored** "
                     "(the inputs keep their other values):", ""]
            lines += [f"- {text}" for text in link.notices]
            notice_update = gr.Markdown("\n".join(lines), visible=True)
        input_updates = [link.values.get(component, gr.skip()) for component in components]
        return [tab_update, notice_update, *input_updates]

    blocks.load(apply_link, inputs=None, outputs=[tabs, notice, *components],
                api_visibility="private", concurrency_limit=None, show_progress="hidden")


def _query_items(request):
    if request is None:
        return []
    params = request.query_params
    if hasattr(params, "multi_items"):
        return params.multi_items()
    return list(dict(params).items())


def add_link_control(tab_id, title, endpoints):
    """Render the tab's "Link to this setup" control: a button, the URL and an iframe snippet.

    `title` names the embedded frame for screen readers.
    """
    inputs = deeplink.collect_inputs({tab_id: endpoints})
    components = [item.component for item in inputs]

    with gr.Accordion("Link to this setup", open=False, elem_id=f"{tab_id}-link"):
        gr.Markdown(
            "A link that opens this tab with its inputs as they are now, and an HTML snippet "
            "that embeds the same setup in a course page. Inputs left at their defaults are not "
            "written into the link."
        )
        make = gr.Button("Make link", elem_id=f"{tab_id}-make-link")
        page_height = gr.Number(visible=False)
        url = gr.Textbox(label="Link", buttons=["copy"], interactive=False,
                         elem_id=f"{tab_id}-link-url")
        snippet = gr.Textbox(label="Embed snippet (HTML)", buttons=["copy"], interactive=False,
                             lines=3, elem_id=f"{tab_id}-link-snippet")

    # gradio passes the request where the annotated parameter is, before the input values.
    def make_link(request: gr.Request, *values):
        *input_values, height = values
        query = deeplink.make_query(tab_id, inputs, input_values)
        link = f"{_app_url(request)}/?{query}"
        return link, embed_snippet(link, title, height)

    # The browser adds the page's current height, which sizes the iframe snippet.
    measure = (f"(...args) => [...args.slice(0, {len(components)}), "
               "document.documentElement.scrollHeight]")
    make.click(make_link, inputs=[*components, page_height], outputs=[url, snippet],
               js=measure, api_visibility="private", concurrency_limit=None)



def embed_snippet(link, title, height=None):
    """Return an iframe element for `link`, `height` pixels high (rounded up, at least 600)."""
    if not height or height < MIN_EMBED_HEIGHT_PX:
        height = MIN_EMBED_HEIGHT_PX
    height = int(-(-height // HEIGHT_STEP_PX) * HEIGHT_STEP_PX)
    return (f'<iframe src="{html.escape(link)}" title="{html.escape(title)}"\n'
            f'        width="100%" height="{height}" style="border: 0" loading="lazy"></iframe>')


def _app_url(request):
    """Return the app's public URL without a trailing slash, as the browser reached it.

    Uses Gradio's own resolution (it honours X-Forwarded-Host and X-Forwarded-Proto behind a
    proxy such as Hugging Face Spaces).
    """
    # NOTE: get_root_url and get_api_call_path are internal to gradio 6.31 and may move.
    fastapi_request = request.request
    return route_utils.get_root_url(
        request=fastapi_request,
        route_path=route_utils.get_api_call_path(request=fastapi_request),
        root_path=getattr(fastapi_request.app, "root_path", None),
    )


def add_downloads(endpoint):
    """Render download buttons after the endpoint's record; fill and show them after each run.

    One button gives the record as JSON, and one per plot gives that figure as PNG, drawn again
    from the record by the experiment's plot function. The buttons stay hidden until the record
    has a value. The event is private, so the API lists only the endpoints.
    """
    plot_labels = [component.label for component in endpoint.outputs
                   if isinstance(component, gr.Plot)]

    def build():
        with gr.Column(elem_id=f"{endpoint.api_name}-downloads"):
            buttons = [gr.DownloadButton("Download the record (JSON)", visible=False,
                                         size="sm", elem_id=f"{endpoint.api_name}-download-record")]
            for number, label in enumerate(plot_labels, start=1):
                name = f"“{label}”" if label else f"figure {number}"
                buttons.append(gr.DownloadButton(
                    f"Download {name} (PNG)", visible=False, size="sm",
                    elem_id=f"{endpoint.api_name}-download-figure-{number}"))
        return buttons

    buttons = render_after(endpoint.record, build)

    def write(record):
        try:
            paths = write_downloads(record, plot_labels) or []
        except Exception:
            # The run itself succeeded, so the page keeps its results and only the buttons hide.
            logger.exception("writing the downloads of %s failed", endpoint.api_name)
            paths = []
        # NOTE: a plot function that draws fewer figures than the tab has plots leaves the
        # extra buttons hidden; extra figures get no button.
        return [gr.DownloadButton(value=paths[index] if index < len(paths) else None,
                                  visible=index < len(paths))
                for index in range(len(buttons))]

    endpoint.record.change(write, inputs=endpoint.record, outputs=buttons,
                           api_visibility="private", show_progress="hidden")
    return buttons


def render_after(anchor, build):
    """Render what `build()` makes right after `anchor`, in the layout block that holds it.

    Returns what `build()` returns. This lets the app place a tab's downloads beside its record
    without knowing the tab's layout.
    """
    # NOTE: this moves children of a gradio 6.31 layout block by hand (`parent`, `children`).
    # It must run before the enclosing gr.Blocks exits, because that is when the layout is read.
    container = anchor.parent
    outer = container.parent
    count = len(container.children)
    with container:
        components = build()
    container.parent = outer

    added = container.children[count:]
    del container.children[count:]
    position = container.children.index(anchor) + 1
    container.children[position:position] = added
    return components


def write_downloads(record, plot_labels=()):
    """Write the record as JSON and its figures as PNG to a new folder; return the file paths.

    Returns None for an empty record. Figure i is named after plot label i when there is one.
    """
    if not record:
        return None
    experiment_id = record["experiment"]
    folder = _new_download_folder()

    record_path = folder / f"{experiment_id}-record.json"
    record_path.write_text(dumps_strict(record, indent=2) + "\n", encoding="utf-8")
    paths = [record_path]

    figures = EXPERIMENTS[experiment_id].plot(record)
    for number, figure in enumerate(figures, start=1):
        label = plot_labels[number - 1] if number <= len(plot_labels) else None
        path = folder / f"{experiment_id}-figure-{number}{_slug(label)}.png"
        figure.savefig(path, format="png", dpi=FIGURE_DPI)
        paths.append(path)
    return [str(path) for path in paths]


def _slug(label):
    if not label:
        return ""
    words = re.sub(r"[^a-z0-9]+", "-", str(label).lower()).strip("-")
    return f"-{words[:40].rstrip('-')}" if words else ""


_download_root = None


def _new_download_folder():
    global _download_root
    if _download_root is None:
        _download_root = Path(tempfile.mkdtemp(prefix="lab-downloads-"))

    cutoff = time.time() - DOWNLOADS_MAX_AGE_S
    for old in _download_root.iterdir():
        if old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=_download_root))
