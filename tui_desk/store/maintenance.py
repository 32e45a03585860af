"""Questions about the store as a whole, asked before filling it or to explain an empty list."""

from __future__ import annotations

from .db import Store


def has_tickets(store: Store) -> bool:
    return bool(store.scalar("SELECT EXISTS (SELECT 1 FROM tickets)"))


def has_tickets_or_customers(store: Store) -> bool:
    """Whether anything real is there: demo customers mixed into real ones could not be told apart."""
    return bool(store.scalar("SELECT EXISTS (SELECT 1 FROM tickets) OR EXISTS (SELECT 1 FROM customers)"))
