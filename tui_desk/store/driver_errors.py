"""The one line for an error of the database driver that reached an outer handler.

The store turns what its transactions and reads raise into StoreError; the outer handlers
(cli/entry.py, ui/failures.py) ask here about anything else, so the layers above the store
name neither sqlite3's errors nor psycopg's.
"""

from __future__ import annotations

import sqlite3
import sys

from ..domain.store_location import redact_url
from .db import describe_sqlite_error


def database_error_line(error: BaseException, location: str) -> str | None:
    """What to tell the user about `error` if a database driver raised it, else None.

    `location` is the store's path or URL; it is shown redacted.
    """
    path = redact_url(location)
    if isinstance(error, sqlite3.Error):
        return describe_sqlite_error(error, path)
    psycopg = sys.modules.get("psycopg")  # loaded only when a server's desk was opened
    if psycopg is not None and isinstance(error, psycopg.Error):
        from .pg_db import pg_store_error

        return str(pg_store_error(error, path, location))
    return None
