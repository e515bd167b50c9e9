"""Many clients at once on 127.0.0.1: no crossed, lost or different responses, and a prompt
"queue full" when there are more clients than the queue holds.

As a test (pytest) it runs one short round against the app the session serves. As a script it
measures latency and throughput against a fresh app process on 127.0.0.1:

    python tests/test_load.py --clients 40 --requests 400 [--concurrency 2 --max-size 64]

It prints p50/p95 latency and throughput. Nothing here contacts any other address.
"""

import argparse
import json
import math
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
sys.path.insert(0, str(REPOSITORY / "tests"))

from test_hardening import call_api, endpoint_inputs, last_event  # noqa: E402

# Distinct, cheap inputs per endpoint, 40 in all (the queue's size): a response delivered to
# the wrong client differs from the one expected for that client's inputs.
SMALL_BATCHNORM = {"num_samples": 64, "batch_size": 32, "hidden_units": 8, "epochs": 2,
                   "learning_rates": "0.01:1:3:log"}
SMALL_COST = {"num_samples": 100, "num_features": 4, "sample_sizes": "50, 100",
              "feature_counts": "2, 4", "repeats": 1, "max_iterations": 20}
WORKLOAD = (
    [("normalization", {"seed": seed}) for seed in range(6)]
    + [("lr_quadratic", {"start": 1.0 + start, "iterations": 30}) for start in range(6)]
    + [("lr_linear_model", {"seed": seed, "epochs": 20}) for seed in range(6)]
    + [("lr_range_test", {"seed": seed, "num_steps": 30}) for seed in range(6)]
    + [("lr_batchnorm", {"seed": seed, **SMALL_BATCHNORM}) for seed in range(5)]
    + [("normal_vs_gd", {"seed": seed, "iterations": 200}) for seed in range(6)]
    + [("normal_vs_gd_cost", {"seed": seed, **SMALL_COST}) for seed in range(5)]
)

# Values that depend on the clock, and the cost sweep's summary, which quotes them.
TIMED_KEYS = {"timings_s", "time_s", "gflops", "gbytes_per_s", "model_gflops",
              "crossover_d_model", "crossover_d_measured"}
TIMED_SUMMARIES = {"normal_vs_gd_cost"}


def untimed(value):
    """Return `value` with the TIMED_KEYS of every dict in it left out."""
    if isinstance(value, dict):
        return {key: untimed(item) for key, item in value.items() if key not in TIMED_KEYS}
    if isinstance(value, list):
        return [untimed(item) for item in value]
    return value


def differences(actual, expected, path="record"):
    """Return the paths where `actual` differs from `expected`.

    Floats may differ by 1e-12 relative: LAPACK's least squares (in lr_linear_model's
    minimum_loss) varies in its last bit with the alignment of its buffers, which differs from
    call to call. A response crossed with another client's, or changed by another request's
    state, differs far more (a thread count shared between requests moved float32 results by
    about 1e-7).
    """
    if isinstance(actual, dict) and isinstance(expected, dict):
        if actual.keys() != expected.keys():
            return [f"{path} keys"]
        return [found for key in expected
                for found in differences(actual[key], expected[key], f"{path}.{key}")]
    if isinstance(actual, (list, tuple)) and isinstance(expected, (list, tuple)):
        if len(actual) != len(expected):
            return [f"{path} length"]
        return [found for index, (left, right) in enumerate(zip(actual, expected))
                for found in differences(left, right, f"{path}[{index}]")]
    if isinstance(actual, float) and isinstance(expected, float):
        return [] if math.isclose(actual, expected, rel_tol=1e-12, abs_tol=1e-300) else [path]
    return [] if actual == expected else [path]


def without_timings(api_name, outputs):
    """Return the summary and the record of an endpoint's outputs, without clock readings."""
    summary = None if api_name in TIMED_SUMMARIES else outputs[-2]
    return summary, untimed(outputs[-1])


def request(app_url, api_name, changes):
    """Send one request; return ("complete" | "error" | "queue_full", data, latency in s)."""
    inputs = {**endpoint_inputs(api_name), **changes}
    base = f"{app_url}gradio_api/call/{api_name}"
    start = time.perf_counter()
    with httpx.Client(trust_env=False, timeout=120.0) as http:
        joined = http.post(base, json={"data": list(inputs.values())})
        if joined.status_code == 503:
            return "queue_full", joined.text, time.perf_counter() - start
        joined.raise_for_status()
        stream = http.get(f"{base}/{joined.json()['event_id']}")
    event, data = last_event(stream.text)
    return event, data, time.perf_counter() - start


