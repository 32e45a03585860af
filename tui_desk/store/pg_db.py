"""A PostgreSQL store (issue 14): `Store`'s API on a server, one connection per thread.

Writers are serialized per desk as SQLite's BEGIN IMMEDIATE does: each write transaction
takes one transaction-scoped advisory lock first, so every read-check-write of the core
(load a ticket, check its version, write it and its event) sees the latest committed state
and two agents never lose an update. Reads never wait for it. A finer lock (per ticket,
``SELECT ... FOR UPDATE``) is the next step when a team's bench shows the wait.

psycopg is imported here only: the SQLite-only install never needs it.
"""

from __future__ import annotations

import select
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from typing import Any
from urllib.parse import parse_qsl, unquote

from ..domain.errors import StoreError, StoreFull, StoreLocked, StoreMissing, StoreReadOnly
from ..domain.store_location import HIDDEN, redact_url
from ..i18n import _
from .connection import Connection, Dialect
from .db import Store, missing_store_message, store_error
from .pg_connection import PgConnection

# pg_advisory_xact_lock key of the desk's write lock ("tui-writ").
_WRITE_LOCK = 0x747569_2D77726974
# Seconds a transaction may wait for its app's next statement. An app cut off in the middle of
# a write (a laptop shut, a network gone without a reset) holds the desk's write lock until its
# server session ends: by this, not by the two hours of the system's TCP keepalive.
IDLE_IN_TRANSACTION = 60.0


