"""A partner cluster's SME roster: importing it from CSV or XLSX, and each SME's capability profile.

An SME's profile says which applications it works on and what role it plays in the value chain, read
by the same analysis as crawled pages (indexer.analysis.analyser): from the capability text it was
imported with, and from the processed pages of its own website once that has been crawled as an
ad-hoc organisation (`import_roster(..., crawl=True)` or `crawl_sme_websites`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from scout.registry import COUNTRY_CODES, Role, host_key, load_registry, name_keys, website_key
from scout.settings import Settings
from store import Store

REQUIRED_COLUMNS = ("name", "website")
OPTIONAL_COLUMNS = ("country", "capabilities")
MAX_ROWS = 5000
MAX_CAPABILITY_CHARACTERS = 5000
# What an SME is in the analysis: a company, so a component or a system supplier (taxonomy/roles.yaml).
SME_ORGANISATION_TYPE = "company"


class RosterError(ValueError):
    """A roster file Scout cannot read at all (no such file, wrong format, missing columns)."""


class UnknownCluster(ValueError):
    """Not a partner cluster of the registry; the message lists the valid ids."""


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    sme_ids: list[int] = field(default_factory=list)


# -- clusters -----------------------------------------------------------------------------------------


def partner_cluster_ids() -> list[str]:
    """The registry's partner clusters: the only ids a roster, match or shortlist can belong to."""
    return sorted(org.id for org in load_registry() if Role.PARTNER_CLUSTER.value in org.roles)


def check_cluster(cluster_id: str) -> str:
    """The id when it names a partner cluster; raises UnknownCluster (or RegistryError) otherwise."""
    valid = partner_cluster_ids()
    if cluster_id not in valid:
        raise UnknownCluster(f"unknown cluster {cluster_id[:60]!r}; partner clusters are: {', '.join(valid)}")
    return cluster_id


# -- reading a roster file -----------------------------------------------------------------------------


def read_roster(path: Path) -> list[tuple[int, dict[str, str]]]:
    """(line number, row) for every non-empty data row of a CSV or XLSX file; the header is line 1."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".xlsx":
            rows = _xlsx_rows(path)
        elif suffix in (".csv", ".txt"):
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
        else:
            raise RosterError(f"{path}: a roster is a .csv or .xlsx file")
    except OSError as exc:
        raise RosterError(f"cannot read {path}: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise RosterError(f"{path}: a CSV roster must be UTF-8 text") from None
    if not rows:
        raise RosterError(f"{path}: empty file; the first row names the columns {', '.join(REQUIRED_COLUMNS)}")
    header = [(cell or "").strip().lower() for cell in rows[0]]
    missing = [column for column in REQUIRED_COLUMNS if column not in header]
    if missing:
        raise RosterError(f"{path}: missing column(s) {', '.join(missing)}; "
                          f"columns: {', '.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)}")
    if len(rows) - 1 > MAX_ROWS:
        raise RosterError(f"{path}: more than {MAX_ROWS} rows")
    wanted = {column: header.index(column) for column in REQUIRED_COLUMNS + OPTIONAL_COLUMNS if column in header}
    records = []
    for line, row in enumerate(rows[1:], start=2):
        record = {column: str(row[index]).strip() if index < len(row) and row[index] is not None else ""
                  for column, index in wanted.items()}
        if any(record.values()):
            records.append((line, record))
    return records


def _xlsx_rows(path: Path) -> list[list[Any]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise RosterError(f"{path}: not a readable XLSX workbook") from None
    try:
        return [list(row) for row in workbook.worksheets[0].iter_rows(values_only=True)]
    finally:
        workbook.close()


def validate_rows(rows: list[tuple[int, dict[str, str]]]) -> tuple[list[tuple[int, dict[str, Any]]], list[Rejected]]:
    """The rows fit to import, normalised, and the others with their line and reason."""
    good, rejected = [], []
    seen_names: dict[str, int] = {}
    seen_sites: dict[str, int] = {}
    for line, row in rows:
        name = " ".join(row.get("name", "").split())
        website = row.get("website", "")
        country = row.get("country", "").upper()
        capabilities = " ".join(row.get("capabilities", "").split())[:MAX_CAPABILITY_CHARACTERS]
        key = _name_key(name)
        site = website_key(website) if website else None
        if not name or not key:
            reason = "missing name"
        elif website and not _is_web_address(website):
            reason = f"bad URL {website[:80]!r} (an http:// or https:// address)"
        elif country and country not in COUNTRY_CODES:
            reason = f"unknown country code {country[:20]!r} (ISO 3166-1 alpha-2, e.g. FR)"
        elif key in seen_names:
            reason = f"duplicate of line {seen_names[key]} (same name)"
        elif site and site in seen_sites:
            reason = f"duplicate of line {seen_sites[site]} (same website)"
        elif not (website or capabilities):
            reason = "nothing to profile: give a website or capabilities"
        else:
            seen_names[key] = line
            if site:
                seen_sites[site] = line
            good.append((line, {"name": name, "name_key": key, "website": website or None, "website_key": site,
                                "country": country or None, "capabilities": capabilities}))
            continue
        rejected.append(Rejected(line, reason))
    return good, rejected


def _name_key(name: str) -> str:
    keys = name_keys(name)
    return max(keys, key=len) if keys else ""


def _is_web_address(url: str) -> bool:
    return url.lower().startswith(("http://", "https://")) and host_key(url) is not None and " " not in url


# -- importing and profiling ----------------------------------------------------------------------------


def import_roster(store: Store, cluster_id: str, path: Path,
                  analyser_factory: Callable[[], Any] | None = None) -> ImportReport:
    """Import the good rows of a roster file into the cluster's roster (same name or website: updated)."""
    good, rejected = validate_rows(read_roster(path))
    report = ImportReport(rejected=rejected)
    profiles = capability_profiles([row["capabilities"] for _, row in good], analyser_factory)
    for (_line, row), profile in zip(good, profiles):
        sme_id, created = store.save_sme(cluster_id, {**row, "profile": profile})
        report.sme_ids.append(sme_id)
        if created:
            report.created += 1
        else:
            report.updated += 1
    return report


