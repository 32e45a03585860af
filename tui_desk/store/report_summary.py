"""Summary tables for reports (issue 16, docs/issue16/reports.md), kept by triggers on both backends.

A report's backlog history and its new tickets per day used to scan every ticket
and every status event since the period began (seconds at a million tickets).
These two tables hold the same counts per hour, so a report reads a few
thousand rows instead:

- ``report_created(hour, left_out, n)``: tickets created in that hour
  (``substr(created_at, 1, 13)``), ``left_out`` 1 when the ticket's status now
  means spam, deleted or merged;
- ``report_moves(hour, from_value, to_value, left_out, n)``: status events of
  that hour (kinds STATUS_EVENT_KINDS) that changed the status, by the status
  before and after, ``left_out`` as above.

Statuses are kept as their keys, not as "open" or "closed": what a key means is
read when the report runs, as the full scan does. Status meanings never change
once a status exists, so the ``left_out`` flag is exact; it follows the ticket
(a ticket marked spam moves its events' counts to ``left_out = 1``, restored
back). Every write path (the status-transition service, imports, the demo
fill, merges, undo, purges) changes the tables these triggers watch, in the same
transaction. A merge and its undo give events to another ticket (an update of
``ticket_id``); events are never deleted except with their ticket (a purge),
which takes its counts out first.

Report_queries reads them for periods whose day bounds fall on whole hours (every
time zone but a few); the full scan stays as the reference (and the path for
the rest), and tests/test_report_summary.py checks the two agree.
"""

from __future__ import annotations

# Events whose to_value is the ticket's status after them and from_value the one before.
STATUS_EVENT_KINDS = (
    "created",
    "customer_message",
    "replied",
    "resolved",
    "postponed",
    "woken",
    "reopened",
    "spam",
    "deleted",
    "restored",
    "status",
)
# Meanings left out of every figure: such tickets are not work.
EXCLUDED_MEANINGS = ("spam", "deleted", "merged")

_KINDS = ", ".join(f"'{kind}'" for kind in STATUS_EVENT_KINDS)
_MEANINGS = ", ".join(f"'{meaning}'" for meaning in EXCLUDED_MEANINGS)


def left_out_flag(status: str) -> str:
    """SQL: 1 when the status key `status` means spam, deleted or merged, else 0."""
    return f"(SELECT count(*) FROM statuses s WHERE s.key = {status} AND s.meaning IN ({_MEANINGS}))"


def _moving(alias: str) -> str:
    """SQL: the event `alias` changed a ticket's status (the only ones that move the backlog)."""
    return (
        f"{alias}.kind IN ({_KINDS}) AND {alias}.from_value IS NOT NULL AND {alias}.to_value IS NOT NULL"
        f" AND {alias}.from_value <> {alias}.to_value"
    )


def moving_event(alias: str) -> str:
    """SQL: the event `alias` changed a ticket's status (as the triggers below count them)."""
    return _moving(alias)


TABLES = [
    """CREATE TABLE report_created (
        hour TEXT NOT NULL,
        left_out INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (hour, left_out)
    )""",
    """CREATE TABLE report_moves (
        hour TEXT NOT NULL,
        from_value TEXT NOT NULL,
        to_value TEXT NOT NULL,
        left_out INTEGER NOT NULL,
        n INTEGER NOT NULL,
        PRIMARY KEY (hour, from_value, to_value, left_out)
    )""",
]

# One ticket's status events as summary rows (hour, from, to, n); `{ticket}` names the ticket id.
_TICKET_MOVES = (
    "SELECT substr(e.at, 1, 13) AS hour, e.from_value AS from_value, e.to_value AS to_value, count(*) AS n"
    " FROM events e WHERE e.ticket_id = {ticket} AND " + _moving("e") + " GROUP BY 1, 2, 3"
)


def _add_moves(ticket: str, flag: str, sign: str) -> str:
    """Add (sign '+') or take away (sign '-') one ticket's status events under `flag`."""
    return (
        f"INSERT INTO report_moves(hour, from_value, to_value, left_out, n)"
        f" SELECT m.hour, m.from_value, m.to_value, {flag}, {sign}m.n FROM ({_TICKET_MOVES.format(ticket=ticket)}) AS m"
        " WHERE true"  # SQLite: an upsert's SELECT needs a WHERE before ON CONFLICT
        " ON CONFLICT (hour, from_value, to_value, left_out) DO UPDATE SET n = report_moves.n + excluded.n"
    )


def _add_created(created_at: str, flag: str, sign: str) -> str:
    return (
        f"INSERT INTO report_created(hour, left_out, n) VALUES (substr({created_at}, 1, 13), {flag}, {sign}1)"
        " ON CONFLICT (hour, left_out) DO UPDATE SET n = report_created.n + excluded.n"
    )


def _add_event(event: str, flag: str, sign: str, condition: str = "true") -> str:
    return (
        "INSERT INTO report_moves(hour, from_value, to_value, left_out, n)"
        f" SELECT substr({event}.at, 1, 13), {event}.from_value, {event}.to_value, {flag}, {sign}1"
        f" WHERE {condition}"  # SQLite: an upsert's SELECT needs a WHERE before ON CONFLICT
        " ON CONFLICT (hour, from_value, to_value, left_out) DO UPDATE SET n = report_moves.n + excluded.n"
    )


