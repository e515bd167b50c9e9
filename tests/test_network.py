"""Nothing leaks out: the app and a job run with every outgoing connection to a host other
than 127.0.0.1 (or ::1, or a Unix socket) refused and logged.

The guard is a sitecustomize.py on PYTHONPATH in a temporary folder. It wraps
socket.socket.connect, connect_ex, sendto and socket.getaddrinfo in the child process, writes
one line per attempt to a log file, and raises OSError for the attempt. The test fails on any
line in the log.
"""

import os
import re
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from ports import free_port
from test_hardening import endpoint_inputs

REPOSITORY = Path(__file__).resolve().parent.parent

GUARD = textwrap.dedent('''
    import os
    import socket

    _LOG = os.environ["NETWORK_GUARD_LOG"]
    _LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0", "", None}


    def _log(kind, target):
        with open(_LOG, "a", encoding="utf-8") as log:
            log.write(f"{os.getpid()} {kind} {target!r}\\n")


    def _is_local(address):
        if isinstance(address, (str, bytes)):  # a Unix socket path
            return True
        return address[0] in _LOCAL


    def _guard(method):
        def guarded(self, address, *args):
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
                _log(method.__name__, address)
                raise OSError(f"network guard: outgoing connection to {address!r} refused")
            return method(self, address, *args)
        return guarded


    def _guard_sendto(method):
        def guarded(self, data, *args):
            address = args[-1]
            if self.family in (socket.AF_INET, socket.AF_INET6) and not _is_local(address):
                _log("sendto", address)
                raise OSError(f"network guard: datagram to {address!r} refused")
            return method(self, data, *args)
        return guarded


    _getaddrinfo = socket.getaddrinfo


    def _guarded_getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else host
        if name not in _LOCAL:
            _log("getaddrinfo", name)
            raise socket.gaierror(socket.EAI_NONAME, f"network guard: lookup of {name!r} refused")
        return _getaddrinfo(host, *args, **kwargs)


    socket.socket.connect = _guard(socket.socket.connect)
    socket.socket.connect_ex = _guard(socket.socket.connect_ex)
    socket.socket.sendto = _guard_sendto(socket.socket.sendto)
    socket.getaddrinfo = _guarded_getaddrinfo
    _log("guard-installed", "")
''')


@pytest.fixture()
def guarded_env(tmp_path):
    """Environment for a child process with the guard on PYTHONPATH; returns (env, log path).

    Analytics and telemetry are left at the app's own defaults (the app sets them), except
    HF_HUB_OFFLINE, which the tests set too.
    """
    guard_folder = tmp_path / "guard"
    guard_folder.mkdir()
    (guard_folder / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    log = tmp_path / "network.log"
    env = {key: value for key, value in os.environ.items()
           if key not in ("GRADIO_ANALYTICS_ENABLED", "HF_HUB_DISABLE_TELEMETRY")}
    env["PYTHONPATH"] = os.pathsep.join([str(guard_folder), str(REPOSITORY)])
    env["NETWORK_GUARD_LOG"] = str(log)
    return env, log


def attempts(log):
    """Return the logged attempts, after checking that the guard was installed."""
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    assert any("guard-installed" in line for line in lines), "the guard did not load"
    return [line for line in lines if "guard-installed" not in line]


def test_guard_catches_an_attempt(guarded_env):
    env, log = guarded_env
    code = "import urllib.request\ntry:\n urllib.request.urlopen('http://example.com', timeout=5)\n" \
           "except OSError:\n pass\n"
    subprocess.run([sys.executable, "-c", code], env=env, timeout=60, check=True)
    assert any("example.com" in line for line in attempts(log))


def test_job_contacts_no_host(guarded_env, tmp_path):
    env, log = guarded_env
    completed = subprocess.run(
        [sys.executable, "-m", "jobs", "all", "--preset", "notebook", "--device", "cpu",
         "--out", str(tmp_path / "results")],
        cwd=REPOSITORY, env=env, capture_output=True, text=True, timeout=300)
    assert completed.returncode == 0, completed.stderr
    assert attempts(log) == []


def test_app_contacts_no_host(guarded_env):
    env, log = guarded_env
    port = free_port()
    env["GRADIO_SERVER_NAME"] = "127.0.0.1"
    env["GRADIO_SERVER_PORT"] = str(port)
    server = subprocess.Popen([sys.executable, str(REPOSITORY / "space" / "app.py")],
                              cwd=REPOSITORY, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    url = f"http://127.0.0.1:{port}"
    try:
        page = wait_for(url, server)
        assert_page_is_local(page)

        with httpx.Client(trust_env=False, timeout=60) as http:
            config = http.get(f"{url}/config").json()
            assert config.get("share_url") in (None, "")
            for api_name in ("normalization", "lr_quadratic", "lr_linear_model",
                             "normal_vs_gd"):
                data = list(endpoint_inputs(api_name).values())
                joined = http.post(f"{url}/gradio_api/call/{api_name}", json={"data": data})
                joined.raise_for_status()
                events = http.get(f"{url}/gradio_api/call/{api_name}/"
                                  f"{joined.json()['event_id']}").text
                assert "event: complete" in events, events[-500:]
    finally:
        server.terminate()
        output, _ = server.communicate(timeout=30)

    assert "gradio.live" not in output
    assert attempts(log) == []


def test_file_route_does_not_fetch_remote_url(guarded_env):
    """Gradio 6.31 fetches a public http(s) URL given to /gradio_api/file=; space/guard.py
    answers 403 instead."""
    env, log = guarded_env
    port = free_port()
    env["GRADIO_SERVER_NAME"] = "127.0.0.1"
    env["GRADIO_SERVER_PORT"] = str(port)
    server = subprocess.Popen([sys.executable, str(REPOSITORY / "space" / "app.py")],
                              cwd=REPOSITORY, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        wait_for(url, server)
        response = httpx.get(f"{url}/gradio_api/file=https://example.com/font.woff2",
                             trust_env=False, timeout=60)
    finally:
        server.terminate()
        server.wait(timeout=30)

    assert response.status_code == 403
    assert attempts(log) == []


def wait_for(url, server, timeout=120):
    """Return the page at `url` once the server answers, or fail if it exits or times out."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the app exited with status {server.returncode}")
        try:
            response = httpx.get(url, trust_env=False, timeout=5)
            if response.status_code == 200:
                return response.text
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the app did not answer on {url} within {timeout} s")


def assert_page_is_local(page):
    """Fail if the served HTML loads a script, style sheet or font from another host."""
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", page)
    sources += re.findall(r"""@import\s+url\(["']?([^"')]+)""", page)
    remote = [source for source in sources
              if re.match(r"(https?:)?//", source)
              and not re.match(r"(https?:)?//(127\.0\.0\.1|localhost)[:/]", source)]
    assert remote == []
