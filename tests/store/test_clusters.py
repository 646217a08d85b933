"""The store's per-cluster records: SMEs, shortlists and items, each reachable only from its own cluster."""

import numpy as np

from store import Store


def sme(name="Swept Lasers", website_key="swept.example", **changes):
    return {"name": name, "name_key": name.lower(), "website": f"https://{website_key}/", "website_key": website_key,
            "country": "DE", "capabilities": "lasers", "profile": {"applications": [], "role": None}, **changes}


def test_an_sme_saved_again_by_name_or_website_is_updated(store):
    first, created = store.save_sme("litek", sme())
    again, created_again = store.save_sme("litek", sme(capabilities="better lasers"))
    renamed, created_renamed = store.save_sme("litek", sme(name="Swept Lasers GmbH"))
    assert (created, created_again, created_renamed) == (True, False, False)
    assert first == again == renamed
    assert [entry["name"] for entry in store.smes("litek")] == ["Swept Lasers GmbH"]


def test_smes_belong_to_one_cluster(store):
    sme_id, _ = store.save_sme("litek", sme())
    other_id, created = store.save_sme("opticsvalley", sme())
    assert created and other_id != sme_id
    assert store.sme("litek", sme_id)["cluster_id"] == "litek"
    assert store.sme("opticsvalley", sme_id) is None
    assert [entry["id"] for entry in store.smes("opticsvalley")] == [other_id]


def test_shortlist_items_keep_their_order_and_move(store):
    shortlist_id = store.create_shortlist("litek", "OCT partners")
    items = [store.add_shortlist_item("litek", shortlist_id, {"kind": "organisation", "organisation_id": "acme",
                                                               "note": str(n)}) for n in range(4)]
    assert [i["position"] for i in store.shortlist_items("litek", shortlist_id)] == [1, 2, 3, 4]
    assert store.move_shortlist_item("litek", shortlist_id, items[3], 1)
    assert [i["id"] for i in store.shortlist_items("litek", shortlist_id)] == [items[3], *items[:3]]
    assert store.move_shortlist_item("litek", shortlist_id, items[3], 99)  # clamped to the end
    assert [i["id"] for i in store.shortlist_items("litek", shortlist_id)] == items
    assert store.remove_shortlist_item("litek", shortlist_id, items[1])
    assert [i["position"] for i in store.shortlist_items("litek", shortlist_id)] == [1, 3, 4]


def test_another_cluster_cannot_read_or_change_a_shortlist_by_id(store):
    shortlist_id = store.create_shortlist("litek", "secret")
    item_id = store.add_shortlist_item("litek", shortlist_id, {"kind": "organisation", "organisation_id": "acme"})
    assert store.shortlist("opticsvalley", shortlist_id) is None
    assert store.shortlist_items("opticsvalley", shortlist_id) == []
    assert store.add_shortlist_item("opticsvalley", shortlist_id, {"kind": "organisation"}) is None
    assert not store.annotate_shortlist_item("opticsvalley", shortlist_id, item_id, {"note": "mine"})
    assert not store.move_shortlist_item("opticsvalley", shortlist_id, item_id, 1)
    assert not store.remove_shortlist_item("opticsvalley", shortlist_id, item_id)
    assert not store.delete_shortlist("opticsvalley", shortlist_id)
    assert store.shortlist_items("litek", shortlist_id)[0]["note"] == ""


def test_annotations_are_stored(store):
    shortlist_id = store.create_shortlist("litek", "list")
    item_id = store.add_shortlist_item("litek", shortlist_id, {"kind": "organisation", "organisation_id": "acme"})
    assert store.annotate_shortlist_item("litek", shortlist_id, item_id,
                                         {"status": "contacted", "note": "called", "owner": "ana"})
    item = store.shortlist_items("litek", shortlist_id)[0]
    assert (item["status"], item["note"], item["owner"]) == ("contacted", "called", "ana")


def test_vectors_are_cached_by_text_hash(tmp_path):
    with Store.open(tmp_path / "s.sqlite3") as store:
        store.save_vectors({"abc": np.array([0.5, 0.25], dtype=np.float32)})
    with Store.open(tmp_path / "s.sqlite3") as store:
        cached = store.cached_vectors(["abc", "missing"])
    assert list(cached) == ["abc"] and cached["abc"].tolist() == [0.5, 0.25]
