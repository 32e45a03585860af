"""What to work on next ("To solve"), in domain terms."""

from __future__ import annotations

from ..store import Store
from ..store.queries import VIEW_ATTENTION, InboxFilter, inbox_page


def next_to_solve(store: Store) -> int | None:
    """The ticket that most needs an answer now: the head of the needs-attention order.

    That order is priority, then the longest-waiting customer; SLA urgency will
    refine it once SLAs exist.
    """
    rows = inbox_page(store, InboxFilter(view=VIEW_ATTENTION), 0, 1)
    return rows[0].id if rows else None
