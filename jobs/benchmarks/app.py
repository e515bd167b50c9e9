"""Benchmarks of the app: start-up time and each endpoint's latency over the raw HTTP API.

gradio is imported only inside these functions: the other benchmarks run on machines without it.
"""

import io
import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from jobs.benchmarks import interleaved_times, median, repeat_times

REPOSITORY = Path(__file__).resolve().parents[2]
OFFLINE = {"GRADIO_ANALYTICS_ENABLED": "False", "HF_HUB_DISABLE_TELEMETRY": "1",
           "HF_HUB_OFFLINE": "1"}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _time_app_start():
    """Return the seconds from `python space/app.py` until GET / first returns 200."""
    port = _free_port()
    env = {**os.environ, **OFFLINE, "GRADIO_SERVER_PORT": str(port),
           "GRADIO_SERVER_NAME": "127.0.0.1"}
    start = time.perf_counter()
    process = subprocess.Popen([sys.executable, "space/app.py"], cwd=REPOSITORY, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = start + 120
        while time.perf_counter() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as response:
                    if response.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
        raise TimeoutError(f"space/app.py did not respond on port {port} within 120 s")
    finally:
        process.terminate()
        process.wait(timeout=30)


def _time_imports():
    env = {**os.environ, **OFFLINE}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import gradio, torch"], cwd=REPOSITORY, env=env,
                   check=True)
    return time.perf_counter() - start


def app_start(quick):
    """Time app start to ready against importing gradio and torch alone."""
    repeats = 1 if quick else 5
    times, baseline_times = [], []
    for _ in range(repeats):
        baseline_times.append(_time_imports())
        times.append(_time_app_start())
    return {
        "name": "app start to ready",
        "size": {"command": "python space/app.py"},
        "baseline": 'python -c "import gradio, torch"',
        "times_s": times,
        "baseline_times_s": baseline_times,
        "target": "ratio <= 1.3",
        "target_ratio": 1.3,
        "check": {},
    }


def reference_figure_seconds(repeats):
    """Time one matplotlib figure with three 100-point lines, drawn and encoded as PNG."""
    import numpy as np
    from matplotlib.figure import Figure

    x = np.linspace(0, 1, 100)

    def draw():
        figure = Figure(figsize=(6.4, 4.0))
        ax = figure.subplots()
        for power in (1, 2, 3):
            ax.plot(x, x**power, label=f"x^{power}")
        ax.legend()
        figure.savefig(io.BytesIO(), format="png")

    return repeat_times(draw, repeats)


def _call(base_url, api_name, data):
    """POST to /gradio_api/call/NAME, then read the event stream to its end; return the output."""
    request = urllib.request.Request(
        f"{base_url}gradio_api/call/{api_name}", data=json.dumps({"data": data}).encode(),
        headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(request, timeout=60) as response:
        event_id = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{base_url}gradio_api/call/{api_name}/{event_id}",
                                timeout=60) as response:
        text = response.read().decode()
    if "event: complete" not in text:
        raise RuntimeError(f"{api_name} did not complete: {text[:300]}")
    return text


def endpoints(quick):
    """Time each endpoint at its defaults over the raw HTTP API against an echo endpoint."""
    os.environ.update(OFFLINE)
    import gradio as gr

    sys.path.insert(0, str(REPOSITORY))
    from space.app import ENDPOINTS, demo

    with gr.Blocks() as echo_app:
        text_in = gr.Textbox()
        text_out = gr.Textbox()
        text_in.submit(lambda text: text, text_in, text_out, api_name="echo")

    repeats = 3 if quick else 20
    figure_times = reference_figure_seconds(repeats)
    port, echo_port = _free_port(), _free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True, quiet=True)
    echo_app.launch(server_name="127.0.0.1", server_port=echo_port, prevent_thread_lock=True,
                    quiet=True)
    cases = []
    try:
        base, echo_base = f"http://127.0.0.1:{port}/", f"http://127.0.0.1:{echo_port}/"
        for tab_endpoints in ENDPOINTS.values():
            for endpoint in tab_endpoints:
                data = [component.value for component in endpoint.inputs.values()]
                figures = sum(isinstance(output, gr.Plot) for output in endpoint.outputs)
                times, echo_times = interleaved_times(
                    lambda: _call(base, endpoint.api_name, data),
                    lambda: _call(echo_base, "echo", ["x"]),
                    repeats,
                )
                budget = (figures + 1) * median(figure_times)
                cases.append({
                    "name": f"endpoint /{endpoint.api_name} at defaults",
                    "size": {"figures": figures, "requests": repeats},
                    "baseline": "an endpoint that returns its input",
                    "times_s": times,
                    "baseline_times_s": echo_times,
                    "target": f"median <= (figures + 1) x reference figure = {budget * 1e3:.0f} ms",
                    "target_seconds": budget,
                    "check": {"reference_figure_s": median(figure_times)},
                })
    finally:
        demo.close()
        echo_app.close()
    return cases


def benchmarks(quick=False):
    """Return the app's benchmark cases."""
    return [app_start(quick), *endpoints(quick)]