def capability_profiles(texts: list[str], analyser_factory: Callable[[], Any] | None = None) -> list[dict[str, Any]]:
    """Applications (with evidence) and role read from each capability text by the pages' analysis."""
    if not any(texts):
        return [_empty_profile() for _ in texts]
    from indexer.analysis.analyser import KnownOrganisation, TextAnalyser

    analyser = (analyser_factory or TextAnalyser)()
    known = KnownOrganisation(type=SME_ORGANISATION_TYPE)
    analyses = iter(analyser.analyse_many([text for text in texts if text], None, [known] * sum(map(bool, texts))))
    profiles = []
    for text in texts:
        if not text:
            profiles.append(_empty_profile())
            continue
        analysis = next(analyses)
        profiles.append({
            "applications": [{"application": tag.application, "score": round(tag.score, 4), "evidence": tag.evidence}
                             for tag in analysis.applications],
            "role": None if analysis.role is None else {"role": analysis.role.role, "evidence": analysis.role.evidence},
        })
    return profiles


def _empty_profile() -> dict[str, Any]:
    return {"applications": [], "role": None}


def crawl_sme_websites(settings: Settings, cluster_id: str, sme_ids: list[int]) -> int:
    """Crawl and process the SMEs' own websites as ad-hoc organisations and link each SME to its
    organisation, whose processed pages then feed its profile; returns how many sites were crawled."""
    from scout import pipeline

    with Store.open(settings.database_path) as store:
        smes = [sme for sme in (store.sme(cluster_id, sme_id) for sme_id in sme_ids) if sme and sme["website"]]
    organisations = {sme["id"]: pipeline.adhoc_organisation(sme["website"]) for sme in smes}
    if not organisations:
        return 0
    pipeline.crawl(settings, list({org.id: org for org in organisations.values()}.values()))
    pipeline.process(settings)
    with Store.open(settings.database_path) as store:
        for sme_id, organisation in organisations.items():
            store.link_sme_organisation(cluster_id, sme_id, organisation.id)
    return len(organisations)


def roster(store: Store, cluster_id: str) -> list[dict[str, Any]]:
    return store.smes(cluster_id)


def find_sme(store: Store, cluster_id: str, name_or_id: str) -> dict[str, Any] | None:
    """The cluster's SME by id, exact name, or normalised name."""
    if name_or_id.isdigit():
        found = store.sme(cluster_id, int(name_or_id))
        if found:
            return found
    return store.find_sme(cluster_id, _name_key(name_or_id), None)

