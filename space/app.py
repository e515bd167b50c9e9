"""The lab's Gradio app: one gr.Blocks with a tab per experiment.

Hugging Face Spaces runs this file as `app_file`; `python space/app.py` serves it at
http://127.0.0.1:7860. GRADIO_SERVER_NAME and GRADIO_SERVER_PORT override the address; a port
that is already in use is an error rather than a silent move to the next free one. Importing it
builds `demo` and does no experiment work.
"""

import os
import sys
from pathlib import Path

# Offline by default: these must be set before gradio is imported.
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
os.environ.setdefault("HF_HUB_DISABLE_TELEMETRY", "1")

# Spaces runs `python space/app.py`, which puts space/ rather than the repository on sys.path.
REPOSITORY = Path(__file__).resolve().parent.parent
if str(REPOSITORY) not in sys.path:
    sys.path.insert(0, str(REPOSITORY))

import gradio as gr  # noqa: E402

from space import accessibility, sharing  # noqa: E402
from space.tabs import learning_rate, normal_vs_gd, normalization  # noqa: E402
from space.tabs import archive  # noqa: E402
from space import guard  # noqa: E402

TITLE = "Deep-learning lab: normalization, learning rate, normal equation"
SHORT_TITLE = "deep-learning lab"

# (tab id used in links, label, module), in the course's order.
TABS = [
    ("normalization", "Normalization", normalization),
    ("learning-rate", "Learning rate", learning_rate),
    ("normal-equation", "Normal equation vs GD", normal_vs_gd),
    ("archive", "Archived results", archive),
]


def build_demo():
    """Build the app's Blocks and return it with its endpoints by tab id.

    Each tab lays out its own inputs and outputs. From the endpoints it returns, this adds
    download buttons after each record, a "Link to this setup" control at the end of each tab,
    focus rings and plot alt texts. On page load it sets the tab and inputs from the URL's
    query, as space/deeplink.py describes.
    """
    endpoints = {}
    with gr.Blocks(title=TITLE) as blocks:
        gr.Markdown(f"# {TITLE}")
        notice = sharing.add_notice()
        with gr.Tabs() as tabs:
            for tab_id, label, module in TABS:
                with gr.Tab(label, id=tab_id, elem_id=f"tab-{tab_id}"):
                    endpoints[tab_id] = module.build()
                    for endpoint in endpoints[tab_id]:
                        sharing.name_components(endpoint)
                        sharing.add_downloads(endpoint)
                    sharing.add_link_control(tab_id, f"{label}: {SHORT_TITLE}",
                                             endpoints[tab_id])
        accessibility.add_focus_styles()
        accessibility.describe_plots(blocks, endpoints)
        sharing.wire_deep_links(blocks, tabs, notice, endpoints)
    # Measured with tests/test_load.py (40 clients, 200 requests, 2 shared cores): 2 requests
    # at a time per endpoint gave 0.93 requests/s against 0.73 for 1 and 0.74 for 4. The queue
    # has a place for each of the 40 clients of the load test. A 41st waiting request gets
    # "Queue is full" at once, because at that rate it would wait 40 s or more.
    blocks.queue(default_concurrency_limit=2, max_size=40)
    guard.install(blocks)
    return blocks, endpoints


demo, ENDPOINTS = build_demo()

if __name__ == "__main__":
    # An explicit server_port makes gradio fail on a busy port instead of trying the next 99.
    demo.launch(server_port=int(os.environ.get("GRADIO_SERVER_PORT", "7860")))
