"""A customer and their tickets, looked up by address (the customer history of docs/architecture.md's store layer),
and the one rule for the customer a message comes from: found by address, created if new, named
if the row has no name yet.

The address matches as ticket creation matches it: the customers.email column is
NOCASE on both backends, so a plain `=` ignores case there too.
"""

from __future__ import annotations

from typing import Any

from .connection import Connection
from .db import Store


def find_customer(store: Store, address: str) -> dict[str, Any] | None:
    """The customer row (id, email, name, created_at) with this address, any case; None: unknown."""
    return store.query_one("SELECT id, email, name, created_at FROM customers WHERE email = ?", [address])


def customer_tickets(store: Store, customer_id: int) -> list[dict[str, Any]]:
    """The customer's tickets, newest first (id breaks a tie of the same second)."""
    return store.query(
        "SELECT id, status, subject, created_at, updated_at FROM tickets"
        " WHERE customer_id = ? ORDER BY created_at DESC, id DESC",
        [customer_id],
    )


def customer_in_tx(conn: Connection, address: str) -> tuple[int, str | None] | None:
    """(id, name) of the customer with this address, any case, inside the caller's transaction."""
    row = conn.execute("SELECT id, name FROM customers WHERE email = ?", [address]).fetchone()
    return None if row is None else (int(row[0]), row[1])


def name_customer(conn: Connection, customer_id: int, name: str) -> None:
    conn.execute("UPDATE customers SET name = ? WHERE id = ?", [name, customer_id])


def known_customer(conn: Connection, address: str, name: str | None) -> int | None:
    """The id of the customer with this address, its name filled in if the row has none; None: unknown."""
    found = customer_in_tx(conn, address)
    if found is None:
        return None
    if name and not found[1]:
        name_customer(conn, found[0], name.strip())
    return found[0]


def customer_id(conn: Connection, address: str, name: str | None, moment: str) -> int:
    """The customer with this address, created if new; a name is filled in if the row has none."""
    known = known_customer(conn, address, name)
    if known is not None:
        return known
    cursor = conn.execute(
        "INSERT INTO customers(email, name, created_at) VALUES (?, ?, ?)",
        [address, name.strip() if name else None, moment],
    )
    return int(cursor.lastrowid or 0)
