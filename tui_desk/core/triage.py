"""What to work on next ("To solve"), in domain terms."""

from __future__ import annotations

from ..store import Store
from ..store.queries import VIEW_ATTENTION, InboxFilter, inbox_page


def next_to_solve(store: Store) -> int | None:
    """The ticket that most needs an answer now.

    The needs-attention ticket nearest to (or furthest past) its SLA due time;
    tickets without a running target follow, higher priority first, then the
    longest-waiting customer.
    """
    rows = inbox_page(store, InboxFilter(view=VIEW_ATTENTION, order="sla"), 0, 1)
    return rows[0].id if rows else None
