"""A customer and their tickets, looked up by address (the customer history of docs/architecture.md's store layer).

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
