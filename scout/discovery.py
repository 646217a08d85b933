"""Candidate organisations: discovered on listing pages, reviewed by a scout, accepted into the registry.

discover  reads every crawled HTML page (registry organisations' and ad-hoc sites' alike), keeps the
          entries of its listings that name an organisation Scout does not know yet, and merges them into
          candidates: one per registrable domain (or, without a website, per normalised name), across
          listings. Rejected candidates stay rejected; accepted ones are organisations now.
review    candidates() lists the proposed ones, those listed by most organisations first.
accept    writes the candidate into the data directory's registry file (scout.registry) with the listing that
          introduced it as its source, so the next crawl fetches it with the same robots.txt, throttling and
          caps as any organisation. Nothing is fetched from a candidate before that.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from indexer.analysis.extract import decode_html
from indexer.analysis.listings import ListingEntry, domain_key, find_entries
from scout.registry import (
    COUNTRY_CODES, MARKETS, TYPES, Market, Organisation, RegistryError, add_organisation, name_keys,
)
from store import Candidate, CandidateListing, Store, utc_now

log = logging.getLogger(__name__)

# The market a candidate belongs to, by its country; countries outside the target markets are Europe's
# when European, else the scout names the market on accepting.
COUNTRY_MARKETS = {"US": Market.USA, "CA": Market.CANADA, "SG": Market.SINGAPORE, "MY": Market.MALAYSIA,
                   "KR": Market.SOUTH_KOREA, "IL": Market.ISRAEL, "JP": Market.JAPAN, "AU": Market.AUSTRALIA,
                   "ZA": Market.SOUTH_AFRICA}
EUROPE = frozenset("""AD AL AT BA BE BG BY CH CY CZ DE DK EE ES FI FO FR GB GI GR HR HU IE IS IT LI LT LU LV
                      MC MD ME MK MT NL NO PL PT RO RS SE SI SK SM UA VA XK""".split())


class CandidateError(ValueError):
    """A candidate that cannot be found or decided on as asked; the message says why."""


@dataclass
class DiscoveryReport:
    pages_read: int = 0
    listing_pages: int = 0
    entries: int = 0
    candidates: int = 0  # proposed after this run
    new: int = 0
    known: int = 0  # entries naming an organisation already in the registry


def market_of(country: str | None) -> str | None:
    if not country:
        return None
    if country in COUNTRY_MARKETS:
        return COUNTRY_MARKETS[country].value
    return Market.EUROPE.value if country in EUROPE else None


def name_key(name: str) -> str:
    """The shortest normalised form of a name (no accents, case, punctuation, legal form or "(...)")."""
    keys = name_keys(name)
    return min(keys, key=len) if keys else name.casefold().strip()


# -- discovery ------------------------------------------------------------------------------------------


@dataclass
class _KnownOrganisations:
    domains: set[str] = field(default_factory=set)
    names: set[str] = field(default_factory=set)

    def knows(self, entry: ListingEntry) -> bool:
        return domain_key(entry.website) in self.domains or bool(name_keys(entry.name) & self.names)


def _known(store: Store, registry: Iterable[Organisation]) -> _KnownOrganisations:
    known = _KnownOrganisations()
    stored = [(org["name"], [org["website"]] if org["website"] else []) for org in store.organisations()]
    listed = [(org.name, [org.website, *(f"http://{host}/" for host in org.allowed_hosts)] if org.website else [])
              for org in registry]
    for name, urls in stored + listed:
        known.names |= name_keys(name)
        known.domains |= {key for url in urls if url and (key := domain_key(url))}
    return known


def discover(store: Store, registry: Iterable[Organisation]) -> DiscoveryReport:
    """Read every crawled page's listings into candidates (see the module's docstring)."""
    report = DiscoveryReport()
    known = _known(store, registry)
    existing = store.candidates()
    by_domain = {c.domain: c for c in existing if c.domain}
    by_name = {c.name_key: c for c in existing}
    for candidate in existing:
        candidate.listings = []
        candidate.applications = []
    found: dict[str, Candidate] = {}
    ids = {c.id for c in existing}
    for page in store.listing_bodies():
        report.pages_read += 1
        entries = find_entries(decode_html(page.body, page.encoding), page.url, page.genre)
        if not entries:
            continue
        report.listing_pages += 1
        context = "\n".join(entry.description for entry in entries)
        for entry in entries:
            report.entries += 1
            if known.knows(entry):
                report.known += 1
                continue
            domain, key = domain_key(entry.website), name_key(entry.name)
            candidate = (by_domain.get(domain) if domain else None) or by_name.get(key)
            if candidate is not None and domain and candidate.domain and candidate.domain != domain:
                candidate = None  # same name, another site: another organisation
            if candidate is None:
                candidate = Candidate(id=_new_id(entry, ids), name=entry.name, name_key=key, website=entry.website,
                                      domain=domain, country=entry.country, first_seen_at=utc_now())
                ids.add(candidate.id)
                report.new += 1
            elif candidate.domain is None and domain:
                candidate.website, candidate.domain = entry.website, domain
            candidate.country = candidate.country or entry.country
            for application in _applications(entry.description, context):
                if application not in candidate.applications:
                    candidate.applications.append(application)
            candidate.listings.append(CandidateListing(page.page_id, page.url, page.organisation_id,
                                                       entry.anchor_text, entry.entry_text, entry.description))
            if candidate.domain:
                by_domain[candidate.domain] = candidate
            by_name[key] = candidate
            found[candidate.id] = candidate
    existing_ids = {c.id for c in existing}
    store.save_candidates([*existing, *(c for c in found.values() if c.id not in existing_ids)])
    report.candidates = sum(c.status == "proposed" and bool(c.listings) for c in found.values())
    log.info("discovery: %d pages read, %d listing pages, %d entries, %d candidates (%d new)",
             report.pages_read, report.listing_pages, report.entries, report.candidates, report.new)
    return report


def _new_id(entry: ListingEntry, taken: set[str]) -> str:
    base = "-".join(re.findall(r"[a-z0-9]+", name_key(entry.name)))[:60].strip("-") or \
        "-".join(re.findall(r"[a-z0-9]+", domain_key(entry.website) or "")) or "candidate"
    candidate_id, number = base, 2
    while candidate_id in taken:
        candidate_id, number = f"{base}-{number}", number + 1
    return candidate_id


@lru_cache(maxsize=1)
def _tagger():
    from indexer.analysis.tagger import Tagger

    return Tagger.from_taxonomy()


def _applications(description: str, listing: str) -> list[str]:
    """The applications an entry's own description names, by the term signal alone (a line is too short for
    more). Whether the text is about health and photonics, which some applications need, is judged on the
    whole listing: one line rarely says both."""
    if len(description.split()) < 3:
        return []
    tagger = _tagger()
    return [tag.application for tag in tagger.decide(tagger.lexical([description], listing))]


# -- review ---------------------------------------------------------------------------------------------


def candidates(store: Store, market: str | None = None, application: str | None = None,
               status: str = "proposed") -> list[Candidate]:
    """Candidates with listings, those listed by the most organisations first; filtered by market (the
    candidate's country's, else its listing organisations') and application."""
    organisations = {org["id"]: org for org in store.organisations()}
    chosen = []
    for candidate in store.candidates([status]):
        if not candidate.listings:
            continue
        if application and application not in candidate.applications:
            continue
        if market and market not in _markets(candidate, organisations):
            continue
        chosen.append(candidate)
    return sorted(chosen, key=lambda c: (-len(listed_by(c)), -len(c.listings), c.name.casefold()))


def listed_by(candidate: Candidate) -> list[str]:
    return list(dict.fromkeys(listing.listed_by for listing in candidate.listings if listing.listed_by))


def _markets(candidate: Candidate, organisations: dict[str, dict[str, Any]]) -> set[str]:
    own = market_of(candidate.country)
    if own:
        return {own}
    return {organisations[org_id]["market"] for org_id in listed_by(candidate)
            if org_id in organisations and organisations[org_id]["market"]}


# -- decisions ------------------------------------------------------------------------------------------


def _proposed(store: Store, candidate_id: str) -> Candidate:
    candidate = store.candidate(candidate_id)
    if candidate is None:
        raise CandidateError(f"no candidate with id {candidate_id!r} (see `scout candidates`)")
    if candidate.status != "proposed":
        raise CandidateError(f"candidate {candidate_id!r} was already {candidate.status}")
    return candidate


def reject(store: Store, candidate_id: str) -> Candidate:
    """Never propose this candidate again (however many listings name it)."""
    candidate = _proposed(store, candidate_id)
    store.decide_candidate(candidate.id, "rejected")
    return candidate


def accept(store: Store, data_dir: Path, candidate_id: str, org_type: str = "company", country: str | None = None,
           market: str | None = None, languages: Iterable[str] = ("en",), organisation_id: str | None = None
           ) -> Organisation:
    """Make the candidate an organisation of the data directory's registry, crawled from the next run on."""
    candidate = _proposed(store, candidate_id)
    if org_type not in TYPES:
        raise CandidateError(f"unknown organisation type {org_type!r}; use one of {', '.join(sorted(TYPES))}")
    country = (country or candidate.country or "").upper()
    if country not in COUNTRY_CODES:
        raise CandidateError(f"the listings do not say where {candidate.name!r} is: give --country (ISO 3166-1 "
                             "alpha-2, e.g. JP)" if not country else f"{country!r} is not an ISO 3166-1 alpha-2 code")
    market = market or market_of(country)
    if market not in MARKETS:
        raise CandidateError(f"no market for country {country}: give --market ({', '.join(sorted(MARKETS))})")
    organisations = {org["id"]: org for org in store.organisations()}
    first = candidate.listings[0] if candidate.listings else None
    lister = organisations.get(first.listed_by or "", {}).get("name") if first else None
    source = f"listed on {first.url}" + (f" by {lister}" if lister else "") if first else "scout candidates accept"
    record = {
        "id": organisation_id or candidate.id, "name": candidate.name, "country": country, "market": market,
        "type": org_type, "website": candidate.website, "languages": list(languages), "source": source,
        "notes": f"accepted from candidate {candidate.id} on {utc_now()[:10]}",
    }
    try:
        organisation = add_organisation(data_dir, record)
    except RegistryError as exc:
        raise CandidateError(str(exc)) from None
    store.decide_candidate(candidate.id, "accepted", organisation.id)
    return organisation

