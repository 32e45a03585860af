"""What routing (core/routing.py) reads and keeps: a ticket's routable facts, agents marked away,
each department's round-robin turn, and how many attention tickets each agent holds.

Every function takes the caller's connection: routing runs inside the transaction that creates
(or routes) the ticket, so the turn is read and advanced under the store's write lock
(``BEGIN IMMEDIATE`` on SQLite, the desk lock on PostgreSQL) and two processes cannot both take it.
Names are compared by ``casefold()`` keys computed above, not by the database's collation (SQLite's
NOCASE folds ASCII only).
"""

from __future__ import annotations

from typing import Any

from .connection import Connection

ATTENTION_BUCKET = 0  # writes._BUCKETS: the tickets that need an answer now


def ticket_facts(conn: Connection, ticket_id: int, body_chars: int) -> dict[str, Any] | None:
    """subject, sender (the customer's address), mailbox (the identity it came in through), the first
    ``body_chars`` characters of its first customer message, and its department, priority, assignee."""
    row = conn.execute(
        "SELECT t.subject, c.email, t.mailbox, d.name, t.priority, a.name, t.bucket FROM tickets t"
        " JOIN customers c ON c.id = t.customer_id"
        " LEFT JOIN departments d ON d.id = t.department_id"
        " LEFT JOIN agents a ON a.id = t.assignee_id WHERE t.id = ?",
        [ticket_id],
    ).fetchone()
    if row is None:
        return None
    body = conn.execute(
        "SELECT substr(body, 1, ?) FROM messages WHERE ticket_id = ? AND kind = 'customer' ORDER BY id LIMIT 1",
        [body_chars, ticket_id],
    ).fetchone()
    return {
        "subject": row[0] or "", "sender": row[1] or "", "mailbox": row[2] or "",
        "department": row[3], "priority": row[4], "assignee": row[5], "bucket": row[6],
        "body": (body[0] or "") if body else "",
    }


def away_agents(conn: Connection) -> list[tuple[str, str]]:
    """(name, since) of every agent marked away, by name."""
    rows = conn.execute("SELECT agent, since FROM agents_away ORDER BY agent_key").fetchall()
    return [(str(r[0]), str(r[1])) for r in rows]


def set_away(conn: Connection, key: str, name: str, since: str) -> bool:
    """Mark an agent away; False if they already were (their first `since` is kept)."""
    if conn.execute("SELECT 1 FROM agents_away WHERE agent_key = ?", [key]).fetchone():
        return False
    conn.execute("INSERT INTO agents_away (agent_key, agent, since) VALUES (?, ?, ?)", [key, name, since])
    return True


def set_back(conn: Connection, key: str) -> bool:
    """Clear an agent's away mark; False if they were not away."""
    return conn.execute("DELETE FROM agents_away WHERE agent_key = ?", [key]).rowcount == 1


def last_turn(conn: Connection, department_key: str) -> str | None:
    """The key of the agent the department's round-robin gave the last ticket to."""
    row = conn.execute("SELECT agent_key FROM routing_turns WHERE department_key = ?", [department_key]).fetchone()
    return None if row is None else str(row[0])


def set_turn(conn: Connection, department_key: str, agent_key: str, at: str) -> None:
    conn.execute(
        "INSERT INTO routing_turns (department_key, agent_key, at) VALUES (?, ?, ?)"
        " ON CONFLICT (department_key) DO UPDATE SET agent_key = excluded.agent_key, at = excluded.at",
        [department_key, agent_key, at],
    )


def attention_counts(conn: Connection, names: list[str]) -> dict[str, int]:
    """How many tickets needing attention each of these agents holds, by casefolded name (absent: none).

    Folded here, not by the database's lower(): SQLite's folds ASCII only, so "Ärni" would hold nothing."""
    wanted = {n.casefold() for n in names}
    if not wanted:
        return {}
    # The agents table is small (one row per person); the counts use tickets_assignee_inbox, for
    # these agents only.
    ids: dict[int, str] = {}
    for agent_id, name in conn.execute("SELECT id, name FROM agents").fetchall():
        if str(name).casefold() in wanted:
            ids[int(agent_id)] = str(name).casefold()
    if not ids:
        return {}
    marks = ", ".join("?" for _id in ids)
    rows = conn.execute(
        f"SELECT assignee_id, count(*) FROM tickets WHERE bucket = ? AND assignee_id IN ({marks}) GROUP BY assignee_id",
        [ATTENTION_BUCKET, *ids],
    ).fetchall()
    counts: dict[str, int] = {}
    for agent_id, count in rows:
        key = ids[int(agent_id)]
        counts[key] = counts.get(key, 0) + int(count)
    return counts


# Migration SQL, shared by schema.py (SQLite 9) and pg_schema.py (PostgreSQL 5): text columns only.
ROUTING_TABLES = [
    # Agents marked away (`tui-desk agent away NAME`): routing skips them. In the store, not the
    # config, so every agent of a team desk sees it at once.
    "CREATE TABLE agents_away (agent_key TEXT PRIMARY KEY, agent TEXT NOT NULL, since TEXT NOT NULL)",
    # Each department's round-robin turn: the agent who got its last ticket.
    "CREATE TABLE routing_turns (department_key TEXT PRIMARY KEY, agent_key TEXT NOT NULL, at TEXT NOT NULL)",
]


def attention_ticket_ids(conn: Connection) -> list[int]:
    """Every ticket needing attention, oldest first: what `tui-desk route` without ids goes over."""
    rows = conn.execute("SELECT id FROM tickets WHERE bucket = ? ORDER BY id", [ATTENTION_BUCKET]).fetchall()
    return [int(r[0]) for r in rows]
