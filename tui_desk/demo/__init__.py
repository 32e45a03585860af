"""Realistic, deterministic sample data: `tui-desk demo` and the benchmarks.

Each demo ticket is the result of a plausible sequence of help desk actions
(a customer writes, an agent triages, answers, resolves, postpones...). The
sequence is played on an in-memory copy of the ticket that follows
TicketService's rules exactly (same allowed transitions, same columns, same
events, one version per call; tests/test_demo.py replays every demo ticket
through the real service to prove it), and the results are then written in
bulk (:mod:`tui_desk.store.bulk`), a batch of tickets at a time (:mod:`.fill`), in one
transaction, batched ``executemany`` per table. So the store
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
from datetime import UTC, datetime

from ..core.lifecycle import TicketService
from ..domain.clock import system_clock
from ..store import Store, bulk
from .fill import Progress, write_demo
from .samples import AGENTS, DEPARTMENTS

__all__ = ["AGENTS", "DEPARTMENTS", "fill_demo", "last_timings"]


def _epoch(now: datetime | None) -> int:
    moment = now or system_clock()
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


# Seconds spent in each phase of the last fill_demo call (for the benchmark).
last_timings: dict[str, float] = {}


# SQLite's page cache while filling: big enough for the indexes' random writes, small enough
# that a million-ticket fill stays within a few hundred MB (the rest goes to the journal).
PAGE_CACHE_MB = 32
SLA_CHUNK = 50_000  # tickets whose SLA clocks are replayed together after the fill


def fill_demo(
    store: Store, tickets: int = 1000, seed: int = 1, now: datetime | None = None, progress: Progress | None = None
) -> int:
    """Add `tickets` realistic demo tickets to the store; returns how many were added.

    The same `seed` and `now` always give the same data. Appends to what is
    there: existing customers, agents, departments and tags are reused. The tickets
    are made and written in batches (see fill.py); `progress(written, total)` is
    called after each.
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
    last_id = bulk.last_ticket_id(store)
    with bulk.big_page_cache(store, PAGE_CACHE_MB):
        count = write_demo(store, tickets, seed, clock_now, progress)
    lap("generate and write")
    bulk.stamp_deleted_at(store, last_id)
    # SLA clocks are replayed from the timeline just written, as after any bulk fill; a range of
    # tickets at a time (all at once held a GB at a million tickets).
    TicketService(store, clock=lambda: datetime.fromtimestamp(clock_now, UTC)).rebuild_sla(
        after_id=last_id, chunk=SLA_CHUNK
    )
    lap("sla")
    bulk.refresh_statistics(store)
    lap("statistics")
    return count
