import sqlite3

import pytest

from store import Store


def test_new_store_is_migrated_to_latest_schema_in_wal_mode(tmp_path):
    path = tmp_path / "s.sqlite3"
    with Store.open(path) as store:
        assert store.schema_version >= 1
    connection = sqlite3.connect(path)
    assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


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
