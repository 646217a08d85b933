"""Organisation registry: the organisations Scout knows about, kept as YAML a cluster manager edits.

Every ``*.yaml`` file in the packaged ``data/organisations/`` folder holds a list of organisations;
``data/organisations/README.md`` explains the fields. Each file is validated by the declared schema
``OrganisationRecord`` (``scout schema registry`` prints it as JSON Schema) and fails with an error naming the
file, the entry and the field, so a typo never silently drops an organisation. An organisation is listed once,
with all its roles: the same id, name or website twice across the files is an error.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlsplit

from pydantic import AfterValidator, Field, RootModel, WithJsonSchema, model_validator

from taxonomy.model import OrganisationType
from taxonomy.validation import FileModel, Text, read_yaml_file, validate

log = logging.getLogger(__name__)

PACKAGED_ORGANISATIONS_DIR = Path(__file__).resolve().parent.parent / "data" / "organisations"


class Market(StrEnum):
    USA = "usa"
    CANADA = "canada"
    SINGAPORE = "singapore"
    MALAYSIA = "malaysia"
    SOUTH_KOREA = "south-korea"
    ISRAEL = "israel"
    JAPAN = "japan"
    AUSTRALIA = "australia"
    SOUTH_AFRICA = "south-africa"
    EUROPE = "europe"


class Role(StrEnum):
    """What an organisation is to the partnership; one organisation may have several."""

    PARTNER_CLUSTER = "partner-cluster"  # one of the six LASER-GO clusters
    TARGET_CONTACT = "target-contact"  # a contact point in a target market
    CANDIDATE_PARTNER = "candidate-partner"  # a cluster that could join a partnership
    ECCP_CLUSTER = "eccp-cluster"  # a medical-device cluster on the European Cluster Collaboration Platform


MARKETS = frozenset(market.value for market in Market)
TYPES = frozenset(org_type.value for org_type in OrganisationType)

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
# Legal forms and the like, which do not tell two organisations apart.
LEGAL_FORMS = re.compile(r"\b(gmbh|e ?v|srl|vzw|asbl|ltd|inc|llc|bv|sas)\b")


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
    roles: tuple[str, ...]
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


# -- the file schema --------------------------------------------------------------------------------


def _organisation_id(value: str) -> str:
    if not ID_PATTERN.fullmatch(value):
        raise ValueError(f"{value!r} must be lowercase letters, digits and single hyphens, e.g. 'biocat'")
    return value


def _country(value: str) -> str:
    if value not in COUNTRY_CODES:
        raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 code (two capitals, e.g. 'FR')")
    return value


def _language(value: str) -> str:
    if value not in LANGUAGE_CODES:
        raise ValueError(f"{value!r} is not an ISO 639-1 code (two lowercase letters, e.g. 'en')")
    return value


def _web_address(value: str) -> str:
    if urlsplit(value).scheme.lower() not in ("http", "https"):
        raise ValueError(f"{value!r} must start with http:// or https://")
    if host_key(value) is None:
        raise ValueError(f"{value!r} has no valid host name")
    return value


def _host(value: str) -> str:
    host = value.lower()
    if not HOST_PATTERN.fullmatch(host):
        raise ValueError(f"{value!r} must be a bare host name such as 'www.example.org' (no http://, no path)")
    return host


def _regular_expression(value: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{value!r} is not a valid regular expression: {exc}") from None
    return value


# Each check gives a message a cluster manager can act on; the JSON Schema gives editors the same rule.
OrganisationId = Annotated[Text, AfterValidator(_organisation_id),
                           WithJsonSchema({"type": "string", "pattern": f"^{ID_PATTERN.pattern}$"})]
CountryCode = Annotated[Text, AfterValidator(_country), WithJsonSchema({"enum": sorted(COUNTRY_CODES)})]
LanguageCode = Annotated[Text, AfterValidator(_language), WithJsonSchema({"enum": sorted(LANGUAGE_CODES)})]
WebAddress = Annotated[Text, AfterValidator(_web_address),
                       WithJsonSchema({"type": "string", "format": "uri", "pattern": "^[Hh][Tt][Tt][Pp][Ss]?://"})]
HostName = Annotated[Text, AfterValidator(_host),
                     WithJsonSchema({"type": "string", "pattern": "^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?$"})]
RegularExpression = Annotated[Text, AfterValidator(_regular_expression)]


class OrganisationRecord(FileModel):
    """One organisation as a registry file writes it (data/organisations/README.md explains every field)."""

    id: OrganisationId = Field(description="Unique across all files; results are linked to it, so avoid renaming.")
    name: Text = Field(description="Official name.")
    country: CountryCode = Field(description="ISO 3166-1 alpha-2, in capitals; write Norway as \"NO\" in quotes.")
    market: Market
    type: OrganisationType
    website: WebAddress | None = Field(description="Home page, or null while nobody has confirmed it (not crawled).")
    languages: list[LanguageCode] = Field(min_length=1, description="Languages of the website, ISO 639-1.")
    source: Text = Field(description="Where the organisation was found; several places separated by '; '.")
    roles: list[Role] = Field([], description="What the organisation is to the partnership; several if so.")
    start_urls: list[WebAddress] | None = Field(None, description="Pages the crawler starts from; default: website.")
    allowed_hosts: list[HostName] | None = Field(
        None, description="Hosts the crawler may visit; default: the website's host and its www. twin.")
    include: list[RegularExpression] = Field([], description="Only URLs matching one of these are crawled.")
    exclude: list[RegularExpression] = Field([], description="URLs matching any of these are never crawled.")
    notes: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _explicit_website_and_roles_list(cls, data: Any) -> Any:
        if isinstance(data, dict):
            if "role" in data:
                raise ValueError(f"role: write the list roles: [{data['role']}] (an organisation may have several)")
            if "website" not in data:
                raise ValueError("missing field website (write 'website: null' when there is none)")
        return data

    @model_validator(mode="after")
    def _start_urls_on_allowed_hosts(self) -> "OrganisationRecord":
        hosts = self.crawl_hosts()
        for url in self.crawl_start_urls():
            if host_key(url) not in hosts:
                raise ValueError(f"start_urls: {url!r} is on host {host_key(url)!r}, "
                                 f"which is not in allowed_hosts {list(hosts)}")
        return self

    def crawl_start_urls(self) -> tuple[str, ...]:
        if self.start_urls is not None:
            return tuple(self.start_urls)
        return (self.website,) if self.website else ()

    def crawl_hosts(self) -> tuple[str, ...]:
        if self.allowed_hosts is not None:
            return tuple(self.allowed_hosts)
        return _default_hosts(self.website, self.crawl_start_urls())

    def organisation(self) -> Organisation:
        return Organisation(
            id=self.id, name=self.name, country=self.country, market=self.market.value, type=self.type.value,
            website=self.website, start_urls=self.crawl_start_urls(), allowed_hosts=self.crawl_hosts(),
            include=tuple(self.include), exclude=tuple(self.exclude), languages=tuple(self.languages),
            roles=tuple(role.value for role in self.roles), source=self.source, notes=self.notes,
        )


class RegistryFile(RootModel[list[OrganisationRecord]]):
    """A registry file: a list of organisations ('- id: ...' entries)."""


def _default_hosts(website: str | None, start_urls: tuple[str, ...]) -> tuple[str, ...]:
    base = [host_key(website)] if website else [host_key(url) for url in start_urls]
    # Sites commonly redirect between example.org and www.example.org; allow both by default.
    twins = [host[4:] if host.startswith("www.") else "www." + host for host in base]
    return tuple(dict.fromkeys(base + twins))


# -- one organisation, listed once ---------------------------------------------------------------------


def name_keys(name: str) -> set[str]:
    """The name, and its short form (before a dash or parenthesis), without accents, case, punctuation or legal form."""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().casefold()
    short = re.split(r"\s[-\u2013\u2014]\s|\(", plain)[0]
    keys = {" ".join(LEGAL_FORMS.sub(" ", re.sub(r"[^a-z0-9]+", " ", text)).split()) for text in (plain, short)}
    return keys - {""}


def website_key(url: str | None) -> str | None:
    """The website as host (without www.) and path, so the same site written two ways compares equal."""
    if not url:
        return None
    host = host_key(url) or ""
    return host.removeprefix("www.") + urlsplit(url).path.rstrip("/")


@dataclass(frozen=True)
class _Listed:
    source_name: str
    index: int
    organisation: Organisation

    @property
    def where(self) -> str:
        return f"{self.source_name}: entry {self.index + 1} (id {self.organisation.id!r})"


def _check_listed_once(listed: Iterable[_Listed]) -> None:
    """Fail on the first organisation that repeats another's id, normalised name or website."""
    seen: dict[tuple[str, str], _Listed] = {}
    for entry in listed:
        org = entry.organisation
        keys = [("id", "id", org.id)]
        keys += [("name", "normalised name", key) for key in sorted(name_keys(org.name))]
        if website_key(org.website):
            keys.append(("website", "website", website_key(org.website)))
        for field, what, key in keys:
            first = seen.get((what, key))
            if first is not None:
                also = "" if field == "id" else f" (id {first.organisation.id!r})"
                raise RegistryError(
                    f"{entry.where}: {field}: duplicate {what} {key!r}, already defined in {first.source_name}{also}; "
                    "list each organisation once, with all its roles")
        for _, what, key in keys:
            seen.setdefault((what, key), entry)


