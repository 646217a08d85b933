"""Throughput of `scout process`, end to end through the store: what its pipeline does, timed as a whole.

Each corpus is first stored as a crawl would leave it (pages with their fetched bodies, in a fresh store;
not timed). What is timed is exactly the two steps of `scout process`: process_pending (read each pending
body from the store, extract, detect language, analyse: terms, embeddings, TRL, role, organisation,
regulatory; write the analysis back) and mark_duplicates (simhash and language-version dedupe).

Corpora:
  - the demo sites' HTML and PDF files (data/demo_site);
  - a generated corpus (default 2,000 HTML pages of about 1,500 words) mixing application
    descriptions and terms, TRL cues, regulatory and address lines with filler sentences, fixed seed.

    .venv/bin/python benchmarks/processing.py [--pages 2000] [--words 1500] [--no-embeddings]

Prints pages/s per corpus and the time per stage. The embedding stage runs in a worker thread beside the
others (see indexer/analysis/process.py), so the stages add up to more than the elapsed time. Not timed: interpreter start and imports, and
loading the embedding model (with the application prototypes), which a `scout process` run pays once.
"""

from __future__ import annotations

import argparse
import html
import random
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

import indexer.analysis.process as process_module  # noqa: E402
from indexer.analysis.analyser import TextAnalyser  # noqa: E402
from indexer.analysis.dedupe import mark_duplicates  # noqa: E402
from indexer.analysis.process import PageProcessor, process_pending  # noqa: E402
from store import FetchedPage, Store  # noqa: E402
from taxonomy import APPLICATIONS, TRL_SCALE  # noqa: E402

ORGANISATION = {"id": "bench", "name": "Bench Photonics", "country": "US", "market": "usa", "type": "company",
                "website": "http://bench.test/", "languages": ["en"]}

SEED = 2024
EMBEDDING = "embedding"  # TextAnalyser's stage, timed in the worker thread of process_pending
WAITING = "store, waiting for the embedding"
FILLER = [
    "Our team answers questions from customers and partners every working day.",
    "The company was founded by engineers with long experience in optics and software.",
    "We take part in trade fairs and scientific conferences throughout the year.",
    "Quality management follows documented procedures that are reviewed every year.",
    "The new building offers more space for production, testing and training.",
    "Employees enjoy flexible working hours and regular training sessions.",
    "Please read our privacy notice to learn how we handle personal data.",
    "Shipping is available worldwide, and spare parts are kept in stock.",
    "The annual report describes revenue growth and investments in research.",
    "Visitors can reach the campus by public transport in twenty minutes.",
]
EXTRA_LINES = [
    "The system received FDA 510(k) clearance and is not yet CE marked.",
    "We are seeking distributors in Europe for our product line.",
    "The company plans to file a De Novo request next year.",
    "Contact: 100 Main Street, Boston, MA 02110, USA. Tel +1 617 555 0100",
    "Merlion Photonics Pte. Ltd., 10 Science Park Road, Singapore 117684",
    "Our clinic offers treatment to patients by appointment.",
]


def generated_pages(count: int, words: int, seed: int = SEED) -> list[bytes]:
    """HTML pages about one or two applications each, with cues, filler and an address."""
    rng = random.Random(seed)
    applications = list(APPLICATIONS.values())
    cues = [cue for level in TRL_SCALE.values() for cue in level.cues["en"]]
    pages = []
    for number in range(count):
        topics = rng.sample(applications, rng.choice((1, 2)))
        paragraphs, total = [], 0
        while total < words:
            topic = rng.choice(topics)
            kind = rng.random()
            if kind < 0.25:
                sentence = topic.description
            elif kind < 0.5:
                terms = rng.sample(topic.terms["en"], min(2, len(topic.terms["en"])))
                sentence = f"Our {terms[0]} work for patients builds on {terms[-1]} and was shown in a {rng.choice(cues)}."
            elif kind < 0.55:
                sentence = rng.choice(EXTRA_LINES)
            else:
                sentence = " ".join(rng.sample(FILLER, 3))
            paragraphs.append(sentence)
            total += len(sentence.split())
        title = f"{topics[0].name} — page {number}"
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        pages.append(f"<html><head><title>{html.escape(title)}</title></head><body><main><h1>{html.escape(title)}"
                     f"</h1>{body}</main></body></html>".encode())
    return pages


