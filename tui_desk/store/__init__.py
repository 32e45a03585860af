"""The store: every SQL statement of tui-desk is in this package, behind plain functions.

These functions are the repository interface a second backend (PostgreSQL, issue 14)
implements; the SQLite implementation is the code here. The core calls them and never
writes SQL itself. By what they do:

- transactions: ``Store.transaction()`` (one write transaction: a change and its events
  commit together; nested ones are savepoints) and ``Store.read_snapshot()``. Functions
  that take a connection run inside the caller's transaction.
- reads: queries.py (inbox pages, one ticket, its thread and timeline, counts),
  report_queries.py, tickets.py (a ticket as a change sees it), statuses.py.
- writes: writes.py (ticket, message, event, attachment and outbox rows), tickets.py
  (tags, customers, purging), statuses.py, action_tickets.py (undo records),
  sla_clocks.py (SLA columns in bulk).
- search: the inbox filter's ``search`` and ``queries.fts_query`` (the full-text indexes);
  the tickets of the newest matches (search_hits.py; pg_search_hits.py on PostgreSQL). Counts that stop at a cap:
  ``queries.inbox_total`` and ``queries.status_counts_upto``.
- background jobs: job_leases.py (one process at a time fetches mail, sends, runs the time rules).

Schema and migrations are in schema.py; opening the file and naming its errors in db.py.
"""

from .connection import Connection
from .db import Store
from .opening import open_store

# Connection: what a transaction hands to the store's functions (sqlite3's, or the
# PostgreSQL adapter of pg_connection.py). Above the store it is only passed on, never
# used to run SQL.

__all__ = ["Connection", "Store", "open_store"]