def parse_organisations(records: Any, source_name: str) -> list[Organisation]:
    """Validate a list of raw records (as read from one YAML file) into organisations."""
    if records is None:
        return []
    if not isinstance(records, list):
        raise RegistryError(f"{source_name}: expected a list of organisations ('- id: ...' entries)")
    organisations = [record.organisation() for record in validate(RegistryFile, records, source_name, RegistryError).root]
    _check_listed_once(_Listed(source_name, index, org) for index, org in enumerate(organisations))
    return organisations


def load_registry(paths: Iterable[Path] | None = None) -> list[Organisation]:
    """Load and validate organisation files; by default every packaged ``data/organisations/*.yaml``."""
    paths = sorted(PACKAGED_ORGANISATIONS_DIR.glob("*.yaml")) if paths is None else [Path(p) for p in paths]
    listed: list[_Listed] = []
    for path in paths:
        organisations = parse_organisations(read_yaml_file(path, RegistryError), str(path))
        listed += [_Listed(str(path), index, org) for index, org in enumerate(organisations)]
        log.debug("loaded organisations from %s", path)
    _check_listed_once(listed)
    organisations = [entry.organisation for entry in listed]
    uncrawlable = sum(not organisation.crawlable for organisation in organisations)
    log.info("registry: %d organisations from %d file(s), %d without a website", len(organisations), len(paths), uncrawlable)
    return organisations


