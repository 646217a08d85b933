import sqlite3
from importlib import resources

import pytest

from store import Store


def test_new_store_is_migrated_to_latest_schema_in_wal_mode(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        assert store.schema_version >= 1
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_are_numbered_once_each_without_gaps_and_a_new_store_reaches_the_last(tmp_path):
    names = sorted(entry.name for entry in resources.files("store.migrations").iterdir() if entry.name.endswith(".sql"))
    versions = [int(name.split("_", 1)[0]) for name in names]
    assert versions == list(range(1, len(versions) + 1)), names
    assert [name for name in names if name.startswith(("0007_", "0008_", "0009_"))] == [
        "0007_accounts.sql", "0008_rosters_shortlists.sql", "0009_candidates_dates.sql"]
    with Store.open(tmp_path / "s.sqlite3") as store:
        assert store.schema_version == versions[-1] == 9
    connection = sqlite3.connect(tmp_path / "s.sqlite3")
    tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"users", "login_failures", "smes", "shortlists", "shortlist_items", "candidates",
            "candidate_listings"} <= tables
    columns = {row[1] for row in connection.execute("PRAGMA table_info(pages)")}
    assert {"published_date", "modified_date"} <= columns


def test_reopening_does_not_reapply_migrations(tmp_path):
    path = tmp_path / "s.sqlite3"
    Store.open(path).close()
    with Store.open(path) as store:  # a second CREATE TABLE would raise
        assert store.schema_version >= 1


def test_transaction_that_raises_keeps_none_of_its_writes(store):
    with pytest.raises(RuntimeError), store.transaction() as db:
        db.execute("UPDATE organisations SET name = 'Renamed' WHERE id = 'acme'")
        raise RuntimeError("fails halfway")
    assert store.organisation("acme")["name"] == "Acme"
    with store.transaction() as db:  # and the connection is usable again
        db.execute("UPDATE organisations SET name = 'Renamed' WHERE id = 'acme'")
    assert store.organisation("acme")["name"] == "Renamed"
