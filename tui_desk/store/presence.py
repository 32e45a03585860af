"""The presence table: which agent has which ticket open ('viewing') or is replying to it.

One row per agent, app (`session`) and ticket, kept fresh by a heartbeat; a row whose heartbeat is older
than the caller's `fresh_after` no longer counts and is pruned by the next write. The
expiry rule and the domain type are the core's (core/presence.py): these functions take
times as stored text. Writes are short transactions of their own; nothing else waits on
them, and they touch no ticket (the live refresh's change marker does not move).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .db import Store

_COLUMNS = "agent, ticket_id, doing, since, heartbeat_at"


def set_presence(
    store: Store,
    agent: str,
    ticket_id: int,
    doing: str,
    now: str,
    fresh_after: str,
    session: str = "",
    fresh_before: str | None = None,
) -> None:
    """The agent is `doing` on this ticket as of `now`, and on no other ticket in this app (`session`).

    `since` stays when the agent goes on doing the same thing (a heartbeat), and starts
    again at `now` when what they do changes or their row had expired. Expired rows of
    anyone go.
    """
    with store.transaction() as conn:
        _prune(conn, fresh_after, fresh_before)
        conn.execute(
            "DELETE FROM presence WHERE agent = ? AND session = ? AND ticket_id != ?", [agent, session, ticket_id]
        )
        conn.execute(
            "INSERT INTO presence(agent, session, ticket_id, doing, since, heartbeat_at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(agent, session, ticket_id) DO UPDATE SET"
            " since = CASE WHEN presence.doing = excluded.doing THEN presence.since ELSE excluded.since END,"
            " doing = excluded.doing, heartbeat_at = excluded.heartbeat_at",
            [agent, session, ticket_id, doing, now, now],
        )


def clear_presence(store: Store, agent: str, ticket_id: int | None = None, session: str | None = None) -> None:
    """The agent is on no ticket (or no longer on this one), in this app (`session`) or in any."""
    where = "agent = ?"
    params: list[str | int] = [agent]
    if ticket_id is not None:
        where += " AND ticket_id = ?"
        params.append(ticket_id)
    if session is not None:
        where += " AND session = ?"
        params.append(session)
    with store.transaction() as conn:
        conn.execute(f"DELETE FROM presence WHERE {where}", params)


def _prune(conn: Any, fresh_after: str, fresh_before: str | None) -> int:
    if fresh_before is None:
        return int(conn.execute("DELETE FROM presence WHERE heartbeat_at < ?", [fresh_after]).rowcount)
    return int(
        conn.execute(
            "DELETE FROM presence WHERE heartbeat_at < ? OR heartbeat_at > ?", [fresh_after, fresh_before]
        ).rowcount
    )


def prune(store: Store, fresh_after: str, fresh_before: str | None = None) -> int:
    """Remove the rows whose heartbeat is older than `fresh_after` (or later than `fresh_before`:
    a clock far ahead, a broken row); how many went."""
    with store.transaction() as conn:
        return _prune(conn, fresh_after, fresh_before)


def _fresh(fresh_before: str | None) -> tuple[str, list[str]]:
    """The condition a counted row meets beside `heartbeat_at >= fresh_after`, and its parameter."""
    return (" AND heartbeat_at <= ?", [fresh_before]) if fresh_before is not None else ("", [])


def on_ticket(store: Store, ticket_id: int, fresh_after: str, fresh_before: str | None = None) -> list[dict[str, Any]]:
    """Who is on this ticket, longest there first."""
    until, more = _fresh(fresh_before)
    return store.query(
        f"SELECT {_COLUMNS} FROM presence WHERE ticket_id = ? AND heartbeat_at >= ?{until} ORDER BY since, agent",
        [ticket_id, fresh_after, *more],
    )


def on_tickets(
    store: Store, ticket_ids: Sequence[int], fresh_after: str, fresh_before: str | None = None
) -> list[dict[str, Any]]:
    """Who is on any of these tickets (a page of the inbox)."""
    until, more = _fresh(fresh_before)
    rows: list[dict[str, Any]] = []
    ids = list(dict.fromkeys(ticket_ids))
    for start in range(0, len(ids), 500):  # well below SQLite's limit of bound parameters
        chunk = ids[start : start + 500]
        marks = ", ".join("?" * len(chunk))
        rows += store.query(
            f"SELECT {_COLUMNS} FROM presence WHERE ticket_id IN ({marks}) AND heartbeat_at >= ?{until}"
            " ORDER BY ticket_id, since, agent",
            [*chunk, fresh_after, *more],
        )
    return rows


def active(store: Store, fresh_after: str, fresh_before: str | None = None) -> list[dict[str, Any]]:
    """Everyone on a ticket now, by agent."""
    until, more = _fresh(fresh_before)
    return store.query(
        f"SELECT {_COLUMNS} FROM presence WHERE heartbeat_at >= ?{until} ORDER BY agent, ticket_id",
        [fresh_after, *more],
    )
