"""The tickets a search finds: those of the newest matches of each full-text index.

A common word matches most of a big store ("the": 900,000 of 1,000,000 tickets), and
sorting every hit into inbox order costs seconds. The inbox shows the tickets of the
newest SEARCH_HITS matches of the subjects and of the messages, in inbox order, and says
when there were more (the app shows "1,234+"). FTS5 reads its matches newest first
without collecting them all, so the cost stays the same whatever the size of the store.

The hits are read once per state of the store and kept for the next page: a change
(a new event, message, ticket or purge) gives a new marker and so a new read.
"""

from __future__ import annotations

import json
import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass

from . import pg_search_hits
from .db import Store

SEARCH_HITS = 5_000
_KEPT = 8  # searches remembered per store


@dataclass(frozen=True)
class Hits:
    ids: str  # JSON array of ticket ids, for json_each
    more: bool  # an index had more matches than SEARCH_HITS


_cache: weakref.WeakKeyDictionary[Store, OrderedDict[tuple[str, int, tuple[int, ...]], Hits]] = (
    weakref.WeakKeyDictionary()
)
_lock = threading.Lock()


def _marker(store: Store) -> tuple[int, ...]:
    row = store.conn.execute(
        "SELECT (SELECT max(id) FROM events), (SELECT count(*) FROM purged),"
        " (SELECT max(id) FROM messages), (SELECT max(id) FROM tickets)"
    ).fetchone()
    return tuple(int(value or 0) for value in row)


def _newest(store: Store, query: str, sql: str) -> list[int]:
    """The first SEARCH_HITS + 1 rows of `sql` for `query`, its last word taken whole first.

    FTS5 finds a prefix ("the"*) by merging the matches of every word it begins ("the",
    "them", "there"...): for a common prefix that reads most of the index, whatever the
    LIMIT. A word found more than SEARCH_HITS times as it stands has newest matches enough;
    only a rarer one is looked up as a prefix too.
    """
    whole = query.removesuffix("*")
    if whole != query:
        rows = [row[0] for row in store.conn.execute(sql, [whole, SEARCH_HITS + 1])]
        if len(rows) > SEARCH_HITS:
            return rows
    return [row[0] for row in store.conn.execute(sql, [query, SEARCH_HITS + 1])]


def search_hits(store: Store, query: str) -> Hits:
    """The ticket ids of the newest SEARCH_HITS matches of `query` in each index: an FTS5 query
    on SQLite, a tsquery (pg_schema.search_query) on PostgreSQL (pg_search_hits.py)."""
    try:
        key = (query, SEARCH_HITS, _marker(store))
        with _lock:
            kept = _cache.setdefault(store, OrderedDict())
            found = kept.get(key)
            if found is not None:
                kept.move_to_end(key)
                return found
        if store.dialect == "postgresql":
            subjects = pg_search_hits.newest_subjects(store, query, SEARCH_HITS + 1)
            bodies = pg_search_hits.newest_bodies(store, query, SEARCH_HITS + 1)
        else:
            subjects = _newest(store, query, "SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ? ORDER BY rowid DESC LIMIT ?")
            bodies = _newest(
                store,
                query,
                "SELECT m.ticket_id FROM (SELECT rowid AS id FROM messages_fts WHERE messages_fts MATCH ?"
                " ORDER BY rowid DESC LIMIT ?) AS hit JOIN messages m ON m.id = hit.id ORDER BY hit.id DESC",
            )
    except store._db_errors as error:
        raise store._store_error(error) from None
    more = len(subjects) > SEARCH_HITS or len(bodies) > SEARCH_HITS
    ids = sorted(set(subjects[:SEARCH_HITS]) | set(bodies[:SEARCH_HITS]))
    found = Hits(json.dumps(ids), more)
    with _lock:
        kept = _cache.setdefault(store, OrderedDict())
        kept[key] = found
        while len(kept) > _KEPT:
            kept.popitem(last=False)
    return found
