"""Status rows: the built-in statuses and the custom ones users define."""

from __future__ import annotations

from ..domain.models import Meaning, StatusDef
from .connection import Connection
from .db import Store


def all_statuses(store: Store) -> list[StatusDef]:
    """Every status, in the order lists show them."""
    rows = store.query("SELECT key, name, meaning, builtin FROM statuses ORDER BY position, key")
    return [StatusDef(r["key"], r["name"], Meaning(r["meaning"]), bool(r["builtin"])) for r in rows]


def status_by_key(conn: Connection, key: str) -> StatusDef | None:
    """One status, read inside the caller's transaction (None: no such row)."""
    row = conn.execute("SELECT key, name, meaning, builtin FROM statuses WHERE key = ?", [key]).fetchone()
    if row is None:
        return None
    return StatusDef(row[0], row[1], Meaning(row[2]), bool(row[3]))


def status_taken(conn: Connection, key: str, name: str) -> bool:
    """Whether a status already has this key, or this name (case-insensitively)."""
    return conn.execute(
        "SELECT 1 FROM statuses WHERE key = ? OR name = ? COLLATE NOCASE", [key, name]
    ).fetchone() is not None


def insert_custom_status(conn: Connection, key: str, name: str, meaning: Meaning) -> None:
    conn.execute(
        "INSERT INTO statuses(key, name, meaning, builtin, position) VALUES (?, ?, ?, 0, 50)",
        [key, name, meaning.value],
    )


__all__ = ["all_statuses", "insert_custom_status", "status_by_key", "status_taken"]
