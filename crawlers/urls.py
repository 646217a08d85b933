"""URL canonicalisation: one spelling per resource, so a page is stored once."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from w3lib.url import canonicalize_url

DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_url(url: str) -> str:
    """Lower-case scheme and host, drop default ports and fragments, sort query arguments."""
    canonical = canonicalize_url(url, keep_fragments=False)
    parts = urlsplit(canonical)
    netloc = parts.hostname or ""
    if ":" in netloc:  # an IPv6 literal
        netloc = f"[{netloc}]"
    if parts.port and parts.port != DEFAULT_PORTS.get(parts.scheme):
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))


def host_of(url: str) -> str:
    """host[:port] of a URL, lower-cased, default port omitted."""
    return urlsplit(canonical_url(url)).netloc
