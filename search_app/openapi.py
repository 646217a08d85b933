"""The OpenAPI 3.1 document of Scout's JSON API, built from a declared description of every /api/v1 route.

Each route is one `Operation` in OPERATIONS; its answers are JSON Schemas (OpenAPI 3.1 uses JSON Schema
2020-12) of the shapes in scout/shapes.py, one component per shape, named as the README's "JSON shapes"
name them. tests/search_app/test_openapi.py keeps the three in step: every /api/v1 route of the app is
here and nothing else is, the document is valid, and real answers validate against these schemas.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from retrieval import requests as search_requests
from retrieval.engine import SORTS
from retrieval.query import role_ids
from retrieval.results import FRESHNESS, TRL_BANDS
from scout.registry import COUNTRY_CODES, LANGUAGE_CODES, MARKETS, TYPES
from search_app import access, service
from search_app.auth_views import CSRF_HEADER
from store.clusters import SHORTLIST_STATUSES
from taxonomy import APPLICATIONS, AREAS

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"

JSON = "application/json"
CSV = "text/csv"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema or null (a $ref or a composition cannot take a type beside it, so it is wrapped)."""
    if "type" not in schema:
        return {"anyOf": [schema, {"type": "null"}]}
    return {**schema, "type": [schema["type"], "null"]}


def obj(properties: dict[str, Any], description: str = "", optional: tuple[str, ...] = ()) -> dict[str, Any]:
    """An object whose properties are all present unless named in `optional` (Scout answers nulls, not gaps)."""
    schema: dict[str, Any] = {"type": "object", "properties": properties,
                              "required": [name for name in properties if name not in optional]}
    if description:
        schema["description"] = description
    return schema


