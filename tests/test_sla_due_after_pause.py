"""Issue 12, item 13: when a clock resumes on a target already used up, the due time is when it was used up."""

from __future__ import annotations

from datetime import timedelta

import pytest
from support import AGENT, START, FakeClock

from tui_desk.core import sla_tracking
from tui_desk.core.actions import ActionKind, perform, undo_last
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.sla import SlaPolicies
from tui_desk.domain.clock import to_text
from tui_desk.domain.models import Meaning
from tui_desk.store import Store, queries
from tui_desk.store.queries import InboxFilter

pytestmark = pytest.mark.both_backends

HOURS = {"days": "mon-sun", "start": "00:00", "end": "24:00", "timezone": "UTC"}
POLICIES = SlaPolicies.from_config({"sla": {"first_response": "2h", "resolution": "8h", "hours": HOURS}})
WEEK = timedelta(weeks=1)


@pytest.fixture
def desk(store: Store, clock: FakeClock) -> TicketService:
    return TicketService(store, clock=clock, actor=AGENT, sla=POLICIES)


def due(store: Store, ticket_id: int) -> str | None:
    return store.scalar("SELECT sla_due FROM tickets WHERE id = ?", [ticket_id])


def paused_then_back(desk: TicketService, clock: FakeClock, how: str) -> int:
    """A ticket created at START (first response due START+2h), paused four weeks later, then back."""
    ticket = desk.create_ticket(email="carol@example.com", subject="VPN down", body="help")
    clock.advance(4 * WEEK)
    if how == "undo resolve":
        perform(desk, ActionKind.RESOLVE, [ticket], desk.resolve)
    elif how == "reopen":
        desk.resolve(ticket)
    else:
        desk.delete(ticket)
    clock.advance(hours=3)
    if how == "undo resolve":
        assert undo_last(desk).changed == [ticket]
    elif how == "reopen":
        desk.reopen(ticket)
    else:
        desk.restore(ticket)
    return ticket


@pytest.mark.parametrize("how", ["undo resolve", "reopen", "restore"])
def test_item13_due_stays_at_the_breach_after_the_clock_resumes(desk, store, clock, how) -> None:
    ticket = paused_then_back(desk, clock, how)

    assert due(store, ticket) == to_text(START + timedelta(hours=2))
    row = queries.get_ticket(store, ticket)
    view = sla_tracking.view(
        {"department": row.department, "priority": row.priority, "sla_elapsed": row.sla_elapsed,
         "sla_running_since": row.sla_running_since, "sla_first_elapsed": row.sla_first_elapsed,
         "sla_due": row.sla_due},
        Meaning.ATTENTION, POLICIES, clock.now,
    )
    assert view.due == to_text(START + timedelta(hours=2))


def test_item13_resolution_target_used_up_before_a_reply_and_reopen(desk, store, clock) -> None:
    ticket = desk.create_ticket(email="carol@example.com", subject="VPN down", body="help")
    clock.advance(hours=1)
    desk.reply(ticket, "Looking")  # first response within 2h; resolution clock (8h) paused at 1h
    clock.advance(hours=1)
    desk.add_customer_message(ticket, "still down")  # runs again from START+2h: due START+9h
    assert due(store, ticket) == to_text(START + timedelta(hours=9))
    clock.advance(2 * WEEK)
    desk.resolve(ticket)
    clock.advance(hours=1)
    desk.reopen(ticket)
    assert due(store, ticket) == to_text(START + timedelta(hours=9))


def test_item13_sla_order_puts_the_oldest_breach_first(desk, store, clock) -> None:
    old = paused_then_back(desk, clock, "undo resolve")  # breached at START+2h, back now
    back = clock.now
    clock.now = back - timedelta(hours=2, minutes=30)
    newer = desk.create_ticket(email="dan@example.com", subject="Printer", body="jammed")  # due 30 min ago
    clock.now = back + timedelta(hours=1)

    page = queries.inbox_page(store, InboxFilter(order="sla"))

    assert [r.id for r in page][:2] == [old, newer]


def test_item13_rebuild_and_a_target_change_keep_the_breach_moment(desk, store, clock) -> None:
    ticket = paused_then_back(desk, clock, "reopen")
    store.conn.execute("UPDATE meta SET value = 'stale' WHERE key = 'sla_fingerprint'")
    desk.ensure_sla_current()  # a full replay
    assert due(store, ticket) == to_text(START + timedelta(hours=2))

    tighter = SlaPolicies.from_config({"sla": {"first_response": "1h", "resolution": "8h", "hours": HOURS}})
    changed = TicketService(store, clock=clock, actor=AGENT, sla=tighter)
    changed.ensure_sla_current()  # targets only: due times recomputed
    assert due(store, ticket) == to_text(START + timedelta(hours=1))
