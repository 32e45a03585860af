"""What to work on next ("To solve"), in domain terms."""

from __future__ import annotations

from dataclasses import dataclass

from ..store import Store
from ..store.queries import VIEW_ATTENTION, InboxFilter, inbox_page


def next_to_solve(store: Store, within: InboxFilter | None = None) -> int | None:
    """The ticket that most needs an answer now, among those `within` narrows to.

    The needs-attention ticket nearest to (or furthest past) its SLA due time;
    tickets without a running target follow, higher priority first, then the
    longest-waiting customer.
    """
    flt = (within or InboxFilter()).with_(view=VIEW_ATTENTION, statuses=(), order="sla")
    rows = inbox_page(store, flt, 0, 1)
    return rows[0].id if rows else None


@dataclass(frozen=True)
class ToSolve:
    """Where `s` goes: the ticket (None: nothing needs an answer anywhere) and the inbox to show it in."""

    ticket_id: int | None
    shown: InboxFilter
    left_filter: bool  # the agent's filter or search had nothing left, so `shown` is the whole inbox


def narrows(flt: InboxFilter) -> bool:
    return bool(flt.assignee or flt.department or flt.tag or flt.priority or flt.search)


def to_solve_within(store: Store, current: InboxFilter) -> ToSolve:
    """The next ticket to solve inside the agent's filter, search and sort (docs/issue17/filters.md).

    Only when the filter holds nothing that needs attention does it look at the whole inbox,
    and says so through `left_filter`: the queue being worked is never left silently.
    """
    kept = InboxFilter(
        view=VIEW_ATTENTION,
        assignee=current.assignee,
        department=current.department,
        tag=current.tag,
        priority=current.priority,
        search=current.search,
        order=current.order,
    )
    found = next_to_solve(store, kept)
    if found is not None or not narrows(current):
        return ToSolve(found, kept, False)
    whole = InboxFilter(view=VIEW_ATTENTION, order=current.order)
    found = next_to_solve(store, whole)
    return ToSolve(found, whole, found is not None)
