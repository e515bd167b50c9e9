"""Refuse file-route requests that name a URL, so the app never fetches from another host.

Gradio 6.31 handles `GET /gradio_api/file=https://host/path` by downloading that URL and
streaming it back (`secure_url_stream_response` in gradio/routes.py); it refuses private
addresses, but any public host is fetched. This app serves only its own files, so a file route
whose path starts with a URL scheme (`https:`, `ftp:`, ...) or `//` gets 403 before gradio sees
it. A local file whose name contains ":" before any "/" is refused too; the app writes none.
"""

import functools
import re

from starlette.middleware import Middleware
from starlette.responses import PlainTextResponse

# Matched against the decoded request path, so %3A and %2F spellings are caught as well.
URL_IN_FILE_ROUTE = re.compile(r"/file=\s*(?:[a-z][a-z0-9+.-]*:|[/\\]{2})", re.IGNORECASE)
REFUSAL = "This app's file route serves its own files only, not URLs."


class FileRouteGuard:
    """ASGI middleware: refuse (403) a file route whose path is a URL; pass on the rest."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and URL_IN_FILE_ROUTE.search(scope.get("path", "")):
            await PlainTextResponse(REFUSAL, status_code=403)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def install(blocks):
    """Serve `blocks` behind `FileRouteGuard` on every launch; return `blocks`.

    Gradio builds a new FastAPI app in each `launch()`, and middleware cannot be added once that
    app has served a request, so the guard goes in through launch's `app_kwargs`, which gradio
    passes to the FastAPI constructor.
    """
    launch = blocks.launch

    @functools.wraps(launch)
    def guarded_launch(*args, app_kwargs=None, **kwargs):
        app_kwargs = dict(app_kwargs or {})
        app_kwargs["middleware"] = [*app_kwargs.get("middleware", []),
                                    Middleware(FileRouteGuard)]
        return launch(*args, app_kwargs=app_kwargs, **kwargs)

    blocks.launch = guarded_launch
    return blocks
