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

from collections.abc import Iterator
from contextlib import contextmanager

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


# The GIN bitmap of a common word holds every match in the table. Past work_mem (4 MB by
# default) it turns lossy: the recheck then computes the words of every row of its pages in
# the range (at 100,000 tickets, "invoice" took 34 ms exact and 780 ms with work_mem at
# 256 kB, docs/issue16/postgres.md). A word in one message in seven at 1,000,000 tickets
# needs about 16 MB; only the search's own statements get more, and only if the server gives less.
_WORK_MEM = 64 * 1024 * 1024
_RAISE_WORK_MEM = (
    "SELECT set_config('work_mem', CASE WHEN pg_size_bytes(current_setting('work_mem')) < ?"
    " THEN ? ELSE current_setting('work_mem') END, false)"
)


@contextmanager
def _bitmap_memory(store: Store) -> Iterator[None]:
    conn = store.conn
    before = conn.execute("SELECT current_setting('work_mem')").fetchone()[0]
    conn.execute(_RAISE_WORK_MEM, [_WORK_MEM, f"{_WORK_MEM // 1024}kB"])
    try:
        yield
    finally:
        conn.execute("SELECT set_config('work_mem', ?, false)", [before])


def newest_subjects(store: Store, words: str, wanted: int) -> list[int]:
    """Ticket ids of the newest `wanted` tickets whose subject matches `words` (search_query)."""
    with _bitmap_memory(store):
        return _newest(store, "tickets", _SUBJECTS, words, wanted)


def newest_bodies(store: Store, words: str, wanted: int) -> list[int]:
    """Ticket ids of the newest `wanted` messages whose body matches `words`, newest first."""
    with _bitmap_memory(store):
        return _newest(store, "messages", _BODIES, words, wanted)
