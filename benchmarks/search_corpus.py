"""A deterministic synthetic corpus of processed pages for the search benchmark (benchmarks/search.py).

Pages look like what `scout process` leaves for the indexer: lengths lognormal around 900 words (80-5,000),
text mixing the taxonomy's vocabulary of 1-3 applications (names, terms in the page's language, acronyms,
descriptions) with filler drawn from a Zipfian vocabulary (common English, medical and photonics words and a
long tail of rarer words, as real sites have), pages in de/fr/ja/ko beside English, 2,000 organisations spread
over every target market with their types and value-chain roles, TRL 1-9 or none, and dates over two years.

Pages come in batches, each generated from (seed, batch number) alone, so a batch can be regenerated without the
ones before it and the corpus never has to sit in memory whole (peak memory then measures the engine, not us).

Vectors are synthetic too: embedding 100,000 pages with MiniLM takes hours here, and search latency does not
depend on what the numbers mean, only on how many passages there are and how hits cluster. Each application has
a random centroid; a page's passages are its applications' centroids plus noise, and a query about an
application gets a vector from the same scheme, so semantic hits are the pages about that application.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import Iterator

import numpy as np

from indexer.analysis.embedding_model import DIMENSIONS
from retrieval.engine import IndexedPage
from scout.registry import MARKETS
from taxonomy import APPLICATIONS, load_roles

SEED = 9
ORGANISATIONS = 2_000
BATCH_PAGES = 500  # as the indexer writes (indexer/index/fulltext.py WRITE_BATCH)
PASSAGE_WORDS = 120  # about one passage per 120 words, as the vector store cuts them
MAX_PASSAGES = 24
FIRST_DAY = datetime(2024, 7, 1)
DAYS = 730

MARKET_COUNTRIES = {
    "usa": ("US",), "canada": ("CA",), "singapore": ("SG",), "malaysia": ("MY",), "south-korea": ("KR",),
    "israel": ("IL",), "japan": ("JP",), "australia": ("AU",), "south-africa": ("ZA",),
    "europe": ("DE", "FR", "IT", "ES", "NL", "BE", "AT", "CH", "SE", "FI", "DK", "IE", "PL", "PT", "CZ"),
}
MARKET_WEIGHTS = {"europe": 0.34, "usa": 0.2, "japan": 0.08, "south-korea": 0.07, "canada": 0.06, "israel": 0.05,
                  "singapore": 0.05, "australia": 0.05, "malaysia": 0.05, "south-africa": 0.05}
COUNTRY_LANGUAGE = {"JP": "ja", "KR": "ko", "DE": "de", "AT": "de", "CH": "de", "FR": "fr", "BE": "fr"}
TYPE_WEIGHTS = {"company": 0.6, "research-institute": 0.18, "hospital": 0.1, "cluster": 0.04, "association": 0.03,
                "agency": 0.03, "chamber": 0.02}
TLD = {"US": "com", "CA": "ca", "SG": "sg", "MY": "my", "KR": "kr", "IL": "il", "JP": "jp", "AU": "au", "ZA": "za"}
TYPE_SUFFIX = {"company": ("Photonics", "Lasers", "Optics", "Medical", "Imaging", "Biosystems"),
               "research-institute": ("Institute", "University", "Research Centre"),
               "hospital": ("Hospital", "Clinic", "Medical Centre"),
               "cluster": ("Cluster",), "association": ("Association",), "agency": ("Agency",),
               "chamber": ("Chamber of Commerce",)}

# Frequent words first: ranks follow this order under the Zipf law.
ENGLISH = """the of and to in a for is with our on that are by we as from this be or at can an your it more
which has all its new have used use also system systems products product patients light laser optical
medical clinical research technology company solutions applications development high data quality team
imaging services information customers treatment time one most well two contact about including support
design performance through between other these their into such each based different results first than
care health years only available when may both range control process specific patient three after within
analysis precision wavelength power sensor sensors detection measurement device devices tissue cells cell
surface signal resolution spectral beam fiber fibre module modules source sources diode pulse pulsed
energy intensity microscope microscopy spectroscopy infrared ultraviolet visible imaging camera cameras
lens lenses mirror filter filters detector detectors therapy diagnosis diagnostic surgery surgical clinic
hospital physician disease cancer tumour skin eye retina blood wound dental therapy procedure outcomes
study studies trial trials evidence safety efficacy regulatory approval market partners partner network
europe international global engineering manufacturing production software platform integration custom
compact portable robust reliable accurate fast automated real-time non-invasive minimally invasive label-free
biomedical biology life sciences laboratory laboratories university institute project projects funding
programme innovation startup investment news events conference exhibition booth visit meet webinar
publication publications paper papers journal award certified iso ce fda cleared approved compliant
standard standards specification specifications datasheet download brochure request quote price order
service maintenance training installation warranty shipping delivery worldwide office offices headquarters
founded employees careers jobs vacancies privacy cookies policy terms conditions imprint copyright reserved
home menu search language english login register newsletter subscribe follow linkedin twitter youtube""".split()
GERMAN = """die der und in zu den das mit für von ist sich des auf dem nicht eine als auch es an werden aus
er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur oder aber vor
zur bis mehr durch man sein wurde sei Laser Licht Patienten Behandlung Medizin Technik Systeme Lösungen
Forschung Entwicklung Unternehmen Anwendungen Qualität Kunden Produkte optische Messung Gewebe Haut Auge
Klinik Diagnose Therapie Mikroskopie Bildgebung Wellenlänge Leistung Sensoren Genauigkeit Service""".split()
FRENCH = """de la le et les des en un du une est pour que qui dans par sur au avec ne pas plus se ce il sont
nous vous leur aux ou mais comme tout fait être cette bien aussi entre laser lumière patients traitement
médecine technologie systèmes solutions recherche développement entreprise applications qualité clients
produits optique mesure tissu peau œil clinique diagnostic thérapie microscopie imagerie longueur d'onde
puissance capteurs précision service""".split()
JAPANESE = """の に は を た が で て と し れ さ ある いる も する から な こと として い や れる など なっ
ない この ため その あっ よう また もの という あり まで られ なる へ か だ これ によって により おり より
による ず なり られる において ば なかっ なく しかし について せ だっ 製品 技術 開発 研究 医療 患者 治療
光 レーザー 装置 システム 会社 情報 お問い合わせ 事業 サービス 品質 測定 画像 検査 診断 光学 センサー""".split()
KOREAN = """이 그 저 것 수 등 및 더 또 위 한 할 하는 있는 있다 없는 같은 통해 대한 위한 있습니다 합니다
제품 기술 개발 연구 의료 환자 치료 빛 레이저 장비 시스템 회사 정보 문의 사업 서비스 품질 측정 영상 검사
진단 광학 센서 고객 솔루션 글로벌 혁신 정밀 임상 병원""".split()
FILLER = {"en": ENGLISH, "de": GERMAN, "fr": FRENCH, "ja": JAPANESE, "ko": KOREAN}
RARE_WORDS = 30_000  # a long tail of rarer words (names, models, jargon) every real site has
SYLLABLES = "ka lo re ti mu sa ne vo pi ra de lu mi to ze ba ko ri na fe gu sho tra ple qui vex dor lam".split()
TERM_SHARE = 0.04  # share of words that are an application's term, name or acronym


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    country: str
    market: str
    type: str
    roles: tuple[str, ...]
    language: str
    host: str
    focus: tuple[str, ...]  # the applications most of its pages are about


@dataclass(frozen=True)
class PageVectors:
    """One page's passages as the vector store holds them."""

    page_id: int
    spans: list[tuple[int, int]]
    vectors: np.ndarray  # float32, (len(spans), DIMENSIONS), rows normalised


