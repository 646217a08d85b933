"""A cluster's shortlists: pages, organisations and SME matches worth following up, annotated and ordered.

Every function takes the cluster's id; a shortlist or item of another cluster is reported as not found,
exactly like one that does not exist, so ids reveal nothing across clusters.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from search_app import matching
from store import Store
from store.clusters import SHORTLIST_STATUSES

MAX_NAME_LENGTH = 120
MAX_NOTE_LENGTH = 2000
MAX_OWNER_LENGTH = 80


class ShortlistError(ValueError):
    """Bad input (an empty name, an unknown status); the message is shown to the user as is."""


class NotFound(LookupError):
    """No such shortlist, item, page, organisation or SME in this cluster; the message says which."""


# -- shortlists ---------------------------------------------------------------------------------------


def clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ShortlistError("a shortlist needs a name")
    if len(name) > MAX_NAME_LENGTH:
        raise ShortlistError(f"a shortlist name has at most {MAX_NAME_LENGTH} characters")
    return name


def create(store: Store, cluster_id: str, name: str) -> dict[str, Any]:
    name = clean_name(name)
    if store.shortlist_named(cluster_id, name) is not None:
        raise ShortlistError(f"there is already a shortlist named {name!r}")
    return store.shortlist(cluster_id, store.create_shortlist(cluster_id, name))


def named(store: Store, cluster_id: str, name: str, create_missing: bool = False) -> dict[str, Any]:
    """The cluster's shortlist with this name; created when asked to, else NotFound."""
    name = clean_name(name)
    found = store.shortlist_named(cluster_id, name)
    if found is None:
        if not create_missing:
            raise NotFound(f"no shortlist named {name!r}")
        found = store.shortlist(cluster_id, store.create_shortlist(cluster_id, name))
    return found


def all_shortlists(store: Store, cluster_id: str) -> list[dict[str, Any]]:
    return store.shortlists(cluster_id)


def get(store: Store, cluster_id: str, shortlist_id: int) -> dict[str, Any]:
    found = store.shortlist(cluster_id, shortlist_id)
    if found is None:
        raise NotFound(f"there is no shortlist with id {shortlist_id}")
    return found


def detail(store: Store, cluster_id: str, shortlist_id: int) -> dict[str, Any]:
    """The shortlist with its items in order, each with what it points at (organisation name, page title)."""
    shortlist = get(store, cluster_id, shortlist_id)
    items = store.shortlist_items(cluster_id, shortlist_id)
    pages = {page.id: page for page in store.pages([i["page_id"] for i in items if i["page_id"]])}
    organisations = {org_id: store.organisation(org_id) for org_id in {i["organisation_id"] for i in items} if org_id}
    for item in items:
        page = pages.get(item["page_id"])
        organisation = organisations.get(item["organisation_id"])
        item["page_title"] = page.title if page else None
        item["page_url"] = page.url if page else None
        item["organisation"] = (page.organisation if page else None) or (organisation["name"] if organisation else None)
    return {**shortlist, "items": items}


def delete(store: Store, cluster_id: str, shortlist_id: int) -> None:
    if not store.delete_shortlist(cluster_id, shortlist_id):
        raise NotFound(f"there is no shortlist with id {shortlist_id}")


# -- adding -------------------------------------------------------------------------------------------


def add_page(store: Store, cluster_id: str, shortlist_id: int, page_id: int, note: str = "",
             owner: str = "") -> int:
    page = store.page(page_id) if 1 <= page_id < 2**63 else None
    if page is None:
        raise NotFound(f"there is no page with id {page_id}")
    return _add(store, cluster_id, shortlist_id, {"kind": "page", "page_id": page.id,
                                                  "organisation_id": page.organisation_id,
                                                  "note": _note(note), "owner": _owner(owner)})


def add_organisation(store: Store, cluster_id: str, shortlist_id: int, organisation_id: str, note: str = "",
                     owner: str = "") -> int:
    known_organisation(store, organisation_id)
    return _add(store, cluster_id, shortlist_id, {"kind": "organisation", "organisation_id": organisation_id,
                                                  "note": _note(note), "owner": _owner(owner)})


