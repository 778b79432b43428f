"""The page ``derive watch --serve`` serves on localhost, and reloads when the file changes.

One thread answers ``GET /`` with the latest HTML report and ``GET /version`` with a
number that grows with each check; the page asks for it a few times a second and
reloads when it changes. The server listens on 127.0.0.1 only and serves nothing else:
no file of the machine is reachable through it.
"""

from __future__ import annotations

import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["LivePage"]

HOST = "127.0.0.1"


class LivePage:
    """The latest page and its version, served until :meth:`close`."""

    def __init__(self, port: int) -> None:
        """Listen on ``127.0.0.1:port`` (0: a free port) in a background thread.

        Raises:
            OSError: the port is taken or not allowed.
        """
        self.version = 0
        self.html = "<!DOCTYPE html><title>derive</title><p>checking…</p>"
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer((HOST, port), handler(self))
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        """Where the page is served."""
        return f"http://{HOST}:{self.server.server_address[1]}/"

    def show(self, html: str) -> None:
        """Serve ``html`` from now on; open pages reload."""
        with self.lock:
            self.html = html
            self.version += 1

    def close(self) -> None:
        """Stop serving."""
        self.server.shutdown()
        self.server.server_close()


def handler(live: LivePage) -> type[BaseHTTPRequestHandler]:
    """A request handler that answers from ``live``."""

    class Handler(BaseHTTPRequestHandler):
        """``/``: the page; ``/version``: its version; anything else: 404."""

        def do_GET(self) -> None:
            """Answer one request."""
            with live.lock:
                html, version = live.html, live.version
            if self.path in ("/", "/index.html"):
                self.answer(html.encode("utf-8"), "text/html; charset=utf-8")
            elif self.path == "/version":
                self.answer(str(version).encode(), "text/plain; charset=utf-8")
            else:
                self.send_error(HTTPStatus.NOT_FOUND)

        def answer(self, data: bytes, kind: str) -> None:
            """Send ``data`` as ``kind``, never cached."""
            self.send_response(HTTPStatus.OK)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: object) -> None:
            """Say nothing of each request: the terminal shows the verdicts."""

    return Handler
