"""Main-text extraction: HTML through trafilatura, PDF through pypdf."""

from __future__ import annotations

import io
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import htmldate
import trafilatura
from bs4 import BeautifulSoup
from lxml import etree
from trafilatura.settings import Document
from trafilatura.xml import xmltotxt
from w3lib.encoding import read_bom
from pypdf import PdfReader
from pypdf.errors import PyPdfError

log = logging.getLogger(__name__)

BOILERPLATE_TAGS = ("script", "style", "noscript", "nav", "footer", "header", "form", "template", "svg")
MAX_PDF_PAGES = 200
HEAD_SCAN_CHARS = 200_000  # title and <link> tags sit near the top; no need to parse a huge page twice
CELL_SEPARATOR = "; "
# libxml2 compares each attribute of a tag with all the others, so one hostile tag with tens of thousands of
# attributes takes minutes to parse (and the page is parsed several times). Attributes hold no main text:
# such a tag keeps only its name. Possessive quantifiers: a near-miss must not be retried position by position.
MAX_ATTRIBUTES = 1000
ATTRIBUTE_FLOOD = re.compile(r"<([A-Za-z][\w:-]*+)[^<>]{%d,}+>" % (2 * MAX_ATTRIBUTES))
# trafilatura drops <time> elements, and with them the date of a press release or a news item
# ("<time>4 March 2024</time> —" became "—"); as plain inline text they stay in the main text.
TIME_TAG = re.compile(r"<(/?)time\b[^>]*>", re.IGNORECASE)
DATE_FORMAT = "%Y-%m-%d"
# Control characters (NUL and the like) are no text, in a page or a PDF; tab and newline are kept for _tidy.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ExtractionError(ValueError):
    """A body that cannot be turned into text (corrupt PDF, undecodable bytes)."""


@dataclass(frozen=True)
class Extracted:
    title: str
    text: str
    method: str
    # hreflang → URL of the same page in other languages, as the page itself declares them
    language_variants: dict[str, str] = field(default_factory=dict)
    published_date: str | None = None  # YYYY-MM-DD, as the page states it (metadata, <time>, URL)
    modified_date: str | None = None  # YYYY-MM-DD of its last update, where it says so


def decode_html(body: bytes, encoding: str | None) -> str:
    """Decode with the charset the crawler settled on (a byte-order mark overrides it); never fail on stray bytes."""
    bom_encoding, bom = read_bom(body)
    if bom_encoding:
        return body[len(bom):].decode(bom_encoding, errors="replace")
    for candidate in (encoding, "utf-8"):
        if not candidate:
            continue
        try:
            return body.decode(candidate)
        except (LookupError, UnicodeDecodeError):
            continue
    return body.decode("utf-8", errors="replace")


def extract_html(html: str, url: str | None = None) -> Extracted:
    # Before parsing: lxml turns a NUL into U+FFFD, which no later clean-up can tell from a real one.
    html = ATTRIBUTE_FLOOD.sub(_without_attribute_flood, CONTROL_CHARACTERS.sub("", html))
    published, modified = page_dates(html, url)
    document = trafilatura.bare_extraction(
        TIME_TAG.sub(r"<\1span>", html), url=url, include_comments=False, include_tables=True, favor_recall=True, with_metadata=True
    )
    head = BeautifulSoup(html[:HEAD_SCAN_CHARS], "lxml")
    soup_title, variants = _html_title(head), _language_variants(head, url)
    if document is not None and document.text and document.text.strip():
        return Extracted(title=(document.title or soup_title).strip(), text=_tidy(_plain_text(document)),
                         method="trafilatura", language_variants=variants, published_date=published,
                         modified_date=modified)
    # trafilatura declines very short or list-like pages; their visible text is still worth keeping.
    soup = BeautifulSoup(html, "lxml")
    for element in soup(BOILERPLATE_TAGS):
        element.decompose()
    text = _tidy(soup.get_text("\n"))
    return Extracted(title=soup_title, text=text, method="visible-text", language_variants=variants,
                     published_date=published, modified_date=modified)