def add_match(store: Store, cluster_id: str, shortlist_id: int, sme_id: int, organisation_id: str, note: str = "",
              owner: str = "", encode=None) -> int:
    """Add an SME ↔ organisation match, scored now; the item keeps its SME, score and reasons as they were."""
    known_organisation(store, organisation_id)
    found = matching.match_pair(store, cluster_id, sme_id, organisation_id, encode)
    if found is None:
        raise NotFound(f"the cluster has no SME with id {sme_id}")
    page_id = found.evidence.page_id if found.evidence else None
    return _add(store, cluster_id, shortlist_id, {
        "kind": "match", "organisation_id": organisation_id, "sme_id": sme_id, "page_id": page_id,
        "application": found.applications[0] if found.applications else None,
        "score": found.score, "reasons": found.reasons, "note": _note(note), "owner": _owner(owner)})


def known_organisation(store: Store, organisation_id: str) -> dict[str, Any]:
    """An organisation the store holds, or one of the registry's (then stored, so it can be listed)."""
    found = store.organisation(organisation_id)
    if found is not None:
        return found
    from scout.registry import load_registry, registry_by_id

    registered = registry_by_id(load_registry()).get(organisation_id)
    if registered is None:
        raise NotFound(f"no organisation has id {organisation_id[:80]!r}")
    store.upsert_organisations([asdict(registered)])
    return store.organisation(organisation_id)


def _add(store: Store, cluster_id: str, shortlist_id: int, item: dict[str, Any]) -> int:
    item_id = store.add_shortlist_item(cluster_id, shortlist_id, item)
    if item_id is None:
        raise NotFound(f"there is no shortlist with id {shortlist_id}")
    return item_id


# -- annotating and ordering ----------------------------------------------------------------------------


def annotate(store: Store, cluster_id: str, shortlist_id: int, item_id: int, status: str | None = None,
             note: str | None = None, owner: str | None = None) -> None:
    changes = {}
    if status is not None:
        if status not in SHORTLIST_STATUSES:
            raise ShortlistError(f"status must be one of {', '.join(SHORTLIST_STATUSES)}, not {status[:40]!r}")
        changes["status"] = status
    if note is not None:
        changes["note"] = _note(note)
    if owner is not None:
        changes["owner"] = _owner(owner)
    if not store.annotate_shortlist_item(cluster_id, shortlist_id, item_id, changes):
        raise NotFound(f"shortlist {shortlist_id} has no item {item_id}")


def move(store: Store, cluster_id: str, shortlist_id: int, item_id: int, direction: str | None = None,
         position: int | None = None) -> None:
    """Move an item one place "up" or "down", or to a 1-based position."""
    items = store.shortlist_items(cluster_id, shortlist_id)
    current = next((index for index, item in enumerate(items, 1) if item["id"] == item_id), None)
    if current is None:
        raise NotFound(f"shortlist {shortlist_id} has no item {item_id}")
    if position is None:
        if direction not in ("up", "down"):
            raise ShortlistError("move an item 'up', 'down' or to a position")
        position = current - 1 if direction == "up" else current + 1
    if position < 1:
        raise ShortlistError("positions start at 1")
    store.move_shortlist_item(cluster_id, shortlist_id, item_id, position)


def remove(store: Store, cluster_id: str, shortlist_id: int, item_id: int) -> None:
    if not store.remove_shortlist_item(cluster_id, shortlist_id, item_id):
        raise NotFound(f"shortlist {shortlist_id} has no item {item_id}")


def _note(note: str | None) -> str:
    note = (note or "").strip()
    if len(note) > MAX_NOTE_LENGTH:
        raise ShortlistError(f"a note has at most {MAX_NOTE_LENGTH} characters")
    return note


def _owner(owner: str | None) -> str:
    owner = " ".join((owner or "").split())
    if len(owner) > MAX_OWNER_LENGTH:
        raise ShortlistError(f"an owner name has at most {MAX_OWNER_LENGTH} characters")
    return owner