def array(items: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": items}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
NUMBER = {"type": "number"}
BOOLEAN = {"type": "boolean"}
ANY_OBJECT = {"type": "object"}
TIMESTAMP = {"type": ["string", "null"], "format": "date-time",
             "description": "ISO 8601 in UTC with its offset, e.g. 2024-05-01T12:34:56+00:00"}
APPLICATION_ID = {"type": "string", "enum": sorted(APPLICATIONS), "description": "a LASER-GO application (A01-A35)"}
COUNT = {"type": "integer", "minimum": 0}
STATED_DATE = {"type": ["string", "null"], "format": "date", "description": "YYYY-MM-DD as the page states it"}

# -- the shapes of scout/shapes.py --------------------------------------------------------------------

SCHEMAS: dict[str, dict[str, Any]] = {
    "Error": obj({"error": obj({
        "code": {**STRING, "description": "stable, for programs: unknown_parameter, invalid_parameter, "
                                          "invalid_query, not_found, "
                                          "method_not_allowed, no_index, stale_index, ..."},
        "message": {**STRING, "description": "for people"},
        "parameter": {**nullable(STRING), "description": "the query parameter at fault"}})}),
    "Organisation": obj({"id": nullable(STRING), "name": nullable(STRING), "country": nullable(STRING),
                         "type": nullable(STRING)}),
    "Tag": obj({"application": APPLICATION_ID, "name": STRING, "score": NUMBER,
                "evidence": {**STRING, "description": "the sentence that shows the page is about the application"},
                "signal": STRING}),
    "TRL": obj({"level": {"type": "integer", "minimum": 1, "maximum": 9}, "label": STRING,
                "cue": {**STRING, "description": "the quoted sentence the level is read from"},
                "confidence": {**NUMBER, "description": "probability that the true level lies within one of level"},
                "runner_up": nullable({"type": "integer", "minimum": 1, "maximum": 9})}),
    "PageSummary": obj({
        "id": INTEGER, "url": STRING, "final_url": STRING, "title": nullable(STRING),
        "organisation": nullable(ref("Organisation")), "language": nullable(STRING), "fetched_at": TIMESTAMP,
        "published_date": STATED_DATE, "modified_date": STATED_DATE,
        "tags": array(ref("Tag")), "trl": nullable(ref("TRL")), "score": NUMBER,
        "snippet": {**STRING, "description": "plain text"}}, "A page as a search result."),
    "Page": obj({
        "id": INTEGER, "url": STRING, "final_url": STRING, "title": nullable(STRING),
        "organisation": nullable(ref("Organisation")), "language": nullable(STRING), "fetched_at": TIMESTAMP,
        "published_date": STATED_DATE, "modified_date": STATED_DATE,
        "tags": array(ref("Tag")), "trl": nullable(ref("TRL")),
        "first_seen_at": TIMESTAMP, "last_changed_at": TIMESTAMP, "gone_at": TIMESTAMP,
        "http_status": nullable(INTEGER), "content_type": nullable(STRING), "content_hash": nullable(STRING),
        "role": nullable(STRING), "role_evidence": nullable(STRING),
        "regulatory": array(obj({"authority": STRING, "status": STRING, "market": nullable(STRING),
                                 "evidence": STRING}, optional=("market",))),
        "europe_entry": array(obj({"signal": STRING, "evidence": STRING})),
        "duplicate_of": nullable(INTEGER), "aliases": array(STRING), "text": nullable(STRING)},
        "Everything known about one page."),
    "Facets": {"type": "object", "description": "for each facet, the values to pass back as filters with their "
                                                "counts; most pages first, except trl and trl_band, in level "
                                                "order. Facets: applications, area, trl, trl_band ("
                                                + ", ".join(f"{band} = TRL {low}-{high}"
                                                            for band, (low, high) in TRL_BANDS.items())
                                                + "), country, market, organisation_type, role, language, "
                                                  "organisation_id, freshness (" + ", ".join(FRESHNESS)
                                                + ": pages changed on or after the last crawl started, or in "
                                                  "the last 7 or 30 days)",
               "additionalProperties": array(obj({"value": STRING, "count": COUNT}))},
    "ResultGroup": obj({"organisation": nullable(ref("Organisation")),
                        "pages": {**COUNT, "description": "how many of its pages match"},
                        "results": array(ref("PageSummary"))}),
    "SearchResults": obj({
        "query": STRING, "total": COUNT, "results": array(ref("PageSummary")), "facets": ref("Facets"),
        "page": INTEGER, "page_size": INTEGER, "pages": {**COUNT, "description": "pages of page_size to ask for"},
        "groups": {**array(ref("ResultGroup")), "description": "with group=organisation only"},
        "total_groups": {**COUNT, "description": "with group=organisation only"},
        "mode": {"type": "string", "enum": list(search_requests.MODES),
                 "description": "how the search was answered (a query without words runs as bm25)"},
        "reading": {**STRING, "description": "the query as Scout read it, in words"},
        "applications_by_area": {"type": "object", "description": "the applications facet by thematic area",
                                 "additionalProperties": array(obj({"value": STRING, "count": COUNT}))}},
        optional=("groups", "total_groups")),
    "CrawlRun": obj({"id": INTEGER, "status": STRING, "started_at": TIMESTAMP, "finished_at": TIMESTAMP,
                     **{name: COUNT for name in ("fetched", "new", "changed", "unchanged", "gone", "failed",
                                                 "robots_blocked")}}),
    "Stats": obj({**{name: COUNT for name in ("organisations", "pages", "duplicate_pages", "processed_pages",
                                               "tagged_pages", "indexed_pages", "indexed_documents")},
                  "index_exists": BOOLEAN, "last_crawl": nullable(ref("CrawlRun"))}),
    "CoverageRow": obj({
        "id": STRING, "name": STRING, "type": nullable(STRING), "market": STRING, "country": STRING,
        "website": nullable(STRING), "in_registry": BOOLEAN,
        "status": {"type": "string", "enum": ["ok", "errors", "never-crawled", "no-website"]},
        "last_crawled": TIMESTAMP, "last_run_id": nullable(INTEGER), "last_run_status": nullable(STRING),
        "pages": COUNT, "new": COUNT, "changed": COUNT, "failed": COUNT, "last_error": nullable(STRING),
        "robots_blocked": COUNT}),
    "Coverage": obj({
        "generated": TIMESTAMP,
        "markets": array(obj({"market": STRING, "countries": array(obj({
            "country": STRING, "organisations": array(ref("CoverageRow"))}))})),
        "totals": {"type": "object", "additionalProperties": COUNT}}),
    "OrganisationSummary": obj({
        "id": STRING, "name": nullable(STRING), "country": nullable(STRING), "type": nullable(STRING),
        "market": STRING, "website": nullable(STRING), "in_registry": BOOLEAN, "pages": COUNT, "status": STRING,
        "last_crawled": TIMESTAMP}),
    "OrganisationProfile": {"allOf": [ref("OrganisationSummary"), obj({
        "first_seen_at": TIMESTAMP, "last_changed_at": TIMESTAMP,
        "applications": array({"allOf": [ref("Tag"), obj({"pages": COUNT, "page_id": INTEGER})]}),
        "trl": nullable({"allOf": [ref("TRL"), obj({"page_id": INTEGER})]}),
        "role": nullable(obj({"role": STRING, "label": STRING, "evidence": nullable(STRING),
                              "page_id": nullable(INTEGER),
                              "split": array(obj({"role": STRING, "label": STRING, "pages": NUMBER,
                                                  "share": NUMBER}))})),
        "regulatory": array(obj({"authority": STRING, "market": nullable(STRING), "status": STRING,
                                 "evidence": STRING, "page_id": INTEGER})),
        "coverage": obj({"new": COUNT, "changed": COUNT, "failed": COUNT, "robots_blocked": COUNT,
                         "last_error": nullable(STRING)}),
        "last_crawl": nullable({**ANY_OBJECT, "properties": {
            "started_at": TIMESTAMP, "finished_at": TIMESTAMP,
            "changes": array(obj({"page_id": INTEGER, "url": STRING, "title": nullable(STRING),
                                  "change": {"type": "string", "enum": ["new", "changed"]}}))}}),
        "crawled_pages": array(obj({"id": INTEGER, "url": STRING, "title": nullable(STRING),
                                    "language": nullable(STRING), "genre": nullable(STRING),
                                    "tags": array(APPLICATION_ID), "trl": nullable(ref("TRL")),
                                    "last_changed_at": TIMESTAMP}))})]},
    "User": obj({"id": INTEGER, "name": STRING,
                 "cluster_id": {**nullable(STRING), "description": "a partner cluster's registry id"},
                 "role": {"type": "string", "enum": list(access.ROLES)}}),
    "Candidate": obj({
        "id": STRING, "name": STRING, "website": nullable(STRING), "country": nullable(STRING),
        "applications": array(APPLICATION_ID),
        "evidence": {**array(obj({"url": STRING, "text": STRING})), "description": "each listing entry naming it"},
        "listed_by": array(ref("Organisation"))},
        "An organisation found on listing pages, waiting for a scout's decision."),
    "SME": obj({
        "id": INTEGER, "name": STRING, "website": nullable(STRING), "country": nullable(STRING),
        "capabilities": STRING,
        "organisation_id": {**nullable(STRING), "description": "its website crawled as an organisation"},
        "applications": array(obj({"application": APPLICATION_ID, "name": STRING, "score": NUMBER,
                                   "evidence": STRING})),
        "role": nullable(obj({"role": STRING, "evidence": nullable(STRING)})), "updated_at": TIMESTAMP},
        "One SME of the signed-in user's cluster, with the capability profile read from its text."),
    "Match": obj({
        "organisation_id": {**STRING, "description": "for an SME: the organisation matched; for a page: its "
                                                     "organisation"},
        "organisation": STRING, "sme_id": INTEGER, "sme": STRING,
        "score": {**NUMBER, "minimum": 0, "maximum": 1},
        "reasons": {**array(STRING), "description": "why, in words"},
        "applications": {**array(APPLICATION_ID), "description": "the shared applications"}},
        "An organisation ranked for an SME (organisation_id, organisation), or an SME ranked for an "
        "organisation or page (sme_id, sme; organisation_id too for a page).",
        optional=("organisation_id", "organisation", "sme_id", "sme")),
    "ShortlistItem": obj({
        "id": INTEGER, "position": INTEGER, "kind": {"type": "string", "enum": ["page", "organisation", "match"]},
        "page_id": nullable(INTEGER), "page_title": nullable(STRING), "page_url": nullable(STRING),
        "organisation_id": nullable(STRING), "organisation": nullable(STRING), "sme_id": nullable(INTEGER),
        "sme_name": nullable(STRING), "application": nullable(STRING), "score": nullable(NUMBER),
        "reasons": nullable(array(STRING)), "status": {"type": "string", "enum": list(SHORTLIST_STATUSES)},
        "note": nullable(STRING), "owner": nullable(STRING), "added_at": TIMESTAMP}),
    "Shortlist": obj({"id": INTEGER, "name": STRING, "created_at": TIMESTAMP,
                      "items": {**array(ref("ShortlistItem")), "description": "in one shortlist's detail"},
                      "item_count": {**COUNT, "description": "in the list of shortlists"}},
                     optional=("items", "item_count")),
}


# -- the routes ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    schema: dict[str, Any]
    where: str = "query"  # or "path"
    repeatable: bool = False

    def spec(self) -> dict[str, Any]:
        schema = array(self.schema) if self.repeatable else self.schema
        spec = {"name": self.name, "in": self.where, "description": self.description, "schema": schema,
                "required": self.where == "path"}
        if self.repeatable:
            spec.update(style="form", explode=True)
        return spec


@dataclass(frozen=True)
class Operation:
    method: str
    path: str  # OpenAPI template: /api/v1/pages/{page_id}
    operation_id: str
    summary: str
    tag: str
    answer: str | None  # the JSON schema component of a 200 answer, or None for a file download
    parameters: tuple[Parameter, ...] = ()
    errors: dict[int, str] = field(default_factory=dict)
    description: str = ""

    def spec(self) -> dict[str, Any]:
        if self.answer:
            success = {"description": "OK", "content": {JSON: {"schema": ref(self.answer)}}}
        else:
            success = {"description": "a file to download (Content-Disposition: attachment)",
                       "content": {CSV: {"schema": {"type": "string"}},
                                   XLSX: {"schema": {"type": "string", "contentMediaType": XLSX}}}}
        responses = {"200": success, "400": _error("a bad parameter: unknown, repeated or out of range"),
                     "401": _error("not signed in")}
        responses.update({str(status): _error(why) for status, why in self.errors.items()})
        spec = {"operationId": self.operation_id, "summary": self.summary, "tags": [self.tag],
                "parameters": [parameter.spec() for parameter in self.parameters], "responses": responses}
        if self.description:
            spec["description"] = self.description
        return spec


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {JSON: {"schema": ref("Error")}}}


