"""Users and failed logins in the store."""

import sqlite3

import pytest


def test_save_user_adds_then_updates_in_place(store):
    assert store.save_user("ada", "litek", "staff", "hash-1") is True
    first = store.user_named("ada")
    assert (first.name, first.cluster_id, first.role, first.password_hash) == ("ada", "litek", "staff", "hash-1")
    assert store.save_user("ada", "biocat", "admin", "hash-2") is False
    updated = store.user_named("ada")
    assert updated.id == first.id and updated.created_at == first.created_at
    assert (updated.cluster_id, updated.role, updated.password_hash) == ("biocat", "admin", "hash-2")
    assert store.user_by_id(first.id) == updated


def test_users_are_listed_by_name_and_unknown_ones_are_none(store):
    store.save_user("zoe", "litek", "scout", "h")
    store.save_user("ada", "litek", "scout", "h")
    assert [user.name for user in store.users()] == ["ada", "zoe"]
    assert store.user_named("nobody") is None and store.user_by_id(999) is None


def test_the_store_refuses_an_unknown_role(store):
    with pytest.raises(sqlite3.IntegrityError):
        store.save_user("ada", "litek", "superuser", "h")


def test_login_failures_are_counted_per_name_and_address_within_the_window(store):
    for at in ("2024-05-01T10:00:00+00:00", "2024-05-01T10:05:00+00:00", "2024-05-01T10:10:00+00:00"):
        store.record_login_failure("ada", "10.0.0.1", at)
    store.record_login_failure("ada", "10.0.0.2", "2024-05-01T10:10:00+00:00")
    store.record_login_failure("bob", "10.0.0.1", "2024-05-01T10:10:00+00:00")
    assert store.login_failure_times("ada", "10.0.0.1", since="2024-05-01T10:05:00+00:00") == [
        "2024-05-01T10:05:00+00:00", "2024-05-01T10:10:00+00:00"]
    store.clear_login_failures("ada", "10.0.0.1", before="2024-05-01T10:05:00+00:00")
    assert len(store.login_failure_times("ada", "10.0.0.1", since="2000-01-01T00:00:00+00:00")) == 2
    store.clear_login_failures("ada", "10.0.0.1")
    assert store.login_failure_times("ada", "10.0.0.1", since="2000-01-01T00:00:00+00:00") == []
    assert len(store.login_failure_times("ada", "10.0.0.2", since="2000-01-01T00:00:00+00:00")) == 1
    assert len(store.login_failure_times("bob", "10.0.0.1", since="2000-01-01T00:00:00+00:00")) == 1
