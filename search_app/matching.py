"""Matching a cluster's SMEs with found organisations, and saying why in words.

A match scores four things, each 0..1:
- shared applications: how much of the SME's capability (its applications, weighted by tag scores)
  the organisation's own pages also show;
- capability similarity: MiniLM cosine of the SME's capability text with the organisation's best
  evidence sentences (vectors cached in the store);
- complementary value-creation roles: a component supplier and a system integrator, or a system
  supplier and an end-user / clinical site, fit; two of the same role compete more than they partner;
- target-market fit: the organisation is in one of the target markets (not Europe).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from store import Store, sha256_hex
from taxonomy import APPLICATIONS, load_roles

WEIGHTS = {"applications": 0.45, "similarity": 0.25, "roles": 0.2, "market": 0.1}
# Below this cosine two texts are about different things for MiniLM; at SIMILARITY_FULL, the same thing.
SIMILARITY_FLOOR, SIMILARITY_FULL = 0.15, 0.65
# Without a shared application, a match needs at least this cosine to be shown at all.
SIMILARITY_ALONE = 0.45
SIMILARITY_REASON = 0.35
EVIDENCE_SENTENCES = 6
DEFAULT_LIMIT = 10
QUOTE_WORDS = 14

COMPONENT, SYSTEM, END_USER, RESEARCH, INTERMEDIARY = (
    "component-supplier", "system-supplier", "end-user", "research", "intermediary")
# How well two value-chain roles complement each other (symmetric; seed section 2.1's chain
# technology supplier ↔ system integrator ↔ end-user).
ROLE_FIT = {
    frozenset({COMPONENT, SYSTEM}): 1.0,
    frozenset({SYSTEM, END_USER}): 1.0,
    frozenset({COMPONENT, END_USER}): 0.5,
    frozenset({RESEARCH, COMPONENT}): 0.6,
    frozenset({RESEARCH, SYSTEM}): 0.6,
    frozenset({RESEARCH, END_USER}): 0.5,
    frozenset({RESEARCH}): 0.4,
    frozenset({END_USER}): 0.3,
    frozenset({COMPONENT}): 0.15,
    frozenset({SYSTEM}): 0.15,
}
INTERMEDIARY_FIT = 0.3
UNKNOWN_ROLE_FIT = 0.4
MARKET_NAMES = {
    "usa": "US", "canada": "Canadian", "singapore": "Singapore", "malaysia": "Malaysian",
    "south-korea": "South Korean", "israel": "Israeli", "japan": "Japanese", "australia": "Australian",
    "south-africa": "South African",
}


@dataclass
class Evidence:
    score: float
    sentence: str
    page_id: int | None = None
    url: str | None = None
    fetched_at: str | None = None


@dataclass
class Profile:
    """What one side of a match does: applications with their best evidence, role, place."""

    name: str
    applications: dict[str, Evidence] = field(default_factory=dict)
    role: str | None = None
    role_evidence: str | None = None
    market: str | None = None
    country: str | None = None
    texts: list[str] = field(default_factory=list)  # compared by embedding

    def add(self, application: str, evidence: Evidence) -> None:
        if application not in self.applications or evidence.score > self.applications[application].score:
            self.applications[application] = evidence


@dataclass
class Match:
    sme: dict[str, Any]
    organisation_id: str
    organisation: str
    score: float
    reasons: list[str]
    applications: list[str]
    evidence: Evidence | None  # the organisation's best evidence for the first shared application

    def for_sme(self) -> dict[str, Any]:
        """An organisation ranked for an SME."""
        return {"organisation_id": self.organisation_id, "organisation": self.organisation, "score": self.score,
                "reasons": self.reasons, "applications": self.applications}

    def for_organisation(self) -> dict[str, Any]:
        """An SME ranked for an organisation or page."""
        return {"sme_id": self.sme["id"], "sme": self.sme["name"], "score": self.score, "reasons": self.reasons,
                "applications": self.applications}


# -- profiles -----------------------------------------------------------------------------------------


def sme_profile(store: Store, sme: dict[str, Any]) -> Profile:
    """From its capability text, and from its own website's processed pages when crawled."""
    profile = Profile(name=sme["name"], country=sme.get("country"))
    text_profile = sme.get("profile") or {}
    for tag in text_profile.get("applications", []):
        profile.add(tag["application"], Evidence(tag["score"], tag["evidence"]))
    if text_profile.get("role"):
        profile.role, profile.role_evidence = text_profile["role"]["role"], text_profile["role"]["evidence"]
    if sme.get("capabilities"):
        profile.texts.append(sme["capabilities"])
    if sme.get("organisation_id"):
        site = organisation_profiles(store, [sme["organisation_id"]]).get(sme["organisation_id"])
        if site is not None:
            for application, evidence in site.applications.items():
                profile.add(application, evidence)
            if profile.role is None:
                profile.role, profile.role_evidence = site.role, site.role_evidence
            if not profile.texts:
                profile.texts = site.texts
    return profile


