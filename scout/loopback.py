"""An HTTP server on a port the OS picks, answering from a daemon thread while started.

The demo sites, the generated benchmark sites and every test server are this one server with their own
request handler, so starting and stopping cleanly is written once.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Self

STOP_TIMEOUT_SECONDS = 5


class LoopbackServer(ThreadingHTTPServer):
    """``with LoopbackServer(Handler) as server:`` serves ``server.base_url`` until the block ends.

    The port is bound on construction, so ``base_url`` is known before serving starts.
    """

    daemon_threads = True  # a client holding a connection open must not block stop()

    def __init__(self, handler: Callable[..., BaseHTTPRequestHandler], host: str = "127.0.0.1") -> None:
        super().__init__((host, 0), handler)
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://host:port`` without a trailing slash."""
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def start(self, name: str | None = None) -> Self:
        if self._thread is not None:
            raise RuntimeError(f"{self.base_url} is already serving")
        self._thread = threading.Thread(target=self.serve_forever, name=name, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; safe on a server that never started."""
        if self._thread is not None:  # shutdown() would wait forever on a server that never served
            self.shutdown()
            self._thread.join(timeout=STOP_TIMEOUT_SECONDS)
            self._thread = None
        self.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()
