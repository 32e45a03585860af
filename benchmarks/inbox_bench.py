"""What the inbox's worker reads when the agent switches view, searches or selects a ticket,
on a big demo desk (issue 16: the same speed at any size).

    python benchmarks/inbox_bench.py --db /work/scale/1m.db       # reuse a store (read only)
    python benchmarks/inbox_bench.py --tickets 100000             # fill a temporary one

Each case is what ui/panes.py runs before the first rows show: the change marker, the
view's total (queries.inbox_total, counting up to COUNT_CAP; queries.inbox_count on a
tree without it) and the first page. "first" is the first call (a search's hits are read
then and kept for the next pages); the median is over --runs calls after it. CPU time is
given beside wall time, as other work on a shared machine stretches the wall clock.
Targets at 1,000,000 tickets: view switch 150 ms, search 200 ms, selection 30 ms.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from _common import demo_store

from tui_desk.store import Store, queries
from tui_desk.store.queries import InboxFilter

CASES = [
    ("view All", InboxFilter(view="all")),
    ("view Needs attention", InboxFilter(view="attention")),
    ("view Resolved", InboxFilter(view="status", statuses=("resolved",))),
    ("saved view: alice's New and Open", InboxFilter(view="status", statuses=("new", "open"), assignee="alice")),
    ("search common word 'the'", InboxFilter(view="all", search="the")),
    ("search common word 'password'", InboxFilter(view="all", search="password")),
    ("search rare 'INV-2026-26080'", InboxFilter(view="all", search="INV-2026-26080")),
    ("search no hit 'xyzzy'", InboxFilter(view="all", search="xyzzy")),
]


def _load(store: Store, flt: InboxFilter) -> str:
    queries.change_marker(store)
    counted = getattr(queries, "inbox_total", None)
    if counted is None:
        total = f"{queries.inbox_count(store, flt):,}"
    else:
        found = counted(store, flt)
        total = f"{found.count:,}{'+' if found.at_least else ''}"
    rows = queries.inbox_page(store, flt, 0, 50)
    return f"{total} tickets, {len(rows)} rows"


def _timed(action: Callable[[], Any], runs: int) -> tuple[float, float, float, float, Any]:
    def once() -> tuple[float, float, Any]:
        wall, cpu = time.perf_counter(), time.process_time()
        result = action()
        return (time.perf_counter() - wall) * 1000, (time.process_time() - cpu) * 1000, result

    first_wall, first_cpu, result = once()
    later = [once() for _ in range(runs)]
    return (first_wall, first_cpu, statistics.median(w for w, _c, _r in later),
            statistics.median(c for _w, c, _r in later), result)  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="store file: filled if empty, reused if it has tickets")
    args = parser.parse_args(argv)
    with demo_store(args.db, args.tickets, args.seed, "tui-desk-inbox-bench-") as (store, _path):
        print(f"{'what':<36} {'first ms':>9} {'cpu':>6} {'median ms':>10} {'cpu':>6}  result")
        print("-" * 100)
        cases: list[tuple[str, Callable[[], Any]]] = [
            (label, lambda flt=flt: _load(store, flt)) for label, flt in CASES
        ]
        upto = getattr(queries, "status_counts_upto", None)
        counts = upto or queries.status_counts
        cases.append((f"top line: {counts.__name__}", lambda: f"{sum(counts(store).values()):,} counted"))
        some = int(store.scalar("SELECT max(id) FROM tickets") or 1) // 2

        def select() -> str:
            queries.get_ticket(store, some)
            return f"{len(queries.ticket_messages(store, some, limit=50))} messages, " \
                   f"{len(queries.ticket_events(store, some))} events"

        cases.append(("selection: ticket, thread, timeline", select))
        for label, action in cases:
            first_wall, first_cpu, wall, cpu, result = _timed(action, args.runs)
            print(f"{label:<36} {first_wall:>9.0f} {first_cpu:>6.0f} {wall:>10.1f} {cpu:>6.1f}  {result}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
