"""How fast the store is with a big demo desk: the fill, then the reads an agent waits for.

    python benchmarks/store_bench.py                      # 100,000 tickets, 7 runs each
    python benchmarks/store_bench.py --tickets 20000 --runs 11
    python benchmarks/store_bench.py --db /tmp/big.db     # reuse (or keep) a store file
    python benchmarks/store_bench.py --db postgresql://desk@/bench?host=/tmp/pg   # a PostgreSQL desk

Every figure is the median of --runs calls, in milliseconds. A page read that
takes longer than --slow ms gets its query plan printed underneath (EXPLAIN
QUERY PLAN on SQLite, EXPLAIN ANALYZE on PostgreSQL).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from _common import NOW, demo_store, median_ms, size_mb

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.clock import fixed_clock
from tui_desk.store import Store, queries
from tui_desk.store.queries import VIEW_ATTENTION, InboxFilter


def _size(result: Any) -> str:
    if isinstance(result, int):
        return f"{result:,}"
    if isinstance(result, list | tuple):
        return f"{len(result)} rows"
    return ""


def _plans(store: Store, action: Callable[[], Any]) -> list[tuple[str, list[str]]]:
    """EXPLAIN QUERY PLAN of every statement an action runs (parameters expanded by SQLite)."""
    if store.dialect == "postgresql":
        return _pg_plans(store, action)
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    try:
        action()
    finally:
        store.conn.set_trace_callback(None)
    plans = []
    for sql in seen:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        rows = store.conn.execute(f"EXPLAIN QUERY PLAN {sql}").fetchall()
        plans.append((" ".join(sql.split()), [f"{'  ' * _depth(rows, r)}{r[3]}" for r in rows]))
    return plans


def _pg_plans(store: Store, action: Callable[[], Any]) -> list[tuple[str, list[str]]]:
    """EXPLAIN ANALYZE of every read an action runs on PostgreSQL, with its parameters."""
    from tui_desk.store.pg_connection import translate

    conn = store.conn
    seen: list[tuple[str, Any]] = []
    execute = conn.execute

    def recording(sql: str, parameters: Any = ()) -> Any:
        seen.append((sql, parameters))
        return execute(sql, parameters)

    conn.execute = recording  # type: ignore[method-assign]
    try:
        action()
    finally:
        del conn.execute
    plans = []
    for sql, parameters in seen:
        if not sql.lstrip().upper().startswith(("SELECT", "WITH")):
            continue
        text, _returning = translate(sql)
        rows = conn.raw.execute(f"EXPLAIN (ANALYZE, BUFFERS) {text}", list(parameters) or None).fetchall()
        plans.append((" ".join(sql.split()), [row[0] for row in rows]))
    return plans


def _depth(rows: list[tuple], row: tuple) -> int:
    parents = {r[0]: r[1] for r in rows}
    depth, parent = 0, row[1]
    while parent:
        depth += 1
        parent = parents.get(parent, 0)
    return depth


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000, help="demo tickets to fill (default 100000)")
    parser.add_argument("--runs", type=int, default=7, help="calls per figure; the median is shown (default 7)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="store file: filled if empty, reused if it has tickets, kept afterwards")
    parser.add_argument("--slow", type=float, default=20.0, help="explain reads slower than this, in ms (default 20)")
    args = parser.parse_args(argv)

    with demo_store(args.db, args.tickets, args.seed, "tui-desk-bench-") as (store, path):
        counts = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in ("tickets", "messages", "events", "customers")}
        print("  " + ", ".join(f"{n:,} {t}" for t, n in counts.items())
              + f"; {size_mb(store, path):,.0f} MB on disk")
        print()
        return _measure(store, args)


def _measure(store: Store, args: argparse.Namespace) -> int:
    everything = InboxFilter()
    total = queries.inbox_count(store, everything)
    deep = int(total * 0.9)
    service = TicketService(store, clock=fixed_clock(NOW), actor="bench")
    # A ticket near the top of the inbox, as an agent would open it.
    ticket_id = queries.inbox_page(store, everything, 0, 50)[10].id
    agents = ["alice", "kristjan"]
    turn = [0]

    def assign() -> Any:
        # Alternate between two agents so every call is a real change (one event each).
        turn[0] += 1
        return service.assign(ticket_id, agents[turn[0] % 2])

    def open_ticket() -> Any:
        return (queries.get_ticket(store, ticket_id), queries.ticket_messages(store, ticket_id),
                queries.ticket_events(store, ticket_id))

    reads: list[tuple[str, Callable[[], Any]]] = [
        ("inbox, first page (50)", lambda: queries.inbox_page(store, everything, 0, 50)),
        ("attention view, first page", lambda: queries.inbox_page(store, InboxFilter(view=VIEW_ATTENTION), 0, 50)),
        (f"inbox, deep page (offset {deep:,})", lambda: queries.inbox_page(store, everything, deep, 50)),
        ("inbox_count", lambda: queries.inbox_count(store, everything)),
        ("search 'invoice', first page", lambda: queries.inbox_page(store, InboxFilter(search="invoice"), 0, 50)),
        ("search count 'invoice'", lambda: queries.inbox_count(store, InboxFilter(search="invoice"))),
        # A rarer word, for scale: search costs grow with the number of matching messages.
        ("search 'customs', first page", lambda: queries.inbox_page(store, InboxFilter(search="customs"), 0, 50)),
        (f"assign #{ticket_id} (TicketService)", assign),
        (f"open #{ticket_id}: ticket+thread+timeline", open_ticket),
    ]
    print(f"{'operation':<46} {'median ms':>10} {'min':>8} {'max':>8}  result")
    print("-" * 86)
    slow = []
    for label, action in reads:
        median, low, high, result = median_ms(action, args.runs)
        if isinstance(result, tuple) and len(result) == 3 and not isinstance(result[0], int):
            size = f"{len(result[1])} messages, {len(result[2])} events"
        else:
            size = _size(result)
        flag = "  <- slow" if median > args.slow and "TicketService" not in label else ""
        print(f"{label:<46} {median:>10.2f} {low:>8.2f} {high:>8.2f}  {size}{flag}")
        if flag:
            slow.append((label, action))
    print(f"\n(median of {args.runs} runs after one warm-up call; {total:,} tickets in the inbox view)")
    for label, action in slow:
        print(f"\n{'EXPLAIN ANALYZE' if store.dialect == 'postgresql' else 'EXPLAIN QUERY PLAN'}: {label}")
        for sql, plan in _plans(store, action):
            print(f"  {sql[:300]}{'…' if len(sql) > 300 else ''}")
            for line in plan:
                print(f"    {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
