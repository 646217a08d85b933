"""Listing pages (member directories, partner, exhibitor, portfolio and start-up lists) and the organisations
they list.

A listing is recognised by its structure: a container whose repeated children (list items, table rows,
cards, logos) each name an organisation, most with a link to another site. The page's own words
("members", "exhibitors", ...) or its genre ("directory") let a short list count; a long one counts alone.
Navigation, headers and footers, sponsor blocks and links to social networks or to the listing site
itself are never entries.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

import lxml.html
import tldextract
from babel import Locale
from lxml import etree

from scout.registry import COUNTRY_CODES
from taxonomy import load_places

MIN_ITEMS = 3  # repeated children that make a container a listing, on a page that says it lists
MIN_ITEMS_UNANNOUNCED = 6  # ... on a page that does not
MAX_NAME_CHARS = 120
MAX_DESCRIPTION_CHARS = 300
MAX_ENTRY_CHARS = 500

LISTING_WORDS = re.compile(
    r"\b(members?|membership|partners?|exhibitors?|portfolio|start-?ups?|directory|associates?|companies|"
    r"participants?|ecosystem|network|who'?s who|adherents?|mitglieder|aussteller|membres|会員|企業|회원)\b",
    re.IGNORECASE)
# Regions of a page that are chrome, not content (by element, role, or a class/id word).
CHROME_ELEMENTS = ("nav", "aside")
PAGE_CHROME_ELEMENTS = ("header", "footer")  # chrome at page level; inside a card they hold its name
CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary"}
CHROME_WORDS = re.compile(
    r"(?:^|[\s_-])(nav|navbar|navigation|menu|footer|breadcrumbs?|sponsors?|sponsoring|social|share|sharing|"
    r"cookies?|banner|funders?|funding)(?:$|[\s_-])", re.IGNORECASE)
# A section introduced by one of these headings thanks or funds the site; it does not list its members.
SPONSOR_HEADING = re.compile(
    r"\b(sponsor\w*|funded by|supported by|financed by|media partners?|follow us|with the support of)\b",
    re.IGNORECASE)
SOCIAL_DOMAINS = frozenset("""
    facebook.com fb.com twitter.com x.com t.co linkedin.com lnkd.in instagram.com youtube.com youtu.be
    vimeo.com xing.com tiktok.com pinterest.com flickr.com github.com medium.com wa.me whatsapp.com
    threads.net bsky.app mastodon.social weibo.com line.me naver.com kakao.com google.com goo.gl
    maps.app.goo.gl apple.com bit.ly eepurl.com mailchimp.com wikipedia.org
""".split())
# Anchor texts that say "a link" rather than whose it is.
GENERIC_ANCHORS = re.compile(
    r"^(website|web ?site|visit( (the )?(website|site))?|homepage|home page|home|site|link|more|"
    r"learn more|read more|more info(rmation)?|details|profile|view( profile)?|go|open|here|click here|→|»|›)$",
    re.IGNORECASE)
URL_LIKE = re.compile(r"^(https?://)?(www\.)?[\w-]+(\.[\w-]+)+(/\S*)?$", re.IGNORECASE)
LOGO_WORDS = re.compile(r"\s*(\blogo( of)?\b|\bicon\b)\s*[:\-–—]?\s*", re.IGNORECASE)
SEPARATORS = re.compile(r"\s+[—–-]\s+|\s*[|;:()\[\]\n]\s*|,\s+")
BLOCK_ELEMENTS = frozenset("address article aside blockquote br dd div dl dt figcaption figure footer h1 h2 h3 h4 "
                           "h5 h6 header hr li main ol p section table td th tr ul".split())
TRAILING_LINK_WORD = re.compile(r"[;,.]?\s*\b(website|web site|homepage|visit)\W*$", re.IGNORECASE)
PARENTHESIS = re.compile(r"\(([^()]{2,40})\)")
NAME_CLASS = re.compile(r"(?:^|[\s_-])(name|title|company|org\w*)(?:$|[\s_-])", re.IGNORECASE)

_extract_domain = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)  # bundled snapshot, never fetched


@dataclass(frozen=True)
class ListingEntry:
    """One organisation as a listing page shows it."""

    name: str
    website: str | None  # an outbound link, to another site than the listing's
    country: str | None  # ISO 3166-1 alpha-2, when the entry says it
    description: str  # the listing's own words about it, one line
    anchor_text: str  # what the link to its website says (or the logo's alt text)
    entry_text: str  # the whole entry, one line


def domain_key(url: str | None) -> str | None:
    """The registrable domain of a URL (``www.a.example.co.uk`` → ``example.co.uk``); for a host without a
    public suffix (an IP address, ``localhost``, a reserved name) the host itself, with its port."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
        host, port = (parts.hostname or "").rstrip("."), parts.port
    except ValueError:
        return None
    if not host:
        return None
    extracted = _extract_domain.extract_str(host)
    if extracted.suffix and extracted.domain:
        return f"{extracted.domain}.{extracted.suffix}"
    host = host.removeprefix("www.")
    return host if port is None else f"{host}:{port}"


