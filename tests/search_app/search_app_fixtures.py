"""Demo organisations and pages for the search-app tests, some of them hostile, and how to store them."""

from __future__ import annotations

from dataclasses import dataclass

from store import FetchedPage, ProcessedPage, Store, Tag, TRLRecord, sha256_hex

SCRIPT_PAYLOAD = "<script>alert('x')</script>"
IMG_PAYLOAD = "<img src=x onerror=alert(1)>"


@dataclass(frozen=True)
class DemoPage:
    url: str
    organisation_id: str
    title: str
    text: str
    tags: tuple[Tag, ...]
    trl: TRLRecord | None
    final_url: str | None = None


ORGANISATIONS = [
    {"id": "acme-retina", "name": "Acme Retina Imaging", "country": "US", "market": "usa", "type": "company",
     "website": "https://acme.example/", "languages": ["en"], "source": "test"},
    {"id": "isar-photonics", "name": "Isar Photonics Institute", "country": "DE", "market": "europe",
     "type": "research-institute", "website": "https://isar.example/", "languages": ["de", "en"], "source": "test"},
    {"id": "evil-corp", "name": "Evil Corp", "country": "FR", "market": "europe", "type": "company",
     "website": "https://evil.example/", "languages": ["fr"], "source": "test"},
]

RETINA = DemoPage(
    url="https://acme.example/oct",
    organisation_id="acme-retina",
    title="Retinopathy screening with optical coherence tomography",
    text=(
        "Our optical coherence tomography camera screens for diabetic retinopathy in primary care.\n\n"
        "Retinopathy screening takes two minutes per eye. The device received CE marking in 2023 "
        "and is sold in twelve countries."
    ),
    tags=(Tag("A20", 0.91, "The camera screens for diabetic retinopathy in primary care.", "keyword"),),
    trl=TRLRecord(9, "The device received CE marking in 2023 and is sold in twelve countries.", 0.85),
)

SURGERY = DemoPage(
    url="https://isar.example/laser",
    organisation_id="isar-photonics",
    title="Femtosecond laser surgery lab",
    text=(
        "We develop femtosecond lasers for corneal surgery. A side project looks at retinopathy.\n\n"
        "The prototype was validated in the laboratory on ex-vivo tissue."
    ),
    tags=(Tag("A04", 0.72, "We develop femtosecond lasers for corneal surgery.", "semantic"),),
    trl=TRLRecord(4, "The prototype was validated in the laboratory on ex-vivo tissue.", 0.6),
)

HOSTILE = DemoPage(
    url="https://evil.example/xss",
    final_url="javascript:alert(document.cookie)",
    organisation_id="evil-corp",
    title=f"Photoacoustic {SCRIPT_PAYLOAD} imaging",
    text=f"Photoacoustic imaging {SCRIPT_PAYLOAD} for skin cancer {IMG_PAYLOAD} diagnosis with photoacoustic probes.",
    tags=(Tag("A04", 0.5, f"Photoacoustic {IMG_PAYLOAD} evidence {SCRIPT_PAYLOAD}", "keyword"),),
    trl=TRLRecord(5, f"Validated {SCRIPT_PAYLOAD} in a relevant environment", 0.4),
)

UNRATED = DemoPage(
    url="https://isar.example/about",
    organisation_id="isar-photonics",
    title="About the institute",
    text="The institute was founded in 1990 and works on biophotonics.",
    tags=(),
    trl=None,
)

DEMO_PAGES = (RETINA, SURGERY, HOSTILE, UNRATED)


def store_pages(store: Store, pages) -> dict[str, int]:
    """Fetch + process each page the way `scout crawl` and `scout process` would; returns url -> page id."""
    run_id = store.start_crawl_run([org["id"] for org in ORGANISATIONS])
    ids = {}
    for demo in pages:
        body = f"<html><title>{demo.title}</title><body>{demo.text}</body></html>".encode()
        store.record_fetch(run_id, FetchedPage(
            url=demo.url, final_url=demo.final_url or demo.url, organisation_id=demo.organisation_id,
            http_status=200, content_type="text/html", body=body, encoding="utf-8",
        ))
        page_id = store.page_id_for_url(demo.url)
        store.save_processed(ProcessedPage(
            page_id=page_id, title=demo.title, text=demo.text, language="en", body_hash=sha256_hex(body),
            tags=demo.tags, trl=demo.trl,
        ))
        ids[demo.url] = page_id
    store.finish_crawl_run(run_id)
    return ids