class PgStore(Store):
    """A desk in a PostgreSQL database, named by a postgresql:// URL (libpq's own settings apply)."""

    dialect: Dialect = "postgresql"

    def __init__(self, url: str, busy_timeout: float = 5.0, *, create: bool = True) -> None:
        try:
            import psycopg
        except ImportError:
            raise StoreError(
                _("The store {path} is a PostgreSQL database: install tui-desk[postgres] to use it").format(
                    path=redact_url(url)
                )
            ) from None
        self._psycopg = psycopg
        super().__init__("", busy_timeout=busy_timeout, create=create)
        self.path = redact_url(url)  # every message that names the store is safe
        self._url = url
        self._db_errors = (psycopg.Error, sqlite3.Error)

    def _store_error(self, error: Exception) -> StoreError:
        if isinstance(error, sqlite3.Error):
            return store_error(error, self.path)
        return pg_store_error(error, self.path, self._url)

    @property
    def conn(self) -> Connection:
        """This thread's connection; a new one when the server ended the last (a restart, an
        administrator, a network cut) while it was idle, so the next action just works. One
        ended in the middle of a transaction fails that action, with one line naming it."""
        current = getattr(self._local, "conn", None)
        if isinstance(current, PgConnection) and not getattr(self._local, "depth", 0) and not self._usable(current):
            with suppress(Exception):
                current.close()
            self._local.conn = None
        return super().conn

    def _usable(self, conn: PgConnection) -> bool:
        raw = conn.raw
        if raw.closed:
            return False
        if conn.in_transaction:
            return True  # in use: its next statement says what happened
        try:
            # An idle connection has nothing to read, unless the server said goodbye (or a
            # notification came): only then is it worth a round trip to ask.
            readable = select.select([raw.fileno()], [], [], 0)[0]
            if readable:
                raw.execute("SELECT 1")
        except (OSError, ValueError, self._psycopg.Error):
            return False
        return True

    def _connect(self) -> Connection:  # type: ignore[override]
        psycopg = self._psycopg
        try:
            # UTF-8 whatever the database, the role or $PGCLIENTENCODING say: under LATIN1 the
            # desk could not even be made (its saved replies hold “quotes”), nor any ticket in
            # another script be written.
            raw = psycopg.connect(self._url, autocommit=True, client_encoding="UTF8", **self._client_keepalives())
        except psycopg.Error as error:
            reason = _reason(error, self._url)
            raise StoreError(
                _("Cannot reach the PostgreSQL store {path}: {reason}").format(path=self.path, reason=reason)
            ) from None
        try:
            raw.adapters.register_loader("numeric", _numeric_loader(psycopg))
            raw.execute("SET TIME ZONE 'UTC'")
            raw.execute(f"SET lock_timeout = {int(self.busy_timeout * 1000)}")
            raw.execute(f"SET idle_in_transaction_session_timeout = {int(IDLE_IN_TRANSACTION * 1000)}")
            with self._migrate_lock:
                if not self._migrated:
                    from .pg_schema import migrate, schema_version

                    if not self.create and schema_version(raw) == 0:
                        # `list` on the wrong database (a typo, the server's `postgres`) would make a
                        # desk there: refused as a missing file is.
                        raise StoreMissing(missing_store_message(self.path))
                    migrate(raw, self.path)
                    self._migrated = True
        except psycopg.Error as error:
            raw.close()
            raise self._store_error(error) from None
        except BaseException:
            raw.close()
            raise
        return PgConnection(raw)

    def session(self, name: str) -> PgConnection:
        """A connection of its own, not the thread's, for state that lives as long as a session:
        a LISTEN (store/live.py) or a job's advisory lock (store/job_leases.py). The caller
        closes it. `name` is its application_name: who holds what, in pg_stat_activity.
        """
        psycopg = self._psycopg
        raw = None
        try:
            raw = psycopg.connect(
                self._url,
                autocommit=True,
                application_name=name[:63],
                client_encoding="UTF8",
                **self._client_keepalives(),
            )
            # A holder whose host vanishes (no FIN) must not keep its session, and its lock, for
            # the server's two-hour default: the server asks after 30 s idle. No-ops on a socket.
            for setting, value in (("idle", 30), ("interval", 10), ("count", 3)):
                raw.execute(f"SET tcp_keepalives_{setting} = {value}")
            # Idle is what this session is for (waiting for a NOTIFY, holding a job's lock): an
            # administrator's idle_session_timeout must not end it and free the job mid-run.
            raw.execute("SET idle_session_timeout = 0")
        except psycopg.Error as error:
            if raw is not None:
                raw.close()
            reason = _reason(error, self._url)
            raise StoreError(
                _("Cannot reach the PostgreSQL store {path}: {reason}").format(path=self.path, reason=reason)
            ) from None
        return PgConnection(raw)

    def _client_keepalives(self) -> dict[str, str]:
        """libpq's keepalive options, unless the URL sets its own: a connection a firewall or a
        cut network dropped without a word is noticed within about a minute, not after the
        system's TCP defaults (minutes to hours) with a worker thread stuck in it meanwhile.
        No-ops on a Unix socket."""
        given = self._psycopg.conninfo.conninfo_to_dict(self._url)
        return {key: value for key, value in CLIENT_KEEPALIVES.items() if key not in given}

    def _begin(self, conn: Connection) -> None:
        # READ COMMITTED whatever the database's default: the statements after the lock must see
        # what the writer before committed. Under a default of repeatable read or serializable
        # (ALTER DATABASE ... SET default_transaction_isolation) the snapshot was taken by the
        # lock's own statement, before the wait, and two agents on one ticket got "could not
        # serialize access due to concurrent update".
        conn.execute("BEGIN ISOLATION LEVEL READ COMMITTED")
        conn.execute("SELECT pg_advisory_xact_lock(?)", [_WRITE_LOCK])

    def _failed(self, conn: Connection) -> bool:
        # After an error PostgreSQL refuses every statement of the transaction and turns its
        # COMMIT into a rollback without an error: a failed part without a savepoint loses
        # the whole transaction, where SQLite undoes the failed statement alone.
        return isinstance(conn, PgConnection) and conn.failed

    @contextmanager
    def read_snapshot(self) -> Iterator[Connection]:
        conn = self.conn
        try:
            conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        except self._db_errors as error:
            raise self._store_error(error) from None
        try:
            yield conn
        except BaseException as error:
            # What ended the reading is what to report: Ctrl+C inside a fetch leaves the connection
            # in the middle of a query, where ending the snapshot fails ("another command is
            # already in progress") and took the interrupt's place as "Lost the connection".
            self._abandon(conn)
            if isinstance(error, self._db_errors):
                raise self._store_error(error) from None
            raise
        try:
            conn.execute("COMMIT" if conn.in_transaction else "SELECT 1")
        except self._db_errors as error:
            self._abandon(conn)
            raise self._store_error(error) from None

    def _abandon(self, conn: Connection) -> None:
        """Roll back what `conn` is in; a connection that cannot is dropped, the next access opens another."""
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except self._db_errors:
            if isinstance(conn, PgConnection):
                with suppress(Exception):
                    conn.close()
            if getattr(self._local, "conn", None) is conn:
                self._local.conn = None

    @contextmanager
    def large_cache(self) -> Iterator[None]:
        yield  # the server's buffers are its own business

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if isinstance(conn, PgConnection):
            conn.close()
        self._local.conn = None


