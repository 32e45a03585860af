"""The undo log: agent actions (``actions``) and what each did to each ticket (``action_tickets``).

Writes take the connection of the caller's transaction, so a ticket's record is
written with the change it records (core/actions.py, core/lifecycle.py). The
rules (what may be undone, when) are the core's; see docs/lifecycle.md.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from .connection import Connection
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
def insert_action(conn: Connection, actor: str, at: str, kind: str) -> int:
    cursor = conn.execute("INSERT INTO actions(actor, at, kind) VALUES (?, ?, ?)", [actor, at, kind])
    return int(cursor.lastrowid or 0)


def prune_actions(conn: Connection, actor: str, keep: int) -> None:
    """Drop the agent's actions older than its ``keep`` latest (their ticket records go with them)."""
    conn.execute(
        "DELETE FROM actions WHERE actor = ? AND id < (SELECT id FROM actions WHERE actor = ?"
        " ORDER BY id DESC LIMIT 1 OFFSET ?)",
        [actor, actor, keep],
    )


def delete_action(conn: Connection, action_id: int) -> None:
    conn.execute("DELETE FROM actions WHERE id = ?", [action_id])


def mark_skipped(conn: Connection, action_id: int, at: str) -> None:
    conn.execute("UPDATE actions SET skipped_at = ? WHERE id = ? AND skipped_at IS NULL", [at, action_id])


def mark_undone(conn: Connection, action_id: int, at: str) -> None:
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


__all__ = [
    "RecordedAction",
    "RecordedTicket",
    "delete_action",
    "insert_action",
    "last_open_action",
    "mark_skipped",
    "mark_undone",
    "prune_actions",
]
