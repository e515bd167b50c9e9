"""Shared fixtures. The environment is made offline before gradio or gradio_client is imported."""

import os

os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"

import pytest  # noqa: E402
from ports import free_port  # noqa: E402


@pytest.fixture(scope="session")
def app_url():
    """Serve the app on a free loopback port for the whole session and return its URL."""
    from space.app import demo

    port = free_port()
    demo.launch(server_name="127.0.0.1", server_port=port, prevent_thread_lock=True,
                quiet=True)
    yield f"http://127.0.0.1:{port}/"
    demo.close()


@pytest.fixture(scope="session")
def client(app_url):
    """A gradio_client connected to the app served on 127.0.0.1."""
    from gradio_client import Client

    return Client(app_url, verbose=False)