def is_social(url: str) -> bool:
    key = domain_key(url) or ""
    return key in SOCIAL_DOMAINS or any(key.endswith("." + domain) for domain in SOCIAL_DOMAINS)


def find_entries(html: str, page_url: str, genre: str | None = None) -> list[ListingEntry]:
    """The organisations a page lists, in page order; [] for a page that is no listing."""
    try:
        root = lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return []
    announced = genre == "directory" or _announces_listing(root, page_url)
    _remove_chrome(root)
    own_domain = domain_key(page_url)
    outbound = [(a, href) for a in root.iter("a") if (href := _outbound_href(a, page_url, own_domain))]
    minimum = MIN_ITEMS if announced else MIN_ITEMS_UNANNOUNCED
    entries: list[ListingEntry] = []
    seen_items: set[etree._Element] = set()
    for container, items in _listings(outbound, minimum):
        if _introduced_as_sponsors(container):
            continue
        for item in items:
            if item in seen_items:
                continue
            seen_items.add(item)
            entry = _entry(item, page_url, own_domain)
            if entry is not None:
                entries.append(entry)
    return _unique(entries)


# -- recognising a listing ------------------------------------------------------------------------------


def _announces_listing(root: etree._Element, page_url: str) -> bool:
    """The page says it lists organisations: in its address, title or main heading."""
    title = " ".join(root.xpath("//title//text()"))
    headings = " ".join(text for h in root.xpath("//h1") for text in h.itertext())
    path = urlsplit(page_url).path.replace("-", " ").replace("_", " ").replace("/", " ")
    return bool(LISTING_WORDS.search(" ".join((title, headings, path))))


def _remove_chrome(root: etree._Element) -> None:
    doomed = []
    for element in root.iter(etree.Element):
        tag = element.tag if isinstance(element.tag, str) else ""
        if tag in ("script", "style", "noscript", "template", "form"):
            doomed.append(element)
        elif tag in CHROME_ELEMENTS or (element.get("role") or "").lower() in CHROME_ROLES:
            doomed.append(element)
        elif tag in PAGE_CHROME_ELEMENTS and not any(a.tag in ("article", "li", "td", "tr") for a in element.iterancestors()):
            doomed.append(element)
        elif CHROME_WORDS.search(" ".join((element.get("class") or "", element.get("id") or ""))):
            doomed.append(element)
    for element in doomed:
        parent = element.getparent()
        if parent is not None and not any(ancestor in doomed for ancestor in element.iterancestors()):
            parent.remove(element)


