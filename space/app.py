"""The lab's Gradio app: one gr.Blocks with a tab per experiment.

Hugging Face Spaces runs this file as `app_file`; `python space/app.py` serves it at
http://127.0.0.1:7860 (GRADIO_SERVER_NAME and GRADIO_SERVER_PORT override). Importing it builds
`demo` and does no experiment work.
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

from space.tabs import learning_rate, normal_vs_gd, normalization  # noqa: E402

TITLE = "Deep-learning lab: normalization, learning rate, normal equation"

# (tab id used in links, label, module), in the course's order.
TABS = [
    ("normalization", "Normalization", normalization),
    ("learning-rate", "Learning rate", learning_rate),
    ("normal-equation", "Normal equation vs GD", normal_vs_gd),
]


def build_demo():
    """Build the app's Blocks and return it with its endpoints by tab id."""
    endpoints = {}
    with gr.Blocks(title=TITLE) as blocks:
        gr.Markdown(f"# {TITLE}")
        with gr.Tabs():
            for tab_id, label, module in TABS:
                with gr.Tab(label, id=tab_id):
                    endpoints[tab_id] = module.build()
    # Measured with tests/test_load.py (40 clients, 200 requests, 2 shared cores): 2 requests
    # at a time per endpoint gave 0.93 requests/s against 0.73 for 1 and 0.74 for 4. The queue
    # has a place for each of the 40 clients of the load test. A 41st waiting request gets
    # "Queue is full" at once, because at that rate it would wait 40 s or more.
    blocks.queue(default_concurrency_limit=2, max_size=40)
    return blocks, endpoints


demo, ENDPOINTS = build_demo()

if __name__ == "__main__":
    demo.launch()