def _ids(values) -> dict[str, Any]:
    return {"type": "string", "enum": sorted(values)}


NO_INDEX = {503: "no index yet, or the index lists pages the store does not hold"}
NO_STORE = {503: "no Scout data yet"}
CLUSTER_ONLY = {403: "the signed-in user belongs to no partner cluster"}
EXPORT_FORMAT = Parameter("format", "the file format", {"type": "string", "enum": ["csv", "xlsx"]})

SEARCH_FILTERS = (
    Parameter("q", f"the query in Scout's query language (see /help/search), at most "
                   f"{search_requests.MAX_QUERY_LENGTH} characters; a malformed query is a 400 with code "
                   "invalid_query and a message saying where",
              {"type": "string", "maxLength": search_requests.MAX_QUERY_LENGTH}),
    Parameter("app", "application id", APPLICATION_ID, repeatable=True),
    Parameter("area", "thematic area", _ids(AREAS), repeatable=True),
    Parameter("trl_min", "lowest TRL", {"type": "integer", "minimum": 1, "maximum": 9}),
    Parameter("trl_max", "highest TRL", {"type": "integer", "minimum": 1, "maximum": 9}),
    Parameter("country", "ISO 3166-1 alpha-2 country code", _ids(COUNTRY_CODES), repeatable=True),
    Parameter("market", "registry market", _ids(MARKETS), repeatable=True),
    Parameter("type", "organisation type", _ids(TYPES), repeatable=True),
    Parameter("role", "value-chain role", _ids(role_ids()), repeatable=True),
    Parameter("lang", "ISO 639-1 language code", _ids(LANGUAGE_CODES), repeatable=True),
    Parameter("org", "organisation id", {"type": "string", "pattern": search_requests.ORGANISATION_ID_PATTERN.pattern},
              repeatable=True),
    Parameter("since", "pages new or changed on or after this day (YYYY-MM-DD), or since the last crawl started "
                       "(last-crawl)", {"type": "string", "pattern": r"^([0-9]{4}-[0-9]{2}-[0-9]{2}|last-crawl)$"}),
    Parameter("published_after", "pages stating a publication date on or after this day",
              {"type": "string", "format": "date"}),
    Parameter("sort", "relevance; trl: highest first, unknown last; date: last changed, newest first; "
                      "published: the publication date a page states, newest first, undated last",
              {"type": "string", "enum": list(SORTS), "default": "relevance"}),
    Parameter("group", "organisation: one entry per organisation with its best pages",
              {"type": "string", "enum": list(search_requests.GROUPINGS)}),
    Parameter("mode", "hybrid: keywords fused with meaning; bm25: keywords only; vectors: meaning only",
              {"type": "string", "enum": list(search_requests.MODES), "default": "hybrid"}),
)
PAGING = (
    Parameter("page", "which page of results (organisations when grouped)",
              {"type": "integer", "minimum": 1, "maximum": service.MAX_PAGE, "default": 1}),
    Parameter("limit", "results (organisations when grouped) per page",
              {"type": "integer", "minimum": 1, "maximum": service.MAX_PAGE_SIZE, "default": service.PAGE_SIZE}),
    Parameter("format", "json, accepted for symmetry with the UI's ?format=json", {"type": "string",
                                                                                     "enum": ["json"]}),
)


