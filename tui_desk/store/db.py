"""Opening the SQLite file: pragmas, migrations, transactions, clear errors."""

from __future__ import annotations

import math
import os
import sqlite3
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any
from urllib.parse import quote

from ..domain.errors import (
    StoreDamaged,
    StoreError,
    StoreFull,
    StoreLocked,
    StoreMissing,
    StoreReadOnly,
)
from ..domain.private_files import create_private_file, make_private_folders
from ..domain.store_location import is_server_url, redact_url
from ..i18n import _
from .connection import Connection, Dialect, dialect
from .schema import MIGRATIONS, SCHEMA_VERSION

# Parameters of a statement: by position or by name.
Params = Sequence[Any] | Mapping[str, Any]

# An hour: SQLite takes the timeout in milliseconds as a C int, and inf cannot be one.
MAX_BUSY_TIMEOUT = 3600.0


def _default_busy_timeout() -> float:
    """Seconds to wait for another process's write lock ($TUI_DESK_BUSY_TIMEOUT, default 5)."""
    try:
        seconds = float(os.environ.get("TUI_DESK_BUSY_TIMEOUT", "5"))
    except ValueError:
        return 5.0
    if math.isnan(seconds):
        return 5.0
    return min(max(0.0, seconds), MAX_BUSY_TIMEOUT)


DEFAULT_BUSY_TIMEOUT = _default_busy_timeout()


# SQLite's primary result codes (the low byte of an extended code) that a user can act on.
_SQLITE_BUSY, _SQLITE_LOCKED, _SQLITE_READONLY, _SQLITE_IOERR = 5, 6, 8, 10
_SQLITE_CORRUPT, _SQLITE_FULL, _SQLITE_CANTOPEN, _SQLITE_NOTADB = 11, 13, 14, 26


def _cause(error: sqlite3.Error) -> str:
    """full / damaged / readonly / locked / io / cantopen / other, from the code or else the text."""
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        primary = code & 0xFF
        for cause, codes in (
            ("full", (_SQLITE_FULL,)),
            ("damaged", (_SQLITE_CORRUPT, _SQLITE_NOTADB)),
            ("readonly", (_SQLITE_READONLY,)),
            ("locked", (_SQLITE_BUSY, _SQLITE_LOCKED)),
            ("io", (_SQLITE_IOERR,)),
            ("cantopen", (_SQLITE_CANTOPEN,)),
        ):
            if primary in codes:
                return cause
    lowered = str(error).lower()
    for cause, words in (
        ("full", ("disk is full",)),
        ("damaged", ("not a database", "malformed", "corrupt")),
        ("readonly", ("readonly", "read-only")),
        ("locked", ("locked", "busy")),
        ("io", ("disk i/o",)),
        ("cantopen", ("unable to open",)),
    ):
        if any(word in lowered for word in words):
            return cause
    return "other"


def _cause_of_place(path: str) -> str | None:
    """"full" or "readonly" when the store's file system is so, else None.

    SQLite reports a -shm or -wal file it cannot make or grow (full disk, read-only
    mount) as a plain I/O or open error, which hides the cause.
    """
    folder = Path(path).expanduser().absolute().parent
    try:
        stats = os.statvfs(folder)
    except (OSError, ValueError):
        return None
    if getattr(stats, "f_flag", 0) & getattr(os, "ST_RDONLY", 0):
        return "readonly"
    if stats.f_bavail * stats.f_frsize < 64 * 1024:
        return "full"
    return None


def _cause_at(error: sqlite3.Error, path: str) -> str:
    cause = _cause(error)
    if cause in ("io", "cantopen") and path != ":memory:":
        return _cause_of_place(path) or cause
    return cause


def describe_sqlite_error(error: sqlite3.Error, path: str) -> str:
    """One line a user can act on, for any error SQLite raises."""
    text = str(error)
    cause = _cause_at(error, path)
    if cause == "locked":
        return _("The store {path} is locked by another process; try again in a moment").format(
            path=path
        )
    if cause == "damaged":
        return _("The store {path} is not a valid tui-desk database (damaged or another kind of file)").format(
            path=path
        )
    if cause == "full":
        return _("The disk is full: the store {path} cannot grow; free some space and try again").format(path=path)
    if cause == "readonly":
        return _("The store {path} is read-only: check the permissions of the file and its folder").format(path=path)
    if cause in ("cantopen", "io"):
        return _("Cannot open the store {path}: {reason}").format(path=path, reason=text)
    return _("Store error in {path}: {reason}").format(path=path, reason=text)


_ERROR_CLASSES: dict[str, type[StoreError]] = {
    "full": StoreFull,
    "damaged": StoreDamaged,
    "readonly": StoreReadOnly,
    "locked": StoreLocked,
}