def run_at_once(app_url, work):
    """Send every (api_name, changes) of `work` from its own thread, all released together."""
    barrier = threading.Barrier(len(work))
    results = [None] * len(work)

    def client(index, api_name, changes):
        barrier.wait()
        try:
            results[index] = request(app_url, api_name, changes)
        except Exception as error:  # recorded, so a lost response fails the test by name
            results[index] = ("exception", repr(error), None)

    threads = [threading.Thread(target=client, args=(index, *item))
               for index, item in enumerate(work)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    return results


def served_queue():
    from space.app import demo

    return demo._queue.max_size


@pytest.fixture(scope="module")
def sequential():
    """The summary and record each WORKLOAD item gets from its handler, one call at a time.

    The handlers are the functions the app serves, called in this process with the values the
    HTTP requests send, so the text boxes are parsed as the server parses them.
    """
    from space.app import demo

    handlers = {function.api_name: function.fn for function in demo.fns.values()}
    responses = []
    for api_name, changes in WORKLOAD:
        outputs = handlers[api_name](**{**endpoint_inputs(api_name), **changes})
        responses.append(without_timings(api_name, outputs))
    return responses


def test_workload_covers_every_endpoint():
    from space.app import ENDPOINTS

    api_names = {endpoint.api_name for endpoints in ENDPOINTS.values() for endpoint in endpoints}
    assert {api_name for api_name, _ in WORKLOAD} == api_names


def test_concurrent_responses_equal_sequential(app_url, sequential):
    assert len(WORKLOAD) >= 40
    assert served_queue() >= len(WORKLOAD), "the queue must hold the 40 clients of this test"

    results = run_at_once(app_url, WORKLOAD)

    for (api_name, changes), expected, (event, data, _) in zip(WORKLOAD, sequential, results):
        assert event == "complete", (api_name, changes, data)
        summary, record = without_timings(api_name, data)
        assert summary == expected[0], (api_name, changes)
        assert differences(record, expected[1]) == [], (api_name, changes)


@pytest.fixture()
def small_queue():
    """Shrink the served queue to 6 places for one test, so overfilling it stays quick."""
    from space.app import demo

    saved = demo._queue.max_size
    demo._queue.max_size = 6
    yield demo._queue.max_size
    demo._queue.max_size = saved


def test_overfull_queue_rejects_promptly(app_url, small_queue):
    from lib.experiments import run_experiment

    # More clients than the queue has places, plus the requests in progress (2 per endpoint).
    clients = small_queue + 2 + 16
    work = [("lr_quadratic", {"start": float(index + 1), "iterations": 20})
            for index in range(clients)]

    results = run_at_once(app_url, work)

    events = [event for event, _, _ in results]
    assert set(events) <= {"complete", "queue_full"}, events
    assert events.count("queue_full") >= 1
    assert events.count("complete") >= small_queue
    for event, data, latency in results:
        if event == "queue_full":
            assert "Queue is full" in data
            assert latency < 5.0
    for (api_name, changes), (event, data, _) in zip(work, results):
        if event == "complete":
            expected = run_experiment(api_name, {**changes, "learning_rates": [0.1, 0.01, 0.5]})
            assert data[-1]["config"] == expected["config"]
            assert data[-1]["results"] == expected["results"]


# The measurement run (not collected by pytest).

SERVER = """
import os, sys
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
sys.path.insert(0, {repository!r})
from space.app import demo
if {concurrency!r} is not None:
    demo.queue(default_concurrency_limit={concurrency!r}, max_size={max_size!r})
demo.launch(server_name="127.0.0.1", server_port={port!r}, quiet=True)
"""


def start_server(port, concurrency, max_size):
    code = SERVER.format(repository=str(REPOSITORY), port=port, concurrency=concurrency,
                         max_size=max_size)
    server = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, trust_env=False, timeout=2).status_code == 200:
                return server, url
        except httpx.TransportError:
            time.sleep(0.5)
    server.kill()
    raise RuntimeError(f"the app did not start on {url} within 120 s")


def measure(url, clients, total):
    """Run `clients` closed-loop clients until `total` requests; return the latencies and span."""
    work = [WORKLOAD[index % len(WORKLOAD)] for index in range(total)]
    lock = threading.Lock()
    latencies, outcomes = [], {}

    def client():
        while True:
            with lock:
                if not work:
                    return
                api_name, changes = work.pop()
            event, _, latency = request(url, api_name, changes)
            with lock:
                outcomes[event] = outcomes.get(event, 0) + 1
                if event == "complete":
                    latencies.append(latency)

    start = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, outcomes, time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description="Measure the app's latency under load.")
    parser.add_argument("--clients", type=int, default=40, help="concurrent clients")
    parser.add_argument("--requests", type=int, default=400, help="requests in total")
    parser.add_argument("--port", type=int, default=7890, help="port on 127.0.0.1")
    parser.add_argument("--concurrency", type=int, default=None,
                        help="override the app's concurrency limit per endpoint")
    parser.add_argument("--max-size", type=int, default=None,
                        help="override the app's queue size (with --concurrency)")
    args = parser.parse_args()

    server, url = start_server(args.port, args.concurrency, args.max_size)
    try:
        for api_name, changes in dict(WORKLOAD).items():  # one warm-up request per endpoint
            request(url, api_name, changes)
        cpu_before = time.process_time()
        latencies, outcomes, span = measure(url, args.clients, args.requests)
    finally:
        server.terminate()
        server.wait(timeout=30)

    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(0.95 * len(latencies)))]
    print(json.dumps({
        "clients": args.clients, "requests": args.requests, "outcomes": outcomes,
        "concurrency": args.concurrency, "max_size": args.max_size,
        "p50_s": round(statistics.median(latencies), 3), "p95_s": round(p95, 3),
        "throughput_per_s": round(len(latencies) / span, 2), "span_s": round(span, 1),
        "client_cpu_s": round(time.process_time() - cpu_before, 1),
    }))


if __name__ == "__main__":
    main()
