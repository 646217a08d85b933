"""Organisation registry: the organisations Scout knows about, kept as YAML a cluster manager edits.

Every ``*.yaml`` file in the packaged ``data/organisations/`` folder holds a list of organisations;
``data/organisations/README.md`` explains the fields. Loading validates every entry and fails with
an error naming the file, the entry and the field, so a typo never silently drops an organisation.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

log = logging.getLogger(__name__)

PACKAGED_ORGANISATIONS_DIR = Path(__file__).resolve().parent.parent / "data" / "organisations"

MARKETS = frozenset(
    {"usa", "canada", "singapore", "malaysia", "south-korea", "israel", "japan", "australia", "south-africa", "europe"}
)
TYPES = frozenset({"cluster", "association", "company", "research-institute", "agency", "hospital", "chamber"})
ROLES = frozenset({"partner-cluster", "target-contact", "candidate-partner"})

# ISO 3166-1 alpha-2, all officially assigned codes.
COUNTRY_CODES = frozenset(
    """
    AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV
    BW BY BZ CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES
    ET FI FJ FK FM FO FR GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE
    IL IM IN IO IQ IR IS IT JE JM JO JP KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY
    MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU
    NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW SA SB SC SD SE SG SH SI SJ SK SL SM
    SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG UM US UY UZ VA VC VE
    VG VI VN VU WF WS YE YT ZA ZM ZW
    """.split()
)

# ISO 639-1, all two-letter language codes.
LANGUAGE_CODES = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da de dv
    dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz ia id ie ig
    ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln lo lt lu lv mg mh
    mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi pl ps pt qu rm rn ro ru
    rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug
    uk ur uz ve vi vo wa wo xh yi yo za zh zu
    """.split()
)

ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
HOST_PATTERN = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?")
REQUIRED_FIELDS = ("id", "name", "country", "market", "type", "website", "languages", "source")
OPTIONAL_FIELDS = ("start_urls", "allowed_hosts", "include", "exclude", "role", "notes")


class RegistryError(ValueError):
    """An organisation file holds an entry Scout cannot use."""


