"""The SLA columns of tickets, read and written in bulk: replaying clocks after a policy change.

Times come back as whole epoch seconds, converted by SQLite: parsing them in
Python costs more than the replay itself.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from typing import Any

from .connection import Connection

# The columns the service keeps a ticket's SLA clock in (core/sla_tracking.py), sla_key last.
SLA_COLUMNS = ("sla_elapsed", "sla_running_since", "sla_first_elapsed", "sla_due", "sla_key")


def _epoch_sql(column: str) -> str:
    """SQL for a stored time as whole epoch seconds (NULL stays NULL); unixepoch() is faster where it exists."""
    if sqlite3.sqlite_version_info >= (3, 38, 0):
        return f"unixepoch({column})"
    return f"CAST(strftime('%s', {column}) AS INTEGER)"


def _chosen(after_id: int | None, ids: Sequence[int] | None, up_to: int | None = None) -> tuple[str, list[Any]]:
    """The tickets chosen: those with an id above ``after_id`` (and at most ``up_to``), or those of ``ids``."""
    if ids is not None:
        return "IN (SELECT value FROM json_each(?))", [json.dumps(list(ids))]
    if up_to is not None:
        return "BETWEEN ? AND ?", [(after_id or 0) + 1, up_to]
    return "> ?", [after_id or 0]


def status_histories(
    conn: Connection,
    kinds: Sequence[str],
    *,
    after_id: int | None = None,
    ids: Sequence[int] | None = None,
    up_to: int | None = None,
) -> Iterator[tuple[int, int, str]]:
    """(ticket id, epoch, status after) of the chosen tickets' events of these kinds, per ticket in order."""
    condition, params = _chosen(after_id, ids, up_to)
    return iter(
        conn.execute(
            f"SELECT ticket_id, {_epoch_sql('at')}, to_value FROM events"
            f" WHERE kind IN ({', '.join('?' for _ in kinds)}) AND to_value IS NOT NULL"
            f" AND ticket_id {condition} ORDER BY ticket_id, id",
            [*kinds, *params],
        )
    )


def status_history(conn: Connection, ticket_id: int, kinds: Sequence[str]) -> list[tuple[int, str]]:
    """(epoch, status after) of one ticket's events of these kinds, in order."""
    return conn.execute(
        f"SELECT {_epoch_sql('at')}, to_value FROM events WHERE ticket_id = ?"
        f" AND kind IN ({', '.join('?' for _ in kinds)}) AND to_value IS NOT NULL ORDER BY id",
        [ticket_id, *kinds],
    ).fetchall()


def department_names(conn: Connection) -> dict[int, str]:
    """Department id -> name."""
    return dict(conn.execute("SELECT id, name FROM departments").fetchall())


def clock_rows(
    conn: Connection, *, after_id: int | None = None, ids: Sequence[int] | None = None, up_to: int | None = None
) -> Iterator[tuple[Any, ...]]:
    """(id, version, department id, priority, first response epoch, *SLA_COLUMNS) of the chosen tickets."""
    condition, params = _chosen(after_id, ids, up_to)
    return iter(
        conn.execute(
            f"SELECT id, version, department_id, priority, {_epoch_sql('first_response_at')},"
            f" {', '.join(SLA_COLUMNS)} FROM tickets WHERE id {condition}",
            params,
        )
    )


def versions_after(conn: Connection, after_id: int, up_to: int | None = None) -> dict[int, int]:
    """Ticket id -> version, of the tickets with an id above ``after_id`` (and at most ``up_to``)."""
    condition, params = _chosen(after_id, None, up_to)
    return dict(conn.execute(f"SELECT id, version FROM tickets WHERE id {condition}", params).fetchall())


def highest_ticket_id(conn: Connection) -> int:
    return int(conn.execute("SELECT coalesce(max(id), 0) FROM tickets").fetchone()[0])


def write_clocks(conn: Connection, rows: Sequence[Sequence[Any]], *, with_key: bool = True) -> None:
    """Rows of SLA_COLUMNS values and the ticket id; without sla_key (unchanged, so its index is not touched)."""
    columns = SLA_COLUMNS if with_key else SLA_COLUMNS[:-1]
    conn.executemany(f"UPDATE tickets SET {', '.join(f'{c} = ?' for c in columns)} WHERE id = ?", rows)


def running_clocks(conn: Connection) -> list[tuple[Any, ...]]:
    """(id, department id, priority, sla_elapsed, running-since epoch, sla_first_elapsed, sla_due) of running clocks."""
    return conn.execute(
        f"SELECT id, department_id, priority, sla_elapsed, {_epoch_sql('sla_running_since')},"
        " sla_first_elapsed, sla_due FROM tickets WHERE sla_running_since IS NOT NULL"
    ).fetchall()


def write_due(conn: Connection, rows: Sequence[Sequence[Any]]) -> None:
    """Rows of (sla_due, sla_key, ticket id)."""
    conn.executemany("UPDATE tickets SET sla_due = ?, sla_key = ? WHERE id = ?", rows)


def fingerprints(conn: Connection) -> dict[str, str]:
    """The stored fingerprints of the policies and hours the clocks were computed with, by name."""
    return dict(
        conn.execute(
            "SELECT key, value FROM meta WHERE key IN ('sla_fingerprint', 'sla_hours_fingerprint')"
        ).fetchall()
    )


def store_fingerprints(conn: Connection, fingerprint: str, hours: str) -> None:
    conn.executemany(
        "INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)",
        [("sla_fingerprint", fingerprint), ("sla_hours_fingerprint", hours)],
    )


__all__ = [
    "SLA_COLUMNS",
    "clock_rows",
    "department_names",
    "fingerprints",
    "highest_ticket_id",
    "running_clocks",
    "status_histories",
    "status_history",
    "store_fingerprints",
    "versions_after",
    "write_clocks",
    "write_due",
]