def _outbound_href(anchor: etree._Element, page_url: str, own_domain: str | None) -> str | None:
    href = (anchor.get("href") or "").strip()
    if not href:
        return None
    url = urljoin(page_url, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    if domain_key(url) == own_domain or is_social(url):
        return None
    return f"{parts.scheme}://{parts.netloc}{parts.path or '/'}"


def _signature(element: etree._Element) -> tuple[str, str]:
    return element.tag, " ".join(sorted((element.get("class") or "").split()))


def _listings(outbound: list[tuple[etree._Element, str]], minimum: int
              ) -> list[tuple[etree._Element, list[etree._Element]]]:
    """(container, items) for every container whose repeated children hold outbound links."""
    found: dict[etree._Element, list[etree._Element]] = {}
    linked = {anchor for anchor, _ in outbound}
    for anchor, _ in outbound:
        for node in (anchor, *anchor.iterancestors()):
            parent = node.getparent()
            if parent is None or node.tag in ("body", "html"):
                break
            if node.tag in ("td", "th", "tbody", "thead"):
                continue  # a table's entry is its row
            siblings = [child for child in parent if _signature(child) == _signature(node)]
            with_links = [child for child in siblings
                          if child in linked or any(a in linked for a in child.iter("a"))]
            if len(with_links) >= min(minimum, max(2, len(siblings))) and len(siblings) >= minimum:
                found.setdefault(parent, siblings)
                break
            if len(with_links) >= 2 and len(siblings) < minimum:
                break  # a small group of links (a card's two buttons): this is no listing
    return list(found.items())


def _introduced_as_sponsors(container: etree._Element) -> bool:
    heading = container.xpath("preceding::*[self::h1 or self::h2 or self::h3 or self::h4][1]")
    return bool(heading) and bool(SPONSOR_HEADING.search(_text(heading[0])))


# -- reading one entry ---------------------------------------------------------------------------------


def _entry(item: etree._Element, page_url: str, own_domain: str | None) -> ListingEntry | None:
    if item.tag == "tr" and not item.xpath("./td"):
        return None  # a header row
    anchors = [(a, href) for a in item.iter("a") if (href := _outbound_href(a, page_url, own_domain))]
    anchor, website = anchors[0] if anchors else (None, None)
    anchor_text = _anchor_text(anchor) if anchor is not None else ""
    name = _name(item, anchor, anchor_text)
    if not name:
        return None
    entry_text = _one_line(_text(item, separator=" | " if item.tag == "tr" else ""))
    return ListingEntry(
        name=name, website=website, country=_country(item), description=_description(item, name),
        anchor_text=anchor_text, entry_text=(entry_text or anchor_text)[:MAX_ENTRY_CHARS],
    )


def _anchor_text(anchor: etree._Element) -> str:
    text = _one_line(_text(anchor))
    if text:
        return text
    images = anchor.xpath(".//img[@alt]")
    alt = images[0].get("alt") if images else ""
    return _one_line(alt or anchor.get("title") or anchor.get("aria-label") or "")


def _name(item: etree._Element, anchor: etree._Element | None, anchor_text: str) -> str:
    named = item.xpath(".//*[self::h2 or self::h3 or self::h4 or self::h5 or self::h6 or self::strong or self::b "
                       "or self::dt]")
    named += [e for e in item.iter(etree.Element) if NAME_CLASS.search(e.get("class") or "") and e is not item]
    for element in named:
        text = _clean_name(_text(element))
        if text:
            return text
    if item.tag == "tr":
        cells = item.xpath("./td")
        if cells:
            first = _clean_name(_text(cells[0]))
            if first:
                return first
    if anchor is not None:
        text = _clean_name(anchor_text)
        if text:
            return text
    images = item.xpath(".//img[@alt]")
    if images:
        text = _clean_name(images[0].get("alt") or "")
        if text:
            return text
    leading = SEPARATORS.split(_one_line(_text(item)), maxsplit=1)[0]
    return _clean_name(leading)


def _clean_name(text: str) -> str:
    text = _one_line(LOGO_WORDS.sub(" ", text)).strip(" .,;:–—-")
    if not text or len(text) > MAX_NAME_CHARS or GENERIC_ANCHORS.match(text) or URL_LIKE.match(text):
        return ""
    if not any(ch.isalpha() for ch in text):
        return ""
    return text


def _description(item: etree._Element, name: str) -> str:
    """The entry's own words about the organisation: its text without the name, the links and the country
    (in a table, its longest cell of a few words)."""
    links = tuple(item.iter("a"))
    if item.tag == "tr":
        cells = [_one_line(_text(cell, skip=links)) for cell in item.xpath("./td")]
        wordy = [cell for cell in cells if cell != name and len(cell.split()) >= 3]
        return max(wordy, key=len)[:MAX_DESCRIPTION_CHARS] if wordy else ""
    text = _one_line(_text(item, skip=links)).replace(name, " ", 1)
    names = _country_names()
    text = PARENTHESIS.sub(lambda m: " " if _fold(m.group(1)) in names else m.group(0), text)
    return TRAILING_LINK_WORD.sub("", _one_line(text)).strip(" .,;:–—-")[:MAX_DESCRIPTION_CHARS]


@lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    """Folded country name → ISO code: every country's English name (CLDR, through Babel), and the
    names, short forms and native spellings taxonomy/places.yaml gives the countries Scout watches."""
    names = {_fold(name): code for code, name in Locale("en").territories.items()
             if len(code) == 2 and code in COUNTRY_CODES}
    for code, country in load_places().countries.items():
        for name in country.names:
            names[_fold(name)] = code
    return names


def _country(item: etree._Element) -> str | None:
    """A country the entry names on its own: a table cell, a parenthesis, "Country: X", a short segment."""
    names = _country_names()
    for cell in item.xpath("./td") or [item]:
        for segment in SEPARATORS.split(_text(cell, separator="\n")):
            code = names.get(_fold(segment.removeprefix("Country").strip(" :")))
            if code:
                return code
    return None


def _fold(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode() or text
    return " ".join(re.sub(r"[^\w]+", " ", plain.casefold()).split()).removeprefix("the ")


def _text(element: etree._Element, separator: str = "", skip: tuple[etree._Element, ...] = ()) -> str:
    """The element's text (not its tail); table cells joined by `separator`; `skip` left out."""
    if element.tag == "tr":
        return (separator or " ").join(_text(cell, skip=skip) for cell in element.xpath("./td|./th"))
    parts = [element.text or ""]
    for child in element:
        if not isinstance(child.tag, str):  # a comment or processing instruction
            parts.append(child.tail or "")
            continue
        block = child.tag in BLOCK_ELEMENTS
        if child not in skip:
            parts.append(f" {_text(child, separator, skip)} " if block else _text(child, separator, skip))
        elif block:
            parts.append(" ")
        parts.append(child.tail or "")
    return separator.join(part for part in parts if part.strip()) if separator else "".join(parts)


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _unique(entries: list[ListingEntry]) -> list[ListingEntry]:
    """One entry per website (a logo and a name linking to the same site), else per name."""
    seen: set[str] = set()
    unique = []
    for entry in entries:
        key = domain_key(entry.website) or _fold(entry.name)
        if key in seen:
            continue
        seen.add(key)
        unique.append(entry)
    return unique
