"""What the store takes in and gives back: fetched responses, analysed pages, page views."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def utc_now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def sha256_hex(data: bytes | str) -> str:
    if isinstance(data, str):
        data = data.encode("utf-8")
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class FetchedPage:
    """One HTTP response as the crawler saw it."""

    url: str
    final_url: str
    organisation_id: str | None
    http_status: int
    content_type: str | None = None
    body: bytes = field(default=b"", repr=False)
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    depth: int | None = None
    error: str | None = None
    requested_url: str | None = None  # before redirects; its frontier entry is settled with this page
    unchanged_per_sitemap: bool = False  # not requested: the sitemap dates its last change before our fetch


@dataclass(frozen=True)
class Tag:
    application: str
    score: float
    evidence: str
    signal: str
    mention: bool = False  # the page lists others that do this (a directory), it does not do it itself


@dataclass(frozen=True)
class TRLRecord:
    level: int
    cue: str
    confidence: float
    runner_up: int | None = None


@dataclass(frozen=True)
class ProcessedPage:
    page_id: int
    title: str
    text: str
    language: str | None
    body_hash: str
    tags: tuple[Tag, ...] = ()
    trl: TRLRecord | None = None
    role: str | None = None
    role_evidence: str | None = None
    regulatory: tuple[dict[str, Any], ...] = ()  # {authority, status, market, evidence}
    europe_entry: tuple[dict[str, Any], ...] = ()  # {signal, evidence}
    text_organisation: str | None = None  # read from the page itself
    text_country: str | None = None
    language_variants: dict[str, str] = field(default_factory=dict)  # hreflang → URL
    genre: str | None = None  # product, regulatory, clinical_study, research, news, event, directory, about
    analysis_version: str | None = None  # of the taxonomy, vocabularies, model and code that made the analysis
    published_date: str | None = None  # YYYY-MM-DD, as the page states it
    modified_date: str | None = None  # YYYY-MM-DD of its last update, as the page states it


@dataclass(frozen=True)
class PendingBody:
    page_id: int
    url: str
    content_type: str | None
    body: bytes
    encoding: str | None
    body_hash: str
    content_hash: str | None = None  # of the text extracted from the previous body, if any
    outdated_analysis: bool = False  # body already analysed, by an older version of the analysis


@dataclass
class PageView:
    """A page with everything the store knows about it, for display and indexing."""

    id: int
    url: str
    final_url: str
    title: str
    text: str
    language: str | None
    fetched_at: str
    first_seen_at: str
    last_changed_at: str
    http_status: int
    content_type: str | None
    content_hash: str | None
    organisation_id: str | None
    organisation: str | None
    country: str | None
    organisation_type: str | None
    market: str | None
    tags: list[Tag] = field(default_factory=list)
    trl: TRLRecord | None = None
    role: str | None = None
    role_evidence: str | None = None
    regulatory: list[dict[str, Any]] = field(default_factory=list)
    europe_entry: list[dict[str, Any]] = field(default_factory=list)
    gone_at: str | None = None
    duplicate_of: int | None = None
    aliases: list[str] = field(default_factory=list)  # other URLs with the same text
    genre: str | None = None
    analysis_version: str | None = None
    published_date: str | None = None
    modified_date: str | None = None


@dataclass(frozen=True)
class ListingBody:
    """A crawled HTML page that may list organisations: what discovery reads."""

    page_id: int
    url: str  # as finally served, to resolve its links against
    organisation_id: str | None
    genre: str | None
    body: bytes = field(repr=False)
    encoding: str | None


@dataclass(frozen=True)
class CandidateListing:
    """One listing page naming a candidate: the evidence for it."""

    page_id: int
    url: str
    listed_by: str | None  # the organisation whose page it is
    anchor_text: str
    entry_text: str
    description: str


@dataclass
class Candidate:
    """An organisation found on listing pages, waiting for a scout's decision (or decided)."""

    id: str
    name: str
    name_key: str
    website: str | None
    domain: str | None
    country: str | None
    applications: list[str] = field(default_factory=list)
    status: str = "proposed"  # proposed, accepted, rejected
    organisation_id: str | None = None  # once accepted
    first_seen_at: str = ""
    decided_at: str | None = None
    listings: list[CandidateListing] = field(default_factory=list)