def organisation_profiles(store: Store, organisation_ids: list[str] | None = None) -> dict[str, Profile]:
    """Profiles of organisations with processed pages: tags of their own pages and their consensus role."""
    ids = organisation_ids if organisation_ids is not None else store.processed_organisation_ids()
    organisations = {org["id"]: org for org in store.organisations() if org["id"] in set(ids)}
    profiles = {org_id: Profile(name=org["name"], market=org.get("market") or None, country=org.get("country") or None)
                for org_id, org in organisations.items()}
    for row in store.organisation_tags(list(profiles)):
        profiles[row["organisation_id"]].add(row["application"], Evidence(
            row["score"], row["evidence"], row["page_id"], row["url"], row["fetched_at"]))
    for row in store.organisation_roles(list(profiles)):
        profile = profiles[row["organisation_id"]]
        if profile.role is None:  # rows come most frequent role first
            profile.role, profile.role_evidence = row["role"], row["evidence"]
    for profile in profiles.values():
        best = sorted(profile.applications.values(), key=lambda evidence: -evidence.score)
        profile.texts = list(dict.fromkeys(evidence.sentence for evidence in best))[:EVIDENCE_SENTENCES]
    return profiles


def page_profile(store: Store, page_id: int) -> tuple[str, Profile] | None:
    """One page as the organisation side of a match: its own tags and role, its organisation's place."""
    page = store.page(page_id)
    if page is None or not page.organisation_id:
        return None
    profile = Profile(name=page.organisation or page.organisation_id, role=page.role, role_evidence=page.role_evidence,
                      market=page.market, country=page.country)
    for tag in page.tags:
        if not tag.mention:
            profile.add(tag.application, Evidence(tag.score, tag.evidence, page.id, page.url, page.fetched_at))
    profile.texts = [tag.evidence for tag in page.tags if not tag.mention][:EVIDENCE_SENTENCES]
    return page.organisation_id, profile


# -- scoring ------------------------------------------------------------------------------------------


class Matcher:
    """Scores SMEs against organisations over one store; `encode` embeds texts (MiniLM by default)."""

    def __init__(self, store: Store, encode: Callable[[list[str]], np.ndarray] | None = None):
        self.store = store
        self._encode = encode or _minilm
        self._roles = load_roles().roles

    def match(self, sme: dict[str, Any], sme_side: Profile, organisation_id: str, org_side: Profile) -> Match | None:
        shared = sorted(set(sme_side.applications) & set(org_side.applications),
                        key=lambda app: -min(sme_side.applications[app].score, org_side.applications[app].score))
        applications = _shared_weight(sme_side, org_side, shared)
        similarity, closest = self.similarity(sme_side.texts, org_side.texts)
        if not shared and similarity < SIMILARITY_ALONE:
            return None
        roles = _role_fit(sme_side.role, org_side.role)
        market = 1.0 if org_side.market in MARKET_NAMES else 0.0
        score = (WEIGHTS["applications"] * applications
                 + WEIGHTS["similarity"] * _scaled(similarity)
                 + WEIGHTS["roles"] * roles
                 + WEIGHTS["market"] * market)
        reasons = self._reasons(sme_side, org_side, shared, similarity, closest, roles)
        evidence = org_side.applications[shared[0]] if shared else None
        return Match(sme, organisation_id, org_side.name, round(score, 3), reasons, shared, evidence)

    def similarity(self, left: list[str], right: list[str]) -> tuple[float, str | None]:
        """The best cosine between any text on the left and any on the right, and that right-hand text."""
        if not left or not right:
            return 0.0, None
        vectors = self.vectors(left + right)
        sims = np.stack([vectors[t] for t in left]) @ np.stack([vectors[t] for t in right]).T
        row, column = np.unravel_index(int(np.argmax(sims)), sims.shape)
        return float(sims[row, column]), right[column]

    def vectors(self, texts: list[str]) -> dict[str, np.ndarray]:
        hashes = {text: sha256_hex(text) for text in texts}
        cached = self.store.cached_vectors(hashes.values())
        missing = [text for text in dict.fromkeys(texts) if hashes[text] not in cached]
        if missing:
            fresh = dict(zip((hashes[text] for text in missing), self._encode(missing)))
            self.store.save_vectors(fresh)
            cached.update(fresh)
        return {text: cached[hashes[text]] for text in texts}

    def _reasons(self, sme: Profile, org: Profile, shared: list[str], similarity: float, closest: str | None,
                 roles: float) -> list[str]:
        reasons = []
        if shared:
            reasons.append("both " + ", ".join(f"{app} {APPLICATIONS[app].name}" for app in shared[:3]))
        if sme.role or org.role:
            sides = [f"the SME {_role_phrase(self._roles, sme.role, sme.role_evidence)}",
                     f"the organisation {_role_phrase(self._roles, org.role, org.role_evidence)}"]
            verdict = ("complementary roles" if roles >= 0.6 else
                       "same role: competitors as much as partners" if sme.role == org.role else "")
            reasons.append("; ".join(sides) + (f" ({verdict})" if verdict else ""))
        if similarity >= SIMILARITY_REASON and closest:
            reasons.append(f"capabilities close (similarity {similarity:.2f}) to “{_quote(closest)}”")
        if org.market in MARKET_NAMES:
            reasons.append(f"{MARKET_NAMES[org.market]} market")
        if sme.country and org.country and sme.country == org.country:
            reasons.append(f"both in {sme.country}")
        return reasons


