"""The SQLite store: connection, schema and migrations, reads and writes."""

from .db import Store, open_store

__all__ = ["Store", "open_store"]
