"""Opening a store: a file (SQLite) or a postgresql:// URL (PostgreSQL), behind one `Store` API."""

from __future__ import annotations

from pathlib import Path

from ..domain.store_location import is_server_url
from .db import DEFAULT_BUSY_TIMEOUT, Store


def open_store(path: str | Path, busy_timeout: float = DEFAULT_BUSY_TIMEOUT, *, create: bool = True) -> Store:
    """Open (and lazily create or migrate) the store, failing early with a clear error.

    ``create=False``: a store that does not exist is a StoreMissing error, and nothing is created.
    """
    if is_server_url(str(path)):
        from .pg_db import PgStore  # psycopg only for a server's desk

        store: Store = PgStore(str(path), busy_timeout=busy_timeout, create=create)
    else:
        store = Store(path, busy_timeout=busy_timeout, create=create)
    store.conn  # noqa: B018 - connect now so a bad file is reported at once
    try:
        store.conn.execute("SELECT count(*) FROM statuses").fetchone()
    except store._db_errors as error:
        raise store._store_error(error) from None
    return store
