"""The report summaries (store/report_summary.py) counted in bulk for the rows an import batch inserts.

Per row, the summary's insert triggers cost more than the row itself: a new ticket's row
~38 µs of SQLite CPU with `report_ticket_insert`, ~12 µs without; an event's ~10 µs with
`report_event_insert`, ~4 µs without (docs/issue16/import-speed.md). Inside `counted_later`
the two insert triggers are off; at its end the tickets and status events inserted meanwhile
are counted with one INSERT ... SELECT each, grouped as the triggers would have counted them
one by one: the same rows, the same counts.

That holds as long as every counted row is counted under the state it ends in. The other
summary triggers (a ticket's status moving in or out of spam/deleted/merged, a ticket or an
event deleted, an event given to another ticket) move counts the insert triggers made, so
they must not fire on uncounted rows: while the insert triggers are off, guards refuse such
changes (an error, and the import then stores the batch again one message at a time, with
every trigger in place). An import's changes (new tickets, follow-ups, replies, notes) never
make them. SQLite only; on PostgreSQL nothing changes.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .connection import Connection, dialect
from .report_summary import left_out_flag, moving_event

_OFF = ("report_ticket_insert", "report_event_insert")
_REFUSED = "RAISE(ABORT, 'report summaries counted later: not in this batch')"
_GUARDS = (
    (
        "report_bulk_status",
        "AFTER UPDATE OF status, created_at ON main.tickets"
        f" WHEN OLD.created_at <> NEW.created_at OR {left_out_flag('OLD.status')} <> {left_out_flag('NEW.status')}",
    ),
    ("report_bulk_ticket_delete", "BEFORE DELETE ON main.tickets"),
    ("report_bulk_event_update", "AFTER UPDATE ON main.events"),
    ("report_bulk_event_delete", "AFTER DELETE ON main.events"),
)

_CREATED = (
    "INSERT INTO report_created(hour, left_out, n)"
    f" SELECT substr(t.created_at, 1, 13), {left_out_flag('t.status')}, count(*) FROM tickets t WHERE t.id > ?"
    " GROUP BY 1, 2"
    " ON CONFLICT (hour, left_out) DO UPDATE SET n = report_created.n + excluded.n"
)
_MOVES = (
    "INSERT INTO report_moves(hour, from_value, to_value, left_out, n)"
    f" SELECT substr(e.at, 1, 13), e.from_value, e.to_value, {left_out_flag('t.status')}, count(*)"
    f" FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE e.id > ? AND {moving_event('e')}"
    " GROUP BY 1, 2, 3, 4"
    " ON CONFLICT (hour, from_value, to_value, left_out) DO UPDATE SET n = report_moves.n + excluded.n"
)


@contextmanager
def counted_later(conn: Connection) -> Iterator[None]:
    """Inside the caller's transaction: tickets and events inserted inside are counted in the report
    summaries at the end, not row by row. An exception leaves without counting: the caller rolls the
    transaction back, which brings the triggers back too."""
    if dialect(conn) == "postgresql":
        yield
        return
    found = dict(conn.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN ({', '.join('?' for _ in _OFF)})",
        list(_OFF),
    ).fetchall())
    if set(found) != set(_OFF):  # a store without the summaries: nothing to count
        yield
        return
    last_ticket = conn.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0]
    last_event = conn.execute("SELECT coalesce(max(id), 0) FROM events").fetchone()[0]
    for name in _OFF:
        conn.execute(f"DROP TRIGGER {name}")
    for name, when in _GUARDS:
        conn.execute(f"CREATE TEMP TRIGGER {name} {when} BEGIN SELECT {_REFUSED}; END")
    yield
    for name, _when in _GUARDS:
        conn.execute(f"DROP TRIGGER temp.{name}")
    conn.execute(_CREATED, [last_ticket])
    conn.execute(_MOVES, [last_event])
    for name in _OFF:
        conn.execute(found[name])


__all__ = ["counted_later"]
