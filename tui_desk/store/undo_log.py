"""The undo log: agent actions (``actions``) and what each did to each ticket (``action_tickets``).

Writes take the connection of the caller's transaction, so a ticket's record is
written with the change it records (core/actions.py, core/lifecycle.py). The
rules (what may be undone, when) are the core's; see docs/lifecycle.md.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from .db import Store


@dataclass(frozen=True)
class RecordedTicket:
    """One ticket's part of an action: its fields before it, its version before and right after."""

    ticket_id: int
    version_before: int
    version_after: int
    before: dict[str, Any]
    extra: dict[str, Any] | None


@dataclass(frozen=True)
class RecordedAction:
    id: int
    actor: str
    at: str
    kind: str
    tickets: tuple[RecordedTicket, ...]


# -- actions ------------------------------------------------------------------------------------
def insert_action(conn: sqlite3.Connection, actor: str, at: str, kind: str) -> int:
    cursor = conn.execute("INSERT INTO actions(actor, at, kind) VALUES (?, ?, ?)", [actor, at, kind])
    return int(cursor.lastrowid or 0)


def prune_actions(conn: sqlite3.Connection, actor: str, keep: int) -> None:
    """Drop the agent's actions older than its ``keep`` latest (their ticket records go with them)."""
    conn.execute(
        "DELETE FROM actions WHERE actor = ? AND id < (SELECT id FROM actions WHERE actor = ?"
        " ORDER BY id DESC LIMIT 1 OFFSET ?)",
        [actor, actor, keep],
    )


def delete_action(conn: sqlite3.Connection, action_id: int) -> None:
    conn.execute("DELETE FROM actions WHERE id = ?", [action_id])


def mark_skipped(conn: sqlite3.Connection, action_id: int, at: str) -> None:
    conn.execute("UPDATE actions SET skipped_at = ? WHERE id = ? AND skipped_at IS NULL", [at, action_id])


def mark_undone(conn: sqlite3.Connection, action_id: int, at: str) -> None:
    conn.execute("UPDATE actions SET undone_at = ? WHERE id = ? AND undone_at IS NULL", [at, action_id])


def last_open_action(store: Store, actor: str) -> RecordedAction | None:
    """The actor's latest action neither undone nor skipped, with its tickets not yet put back."""
    conn = store.conn
    row = conn.execute(
        # An undo cut short (the process died between tickets) leaves the action open with
        # the tickets not yet put back: those are what is left to undo.
        "SELECT id, actor, at, kind FROM actions a WHERE actor = ? AND undone_at IS NULL AND skipped_at IS NULL"
        " AND EXISTS (SELECT 1 FROM action_tickets t WHERE t.action_id = a.id AND t.undone_version IS NULL)"
        " ORDER BY id DESC LIMIT 1",
        [actor],
    ).fetchone()
    if row is None:
        return None
    tickets = tuple(
        RecordedTicket(ticket_id, before_version, after_version, json.loads(before), json.loads(extra) if extra else None)
        for ticket_id, before_version, after_version, before, extra in conn.execute(
            "SELECT ticket_id, version_before, version_after, before, extra FROM action_tickets"
            " WHERE action_id = ? AND undone_version IS NULL ORDER BY ticket_id",
            [row[0]],
        )
    )
    return RecordedAction(row[0], row[1], row[2], row[3], tickets)


# -- action_tickets -----------------------------------------------------------------------------
def recorded_extra(conn: sqlite3.Connection, action_id: int, ticket_id: int) -> tuple[bool, dict[str, Any] | None]:
    """Whether the action already recorded the ticket, and the extra it recorded then."""
    row = conn.execute(
        "SELECT extra FROM action_tickets WHERE action_id = ? AND ticket_id = ?", [action_id, ticket_id]
    ).fetchone()
    if row is None:
        return False, None
    return True, json.loads(row[0]) if row[0] else None


def insert_ticket_record(
    conn: sqlite3.Connection,
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


def update_ticket_record(
    conn: sqlite3.Connection, action_id: int, ticket_id: int, version_after: int, extra: dict[str, Any] | None
) -> None:
    conn.execute(
        "UPDATE action_tickets SET version_after = ?, extra = ? WHERE action_id = ? AND ticket_id = ?",
        [version_after, json.dumps(extra) if extra else None, action_id, ticket_id],
    )


def mark_ticket_undone(conn: sqlite3.Connection, action_id: int, ticket_id: int, version: int) -> None:
    """The ticket's part of the action is taken back; ``version`` is the ticket's version after the undo."""
    conn.execute(
        "UPDATE action_tickets SET undone_version = ? WHERE action_id = ? AND ticket_id = ?",
        [version, action_id, ticket_id],
    )


def version_before_undone(conn: sqlite3.Connection, ticket_id: int, version: int) -> int | None:
    """The version an undo (or a skipped note) at ``version`` stands for: the one before the action.

    None when ``version`` came from no undo and no skipped note. An undone action, or
    a note of the agent's that undo skipped, counts as never having happened.
    """
    row = conn.execute(
        "SELECT version_before FROM action_tickets WHERE ticket_id = ? AND undone_version = ?"
        " UNION ALL SELECT t.version_before FROM action_tickets t JOIN actions a ON a.id = t.action_id"
        " WHERE t.ticket_id = ? AND t.version_after = ? AND a.kind = 'note' AND a.skipped_at IS NOT NULL"
        " LIMIT 1",
        [ticket_id, version, ticket_id, version],
    ).fetchone()
    return None if row is None else int(row[0])


__all__ = [
    "RecordedAction",
    "RecordedTicket",
    "delete_action",
    "insert_action",
    "insert_ticket_record",
    "last_open_action",
    "mark_skipped",
    "mark_undone",
    "mark_ticket_undone",
    "prune_actions",
    "recorded_extra",
    "update_ticket_record",
    "version_before_undone",
]
