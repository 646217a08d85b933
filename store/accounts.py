"""Users (name, partner cluster, role, password hash) and the failed logins that rate-limit them.

Hashing and checking passwords is not done here (see search_app/access.py): the store only keeps hashes.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from store.connection import StoreConnection
from store.records import utc_now


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    cluster_id: str
    role: str
    password_hash: str
    created_at: str
    updated_at: str


class AccountRecords(StoreConnection):
    def save_user(self, name: str, cluster_id: str, role: str, password_hash: str) -> bool:
        """Adds the user, or updates the cluster, role and password of the one so named; True when added."""
        now = utc_now()
        with self.transaction() as db:
            existed = db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone() is not None
            db.execute(
                """INSERT INTO users (name, cluster_id, role, password_hash, created_at, updated_at)
                   VALUES (?, ?, ?, ?, ?, ?)
                   ON CONFLICT(name) DO UPDATE SET cluster_id=excluded.cluster_id, role=excluded.role,
                     password_hash=excluded.password_hash, updated_at=excluded.updated_at""",
                (name, cluster_id, role, password_hash, now, now),
            )
        return not existed

    def user_named(self, name: str) -> UserRecord | None:
        row = self._db.execute("SELECT * FROM users WHERE name = ?", (name,)).fetchone()
        return _user(row) if row else None

    def user_by_id(self, user_id: int) -> UserRecord | None:
        row = self._db.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return _user(row) if row else None

    def users(self) -> list[UserRecord]:
        return [_user(row) for row in self._db.execute("SELECT * FROM users ORDER BY name")]

    # -- failed logins ------------------------------------------------------------------------------

    def record_login_failure(self, name: str, address: str, at: str) -> None:
        with self.transaction() as db:
            db.execute("INSERT INTO login_failures (name, address, failed_at) VALUES (?, ?, ?)", (name, address, at))

    def login_failure_times(self, name: str, address: str, since: str) -> list[str]:
        """When this name failed to log in from this address at or after `since`, oldest first (utc_now's form)."""
        rows = self._db.execute(
            "SELECT failed_at FROM login_failures WHERE name = ? AND address = ? AND failed_at >= ? ORDER BY failed_at",
            (name, address, since),
        )
        return [row[0] for row in rows]

    def clear_login_failures(self, name: str, address: str, before: str | None = None) -> None:
        """Forgets this key's failures (all of them, or those older than `before`: outside the window)."""
        with self.transaction() as db:
            if before is None:
                db.execute("DELETE FROM login_failures WHERE name = ? AND address = ?", (name, address))
            else:
                db.execute("DELETE FROM login_failures WHERE name = ? AND address = ? AND failed_at < ?",
                           (name, address, before))


def _user(row: sqlite3.Row) -> UserRecord:
    return UserRecord(row["id"], row["name"], row["cluster_id"], row["role"], row["password_hash"],
                      row["created_at"], row["updated_at"])