def page_dates(html: str, url: str | None = None) -> tuple[str | None, str | None]:
    """(published, last updated) as the page states them, found by htmldate in its metadata, <time>
    elements and URL. Its extensive search is left off: it guesses from any year in the text (a copyright
    line), and a wrong date is worse than none."""
    dates = []
    for original in (True, False):
        try:
            dates.append(htmldate.find_date(html, url=url, original_date=original, extensive_search=False,
                                            outputformat=DATE_FORMAT))
        except (ValueError, TypeError) as exc:  # htmldate gives up on some malformed documents
            log.debug("no date for %s: %s", url, exc)
            dates.append(None)
    return dates[0], dates[1]


def _without_attribute_flood(tag: re.Match[str]) -> str:
    return f"<{tag.group(1)}>" if tag.group().count("=") > MAX_ATTRIBUTES else tag.group()


def _plain_text(document: Document) -> str:
    """The document's text with every table row as one line of its cells.

    trafilatura writes tables as Markdown ("| a | b |" and "|---|"), whose pipes would end up in the index,
    in snippets and in tag evidence; it has no option for plain rows, so its tree is rewritten and rendered again.
    """
    body = document.body
    tables = [table for table in body.iter("table") if next(table.iterancestors("table"), None) is None]
    if not tables:
        return document.text
    for table in tables:
        lines = [_row_line(row) for row in table.iter("row")
                 if next(row.iterancestors("table")) is table]  # a nested table is already in its cell's text
        paragraphs = [_paragraph(line) for line in lines if line] or [_paragraph("")]
        paragraphs[-1].tail = table.tail  # removing the table takes its tail (text after it) along
        parent = table.getparent()
        position = parent.index(table)
        parent.remove(table)
        parent[position:position] = paragraphs
    return xmltotxt(body, include_formatting=False)


def _row_line(row: etree._Element) -> str:
    cells = (" ".join("".join(cell.itertext()).split()) for cell in row.iterchildren("cell"))
    return CELL_SEPARATOR.join(cell for cell in cells if cell)


def _paragraph(text: str) -> etree._Element:
    paragraph = etree.Element("p")
    paragraph.text = text
    return paragraph


def _html_title(soup: BeautifulSoup) -> str:
    if soup.title and soup.title.string:
        return soup.title.string.strip()
    heading = soup.find("h1")
    return heading.get_text(" ", strip=True) if heading else ""


def _language_variants(soup: BeautifulSoup, url: str | None) -> dict[str, str]:
    variants = {}
    for link in soup.find_all("link", hreflang=True, href=True):
        if "alternate" in (link.get("rel") or []):
            variants[link["hreflang"].strip().lower()] = urljoin(url or "", link["href"].strip())
    return variants


def extract_pdf(body: bytes) -> Extracted:
    try:
        reader = PdfReader(io.BytesIO(body))
        pages = [page.extract_text() or "" for page in reader.pages[:MAX_PDF_PAGES]]
        title = (reader.metadata.title if reader.metadata else None) or ""
    except (PyPdfError, ValueError, KeyError, TypeError) as exc:
        raise ExtractionError(f"unreadable PDF: {exc}") from None
    text = _tidy("\n\n".join(pages))
    if not title:
        title = next((line for line in text.splitlines() if line.strip()), "")[:200]
    return Extracted(title=str(title).strip(), text=text, method="pypdf")


def extract(body: bytes, content_type: str | None, encoding: str | None, url: str | None = None) -> Extracted:
    if (content_type or "").endswith("pdf") or body[:5] == b"%PDF-":
        return extract_pdf(body)
    return extract_html(decode_html(body, encoding), url)


def _tidy(text: str) -> str:
    text = CONTROL_CHARACTERS.sub("", text)
    lines = (re.sub(r"[ \t\u00a0]+", " ", line).strip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