def _reason(error: Exception, url: str = "") -> str:
    """The driver's first line. libpq quotes a bad part of a connection string back (an
    ill-encoded token may be the password): any password of `url` in it is hidden."""
    text = str(error).strip()
    reason = text.splitlines()[0] if text else type(error).__name__
    for secret in _secrets(url):
        reason = reason.replace(secret, HIDDEN)
    return reason


def _secrets(url: str) -> list[str]:
    found = []
    userinfo = url.partition("://")[2].rpartition("@")[0]
    if ":" in userinfo:
        found.append(userinfo.partition(":")[2])
        found.append(unquote(found[-1]))
    for key, value in parse_qsl(url.partition("?")[2]):
        if key.endswith("password") and value:
            found.append(value)
    return [s for s in found if s]


CLIENT_KEEPALIVES = {
    "keepalives": "1",
    "keepalives_idle": "30",
    "keepalives_interval": "10",
    "keepalives_count": "3",
    "tcp_user_timeout": "60000",  # ms a sent packet may stay unacknowledged
}


def pg_store_error(error: Exception, path: str, url: str = "") -> StoreError:
    """The StoreError to raise for an error of psycopg: its cause named, the store by `path`
    (redacted). Only called with an instance of psycopg.Error, so psycopg is loaded."""
    import psycopg

    errors = psycopg.errors
    reason = _reason(error, url)
    if isinstance(error, errors.DiskFull):
        return StoreFull(_("The disk is full: the store {path} cannot grow; free some space and try again").format(
            path=path
        ))
    if isinstance(error, errors.ReadOnlySqlTransaction | errors.InsufficientPrivilege):
        # A user granted reading only, or a read-only standby: the server's reason says which.
        return StoreReadOnly(_("The store {path} is read-only: {reason}").format(path=path, reason=reason))
    if isinstance(error, errors.LockNotAvailable | errors.DeadlockDetected):
        return StoreLocked(_("The store {path} is locked by another process; try again in a moment").format(path=path))
    if isinstance(error, errors.QueryCanceled):
        # A statement_timeout of the server or the role, or an administrator's pg_cancel_backend:
        # no other process holds anything, so "locked" sent the user waiting for nothing.
        return StoreError(_("The PostgreSQL server stopped the action on {path}: {reason}").format(
            path=path, reason=reason
        ))
    sqlstate = getattr(error, "sqlstate", None) or ""
    if isinstance(error, psycopg.OperationalError) and (not sqlstate or sqlstate[:2] in ("08", "57")):
        # Class 08 (connection exception), 57 (operator intervention), none (the socket is gone).
        return StoreError(
            _("Lost the connection to the PostgreSQL store {path}: {reason}; try again").format(path=path, reason=reason)
        )
    return StoreError(_("Store error in {path}: {reason}").format(path=path, reason=reason))


def _numeric_loader(psycopg: Any) -> type[Any]:  # noqa: ANN401 - the psycopg module
    """numeric as SQLite gives it (a sum of integers, an epoch): an int when whole, else a float."""

    class NumericLoader(psycopg.adapt.Loader):  # type: ignore[misc]
        def load(self, data: Any) -> int | float:  # noqa: ANN401 - bytes or a memoryview
            text = bytes(data).decode()
            try:
                return int(text)
            except ValueError:
                return float(text)

    return NumericLoader
