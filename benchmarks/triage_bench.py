"""Bulk actions, undo and merge on a big demo desk: how long an agent waits for them.

    python benchmarks/triage_bench.py                       # 100,000 tickets
    python benchmarks/triage_bench.py --db /tmp/bench/demo-100000.db --bulk 1000

Every measurement runs on a fresh copy of the demo store (filled once, or
reused with --db), so the figures do not depend on earlier runs:

- marking a whole view (the ids of "All", in inbox order);
- a bulk resolve of --bulk tickets needing attention, then its undo;
- a bulk tag of the same tickets, then its undo;
- merging a long ticket into another, then its undo.

The app runs all of these in a worker; the figures say how long the
notification takes to come.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _common import NOW, demo_store

from tui_desk.core.actions import ActionKind, perform, undo_last
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import fixed_clock
from tui_desk.store import open_store, queries
from tui_desk.store.queries import VIEW_ALL, VIEW_ATTENTION, InboxFilter


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return (time.perf_counter() - start) * 1000, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="demo store to reuse (filled first if empty)")
    parser.add_argument("--bulk", type=int, default=1000, help="tickets per bulk action (default 1000)")
    args = parser.parse_args()

    with demo_store(args.db, args.tickets, args.seed, "tui-desk-triage-bench-") as (store, path), \
            tempfile.TemporaryDirectory(prefix="tui-desk-triage-copy-") as folder:
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        copy = Path(folder) / "copy.db"
        shutil.copyfile(path, copy)
        work = open_store(copy)
        service = TicketService(work, clock=fixed_clock(NOW), actor="bench")
        total = queries.inbox_count(work, InboxFilter(view=VIEW_ALL))
        print(f"{total:,} tickets in the All view")

        took, ids = _timed(lambda: queries.inbox_ids(work, InboxFilter(view=VIEW_ALL), 50_000))
        print(f"mark the whole view (first {len(ids):,} ids):  {took:8.1f} ms")

        attention = queries.inbox_ids(work, InboxFilter(view=VIEW_ATTENTION), args.bulk)
        took, outcome = _timed(lambda: perform(service, ActionKind.RESOLVE, attention, service.resolve))
        print(
            f"bulk resolve of {len(attention):,}:  {took:8.1f} ms  ({took / max(1, len(attention)):.2f} ms per ticket,"
            f" {len(outcome.refused)} refused)"
        )
        took, undone = _timed(lambda: undo_last(service))
        print(f"undo of it:  {took:8.1f} ms  ({len(undone.changed):,} tickets put back)")

        took, outcome = _timed(lambda: perform(service, ActionKind.TAG, attention, lambda i: service.tag(i, add=["bench"])))
        print(f"bulk tag of {len(attention):,}:  {took:8.1f} ms")
        took, undone = _timed(lambda: undo_last(service))
        print(f"undo of it:  {took:8.1f} ms")

        longest = work.conn.execute(
            "SELECT id, message_count FROM tickets WHERE bucket = 0 ORDER BY message_count DESC LIMIT 2"
        ).fetchall()
        (source, messages), (target, _count) = longest
        events = work.scalar("SELECT count(*) FROM events WHERE ticket_id = ?", [source])
        took, _ = _timed(lambda: perform(service, ActionKind.MERGE, [source], lambda i: service.merge(i, target)))
        print(f"merge of a ticket with {messages} messages and {events} events:  {took:8.1f} ms")
        took, _ = _timed(lambda: undo_last(service))
        print(f"undo of the merge:  {took:8.1f} ms")
        work.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
