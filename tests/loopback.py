"""How tests serve HTTP on 127.0.0.1: scout's one loopback server, with a request handler or over a folder.

    with LoopbackServer(Handler) as server: ...          # a handler of the test's own
    with serve_directory(folder) as server: ...          # static files, as `python -m http.server` would
"""

from __future__ import annotations

import functools
from http.server import SimpleHTTPRequestHandler
from pathlib import Path
from typing import Any

from scout.loopback import LoopbackServer

__all__ = ["LoopbackServer", "serve_directory"]


class QuietStaticHandler(SimpleHTTPRequestHandler):
    """`python -m http.server` without a line on stderr per request."""

    def log_message(self, format: str, *args: Any) -> None:
        pass


def serve_directory(folder: Path) -> LoopbackServer:
    """A server (port bound, not yet serving: use it in a with block) for the files under ``folder``."""
    return LoopbackServer(functools.partial(QuietStaticHandler, directory=str(folder)))