def demo_pages() -> list[tuple[bytes, str]]:
    files = sorted(p for p in (REPO_ROOT / "data" / "demo_site").rglob("*") if p.suffix in (".html", ".pdf"))
    return [(p.read_bytes(), "application/pdf" if p.suffix == ".pdf" else "text/html") for p in files]


def store_as_crawled(store: Store, bodies: list[tuple[bytes, str]]) -> None:
    store.upsert_organisations([ORGANISATION])
    run_id = store.start_crawl_run([ORGANISATION["id"]])
    for number, (body, content_type) in enumerate(bodies):
        url = f"http://bench.test/page/{number}"
        store.record_fetch(run_id, FetchedPage(url=url, final_url=url, organisation_id=ORGANISATION["id"],
                                               http_status=200, content_type=content_type, body=body,
                                               encoding="utf-8"))
    store.finish_crawl_run(run_id)


@contextmanager
def timing(name: str, stages: Counter) -> Iterator[None]:
    """Adds the time spent in process_pending's `name` (extract, detect_language) to stages, for the report."""
    original: Callable = getattr(process_module, name)

    def timed(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            stages[name] += time.perf_counter() - started

    setattr(process_module, name, timed)
    try:
        yield
    finally:
        setattr(process_module, name, original)


def run(analyser: TextAnalyser, bodies: list[tuple[bytes, str]]) -> tuple[float, Counter, int]:
    analyser.stage_seconds.clear()
    stages: Counter = Counter()
    with tempfile.TemporaryDirectory() as data_dir, Store.open(Path(data_dir) / "scout.sqlite3") as store:
        database = sqlite3.connect(store.path)
        store_as_crawled(store, bodies)
        with timing("extract", stages), timing("detect_language", stages):
            started = time.perf_counter()
            process_pending(store, PageProcessor(analyser))
            processed = time.perf_counter()
            mark_duplicates(store)
            elapsed = time.perf_counter() - started
        stages["dedupe (mark_duplicates)"] = elapsed - (processed - started)
        stages.update(analyser.stage_seconds)
        # The embedding runs in a worker thread beside the other stages: what is left of the elapsed time
        # after the main thread's stages is the store and the wait for the worker.
        stages[WAITING] = elapsed - sum(seconds for stage, seconds in stages.items() if stage != EMBEDDING)
        words = sum(len((text or "").split()) for (text,) in database.execute("SELECT text FROM pages"))
        database.close()
    return elapsed, stages, words


def report(name: str, pages: int, elapsed: float, stages: Counter, words: int) -> None:
    print(f"{name}: {pages} pages ({words / max(pages, 1):.0f} words/page) in {elapsed:.1f} s = "
          f"{pages / elapsed:.1f} pages/s")
    for stage, seconds in stages.most_common():
        label = f"{stage} (worker thread)" if stage == EMBEDDING else stage
        print(f"    {label:<40} {seconds:7.2f} s  {seconds / elapsed:6.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--words", type=int, default=1500)
    parser.add_argument("--no-embeddings", action="store_true")
    args = parser.parse_args()

    analyser = TextAnalyser(use_embeddings=not args.no_embeddings)
    warm_up = time.perf_counter()
    analyser.analyse("Optical coherence tomography images the retina of patients in eye clinics.", "en")
    print(f"set-up, not timed below (tagger, model, application prototypes): {time.perf_counter() - warm_up:.1f} s; "
          f"embeddings {'off' if args.no_embeddings else 'on'}")
    print("timed: process_pending + mark_duplicates on a store holding the fetched bodies, as `scout process`")

    demo = demo_pages()
    report("demo corpus", len(demo), *run(analyser, demo))
    generated = [(body, "text/html") for body in generated_pages(args.pages, args.words)]
    report("generated corpus", len(generated), *run(analyser, generated))


if __name__ == "__main__":
    main()