def _ticket_flag(ticket: str) -> str:
    return f"(SELECT {left_out_flag('t.status')} FROM tickets t WHERE t.id = {ticket})"


# (name, table, event, condition, body statements) of each trigger; NEW/OLD as both backends spell them.
_TRIGGERS = [
    ("report_ticket_insert", "tickets", "AFTER INSERT", None, [_add_created("NEW.created_at", left_out_flag("NEW.status"), "+")]),
    (
        "report_ticket_update",
        "tickets",
        "AFTER UPDATE OF status, created_at",
        f"OLD.created_at <> NEW.created_at OR {left_out_flag('OLD.status')} <> {left_out_flag('NEW.status')}",
        [
            _add_created("OLD.created_at", left_out_flag("OLD.status"), "-"),
            _add_created("NEW.created_at", left_out_flag("NEW.status"), "+"),
        ],
    ),
    (
        "report_ticket_excluded",
        "tickets",
        "AFTER UPDATE OF status",
        f"{left_out_flag('OLD.status')} <> {left_out_flag('NEW.status')}",
        [_add_moves("NEW.id", left_out_flag("OLD.status"), "-"), _add_moves("NEW.id", left_out_flag("NEW.status"), "+")],
    ),
    # Before the row goes: its events are deleted with it (ON DELETE CASCADE), when it is gone.
    (
        "report_ticket_delete",
        "tickets",
        "BEFORE DELETE",
        None,
        [_add_created("OLD.created_at", left_out_flag("OLD.status"), "-"), _add_moves("OLD.id", left_out_flag("OLD.status"), "-")],
    ),
    ("report_event_insert", "events", "AFTER INSERT", _moving("NEW"), [_add_event("NEW", _ticket_flag("NEW.ticket_id"), "+")]),
    (
        "report_event_delete",
        "events",
        "AFTER DELETE",
        f"{_moving('OLD')} AND EXISTS (SELECT 1 FROM tickets t WHERE t.id = OLD.ticket_id)",
        [_add_event("OLD", _ticket_flag("OLD.ticket_id"), "-")],
    ),
    # A merge (and its undo) gives events to another ticket (store/merges.py): out under the
    # old ticket's flag, in under the new one's.
    (
        "report_event_update",
        "events",
        "AFTER UPDATE",
        None,
        [
            _add_event("OLD", _ticket_flag("OLD.ticket_id"), "-", _moving("OLD")),
            _add_event("NEW", _ticket_flag("NEW.ticket_id"), "+", _moving("NEW")),
        ],
    ),
]

# (trigger, table) of each trigger above: what a store of schema 8 did not have.
TRIGGERS_ON = [(name, table) for name, table, *_rest in _TRIGGERS]

BACKFILL = [
    "INSERT INTO report_created(hour, left_out, n)"
    f" SELECT substr(t.created_at, 1, 13), {left_out_flag('t.status')}, count(*) FROM tickets t GROUP BY 1, 2",
    "INSERT INTO report_moves(hour, from_value, to_value, left_out, n)"
    f" SELECT substr(e.at, 1, 13), e.from_value, e.to_value, {left_out_flag('t.status')}, count(*)"
    f" FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE {_moving('e')} GROUP BY 1, 2, 3, 4",
]


Trigger = tuple[str, str, str, str | None, list[str]]
"""(name, table, event, condition or None, body statements) of a trigger on either backend."""


def sqlite_triggers(triggers: list[Trigger]) -> list[str]:
    """CREATE TRIGGER statements (SQLite)."""
    out = []
    for name, table, event, condition, body in triggers:
        when = f" WHEN {condition}" if condition else ""
        statements = "".join(f"{statement};\n" for statement in body)
        out.append(f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW{when} BEGIN\n{statements}END")
    return out


def pg_triggers(triggers: list[Trigger]) -> list[str]:
    """The same for PostgreSQL: a function per trigger (plpgsql), the condition as an IF."""
    out = []
    for name, table, event, condition, body in triggers:
        statements = "\n".join(f"{statement};" for statement in body)
        if condition:
            statements = f"IF {condition} THEN\n{statements}\nEND IF;"
        returned = "OLD" if event.startswith("BEFORE DELETE") else "NULL"
        out.append(
            f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$\nBEGIN\n{statements}\n"
            f"RETURN {returned};\nEND $$"
        )
        out.append(f"CREATE TRIGGER {name} {event} ON {table} FOR EACH ROW EXECUTE FUNCTION {name}()")
    return out


def sqlite_statements() -> list[str]:
    """Tables, triggers and the backfill of the existing tickets and events (SQLite)."""
    return [*TABLES, *sqlite_triggers(_TRIGGERS), *BACKFILL]


def pg_statements() -> list[str]:
    """The same for PostgreSQL."""
    return [*(statement.replace("INTEGER", "bigint") for statement in TABLES), *pg_triggers(_TRIGGERS), *BACKFILL]