@dataclass(frozen=True)
class BenchQuery:
    text: str  # in Scout's query language
    kind: str
    application: str  # what its synthetic query vector is about
    filtered_text: str  # the same query with a filter added


def _zipf_cumulative(size: int, exponent: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    return np.cumsum(weights / weights.sum())


def _normalised(rows: np.ndarray) -> np.ndarray:
    return (rows / np.linalg.norm(rows, axis=-1, keepdims=True)).astype(np.float32)


class Corpus:
    """N pages in batches of BATCH_PAGES, their passage vectors and a query set, all fixed by the seed."""

    def __init__(self, pages: int, seed: int = SEED) -> None:
        self.pages = pages
        self.seed = seed
        self.application_ids = sorted(APPLICATIONS)
        self.application_index = {application: index for index, application in enumerate(self.application_ids)}
        rng = np.random.default_rng(seed)
        self.centroids = _normalised(rng.standard_normal((len(self.application_ids), DIMENSIONS)))
        rare = ["".join(rng.choice(SYLLABLES, size=int(rng.integers(2, 5)))) for _ in range(RARE_WORDS)]
        # Japanese is written without spaces, so a Latin tail would fuse into one long token per sentence.
        self.vocabulary = {language: np.array(words + ([] if language == "ja" else rare), dtype=object)
                           for language, words in FILLER.items()}
        self.cumulative = {language: _zipf_cumulative(len(words)) for language, words in self.vocabulary.items()}
        self.terms = {(application.id, language): _application_terms(application, language)
                      for application in APPLICATIONS.values() for language in FILLER}
        self.organisations = self._organisations(rng)
        # Some organisations publish far more pages than others (Pareto weights).
        weights = rng.pareto(1.2, ORGANISATIONS) + 0.05
        self.organisation_cumulative = np.cumsum(weights / weights.sum())
        self.organisation_cumulative[-1] = 1.0

    def _organisations(self, rng: np.random.Generator) -> list[Organisation]:
        roles = load_roles().organisation_types
        markets = sorted(MARKETS)
        assert set(markets) == set(MARKET_COUNTRIES), "every target market needs countries here"
        market_p = np.array([MARKET_WEIGHTS[market] for market in markets])
        types = sorted(TYPE_WEIGHTS)
        type_p = np.array([TYPE_WEIGHTS[kind] for kind in types])
        organisations = []
        for number in range(ORGANISATIONS):
            # The first ones cover every market, so even a tiny corpus has them all.
            market = markets[number] if number < len(markets) else markets[rng.choice(len(markets), p=market_p)]
            country = str(rng.choice(MARKET_COUNTRIES[market]))
            kind = types[rng.choice(len(types), p=type_p)]
            stem = "".join(rng.choice(SYLLABLES, size=2)).capitalize()
            name = f"{stem} {rng.choice(TYPE_SUFFIX[kind])} {number}"
            slug = f"{stem.lower()}{number}"
            focus = tuple(rng.choice(self.application_ids, size=int(rng.integers(1, 5)), replace=False))
            organisations.append(Organisation(
                id=f"org-{number:04d}", name=name, country=country, market=market, type=kind,
                roles=roles[kind], language=COUNTRY_LANGUAGE.get(country, "en"),
                host=f"www.{slug}.{TLD.get(country, country.lower())}", focus=focus))
        return organisations

    @cached_property
    def batches(self) -> int:
        return math.ceil(self.pages / BATCH_PAGES)

    def batch(self, number: int) -> list[tuple[IndexedPage, PageVectors]]:
        """Pages number*BATCH_PAGES+1 ... with their passage vectors, the same on every call."""
        rng = np.random.default_rng((self.seed, number))
        first = number * BATCH_PAGES + 1
        pages = [self._page(page_id, rng) for page_id in range(first, min(self.pages, first + BATCH_PAGES - 1) + 1)]
        return list(zip(pages, self._vectors(pages, rng)))

    def __iter__(self) -> Iterator[list[tuple[IndexedPage, PageVectors]]]:
        for number in range(self.batches):
            yield self.batch(number)

    def _page(self, page_id: int, rng: np.random.Generator) -> IndexedPage:
        organisation = self.organisations[int(np.searchsorted(self.organisation_cumulative, rng.random()))]
        language = organisation.language if rng.random() < 0.75 else "en"
        count = int(rng.choice((1, 2, 3), p=(0.5, 0.35, 0.15)))
        pool = organisation.focus if rng.random() < 0.8 and len(organisation.focus) >= count else self.application_ids
        applications = tuple(sorted(str(a) for a in rng.choice(pool, size=count, replace=False)))
        words = int(np.clip(rng.lognormal(math.log(750), 0.65), 80, 5_000))
        text = self._text(words, language, applications, rng)
        first = APPLICATIONS[applications[0]]
        title = f"{rng.choice(self.terms[first.id, language])} | {organisation.name}"
        if organisation.type == "company":
            role = str(rng.choice(organisation.roles))
        else:
            role = organisation.roles[0]
        trl = None if rng.random() < 0.35 else int(rng.integers(1, 10))
        fetched = FIRST_DAY + timedelta(seconds=int(rng.integers(0, DAYS * 86_400)))
        changed = max(FIRST_DAY, fetched - timedelta(days=int(rng.integers(0, 200))))
        published = (changed - timedelta(days=int(rng.integers(0, 400)))).date() if rng.random() < 0.4 else None
        return IndexedPage(
            page_id=page_id, url=f"https://{organisation.host}/{first.id.lower()}/{page_id}", title=title,
            text=text, organisation=organisation.name, organisation_id=organisation.id,
            country=organisation.country, market=organisation.market, organisation_type=organisation.type,
            role=role, applications=applications,
            application_names=" ".join(APPLICATIONS[a].name for a in applications),
            areas=tuple(sorted({area for a in applications for area in APPLICATIONS[a].areas})), trl=trl,
            language=language, fetched_at=fetched, last_changed_at=changed, published=published)

    def _text(self, words: int, language: str, applications: tuple[str, ...], rng: np.random.Generator) -> str:
        ids = np.searchsorted(self.cumulative[language], rng.random(words))
        tokens = self.vocabulary[language][ids].tolist()
        mentions = max(1, int(words * TERM_SHARE))
        for position, application, pick in zip(rng.integers(words, size=mentions).tolist(),
                                               rng.integers(len(applications), size=mentions).tolist(),
                                               rng.random(mentions).tolist()):
            terms = self.terms[applications[application], language]
            tokens[position] = terms[int(pick * len(terms))]
        # Sentences of 8-24 words; Japanese runs words together, as it is written.
        ends = np.cumsum(rng.integers(8, 25, size=words // 8 + 1))
        for end in ends[ends < words].tolist():
            tokens[end] += "。" if language == "ja" else "."
        return ("" if language == "ja" else " ").join(tokens)

    def _vectors(self, pages: list[IndexedPage], rng: np.random.Generator) -> list[PageVectors]:
        """Passages of about PASSAGE_WORDS words, each its page's applications' centroids plus noise."""
        counts = [min(MAX_PASSAGES, max(1, round(_words(page) / PASSAGE_WORDS))) for page in pages]
        centres = np.stack([self.centroids[[self.application_index[a] for a in page.applications]].sum(axis=0)
                            for page in pages])
        page_vectors = _normalised(centres + 0.7 * _normalised(rng.standard_normal(centres.shape)))
        rows = _normalised(np.repeat(page_vectors, counts, axis=0)
                           + 0.7 * _normalised(rng.standard_normal((sum(counts), DIMENSIONS))))
        result, row = [], 0
        for page, count in zip(pages, counts):
            bounds = np.linspace(0, len(page.text), count + 1).astype(int).tolist()
            result.append(PageVectors(page.page_id, list(zip(bounds[:-1], bounds[1:])), rows[row:row + count]))
            row += count
        return result

    def query_vector(self, query: BenchQuery, number: int) -> np.ndarray:
        """The synthetic embedding of a query: its application's centroid plus noise, fixed per query number."""
        rng = np.random.default_rng((self.seed, 1_000_003, number))
        centre = self.centroids[self.application_index[query.application]]
        return _normalised(centre + 0.7 * _normalised(rng.standard_normal(DIMENSIONS)))

    def queries(self, count: int = 200) -> list[BenchQuery]:
        """A fixed mix of query kinds, each also given with a filter (app:, country:, trl:, market:, ...)."""
        rng = np.random.default_rng((self.seed, 7))
        makers = (self._single_word, self._acronym, self._and_words, self._phrase, self._either, self._excluding,
                  self._other_language, self._common_words)
        queries = []
        for number in range(count):
            application = str(rng.choice(self.application_ids))
            kind, text = makers[number % len(makers)](application, rng)
            queries.append(BenchQuery(text, kind, application, f"{text} {self._filter(number, application, rng)}"))
        return queries

    def _words(self, application: str, language: str = "en") -> list[str]:
        return sorted({word for term in self.terms[application, language] for word in term.lower().split()
                       if len(word) > 3 and word.isalpha()})

    def _single_word(self, application: str, rng: np.random.Generator) -> tuple[str, str]:
        return "word", str(rng.choice(self._words(application)))

    def _acronym(self, application: str, rng: np.random.Generator) -> tuple[str, str]:
        acronyms = [a.acronym for a in APPLICATIONS[application].acronyms if a.acronym.isalnum()]
        return ("acronym", str(rng.choice(acronyms))) if acronyms else self._single_word(application, rng)

    def _and_words(self, application: str, rng: np.random.Generator) -> tuple[str, str]:
        words = rng.choice(self._words(application), size=int(rng.integers(2, 4)))
        return "and", " ".join(words)

    def _phrase(self, application: str, rng: np.random.Generator) -> tuple[str, str]:
        phrases = [term.lower() for term in self.terms[application, "en"] if 2 <= len(term.split()) <= 3
                   and all(word.isalpha() for word in term.split())]
        return ("phrase", f'"{rng.choice(phrases)}"') if phrases else self._and_words(application, rng)

    def _either(self, application: str, rng: np.random.Generator) -> tuple[str, str]:
        other = str(rng.choice(self.application_ids))
        return "or", f"{rng.choice(self._words(application))} OR {rng.choice(self._words(other))}"

    def _excluding(self, application: str, rng: np.random.Generator) -> tuple[str, str]:
        word = rng.choice(self._words(application))
        excluded = rng.choice(ENGLISH[40:200])
        return "not", f"{word} NOT {excluded}" if rng.random() < 0.5 else f"{word} -{excluded}"

    def _other_language(self, application: str, rng: np.random.Generator) -> tuple[str, str]:
        language = str(rng.choice(("de", "fr", "ja", "ko")))
        terms = [term for term in APPLICATIONS[application].terms.get(language, ()) if '"' not in term]
        if not terms:
            return self._single_word(application, rng)
        term = str(rng.choice(terms))
        return f"lang-{language}", f'"{term}"' if " " in term else term

    def _common_words(self, application: str, rng: np.random.Generator) -> tuple[str, str]:
        # Frequent words that match a large share of the corpus: the expensive case for BM25 and facets.
        return "common", " ".join(rng.choice(ENGLISH[15:120], size=2, replace=False))

    def _filter(self, number: int, application: str, rng: np.random.Generator) -> str:
        choices = (f"app:{application}", f"country:{rng.choice(['US', 'KR', 'JP', 'DE', 'CA'])}", "trl:>=7",
                   f"market:{rng.choice(sorted(MARKETS))}", "type:company trl:4-6", "area:therapy",
                   "lang:en role:system-supplier", "since:2026-01-01")
        return choices[number % len(choices)]


def _words(page: IndexedPage) -> int:
    # Japanese runs words together: count about two characters a word, as the passage splitter does.
    return len(page.text) // 2 if page.language == "ja" else page.text.count(" ") + 1


def _application_terms(application, language: str) -> list[str]:
    """What a page in `language` says about an application: its terms (English when it has none in that
    language), its name and its acronyms."""
    terms = list(application.terms.get(language) or application.terms["en"])
    if language != "en":
        terms += list(application.terms["en"][:5])  # foreign pages mix in English terms, as real ones do
    return terms + [application.name] + [acronym.acronym for acronym in application.acronyms]
