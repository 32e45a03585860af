"""Tag counts for reports per hour, kept by triggers on both backends (docs/issue16/report-durations.md).

A report's top tags counted the tags of every ticket created in the period: a
join of ``ticket_tags`` with ``tickets`` (0.95 s CPU at a million tickets).
``report_tags(hour, tag_id, left_out, n)`` holds the same count per hour of
the ticket's ``created_at`` (``substr(created_at, 1, 13)``) and tag, with
``left_out`` 1 when the ticket's status now means spam, deleted or merged (as
``report_created`` in store/report_summary.py, whose pattern this follows).

Triggers, in the same transaction as the change: a tag given or taken
(``ticket_tags`` insert, delete while the ticket exists, update), a ticket whose
``created_at`` or "left out" changes (its tags move), a ticket deleted (its
tags leave first: their rows go with it by ON DELETE CASCADE, when it is gone).
A tag deleted takes its ``ticket_tags`` rows with it, each counted out.

Read for periods whose bounds fall on whole hours; the join stays as the
reference (``build_report(scan=True)``), tests/test_report_summary.py compares.
"""

from __future__ import annotations

from .report_summary import left_out_flag, pg_triggers, sqlite_triggers

TABLE = """CREATE TABLE report_tags (
    hour TEXT NOT NULL,
    tag_id INTEGER NOT NULL,
    left_out INTEGER NOT NULL,
    n INTEGER NOT NULL,
    PRIMARY KEY (hour, tag_id, left_out)
)"""


def _upsert(select: str) -> str:
    # Every SELECT here has a WHERE: SQLite needs one before an upsert's ON CONFLICT.
    return (
        f"INSERT INTO report_tags(hour, tag_id, left_out, n) {select}"
        " ON CONFLICT (hour, tag_id, left_out) DO UPDATE SET n = report_tags.n + excluded.n"
    )


def _one_tag(row: str, sign: str) -> str:
    """Count the tag row `row` (NEW or OLD of ticket_tags) in or out, under its ticket as it is now."""
    return _upsert(
        f"SELECT substr(t.created_at, 1, 13), {row}.tag_id, {left_out_flag('t.status')}, {sign}1"
        f" FROM tickets t WHERE t.id = {row}.ticket_id"
    )


def _ticket_tags(ticket: str, sign: str) -> str:
    """Count every tag of the ticket row `ticket` (NEW or OLD of tickets) in or out, under that row."""
    return _upsert(
        f"SELECT substr({ticket}.created_at, 1, 13), tt.tag_id, {left_out_flag(f'{ticket}.status')}, {sign}1"
        f" FROM ticket_tags tt WHERE tt.ticket_id = {ticket}.id"
    )


# (name, table, event, condition, body statements); NEW/OLD as both backends spell them.
_TRIGGERS = [
    ("report_tag_insert", "ticket_tags", "AFTER INSERT", None, [_one_tag("NEW", "+")]),
    (
        "report_tag_delete",
        "ticket_tags",
        "AFTER DELETE",
        "EXISTS (SELECT 1 FROM tickets t WHERE t.id = OLD.ticket_id)",
        [_one_tag("OLD", "-")],
    ),
    ("report_tag_update", "ticket_tags", "AFTER UPDATE", None, [_one_tag("OLD", "-"), _one_tag("NEW", "+")]),
    (
        "report_tag_ticket_update",
        "tickets",
        "AFTER UPDATE OF status, created_at",
        # The status compared first: most updates keep it, and then no status is looked up.
        f"OLD.created_at <> NEW.created_at"
        f" OR (OLD.status <> NEW.status AND {left_out_flag('OLD.status')} <> {left_out_flag('NEW.status')})",
        [_ticket_tags("OLD", "-"), _ticket_tags("NEW", "+")],
    ),
    ("report_tag_ticket_delete", "tickets", "BEFORE DELETE", None, [_ticket_tags("OLD", "-")]),
]

TRIGGERS_ON = [(name, table) for name, table, *_rest in _TRIGGERS]

BACKFILL = (
    "INSERT INTO report_tags(hour, tag_id, left_out, n)"
    f" SELECT substr(t.created_at, 1, 13), tt.tag_id, {left_out_flag('t.status')}, count(*)"
    " FROM ticket_tags tt JOIN tickets t ON t.id = tt.ticket_id GROUP BY 1, 2, 3"
)

# The first replies and resolutions of a period, read in the order of their time with every
# column a report needs (core/report_durations.py): an index-only range scan instead of a
# scan of every ticket. Partial: a ticket without a reply or resolution has no entry to keep.
INDEXES = [
    "CREATE INDEX tickets_report_first ON tickets(first_response_at, created_at, status, assignee_id,"
    " department_id, priority) WHERE first_response_at IS NOT NULL",
    "CREATE INDEX tickets_report_resolved ON tickets(resolved_at, created_at, status, assignee_id,"
    " department_id, priority) WHERE resolved_at IS NOT NULL",
]


def sqlite_statements() -> list[str]:
    """Table, triggers, backfill and indexes (SQLite)."""
    return [TABLE, *sqlite_triggers(_TRIGGERS), BACKFILL, *INDEXES]


def pg_statements() -> list[str]:
    """The same for PostgreSQL (store/report_summary.py `pg_triggers`)."""
    return [TABLE.replace("INTEGER", "bigint"), *pg_triggers(_TRIGGERS), BACKFILL, *INDEXES]