def _shared_weight(sme: Profile, org: Profile, shared: list[str]) -> float:
    """Share of the SME's application weight the organisation also shows, each counted at the weaker side."""
    total = sum(evidence.score for evidence in sme.applications.values())
    if not total:
        return 0.0
    return min(1.0, sum(min(sme.applications[a].score, org.applications[a].score) for a in shared) / total)


def _role_fit(left: str | None, right: str | None) -> float:
    if not left or not right:
        return UNKNOWN_ROLE_FIT
    if INTERMEDIARY in (left, right):
        return INTERMEDIARY_FIT
    return ROLE_FIT.get(frozenset({left, right}), UNKNOWN_ROLE_FIT)


def _scaled(similarity: float) -> float:
    return float(np.clip((similarity - SIMILARITY_FLOOR) / (SIMILARITY_FULL - SIMILARITY_FLOOR), 0.0, 1.0))


def _role_phrase(roles: dict, role: str | None, evidence: str | None) -> str:
    if not role:
        return "has no known role"
    label = roles[role].label.lower() if role in roles else role
    quoted = f" (“{_quote(evidence)}”)" if evidence and not evidence.startswith("registry:") else ""
    article = "an" if label[:1] in "aeiou" else "a"
    return f"is {article} {label}{quoted}"


def _quote(sentence: str) -> str:
    words = sentence.split()
    return " ".join(words[:QUOTE_WORDS]) + ("…" if len(words) > QUOTE_WORDS else "")


def _minilm(texts: list[str]) -> np.ndarray:
    from indexer.analysis.embedding_model import embed

    return embed(texts)


# -- the service functions ------------------------------------------------------------------------------


def matches_for_sme(store: Store, cluster_id: str, sme_id: int, limit: int = DEFAULT_LIMIT,
                    encode: Callable[[list[str]], np.ndarray] | None = None) -> list[Match] | None:
    """Found organisations ranked for one of the cluster's SMEs; None when the cluster has no such SME.
    Organisations that are some roster's own SME websites are not finds and are left out."""
    sme = store.sme(cluster_id, sme_id)
    if sme is None:
        return None
    matcher = Matcher(store, encode)
    sme_side = sme_profile(store, sme)
    roster_sites = store.sme_organisation_ids()
    found = [matcher.match(sme, sme_side, org_id, profile)
             for org_id, profile in organisation_profiles(store).items() if org_id not in roster_sites]
    return _ranked(found, limit)


def smes_for_organisation(store: Store, cluster_id: str, organisation_id: str, limit: int = DEFAULT_LIMIT,
                          encode: Callable[[list[str]], np.ndarray] | None = None) -> list[Match] | None:
    """The cluster's SMEs ranked for an organisation; None when no organisation has this id."""
    profile = organisation_profiles(store, [organisation_id]).get(organisation_id)
    if profile is None:
        organisation = store.organisation(organisation_id)
        if organisation is None:
            return None
        profile = Profile(name=organisation["name"], market=organisation.get("market"),
                          country=organisation.get("country"))
    return _rank_smes(store, cluster_id, organisation_id, profile, limit, encode)


def smes_for_page(store: Store, cluster_id: str, page_id: int, limit: int = DEFAULT_LIMIT,
                  encode: Callable[[list[str]], np.ndarray] | None = None) -> list[Match] | None:
    """The cluster's SMEs ranked for what one page shows; None when there is no such page."""
    found = page_profile(store, page_id)
    if found is None:
        return None
    organisation_id, profile = found
    return _rank_smes(store, cluster_id, organisation_id, profile, limit, encode)


def match_pair(store: Store, cluster_id: str, sme_id: int, organisation_id: str,
               encode: Callable[[list[str]], np.ndarray] | None = None) -> Match | None:
    """The match of one SME with one organisation, scored even when too weak to be listed."""
    sme = store.sme(cluster_id, sme_id)
    if sme is None:
        return None
    profile = organisation_profiles(store, [organisation_id]).get(organisation_id)
    organisation = store.organisation(organisation_id)
    if organisation is None:
        return None
    profile = profile or Profile(name=organisation["name"], market=organisation.get("market"))
    matcher = Matcher(store, encode)
    found = matcher.match(sme, sme_profile(store, sme), organisation_id, profile)
    return found or Match(sme, organisation_id, profile.name, 0.0, ["no shared application or close capability"], [],
                          None)


def _rank_smes(store, cluster_id, organisation_id, profile, limit, encode) -> list[Match]:
    matcher = Matcher(store, encode)
    found = [matcher.match(sme, sme_profile(store, sme), organisation_id, profile)
             for sme in store.smes(cluster_id) if sme.get("organisation_id") != organisation_id]
    return _ranked(found, limit)


def _ranked(found: list[Match | None], limit: int) -> list[Match]:
    return sorted((m for m in found if m is not None), key=lambda m: (-m.score, m.organisation, m.sme["name"]))[:limit]
