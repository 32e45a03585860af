"""Realistic, deterministic sample data: `tui-desk demo` and the benchmarks.

Each demo ticket is the result of a plausible sequence of help desk actions
(a customer writes, an agent triages, answers, resolves, postpones...). The
sequence is played on an in-memory copy of the ticket that follows
TicketService's rules exactly (same allowed transitions, same columns, same
events, one version per call; tests/test_demo.py replays every demo ticket
through the real service to prove it), and the results are then written in
bulk (:mod:`tui_desk.store.bulk`): one transaction, one batched ``executemany`` per table. So the store
looks as if the service had produced it, at a fraction of the cost (100,000
tickets in about half a minute on a small machine, instead of hours of
one-row transactions).

Everything comes from ``random.Random(seed)`` and times are relative to
``now``: the same seed and ``now`` give the same data. The people and texts are data,
in ``samples.json`` (:mod:`.samples`); the modules: :mod:`.people` (customers and the
particulars of their tickets), :mod:`.ticket` (one ticket's life), :mod:`.scripts`
(which steps a ticket goes through), :mod:`.generate` (timing and playing them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from ..core.lifecycle import TicketService
from ..domain.clock import system_clock
from ..store import Store, bulk
from .common import RANKS, stored_time
from .generate import generate
from .people import Customer
from .samples import AGENTS, DEPARTMENTS
from .ticket import Ticket

__all__ = ["AGENTS", "DEPARTMENTS", "fill_demo", "last_timings"]


def _epoch(now: datetime | None) -> int:
    moment = now or system_clock()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


# Seconds spent in each phase of the last fill_demo call (for the benchmark).
last_timings: dict[str, float] = {}


def fill_demo(store: Store, tickets: int = 1000, seed: int = 1, now: datetime | None = None) -> int:
    """Add `tickets` realistic demo tickets to the store; returns how many were added.

    The same `seed` and `now` always give the same data. Appends to what is
    there: existing customers, agents, departments and tags are reused.
    """
    last_timings.clear()
    if tickets <= 0:
        return 0
    started = time.perf_counter()

    def lap(name: str) -> None:
        nonlocal started
        moment = time.perf_counter()
        last_timings[name] = last_timings.get(name, 0.0) + moment - started
        started = moment

    clock_now = _epoch(now)
    played, customers = generate(tickets, seed, clock_now)
    count = len(played)

    last_id = bulk.last_ticket_id(store)
    with bulk.big_page_cache(store):
        _write(store, played, customers, lap)
    lap("commit")
    bulk.stamp_deleted_at(store, last_id)
    # SLA clocks are replayed from the timeline just written, as after any bulk fill.
    TicketService(store, clock=lambda: datetime.fromtimestamp(clock_now, UTC)).rebuild_sla(after_id=last_id)
    lap("sla")
    bulk.refresh_statistics(store)
    lap("statistics")
    return count


def _write(store: Store, played: list[Ticket], customers: list[Customer], lap: Callable[[str], None]) -> None:
    tag_names = list(dict.fromkeys(tag for t in played for tag in t.tags))
    with store.transaction() as conn:
        agent_ids, department_ids, tag_ids, customer_ids = bulk.add_names(
            conn,
            [(a.name, a.full_name, a.email, int(a.active)) for a in AGENTS],
            DEPARTMENTS,
            tag_names,
            [(c.email, c.name or None, c.phone, c.company, stored_time(c.created_at)) for c in customers],
        )
        # Explicit ids: one transaction holds the write lock, so nobody takes them meanwhile.
        first_ticket, next_message = bulk.first_free_ids(conn)

        lap("generate")
        ticket_rows = []
        tag_rows = []
        message_rows = []
        attachment_rows = []
        event_rows = []
        message_id = next_message
        for ticket_id, t in enumerate(played, start=first_ticket):
            ticket_rows.append((
                ticket_id, t.subject, customer_ids[t.customer.email], t.status, t.previous_status,
                t.postponed_from, t.postponed_until, t.priority, RANKS[t.priority],
                agent_ids[t.assignee] if t.assignee else None,
                department_ids[t.department] if t.department else None,
                t.created_at, t.updated_at, t.waiting_since, t.first_response_at, t.resolved_at,
                t.last_customer_message_at, t.last_agent_reply_at, t.last_message_at, t.message_count,
                t.bucket, t.sort_key, t.version,
            ))  # fmt: skip
            for name in t.tags:
                tag_rows.append((ticket_id, tag_ids[name]))
            for n, (moment, kind, author, body, token, attachments) in enumerate(t.messages):
                # A Message-ID like a mail client's, unique in the store thanks to the ticket id.
                header = f"<{ticket_id}.{n}.{token}@mail.{author.rpartition('@')[2]}>" if token else None
                message_rows.append((message_id, ticket_id, kind, author, body, moment, header))
                for name, content_type, data in attachments:
                    attachment_rows.append((message_id, name, content_type, len(data), data))
                message_id += 1
            event_rows.extend([(ticket_id, *event) for event in t.events])
        played.clear()  # the rows hold what is needed; let the rest go before SQLite needs memory
        lap("rows")

        bulk.insert_tickets(conn, ticket_rows)
        lap("insert tickets")
        bulk.insert_ticket_tags(conn, tag_rows)
        bulk.insert_messages(conn, message_rows)
        lap("insert messages")
        bulk.insert_attachments(conn, attachment_rows)
        bulk.insert_events(conn, event_rows)
        lap("insert events")