def store_error(error: sqlite3.Error, path: str) -> StoreError:
    """The StoreError (a subclass naming the cause) to raise for an error of SQLite."""
    return _ERROR_CLASSES.get(_cause_at(error, path), StoreError)(describe_sqlite_error(error, path))


def missing_store_message(path: str | Path) -> str:
    return _("No store at {path}; create one with `tui-desk new`, `import`, `fetch` or `demo`").format(path=path)


class Store:
    """One SQLite file. Each thread gets its own connection (Textual workers run in threads).

    The PostgreSQL store (pg_db.PgStore) is a subclass: it connects differently and names
    its own errors (``_db_errors``, ``_store_error``, ``_begin``), and shares the rest.
    """

    dialect: Dialect = "sqlite"
    # The driver's errors that `transaction()` and the reads turn into a StoreError.
    _db_errors: tuple[type[Exception], ...] = (sqlite3.Error,)

    def _store_error(self, error: Exception) -> StoreError:
        assert isinstance(error, sqlite3.Error)
        return store_error(error, self.path)

    def _begin(self, conn: Connection) -> None:
        conn.execute("BEGIN IMMEDIATE")

    def __init__(
        self, path: str | Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, *, create: bool = True
    ) -> None:
        if is_server_url(str(path)):
            # This class is the SQLite store; open_store gives a PgStore for a URL. Refused in one
            # line, with the password hidden, and no file named like the URL.
            raise StoreError(
                _("A PostgreSQL store is opened by open_store, not by the SQLite store: {url}").format(
                    url=redact_url(str(path))
                )
            )
        self.path = str(path)
        self.busy_timeout = busy_timeout
        # False for commands that only read: a mistyped path must not leave folders and an empty store.
        self.create = create
        self._local = threading.local()
        self._migrated = False
        self._migrate_lock = threading.Lock()

    # -- connections ---------------------------------------------------------------
    @property
    def conn(self) -> Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = self._connect()
            self._local.conn = conn
        return conn

    def _connect(self) -> sqlite3.Connection:
        target = self.path
        uri = False
        if self.path != ":memory:":
            file = Path(self.path).expanduser()
            if file.is_dir():
                raise StoreError(
                    _("The store {path} is a folder, not a database file").format(path=self.path)
                )
            if file.exists() and not file.is_file():
                # A pipe or a device (/dev/null): SQLite would only say "disk I/O error".
                raise StoreError(_("The store {path} is not a regular file (a device or a pipe)").format(path=self.path))
            if self.create:
                self._create_private(file)
            else:
                if not file.exists():
                    raise StoreMissing(missing_store_message(self.path))
                # mode=rw: even if the file vanishes meanwhile, SQLite must not create one.
                target, uri = f"file:{quote(str(file.absolute()))}?mode=rw", True
        try:
            conn = sqlite3.connect(
                target,
                timeout=self.busy_timeout,
                isolation_level=None,  # we issue BEGIN IMMEDIATE / COMMIT ourselves
                check_same_thread=False,
                uri=uri,
            )
            conn.execute("PRAGMA foreign_keys = ON")
            conn.execute(f"PRAGMA busy_timeout = {int(self.busy_timeout * 1000)}")
            conn.execute("PRAGMA synchronous = NORMAL")
            with self._migrate_lock:
                if not self._migrated:
                    self._migrate(conn)
                    self._migrated = True
        except sqlite3.Error as error:
            raise store_error(error, self.path) from None
        return conn

    def _create_private(self, file: Path) -> None:
        """A new store is private: its folder 0700 (when we make it), the file 0600.

        SQLite gives the -wal, -shm and -journal files the mode of the database file.
        """
        try:
            make_private_folders(file.parent)
        except OSError as error:
            raise StoreError(
                _("Cannot create the folder for the store {path}: {reason}").format(
                    path=self.path, reason=error.strerror or error
                )
            ) from None
        with suppress(OSError):  # a folder we may not write to: SQLite says so when it opens the file
            create_private_file(file)

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
            self._rollback(conn)
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

    # -- transactions and reads ----------------------------------------------------
    @contextmanager
    def transaction(self, *, savepoints: bool = True) -> Iterator[Connection]:
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
        one that wrote something, the caller must give up the whole transaction,
        and so after any failure when `transaction_lost` says so (PostgreSQL ends
        the transaction at the first error; its COMMIT would roll back unsaid).
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
            self._begin(conn)
        except self._db_errors as error:
            raise self._store_error(error) from None
        self._local.depth = 1
        self._local.flat = not savepoints
        self._local.lost = None
        try:
            yield conn
        except self._db_errors as error:
            self._rollback(conn)
            raise self._store_error(error) from None
        except BaseException:
            self._rollback(conn)
            raise
        finally:
            self._local.depth = 0
            self._local.flat = False
            lost, self._local.lost = self._local.lost, None
        if lost is None and self._failed(conn):  # an error the caller caught: COMMIT would roll back unsaid
            lost = StoreError(_("Store error in {path}: {reason}").format(
                path=self.path, reason="the transaction failed and was rolled back"
            ))
        if lost is not None:
            # A nested part failed so badly that SQLite undid the whole transaction; the
            # caller went on (a bulk action reports each ticket), but nothing may be committed
            # as if the part that failed had been written.
            self._rollback(conn)
            raise lost
        try:
            conn.execute("COMMIT")
        except self._db_errors as error:
            self._rollback(conn)
            raise self._store_error(error) from None

    def _rollback(self, conn: Connection) -> None:
        """Undo the open transaction, if SQLite has not done so already.

        After SQLITE_FULL, IOERR or CORRUPT SQLite may have rolled the whole
        transaction back itself; a ROLLBACK then fails with "no transaction is
        active", which must never take the place of the error that matters.
        """
        if conn.in_transaction:
            with suppress(*self._db_errors):
                conn.execute("ROLLBACK")

    def _lost(self, conn: Connection, error: StoreError) -> StoreError:
        """Note a failure inside a nested part that ended the whole transaction; returns the error."""
        if (not conn.in_transaction or self._failed(conn)) and getattr(self._local, "lost", None) is None:
            self._local.lost = error
        return error

    def _failed(self, conn: Connection) -> bool:
        """Whether the open transaction can only be rolled back (SQLite ends it instead)."""
        return False

    @property
    def transaction_lost(self) -> bool:
        """Whether a nested part of this thread's transaction failed so that none of it can be
        committed: the caller must give the whole transaction up (and may do it again)."""
        return getattr(self._local, "lost", None) is not None

    def _flat(self, conn: Connection) -> Iterator[Connection]:
        if getattr(self._local, "lost", None) is not None:
            raise self._local.lost
        try:
            yield conn
        except self._db_errors as error:
            raise self._lost(conn, self._store_error(error)) from None

    def _savepoint(self, conn: Connection, depth: int) -> Iterator[Connection]:
        lost = getattr(self._local, "lost", None)
        if lost is not None or not conn.in_transaction:
            # Without a transaction SAVEPOINT would start a new one, committed by RELEASE on its own.
            raise lost or StoreError(_("Store error in {path}: {reason}").format(
                path=self.path, reason="no transaction is active"
            ))
        name = f"nested_{depth}"
        conn.execute(f"SAVEPOINT {name}")
        self._local.depth = depth + 1
        try:
            yield conn
        except BaseException as error:
            if conn.in_transaction:
                with suppress(*self._db_errors):
                    conn.execute(f"ROLLBACK TO {name}")
                    conn.execute(f"RELEASE {name}")
            if isinstance(error, self._db_errors):
                raise self._lost(conn, self._store_error(error)) from None
            if isinstance(error, StoreError):
                raise self._lost(conn, error) from None
            raise
        finally:
            self._local.depth = depth
        conn.execute(f"RELEASE {name}")

    def query(self, sql: str, params: Params = ()) -> list[dict[str, Any]]:
        try:
            cursor = self.conn.execute(sql, params)
            columns = [c[0] for c in cursor.description or ()]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        except self._db_errors as error:
            raise self._store_error(error) from None

    def query_one(self, sql: str, params: Params = ()) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Params = ()) -> Any:  # noqa: ANN401 - whatever the column holds
        try:
            row = self.conn.execute(sql, params).fetchone()
        except self._db_errors as error:
            raise self._store_error(error) from None
        return row[0] if row else None

    @contextmanager
    def read_snapshot(self) -> Iterator[Connection]:
        """A read transaction: what is read inside is the store as of one moment, while others write."""
        conn = self.conn
        try:
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                conn.execute("COMMIT")
        except self._db_errors as error:
            raise self._store_error(error) from None

    @contextmanager
    def large_cache(self) -> Iterator[None]:
        """A bigger page cache for this thread's connection meanwhile (a pass over every ticket)."""
        conn = self.conn
        cache_size = conn.execute("PRAGMA cache_size").fetchone()[0]
        # The default 2 MB makes a pass that reads every row and writes many re-read pages.
        conn.execute("PRAGMA cache_size = -131072")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA cache_size = {int(cache_size)}")


def data_version(conn: Connection) -> int:
    """Changes when any other connection commits: a cheap "did anyone else write?" probe.

    On PostgreSQL the newest event's id: every change writes its event in its transaction.
    """
    if dialect(conn) == "postgresql":
        return int(conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0])
    return int(conn.execute("PRAGMA data_version").fetchone()[0])
