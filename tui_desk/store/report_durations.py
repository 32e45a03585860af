"""Reads for a report's first replies, resolutions and top tags without a scan of every ticket.

The medians and 90th percentiles need every value (core/report_durations.py);
what is cheap is how they come: an index-only range scan of the period
(``tickets_report_first`` / ``tickets_report_resolved``, store/report_tag_summary.py)
and the seconds of one day joined into one text in SQL, so a day is one row
into Python instead of one tuple per ticket (at a million tickets, 0.3 s
instead of 1.2 s for 660,000 values). The seconds are the expression of
report_queries.first_responses / resolutions (the reference), negative ones
clamped to 0 as the report does.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .connection import dialect
from .db import Store
from .report_queries import GROUP_COLUMNS, Keys

FIRST = "first_response_at"
RESOLVED = "resolved_at"
INDEX = {FIRST: "tickets_report_first", RESOLVED: "tickets_report_resolved"}  # report_tag_summary.INDEXES
# Between the group keys of one text: no key holds it (ids, priority names).
_SEPARATOR = "\x1f"


class KeysOutOfStep(ValueError):
    """A group key held the separator (never written by the app: a hand-edited store)."""


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join("?" for _ in values) or "NULL"


def seconds(
    store: Store, column: str, start: str, end: str, keys: Keys, by: str | None
) -> tuple[list[int], list[Any] | None]:
    """Wall-clock seconds from the request to `column` (FIRST or RESOLVED) of the tickets whose
    `column` is in [start, end), once per ticket, and with `by` the group of each (aligned;
    with ``by="tag"`` a tag id, a tuple of them for a ticket with several, or None).

    As report_queries.first_responses (not spam or deleted) and resolutions (still
    resolved): the same tickets, the same seconds.
    """
    if column not in (FIRST, RESOLVED):
        raise ValueError(column)
    statuses = keys.excluded if column == FIRST else keys.done
    negate = "NOT " if column == FIRST else ""
    value = f"CAST(round((julianday(t.{column}) - julianday(t.created_at)) * 86400) AS INTEGER)"
    postgresql = dialect(store.conn) == "postgresql"
    if by == "tag":  # a ticket's tags as one text: the ticket stays one value
        tags = "string_agg(CAST(tt.tag_id AS text), ';')" if postgresql else "group_concat(tt.tag_id, ';')"
        key = f"(SELECT {tags} FROM ticket_tags tt WHERE tt.ticket_id = t.id)"
    elif by is not None:
        key = GROUP_COLUMNS[by]
    if postgresql:
        values_sql = f"string_agg(CAST(greatest(0, {value}) AS text), ',')"
        keys_sql = f"string_agg(coalesce(CAST({key} AS text), ''), chr(31))" if by else "NULL"
        index = ""
    else:
        values_sql = f"group_concat(max(0, {value}), ',')"
        keys_sql = f"group_concat(coalesce({key}, ''), char(31))" if by else "NULL"
        # Without it SQLite takes an index on the status for resolutions: a lookup of every
        # resolved ticket for each day (25 s at a million tickets).
        index = f"INDEXED BY {INDEX[column]}"
    sql = f"""SELECT count(*), {values_sql}, {keys_sql} FROM tickets t {index}
              WHERE t.{column} >= ? AND t.{column} < ? AND t.status {negate}IN ({_placeholders(statuses)})"""
    try:
        count, joined, joined_keys = store.conn.execute(sql, [start, end, *statuses]).fetchone()
    except store._db_errors as error:  # either backend's driver
        raise store._store_error(error) from None
    if not count:
        return [], [] if by else None
    values = list(map(int, joined.split(",")))
    if not by:
        return values, None
    texts = joined_keys.split(_SEPARATOR)
    # Few distinct keys: each text parsed once.
    parsed = {text: _key(text, by) for text in set(texts)}
    groups: list[Any] = list(map(parsed.__getitem__, texts))
    if len(groups) != len(values):  # a key holding the separator: never written by the app
        raise KeysOutOfStep(f"report groups out of step: {len(groups)} keys, {len(values)} values")
    return values, groups


def _key(text: str, by: str) -> Any:
    """A group key as the reference gives it: None for none, ids as int, several tags a tuple."""
    if by == "priority":  # never NULL: an empty text is a priority of its own, as the reference has it
        return text
    if not text:
        return None
    if ";" in text:
        return tuple(map(int, text.split(";")))
    return int(text)


def tags_per_hour(store: Store, start: str, end: str) -> list[tuple[int, int]]:
    """report_queries.tag_counts for a period whose bounds fall on whole hours, from the
    per-hour counts (store/report_tag_summary.py)."""
    try:
        rows = store.conn.execute(
            """SELECT tag_id, sum(n) FROM report_tags WHERE hour >= ? AND hour < ? AND left_out = 0
               GROUP BY tag_id HAVING sum(n) > 0""",
            [start[:13], end[:13]],
        ).fetchall()
    except store._db_errors as error:  # either backend's driver
        raise store._store_error(error) from None
    return [(int(tag_id), int(count)) for tag_id, count in rows]
