"""The SQLite connection (WAL mode), its transactions and the versioned migrations."""

from __future__ import annotations

import logging
import sqlite3
from contextlib import contextmanager
from importlib import resources
from pathlib import Path
from typing import Iterator

log = logging.getLogger(__name__)


class StoreError(RuntimeError):
    """The store cannot be opened or migrated."""


class StoreConnection:
    """One connection to the store; the parts of the store (crawl log, pages, ...) share it."""

    def __init__(self, connection: sqlite3.Connection, path: Path):
        self._db = connection
        self.path = path

    @classmethod
    def open(cls, path: Path | str, read_only: bool = False) -> "StoreConnection":
        """Opens (creating and migrating) the store; `read_only` opens an existing one that cannot be written.

        Read-only is for web requests and searches: a bug or an injected statement there cannot change the
        store, and nothing is created or migrated (an older schema is an error naming the fix).
        """
        path = Path(path)
        if read_only:
            return cls._open_read_only(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = sqlite3.connect(path, timeout=30, isolation_level=None)
            connection.row_factory = sqlite3.Row
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA foreign_keys=ON")
            connection.execute("PRAGMA synchronous=NORMAL")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        store = cls(connection, path)
        store.migrate()
        return store

    @classmethod
    def _open_read_only(cls, path: Path) -> "StoreConnection":
        try:
            # mode=ro: SQLite refuses every write on this connection ("attempt to write a readonly database").
            connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=30,
                                         isolation_level=None)
            connection.row_factory = sqlite3.Row
            store = cls(connection, path)
            behind = store.schema_version < latest_schema_version()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the store at {path}: {exc}") from None
        if behind:
            connection.close()
            raise StoreError(f"the store at {path} was made by an older Scout: run `scout index` to migrate it")
        return store

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> "StoreConnection":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    # -- schema -----------------------------------------------------------------

    @property
    def schema_version(self) -> int:
        return self._db.execute("PRAGMA user_version").fetchone()[0]

    def migrate(self) -> None:
        for entry in _migrations():
            version = int(entry.name.split("_", 1)[0])
            if version <= self.schema_version:
                continue
            log.info("migrating store %s to schema version %d", self.path, version)
            with self.transaction() as db:
                for statement in _statements(entry.read_text(encoding="utf-8")):
                    db.execute(statement)
                db.execute(f"PRAGMA user_version = {version}")


def _migrations() -> list:
    return sorted((entry for entry in resources.files("store.migrations").iterdir() if entry.name.endswith(".sql")),
                  key=lambda entry: entry.name)


def latest_schema_version() -> int:
    return max(int(entry.name.split("_", 1)[0]) for entry in _migrations())


def _statements(script: str) -> list[str]:
    """Split a migration script into statements (migrations hold no semicolons inside literals)."""
    lines = [line.split("--", 1)[0] for line in script.splitlines()]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]