def host_key(url: str) -> str | None:
    """Lowercased ``host`` or ``host:port`` of a URL, the form allowed_hosts are compared in."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:  # malformed netloc or port out of range
        return None
    if not parts.hostname:
        return None
    return parts.hostname if port is None else f"{parts.hostname}:{port}"


@dataclass(frozen=True)
class Organisation:
    id: str
    name: str
    country: str
    market: str
    type: str
    website: str | None
    start_urls: tuple[str, ...]
    allowed_hosts: tuple[str, ...]
    include: tuple[str, ...]
    exclude: tuple[str, ...]
    languages: tuple[str, ...]
    role: str | None
    source: str
    notes: str | None

    @property
    def crawlable(self) -> bool:
        return bool(self.start_urls)

    def host_allowed(self, url: str) -> bool:
        return host_key(url) in self.allowed_hosts

    def url_allowed(self, url: str) -> bool:
        if urlsplit(url).scheme.lower() not in ("http", "https") or not self.host_allowed(url):
            return False
        if any(re.search(pattern, url) for pattern in self.exclude):
            return False
        return not self.include or any(re.search(pattern, url) for pattern in self.include)


class _Entry:
    """One raw record being validated; knows where it came from so every error can say so."""

    def __init__(self, record: Any, source_name: str, index: int) -> None:
        self.source_name = source_name
        self.label = f"entry {index + 1}"
        if not isinstance(record, Mapping):
            self.fail(None, f"expected a mapping of field names to values, got {type(record).__name__}")
        self.record = record
        if isinstance(record.get("id"), str):
            self.label += f" (id {record['id']!r})"

    def fail(self, field: str | None, message: str) -> None:
        where = f"{self.source_name}: {self.label}"
        raise RegistryError(f"{where}: {field}: {message}" if field else f"{where}: {message}")

    def text(self, field: str, *, required: bool = True) -> str | None:
        value = self.record.get(field)
        if value is None and not required:
            return None
        if isinstance(value, bool):
            # YAML reads unquoted NO, yes, on ... as booleans.
            self.fail(field, f"got {value!r}; put the value in quotes")
        if not isinstance(value, str) or not value.strip():
            self.fail(field, f"must be non-empty text, got {value!r}")
        return value.strip()

    def choice(self, field: str, allowed: frozenset[str], *, required: bool = True) -> str | None:
        value = self.text(field, required=required)
        if value is not None and value not in allowed:
            self.fail(field, f"{value!r} is not one of {', '.join(sorted(allowed))}")
        return value

    def text_list(self, field: str) -> tuple[str, ...] | None:
        """The field as a tuple of strings, or None when it is absent (so callers can apply a default)."""
        value = self.record.get(field)
        if value is None:
            return None
        if isinstance(value, str) or not isinstance(value, list):
            self.fail(field, f"must be a list such as [a, b], got {value!r}")
        for item in value:
            if not isinstance(item, str) or not item.strip():
                self.fail(field, f"every item must be non-empty text, got {item!r}")
        return tuple(item.strip() for item in value)

    def url(self, field: str, value: str) -> str:
        if urlsplit(value).scheme.lower() not in ("http", "https"):
            self.fail(field, f"{value!r} must start with http:// or https://")
        if host_key(value) is None:
            self.fail(field, f"{value!r} has no valid host name")
        return value

    def patterns(self, field: str) -> tuple[str, ...]:
        patterns = self.text_list(field) or ()
        for pattern in patterns:
            try:
                re.compile(pattern)
            except re.error as exc:
                self.fail(field, f"{pattern!r} is not a valid regular expression: {exc}")
        return patterns


def _default_hosts(website: str | None, start_urls: tuple[str, ...]) -> tuple[str, ...]:
    base = [host_key(website)] if website else [host_key(url) for url in start_urls]
    # Sites commonly redirect between example.org and www.example.org; allow both by default.
    twins = [host[4:] if host.startswith("www.") else "www." + host for host in base]
    return tuple(dict.fromkeys(base + twins))


def _parse_entry(entry: _Entry) -> Organisation:
    unknown = sorted(set(entry.record) - set(REQUIRED_FIELDS) - set(OPTIONAL_FIELDS))
    if unknown:
        entry.fail(None, f"unknown field(s) {', '.join(unknown)}; known: {', '.join(REQUIRED_FIELDS + OPTIONAL_FIELDS)}")
    missing = [field for field in REQUIRED_FIELDS if field not in entry.record]
    if missing:
        entry.fail(None, f"missing field(s) {', '.join(missing)} (write 'website: null' when there is none)")

    org_id = entry.text("id")
    if not ID_PATTERN.fullmatch(org_id):
        entry.fail("id", f"{org_id!r} must be lowercase letters, digits and single hyphens, e.g. 'biocat'")
    country = entry.text("country")
    if country not in COUNTRY_CODES:
        entry.fail("country", f"{country!r} is not an ISO 3166-1 alpha-2 code (two capitals, e.g. 'FR')")

    website = entry.text("website", required=False)
    if website is not None:
        entry.url("website", website)
    start_urls = entry.text_list("start_urls")
    if start_urls is None:
        start_urls = (website,) if website else ()
    for url in start_urls:
        entry.url("start_urls", url)

    allowed_hosts = entry.text_list("allowed_hosts")
    if allowed_hosts is None:
        allowed_hosts = _default_hosts(website, start_urls)
    allowed_hosts = tuple(host.lower() for host in allowed_hosts)
    for host in allowed_hosts:
        if not HOST_PATTERN.fullmatch(host):
            entry.fail("allowed_hosts", f"{host!r} must be a bare host name such as 'www.example.org' (no http://, no path)")
    for url in start_urls:
        if host_key(url) not in allowed_hosts:
            entry.fail("start_urls", f"{url!r} is on host {host_key(url)!r}, which is not in allowed_hosts {list(allowed_hosts)}")

    languages = entry.text_list("languages") or ()
    if not languages:
        entry.fail("languages", "list at least one ISO 639-1 language code, e.g. ['en']")
    for language in languages:
        if language not in LANGUAGE_CODES:
            entry.fail("languages", f"{language!r} is not an ISO 639-1 code (two lowercase letters, e.g. 'en')")

    return Organisation(
        id=org_id,
        name=entry.text("name"),
        country=country,
        market=entry.choice("market", MARKETS),
        type=entry.choice("type", TYPES),
        website=website,
        start_urls=start_urls,
        allowed_hosts=allowed_hosts,
        include=entry.patterns("include"),
        exclude=entry.patterns("exclude"),
        languages=languages,
        role=entry.choice("role", ROLES, required=False),
        source=entry.text("source"),
        notes=entry.text("notes", required=False),
    )


def parse_organisations(records: Any, source_name: str) -> list[Organisation]:
    """Validate a list of raw records (as read from one YAML file) into organisations."""
    if records is None:
        return []
    if not isinstance(records, list):
        raise RegistryError(f"{source_name}: expected a list of organisations ('- id: ...' entries)")
    organisations: list[Organisation] = []
    seen: set[str] = set()
    for index, record in enumerate(records):
        organisation = _parse_entry(_Entry(record, source_name, index))
        if organisation.id in seen:
            raise RegistryError(f"{source_name}: entry {index + 1}: id: duplicate id {organisation.id!r}")
        seen.add(organisation.id)
        organisations.append(organisation)
    return organisations


def load_registry(paths: Iterable[Path] | None = None) -> list[Organisation]:
    """Load and validate organisation files; by default every packaged ``data/organisations/*.yaml``."""
    paths = sorted(PACKAGED_ORGANISATIONS_DIR.glob("*.yaml")) if paths is None else [Path(p) for p in paths]
    organisations: list[Organisation] = []
    defined_in: dict[str, Path] = {}
    for path in paths:
        try:
            records = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise RegistryError(f"{path}: not valid YAML: {exc}") from None
        for organisation in parse_organisations(records, str(path)):
            if organisation.id in defined_in:
                raise RegistryError(
                    f"{path}: id: duplicate id {organisation.id!r}, already defined in {defined_in[organisation.id]}"
                )
            defined_in[organisation.id] = path
            organisations.append(organisation)
        log.debug("loaded organisations from %s", path)
    uncrawlable = sum(not organisation.crawlable for organisation in organisations)
    log.info("registry: %d organisations from %d file(s), %d without a website", len(organisations), len(paths), uncrawlable)
    return organisations


def registry_by_id(organisations: Iterable[Organisation]) -> dict[str, Organisation]:
    return {organisation.id: organisation for organisation in organisations}
