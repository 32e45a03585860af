"""The newest matches of a search on PostgreSQL, for search_hits.py (which keeps them).

A GIN index hands its matches over in no order: the newest SEARCH_HITS of a common word
("invoice", one message in seven) were found by reading every match's row and sorting them,
a cost that grew with the store (0.1 s at 10,000 tickets, docs/issue16/postgres.md). Here
the matches are asked for among the newest rows first: the word's bitmap from the GIN
index ANDed with a range of the primary key, so only the pages of rows in that range are
read. The range grows eightfold until it holds more than SEARCH_HITS matches or the whole
table, so a rare word costs a few index lookups and a common one a few thousand rows.
"""

from __future__ import annotations

from .db import Store
from .pg_schema import SEARCH_CONFIG

_FIRST_RANGE = 8  # times the matches wanted: rows of the first range asked
_GROWTH = 8

# Inside a materialized CTE without a LIMIT, the planner has no reason to walk the primary
# key backwards computing every row's words (what `ORDER BY id DESC LIMIT` invites): the
# GIN bitmap and the range's bitmap, ANDed.
_SUBJECTS = (
    "WITH hit AS MATERIALIZED (SELECT id, id AS ticket_id FROM tickets"
    f" WHERE search_words(subject) @@ to_tsquery('{SEARCH_CONFIG}', ?) AND id > ?)"
    " SELECT ticket_id FROM hit ORDER BY id DESC LIMIT ?"
)
_BODIES = (
    "WITH hit AS MATERIALIZED (SELECT id, ticket_id FROM messages"
    f" WHERE search_words(body) @@ to_tsquery('{SEARCH_CONFIG}', ?) AND id > ?)"
    " SELECT ticket_id FROM hit ORDER BY id DESC LIMIT ?"
)


def _newest(store: Store, table: str, sql: str, words: str, wanted: int) -> list[int]:
    """The last word is looked up whole first, as search_hits._newest does on SQLite: a short
    prefix ('the':*) matches so many index entries that the planner computes the words of
    every row in the range instead (1 s for 40,000 messages); a word found `wanted` times as
    it stands has newest matches enough."""
    top = int(store.scalar(f"SELECT coalesce(max(id), 0) FROM {table}"))
    whole = words.removesuffix(":*")
    if whole != words:
        rows = _in_ranges(store, sql, whole, wanted, top)
        if len(rows) >= wanted:
            return rows
    return _in_ranges(store, sql, words, wanted, top)


def _in_ranges(store: Store, sql: str, words: str, wanted: int, top: int) -> list[int]:
    span = wanted * _FIRST_RANGE
    while True:
        lower = top - span
        rows = [int(row[0]) for row in store.conn.execute(sql, [words, lower, wanted])]
        if len(rows) >= wanted or lower <= 0:
            return rows
        span *= _GROWTH


def newest_subjects(store: Store, words: str, wanted: int) -> list[int]:
    """Ticket ids of the newest `wanted` tickets whose subject matches `words` (search_query)."""
    return _newest(store, "tickets", _SUBJECTS, words, wanted)


def newest_bodies(store: Store, words: str, wanted: int) -> list[int]:
    """Ticket ids of the newest `wanted` messages whose body matches `words`, newest first."""
    return _newest(store, "messages", _BODIES, words, wanted)