def _path_id(name: str, what: str, schema: dict[str, Any]) -> Parameter:
    return Parameter(name, what, schema, where="path")


OPERATIONS: tuple[Operation, ...] = (
    Operation("get", "/api/v1/openapi.json", "openapi", "This document", "meta", "OpenAPIDocument",
              description="The OpenAPI 3.1 document of /api/v1."),
    Operation("get", "/api/v1/session", "session", "Who is logged in, and the CSRF token", "meta", "Session",
              description=f"Send csrf_token as the {CSRF_HEADER} header with every POST, PUT, PATCH and DELETE."),
    Operation("get", "/api/v1/search", "search", "Search the index", "index", "SearchResults",
              SEARCH_FILTERS + PAGING, NO_INDEX,
              "Scout's query language, with the filter parameters ANDed in. Full text (BM25F) fused with "
              "passage similarity (mode); facets count the whole result set. A page past "
              "the last result is not an error: results is empty and total and pages say how many there are."),
    Operation("get", "/api/v1/pages/{page_id}", "page", "One page in full", "index", "Page",
              (_path_id("page_id", "the page's id", INTEGER),), {404: "no page has this id"}),
    Operation("get", "/api/v1/stats", "stats", "Counts of the store and the index", "index", "Stats"),
    Operation("get", "/api/v1/coverage", "coverage", "Crawl coverage by market and country", "index", "Coverage"),
    Operation("get", "/api/v1/organisations", "organisations", "Every organisation", "organisations",
              "OrganisationList", (
                  Parameter("market", "registry market", _ids(MARKETS), repeatable=True),
                  Parameter("country", "ISO 3166-1 alpha-2 country code", _ids(COUNTRY_CODES), repeatable=True),
                  Parameter("type", "organisation type", _ids(TYPES), repeatable=True))),
    Operation("get", "/api/v1/organisations/{organisation_id}", "organisation", "One organisation's profile",
              "organisations", "OrganisationProfile",
              (_path_id("organisation_id", "registry id or an ad-hoc site's host name", STRING),),
              {404: "no organisation has this id"}),
    Operation("get", "/api/v1/candidates", "candidates", "Organisations found on listing pages, for review",
              "organisations", "CandidateList", (
                  Parameter("market", "registry market", _ids(MARKETS)),
                  Parameter("app", "application id", APPLICATION_ID))),
    Operation("get", "/api/v1/smes", "smes", "The cluster's SME roster", "clusters", "SMEList",
              errors={**CLUSTER_ONLY, **NO_STORE}),
    Operation("get", "/api/v1/smes/{sme_id}", "sme", "One SME of the cluster's roster", "clusters", "SME",
              (_path_id("sme_id", "the SME's id", INTEGER),),
              {**CLUSTER_ONLY, 404: "no SME of this cluster has this id", **NO_STORE}),
    Operation("get", "/api/v1/matches", "matches", "Matches with reasons", "clusters", "MatchList", (
        Parameter("sme", "an SME id: rank the organisations for it", INTEGER),
        Parameter("org", "an organisation id: rank the cluster's SMEs for it", STRING),
        Parameter("page", "a page id: rank the cluster's SMEs for it", INTEGER)),
        {**CLUSTER_ONLY, 404: "no such SME, organisation or page", **NO_STORE},
        "Give exactly one of sme, org and page."),
    Operation("get", "/api/v1/shortlists", "shortlists", "The cluster's shortlists", "clusters", "ShortlistList",
              errors={**CLUSTER_ONLY, **NO_STORE}),
    Operation("get", "/api/v1/shortlists/{shortlist_id}", "shortlist", "One shortlist with its items", "clusters",
              "Shortlist", (_path_id("shortlist_id", "the shortlist's id", INTEGER),),
              {**CLUSTER_ONLY, 404: "no shortlist of this cluster has this id", **NO_STORE}),
    Operation("get", "/api/v1/shortlists/{shortlist_id}/export", "shortlist_export",
              "A shortlist as CSV or XLSX, one row per item with its provenance", "clusters", None,
              (_path_id("shortlist_id", "the shortlist's id", INTEGER), EXPORT_FORMAT),
              {403: "only cluster staff and admins export",
               404: "no shortlist of this cluster has this id", **NO_STORE}),
    Operation("get", "/api/v1/search/export", "search_export", "Every result of a search as CSV or XLSX",
              "index", None, SEARCH_FILTERS + (EXPORT_FORMAT,), NO_INDEX,
              "Up to 5,000 rows, with the search's filters, each row with its provenance."),
)

