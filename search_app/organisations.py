"""Organisations as first-class objects: one profile gathered from all of an organisation's pages.

A profile answers what a scout asks of an organisation rather than of a page: which applications it works
on (with the best sentence for each), how ready its most mature technology is, what role it plays in the
value chain, where it may sell, how well it is crawled and what changed in its last crawl. The HTML page,
the JSON API and any later caller share `organisation_profile` and `organisation_list`.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from scout import registry
from scout.coverage import coverage_report, iter_organisations
from scout.settings import Settings
from store import PageView, Store, Tag, TRLRecord
from taxonomy import load_roles

# How much a page's stated role counts towards the organisation's: pages about others (news of a partner,
# an event programme, a directory) often use another party's words, so they count half.
GENRE_WEIGHT = {"news": 0.5, "event": 0.5, "directory": 0.5}
# Granted beats pending beats planned beats negated, per authority and market.
REGULATORY_RANK = {"granted": 3, "pending": 2, "planned": 1, "negated": 0}
ROLE_LABELS = {role: info.label for role, info in load_roles().roles.items()}


@dataclass(frozen=True)
class ApplicationEvidence:
    application: str
    pages: int  # of the organisation's pages tagged with it
    best: Tag  # the highest-scoring tag among them, with its evidence sentence
    page_id: int  # the page that sentence is on


@dataclass(frozen=True)
class RoleShare:
    role: str
    label: str
    pages: int
    share: float  # of the weighted total, 0..1


@dataclass(frozen=True)
class RoleConsensus:
    role: str
    label: str
    evidence: str | None
    page_id: int
    split: list[RoleShare]  # every role its pages state, the consensus first


@dataclass(frozen=True)
class MarketStatus:
    authority: str
    market: str | None
    status: str
    evidence: str
    page_id: int


@dataclass(frozen=True)
class BestTRL:
    record: TRLRecord
    page_id: int
    page_title: str


@dataclass
class OrganisationProfile:
    id: str
    name: str
    type: str
    market: str
    country: str
    website: str | None
    in_registry: bool
    coverage: dict[str, Any]  # its row of the coverage report (scout.coverage)
    pages: list[PageView] = field(default_factory=list)
    applications: list[ApplicationEvidence] = field(default_factory=list)
    trl: BestTRL | None = None
    role: RoleConsensus | None = None
    regulatory: list[MarketStatus] = field(default_factory=list)
    first_seen_at: str | None = None
    last_changed_at: str | None = None
    last_crawl: dict[str, Any] | None = None  # run_id, started_at, finished_at, status
    changes: list[tuple[PageView, str]] = field(default_factory=list)  # (page, "new" | "changed") in that run


def organisation_list(settings: Settings, markets=(), countries=(), types=()) -> list[dict[str, Any]]:
    """Every known organisation (registry and ad-hoc sites) as its coverage row, optionally filtered.

    Filters are sets of values (markets as registry slugs, countries as ISO codes, registry types); an empty
    one lets everything through. Raises RegistryError when the registry cannot be read.
    """
    report = coverage_report(settings, registry.load_registry())  # looked up on call, so tests can stand in
    return [
        entry for _market, _country, entry in iter_organisations(report)
        if (not markets or entry["market"] in markets) and (not countries or entry["country"] in countries)
        and (not types or entry["type"] in types)
    ]


def organisation_profile(settings: Settings, organisation_id: str) -> OrganisationProfile | None:
    """The profile of this registry organisation or ad-hoc site, or None when no such id is known."""
    entries = [entry for entry in organisation_list(settings) if entry["id"] == organisation_id]
    if not entries:
        return None
    entry = entries[0]
    profile = OrganisationProfile(
        id=entry["id"], name=entry["name"], type=entry["type"], market=entry["market"], country=entry["country"],
        website=entry["website"], in_registry=entry["in_registry"], coverage=entry,
    )
    if not settings.database_path.exists():
        return profile
    with Store.open(settings.database_path, read_only=True) as store:
        profile.pages = store.pages(store.organisation_page_ids(organisation_id))
        run = store.latest_run_by_organisation().get(organisation_id)
        if run is not None:
            profile.last_crawl = {name: run[name] for name in ("run_id", "started_at", "finished_at", "status")}
            changes = store.organisation_changes(organisation_id, run["started_at"])
            changed_pages = {page.id: page for page in store.pages([page_id for page_id, _ in changes])}
            profile.changes = [(changed_pages[page_id], kind) for page_id, kind in changes
                               if page_id in changed_pages]
    pages = profile.pages
    profile.applications = application_evidence(pages)
    profile.trl = best_trl(pages)
    profile.role = consensus_role(pages)
    profile.regulatory = regulatory_status(pages)
    profile.first_seen_at = min((page.first_seen_at for page in pages), default=None)
    profile.last_changed_at = max((page.last_changed_at for page in pages), default=None)
    return profile


def application_evidence(pages: list[PageView]) -> list[ApplicationEvidence]:
    """Each application on any page, with its page count and best evidence; most pages first."""
    counts: Counter[str] = Counter()
    best: dict[str, tuple[Tag, int]] = {}
    for page in pages:
        for tag in page.tags:
            if tag.mention:  # the page lists others that do this; it says nothing of the organisation
                continue
            counts[tag.application] += 1
            if tag.application not in best or tag.score > best[tag.application][0].score:
                best[tag.application] = (tag, page.id)
    return [ApplicationEvidence(application, count, *best[application])
            for application, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]


def best_trl(pages: list[PageView]) -> BestTRL | None:
    """The highest TRL any page shows, the more confident estimate winning a tie."""
    rated = [page for page in pages if page.trl is not None]
    if not rated:
        return None
    page = max(rated, key=lambda p: (p.trl.level, p.trl.confidence))
    return BestTRL(page.trl, page.id, page.title or page.url)


def consensus_role(pages: list[PageView]) -> RoleConsensus | None:
    """The role most of the organisation's pages state (pages about others count less), with the split."""
    weights: dict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    evidence: dict[str, tuple[float, PageView]] = {}
    for page in pages:
        if not page.role:
            continue
        weight = GENRE_WEIGHT.get(page.genre or "", 1.0)
        weights[page.role] += weight
        counts[page.role] += 1
        # The evidence shown is from the most telling page: full weight, and one with a quoted sentence.
        rank = weight + (0.1 if page.role_evidence else 0.0)
        if page.role not in evidence or rank > evidence[page.role][0]:
            evidence[page.role] = (rank, page)
    if not weights:
        return None
    total = sum(weights.values())
    order = sorted(weights, key=lambda role: (-weights[role], -counts[role], role))
    split = [RoleShare(role, ROLE_LABELS.get(role, role), counts[role], weights[role] / total) for role in order]
    winner = order[0]
    page = evidence[winner][1]
    return RoleConsensus(winner, ROLE_LABELS.get(winner, winner), page.role_evidence, page.id, split)


def regulatory_status(pages: list[PageView]) -> list[MarketStatus]:
    """One status per authority and market, the strongest any page states, with its sentence."""
    best: dict[tuple[str, str | None], MarketStatus] = {}
    for page in pages:
        for finding in page.regulatory:
            status = MarketStatus(finding.get("authority") or "", finding.get("market"), finding.get("status") or "",
                                  finding.get("evidence") or "", page.id)
            key = (status.authority, status.market)
            if key not in best or REGULATORY_RANK.get(status.status, -1) > REGULATORY_RANK.get(best[key].status, -1):
                best[key] = status
    return sorted(best.values(), key=lambda s: (s.market or "", s.authority))
