"""Organisations, pages and SMEs for the roster, matching, shortlist and export tests, and a fast encoder.

The organisations are built so the right answer is known: for an SME that supplies OCT lasers
(a component supplier), the OCT system maker is the complementary partner and the other OCT laser
maker a competitor; both show the same application with the same strength.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from store import FetchedPage, ProcessedPage, Store, Tag, TRLRecord, sha256_hex

CLUSTER, OTHER_CLUSTER = "litek", "opticsvalley"

ORGANISATIONS = [
    {"id": "oct-systems", "name": "OCT Systems Inc", "country": "US", "market": "usa", "type": "company",
     "website": "https://oct-systems.example/", "languages": ["en"], "source": "test"},
    {"id": "oct-lasers", "name": "OCT Lasers KK", "country": "JP", "market": "japan", "type": "company",
     "website": "https://oct-lasers.example/", "languages": ["en"], "source": "test"},
    {"id": "skin-clinic", "name": "Skin Clinic", "country": "KR", "market": "south-korea", "type": "hospital",
     "website": "https://skin-clinic.example/", "languages": ["en"], "source": "test"},
]

FORMULA = "=HYPERLINK(\"http://evil.example\",\"click\")"

PAGES = [
    # url, organisation, title, tag, trl, role, role evidence
    ("https://oct-systems.example/scanner", "oct-systems", "Our OCT scanner",
     Tag("A20", 0.9, "Our system integrates swept-source lasers into optical coherence tomography scanners.", "keyword"),
     TRLRecord(9, "The scanner is FDA-cleared and sold in the USA.", 0.9),
     "system-supplier", "We design and manufacture complete OCT imaging systems."),
    ("https://oct-lasers.example/lasers", "oct-lasers", "Swept-source lasers",
     Tag("A20", 0.9, "We supply swept-source lasers as components for optical coherence tomography.", "keyword"),
     TRLRecord(8, "Volume production since 2020.", 0.7),
     "component-supplier", "We supply laser components to OEMs."),
    ("https://skin-clinic.example/pdt", "skin-clinic", FORMULA,
     Tag("A31", 0.8, "-1 side effects; our clinic offers photodynamic therapy for skin cancer.", "keyword"),
     None, "end-user", "Our clinic treats patients with light."),
]

# An SME's profile as rosters.capability_profiles would read it from its capability text.
LASER_SME = {
    "name": "Swept Lasers GmbH", "name_key": "swept lasers", "website": "https://swept.example/",
    "website_key": "swept.example", "country": "DE",
    "capabilities": "We supply swept-source lasers for optical coherence tomography systems.",
    "profile": {"applications": [{"application": "A20", "score": 0.8,
                                  "evidence": "We supply swept-source lasers for optical coherence tomography systems."}],
                "role": {"role": "component-supplier", "evidence": "We supply swept-source lasers."}},
}


def fill_store(store: Store) -> dict[str, int]:
    """Store the organisations and their processed pages; returns url -> page id."""
    store.upsert_organisations(ORGANISATIONS)
    run_id = store.start_crawl_run([org["id"] for org in ORGANISATIONS])
    ids = {}
    for url, organisation_id, title, tag, trl, role, role_evidence in PAGES:
        body = f"<html><title>{title}</title><body>{tag.evidence}</body></html>".encode()
        store.record_fetch(run_id, FetchedPage(url=url, final_url=url, organisation_id=organisation_id,
                                               http_status=200, content_type="text/html", body=body, encoding="utf-8"))
        page_id = store.page_id_for_url(url)
        store.save_processed(ProcessedPage(page_id=page_id, title=title, text=tag.evidence, language="en",
                                           body_hash=sha256_hex(body), tags=(tag,), trl=trl, role=role,
                                           role_evidence=role_evidence))
        ids[url] = page_id
    store.finish_crawl_run(run_id)
    return ids


def word_encoder(texts: list[str]) -> np.ndarray:
    """A fast stand-in for MiniLM: normalised bags of hashed words, so shared words mean similar texts."""
    vectors = np.zeros((len(texts), 384), dtype=np.float32)
    for row, text in enumerate(texts):
        for word in re.findall(r"[a-z]{4,}", text.lower()):
            vectors[row, int(hashlib.md5(word.encode()).hexdigest(), 16) % 384] += 1.0
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.where(norms == 0, 1, norms)