# Lists wrap their items in an object, so a field can be added beside them later without breaking clients.
SCHEMAS.update({
    "OpenAPIDocument": obj({"openapi": STRING, "info": ANY_OBJECT, "paths": ANY_OBJECT, "components": ANY_OBJECT}),
    "OrganisationList": obj({"total": COUNT, "organisations": array(ref("OrganisationSummary"))}),
    "SMEList": obj({"smes": array(ref("SME"))}),
    "MatchList": obj({"for": {"type": "string", "enum": ["sme", "organisation", "page"]},
                      "matches": array(ref("Match"))}),
    "ShortlistList": obj({"shortlists": array(ref("Shortlist"))}),
    "CandidateList": obj({"candidates": array(ref("Candidate"))}),
    "Session": obj({"user": nullable(ref("User")), "csrf_token": STRING}),
})


@cache
def document(session_cookie: str) -> dict[str, Any]:
    """The OpenAPI document, for an app whose session cookie has this name (built once; callers must not change
    it)."""
    paths: dict[str, dict[str, Any]] = {}
    for operation in OPERATIONS:
        paths.setdefault(operation.path, {})[operation.method] = operation.spec()
    return {
        "openapi": OPENAPI_VERSION,
        "info": {"title": "Scout API", "version": API_VERSION,
                 "description": "Scout's crawled index of photonics-for-health organisations, and each partner "
                                "cluster's SME roster, matches and shortlists. Sign in with POST /login (form "
                                "fields name, password) and send the session cookie; a cluster's roster, "
                                "matches and shortlists are visible only to its own users. The same JSON "
                                "shapes as `scout ... --json`."},
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "session": {"type": "apiKey", "in": "cookie", "name": session_cookie,
                        "description": "the session cookie that POST /login sets"}}},
        "security": [{"session": []}],
    }