def registry_by_id(organisations: Iterable[Organisation]) -> dict[str, Organisation]:
    return {organisation.id: organisation for organisation in organisations}


# -- organisations added in a data directory -------------------------------------------------------------
#
# Organisations a scout adds (`scout org add`, or by accepting a candidate) live in the data directory's
# own registry file, beside the packaged seed files and validated by the same schema; crawls see both.

ADDED_ORGANISATIONS_FILE = "organisations.yaml"
ADDED_FILE_HEADER = (
    "# Organisations added with `scout org add` or by accepting a candidate (`scout candidates accept`).\n"
    "# Same fields as data/organisations/*.yaml (data/organisations/README.md); `scout schema registry`\n"
    "# prints the schema. Edit by hand if you like: Scout validates it on every load.\n"
)


def added_organisations_path(data_dir: Path) -> Path:
    return Path(data_dir) / ADDED_ORGANISATIONS_FILE


def added_records(data_dir: Path) -> list[dict[str, Any]]:
    """The raw entries of the data directory's registry file, validated; [] when there is none yet."""
    path = added_organisations_path(data_dir)
    if not path.is_file():
        return []
    records = read_yaml_file(path, RegistryError) or []
    parse_organisations(records, str(path))  # validates, so nothing invalid is handed on or written back
    return list(records)


def load_registry_for(data_dir: Path) -> list[Organisation]:
    """The packaged registry and the organisations added in this data directory, none listed twice."""
    path = added_organisations_path(data_dir)
    if not path.is_file():
        return load_registry()
    return load_registry([*sorted(PACKAGED_ORGANISATIONS_DIR.glob("*.yaml")), path])


def add_organisation(data_dir: Path, record: dict[str, Any]) -> Organisation:
    """Validate one new organisation against the schema and against every known one, then append it to the
    data directory's registry file (written whole to a temporary file first, so a crash never truncates it)."""
    import yaml

    path = added_organisations_path(data_dir)
    records = added_records(data_dir) + [{key: value for key, value in record.items() if value not in (None, [], "")}
                                         | {"website": record.get("website")}]
    new = parse_organisations(records, str(path))[-1]
    existing = load_registry_for(data_dir)
    _check_listed_once([*(_Listed("registry", index, org) for index, org in enumerate(existing)),
                        _Listed(str(path), len(records) - 1, new)])
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".yaml.tmp")
    temporary.write_text(ADDED_FILE_HEADER + yaml.safe_dump(records, allow_unicode=True, sort_keys=False),
                         encoding="utf-8")
    temporary.replace(path)
    return new


def registry_yaml(records: list[dict[str, Any]]) -> str:
    """Registry entries as a file the packaged registry could hold (for `scout org export`)."""
    import yaml

    return yaml.safe_dump(records, allow_unicode=True, sort_keys=False)
