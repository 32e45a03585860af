"""Undo records of one ticket in one agent action (the action_tickets table).

The status-transition service writes them in the transaction of the change they
describe: what the ticket was before the action and its version after it.
"""

from __future__ import annotations

import json
from typing import Any

from .connection import Connection


def recorded_extra(conn: Connection, action_id: int, ticket_id: int) -> dict[str, Any] | None:
    """What the action already recorded for the ticket besides its state ({} if nothing); None: no record yet."""
    row = conn.execute(
        "SELECT extra FROM action_tickets WHERE action_id = ? AND ticket_id = ?", [action_id, ticket_id]
    ).fetchone()
    if row is None:
        return None
    return json.loads(row[0]) if row[0] else {}


def insert_record(
    conn: Connection,
    action_id: int,
    ticket_id: int,
    version_before: int,
    version_after: int,
    before: dict[str, Any],
    extra: dict[str, Any] | None,
) -> None:
    conn.execute(
        "INSERT INTO action_tickets(action_id, ticket_id, version_before, version_after, before, extra)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        [action_id, ticket_id, version_before, version_after, json.dumps(before), json.dumps(extra) if extra else None],
    )


def update_record(
    conn: Connection, action_id: int, ticket_id: int, version_after: int, extra: dict[str, Any]
) -> None:
    """The ticket touched again by the same action: its version after, and what was moved, added up."""
    conn.execute(
        "UPDATE action_tickets SET version_after = ?, extra = ? WHERE action_id = ? AND ticket_id = ?",
        [version_after, json.dumps(extra) if extra else None, action_id, ticket_id],
    )


def mark_undone(conn: Connection, action_id: int, ticket_id: int, version: int) -> None:
    """The ticket's part of the action was undone, leaving the ticket at ``version``."""
    conn.execute(
        "UPDATE action_tickets SET undone_version = ? WHERE action_id = ? AND ticket_id = ?",
        [version, action_id, ticket_id],
    )


def version_before_undone(conn: Connection, ticket_id: int, version: int) -> int | None:
    """The ticket's version before the change that led to ``version``, if that change counts as never
    made: an action undone (its undo left the ticket at ``version``) or a note undo skipped."""
    row = conn.execute(
        "SELECT version_before FROM action_tickets WHERE ticket_id = ? AND undone_version = ?"
        " UNION ALL SELECT t.version_before FROM action_tickets t JOIN actions a ON a.id = t.action_id"
        " WHERE t.ticket_id = ? AND t.version_after = ? AND a.kind = 'note' AND a.skipped_at IS NOT NULL"
        " LIMIT 1",
        [ticket_id, version, ticket_id, version],
    ).fetchone()
    return None if row is None else int(row[0])


__all__ = ["insert_record", "mark_undone", "recorded_extra", "update_record", "version_before_undone"]
