"""Opening the SQLite file: pragmas, migrations, transactions, clear errors."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..core.errors import StoreError
from ..i18n import _
from .schema import MIGRATIONS, SCHEMA_VERSION

if TYPE_CHECKING:
    import sqlite_utils


def _default_busy_timeout() -> float:
    """Seconds to wait for another process's write lock ($TUI_DESK_BUSY_TIMEOUT, default 5)."""
    try:
        return max(0.0, float(os.environ.get("TUI_DESK_BUSY_TIMEOUT", "5")))
    except ValueError:
        return 5.0


DEFAULT_BUSY_TIMEOUT = _default_busy_timeout()


def describe_sqlite_error(error: sqlite3.Error, path: str) -> str:
    """One line a user can act on, for any error SQLite raises."""
    text = str(error)
    lowered = text.lower()
    if "locked" in lowered or "busy" in lowered:
        return _("The store {path} is locked by another process; try again in a moment").format(
            path=path
        )
    if "not a database" in lowered or "malformed" in lowered or "corrupt" in lowered:
        return _("The store {path} is not a valid tui-desk database (damaged or another kind of file)").format(
            path=path
        )
    if "unable to open" in lowered or "readonly" in lowered or "disk i/o" in lowered:
        return _("Cannot open the store {path}: {reason}").format(path=path, reason=text)
    return _("Store error in {path}: {reason}").format(path=path, reason=text)


class Store:
    """One SQLite file. Each thread gets its own connection (Textual workers run in threads)."""

    def __init__(self, path: str | Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> None:
        self.path = str(path)
        self.busy_timeout = busy_timeout
        self._local = threading.local()
        self._migrated = False
        self._migrate_lock = threading.Lock()

    # -- connections ---------------------------------------------------------------
    @property
    def conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection as a sqlite-utils Database (imported only when asked for:
        sqlite-utils pulls in numpy when present, a third of a second at start-up)."""
        import sqlite_utils

        database = getattr(self._local, "db", None)
        if database is None or database.conn is not self.conn:
            database = self._local.db = sqlite_utils.Database(self.conn)
        return database

    def _connect(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            parent = Path(self.path).expanduser().parent
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(
                    _("Cannot create the folder for the store {path}: {reason}").format(
                        path=self.path, reason=error.strerror or error
                    )
                ) from None
            if Path(self.path).is_dir():
                raise StoreError(
                    _("The store {path} is a folder, not a database file").format(path=self.path)
                )
        try:
            conn = sqlite3.connect(
                self.path,
                timeout=self.busy_timeout,
                isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
                check_same_thread=False,
            )
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA synchronous = NORMAL")
            with self._migrate_lock:
                if not self._migrated:
                    self._migrate(conn)
                    self._migrated = True
        except sqlite3.Error as error:
            raise StoreError(describe_sqlite_error(error, self.path)) from None
        return conn

    def _migrate(self, conn: sqlite3.Connection) -> None:
        current = conn.execute("PRAGMA user_version").fetchone()[0]
        if current == SCHEMA_VERSION:
            return
        if current > SCHEMA_VERSION:
            raise StoreError(
                _("The store {path} was written by a newer tui-desk (schema {found}, this one knows {known})").format(
                    path=self.path, found=current, known=SCHEMA_VERSION
                )
            )
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process may have migrated while we waited for the lock.
            current = conn.execute("PRAGMA user_version").fetchone()[0]
            if current == 0 and conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            ).fetchone()[0]:
                # Another program's database: adding our tables to it would damage it.
                raise StoreError(
                    _("The store {path} is a database of another program, not a tui-desk store").format(
                        path=self.path
                    )
                )
            import sqlite_utils

            database = sqlite_utils.Database(conn)
            for version in range(current, SCHEMA_VERSION):
                MIGRATIONS[version](database)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        if self.path != ":memory:":
            # WAL lets agents read while another writes; it must be set outside a transaction.
            conn.execute("PRAGMA journal_mode = WAL")

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
            self._local.db = None

    # -- transactions and reads ----------------------------------------------------
    @contextmanager
    def transaction(self, *, savepoints: bool = True) -> Iterator[sqlite3.Connection]:
        """A write transaction that takes the write lock at once.

        BEGIN IMMEDIATE means every read inside sees the latest committed state
        and no other process can write until we commit: a read-check-write
        sequence cannot lose another agent's update.

        Inside another transaction of this thread it is a savepoint: its
        changes are undone alone if it fails, and committed with the outer
        one (so a batch of changes pays for one commit, not one each).

        ``savepoints=False`` (for an outer transaction) makes the nested ones
        plain parts of it, for a batch of thousands of changes (the mail
        import): a savepoint and its release cost about as much as a row
        written. A nested change that fails is then not undone alone: after
        one that wrote something, the caller must give up the whole transaction.
        """
        conn = self.conn
        depth = getattr(self._local, "depth", 0)
        if depth:
            if getattr(self._local, "flat", False):
                yield from self._flat(conn)
            else:
                yield from self._savepoint(conn, depth)
            return
        try:
            conn.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as error:
            raise StoreError(describe_sqlite_error(error, self.path)) from None
        self._local.depth = 1
        self._local.flat = not savepoints
        try:
            yield conn
        except sqlite3.Error as error:
            conn.execute("ROLLBACK")
            raise StoreError(describe_sqlite_error(error, self.path)) from None
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        finally:
            self._local.depth = 0
            self._local.flat = False
        try:
            conn.execute("COMMIT")
        except sqlite3.Error as error:
            conn.execute("ROLLBACK")
            raise StoreError(describe_sqlite_error(error, self.path)) from None

    def _flat(self, conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        try:
            yield conn
        except sqlite3.Error as error:
            raise StoreError(describe_sqlite_error(error, self.path)) from None

    def _savepoint(self, conn: sqlite3.Connection, depth: int) -> Iterator[sqlite3.Connection]:
        name = f"nested_{depth}"
        conn.execute(f"SAVEPOINT {name}")
        self._local.depth = depth + 1
        try:
            yield conn
        except BaseException as error:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
            if isinstance(error, sqlite3.Error):
                raise StoreError(describe_sqlite_error(error, self.path)) from None
            raise
        finally:
            self._local.depth = depth
        conn.execute(f"RELEASE {name}")

    def query(self, sql: str, params: list | tuple | dict = ()) -> list[dict]:
        try:
            cursor = self.conn.execute(sql, params)
            columns = [c[0] for c in cursor.description or ()]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        except sqlite3.Error as error:
            raise StoreError(describe_sqlite_error(error, self.path)) from None

    def query_one(self, sql: str, params: list | tuple | dict = ()) -> dict | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: list | tuple | dict = ()):  # noqa: ANN201
        try:
            row = self.conn.execute(sql, params).fetchone()
        except sqlite3.Error as error:
            raise StoreError(describe_sqlite_error(error, self.path)) from None
        return row[0] if row else None

    def data_version(self) -> int:
        """Changes when any other connection commits: a cheap "did anything change?" probe."""
        return self.scalar("PRAGMA data_version")


def open_store(path: str | Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT) -> Store:
    """Open (and lazily create or migrate) the store, failing early with a clear error."""
    store = Store(path, busy_timeout=busy_timeout)
    store.conn  # noqa: B018 - connect now so a bad file is reported at once
    try:
        store.conn.execute("SELECT count(*) FROM statuses").fetchone()
    except sqlite3.Error as error:
        raise StoreError(describe_sqlite_error(error, store.path)) from None
    return store
