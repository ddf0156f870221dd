"""Numbered schema steps for ``assistant.sqlite`` (in the style of simonw/llm's ``migrations.py``).

Each step runs once, in order, inside one transaction with the version bump, and
``meta.schema_version`` records how many have run. An index written by a newer version of the
package (a higher number than this list knows) is refused instead of being half-understood; a file
that is not an index of ours at all is refused too. To change the schema, append a function: never
edit or reorder the ones already released (indexes in the wild have run them).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Callable

from .errors import StoreError

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []


def migration(fn: Migration) -> Migration:
    MIGRATIONS.append(fn)
    return fn


@migration
def m001_initial(db: sqlite3.Connection) -> None:
    """The 0.1 schema: ``catalog._SCHEMA``, which ``migrate`` runs on every open (it only creates what
    is missing). Indexes made before this module existed are at version 1 already."""


LATEST = len(MIGRATIONS)
OUR_TABLES = {"meta", "articles", "chunks"}


def damaged(path: Path, exc: Exception) -> StoreError:
    """The one message for a catalog SQLite cannot read: what it is and what to do."""
    return StoreError(
        f"{path} is damaged or not an SQLite database ({exc}); move it away and run "
        "`assistant index --rebuild PATH...` to build the index again (or restore the file from a backup)"
    )


def migrate(db: sqlite3.Connection, path: Path, schema: str) -> int:
    """Bring the catalog to ``LATEST``; return the version it was at. ``schema`` (``CREATE … IF NOT
    EXISTS`` statements) runs first. Raises StoreError for a file that is not our index, comes from a
    newer version or is damaged."""
    try:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
    except sqlite3.DatabaseError as exc:
        raise damaged(path, exc) from None
    version = 0
    if tables:
        if "meta" not in tables or not tables & OUR_TABLES - {"meta"}:
            raise StoreError(f"{path} is an SQLite database but not an assistant index (tables: "
                             f"{', '.join(sorted(tables)[:5])}); point --index-dir (ASSISTANT_INDEX_DIR) "
                             "at another folder")
        row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        try:
            version = int(row[0]) if row else 1
        except ValueError:
            raise StoreError(f"{path} has an unreadable schema version {row[0]!r}; move it away and run "
                             "`assistant index --rebuild PATH...`") from None
        if version > LATEST:
            raise StoreError(f"{path} was written by a newer version of assistant (schema {version}, this one "
                             f"knows up to {LATEST}); upgrade the package, or use another --index-dir")
        columns = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
        if columns and "fingerprint" not in columns:  # an index made by an early 0.1 build
            db.execute("ALTER TABLE articles ADD COLUMN fingerprint TEXT")
    db.executescript(schema)
    for number in range(version, LATEST):
        db.execute("BEGIN IMMEDIATE")
        try:
            MIGRATIONS[number](db)  # db.execute only: executescript would commit the transaction
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)", (str(number + 1),))
            db.execute("COMMIT")
        except BaseException:
            if db.in_transaction:
                db.execute("ROLLBACK")
            raise
    return version
