"""The app serves no file outside its own assets through Gradio 6.31's file routes.

Each request goes out as raw bytes over a socket, so that `..` segments and their encodings
reach the server exactly as written (an HTTP library would normalize them first).
"""

import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest

REPOSITORY = Path(__file__).resolve().parent.parent
SECRET = "file-route-secret-4f1c"

# Routes of gradio 6.31.0 that take a path (gradio/routes.py).
ROUTES = ["/gradio_api/file=", "/file=", "/gradio_api/file/", "/file/", "/assets/",
          "/static/", "/svelte/", "/gradio_api/proxy="]


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("outside") / "secret.txt"
    path.write_text(SECRET)
    return path


def raw_get(app_url, target):
    """Send `GET target` byte for byte; return (status code, body)."""
    address = urlsplit(app_url)
    request = (f"GET {target} HTTP/1.1\r\nHost: {address.netloc}\r\n"
               "Connection: close\r\n\r\n").encode("latin-1")
    with socket.create_connection((address.hostname, address.port), timeout=30) as connection:
        connection.sendall(request)
        chunks = []
        while chunk := connection.recv(65536):
            chunks.append(chunk)
    response = b"".join(chunks).decode("latin-1")
    status = int(response.split(" ", 2)[1])
    return status, response.partition("\r\n\r\n")[2]


def escapes(secret_file):
    """Paths that point outside the app's assets: absolute, `..` and encoded `..`."""
    absolute = str(secret_file)
    up = "../" * 12
    relative = up + absolute.lstrip("/")
    return [
        absolute,
        "/" + absolute,
        relative,
        relative.replace("../", "%2e%2e/"),
        relative.replace("../", "%2e%2e%2f"),
        relative.replace("../", "%252e%252e%252f"),
        relative.replace("../", "..%2f"),
        relative.replace("../", "..\\"),
        "file://" + absolute,
        "/etc/passwd",
        up + "etc/passwd",
        (up + "etc/passwd").replace("/", "%2f"),
        str(REPOSITORY / "lib" / "limits.py"),
        "../lib/limits.py",
        "../../lib/limits.py",
        "%2e%2e/%2e%2e/lib/limits.py",
    ]


def test_file_routes_refuse_paths_outside_assets(app_url, secret_file):
    failures = []
    for route in ROUTES:
        for path in escapes(secret_file):
            status, body = raw_get(app_url, route + path)
            leaked = SECRET in body or "root:x:0:0" in body or "class Limits" in body
            if status not in (400, 403, 404) or leaked:
                failures.append(f"{route}{path}: HTTP {status}{' with the file' if leaked else ''}")
    assert failures == []


def test_own_assets_still_served(app_url):
    status, body = raw_get(app_url, "/")
    assert status == 200
    assert 'src="./assets/' in body
    asset = body.split('src="./assets/', 1)[1].split('"', 1)[0]
    status, _ = raw_get(app_url, "/assets/" + asset)
    assert status == 200


# URLs through the file route. The session's app is served on 127.0.0.1, where a guard that
# failed would make the server fetch the URL, so the guard is tested here on its own, with an
# inner app that records whether a request got through; tests/test_network.py sends a public
# URL to a served app with outgoing connections refused.

URL_PATHS = [
    "/gradio_api/file=https://example.com/font.woff2",
    "/gradio_api/file=http://example.com/a.png",
    "/gradio_api/file=HTTPS://example.com/a.png",
    "/gradio_api/file=//example.com/a.png",
    "/gradio_api/file=ftp://example.com/a.png",
    "/file=https://example.com/a.png",
    "/prefix/gradio_api/file=https://example.com/a.png",
]


def call_guard(path, method="GET"):
    """Send one request with `path` (decoded, as ASGI gives it) through FileRouteGuard.

    Return (status, whether the inner app was called).
    """
    import asyncio
    import concurrent.futures

    from space.guard import FileRouteGuard

    reached, sent = [], []

    async def inner(scope, receive, send):
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": [],
             "query_string": b""}
    # In a thread of its own: a test run before this one may leave an event loop running here.
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        pool.submit(asyncio.run, FileRouteGuard(inner)(scope, receive, send)).result()
    return sent[0]["status"], bool(reached)


@pytest.mark.parametrize("path", URL_PATHS)
def test_guard_refuses_url_in_file_route(path):
    assert call_guard(path) == (403, False)
    assert call_guard(path, method="HEAD") == (403, False)


@pytest.mark.parametrize("path", ["/gradio_api/file=/tmp/gradio/abc/plot.png",
                                  "/gradio_api/file=space/static/logo.svg",
                                  "/gradio_api/info", "/", "/config"])
def test_guard_passes_other_paths(path):
    assert call_guard(path) == (200, True)


def test_served_app_has_guard(app_url):
    from space.app import demo
    from space.guard import FileRouteGuard

    assert FileRouteGuard in [middleware.cls for middleware in demo.server_app.user_middleware]


def test_file_route_url_refused_by_served_app(app_url):
    # 127.0.0.1 only: gradio would refuse this private address too, but without the guard its
    # answer is not the guard's text.
    status, body = raw_get(app_url, f"/gradio_api/file=http://127.0.0.1:{urlsplit(app_url).port}/")
    assert status == 403
    assert "serves its own files only" in body
