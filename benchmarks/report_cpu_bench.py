"""CPU time of a report on an existing store: the fast path against the reference scan, and the parts.

    python benchmarks/report_cpu_bench.py --db /work/scale/x/1m.db --now 2026-12-05T06:00:00+00:00
    python benchmarks/report_cpu_bench.py --db X --now ... --no-scan --runs 3

On a machine shared with other work, wall time moves with the load; the CPU
time of this process (all its threads: build_report runs aggregates in a
second one) is the figure to compare (docs/issue16/report-durations.md).
"Parts" are what core/report_durations.py and the tag counts cost alone.
The store is opened (and so migrated): give it a copy, not a shared store.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from tui_desk.core.report_durations import period_seconds
from tui_desk.core.report_period import resolve_period
from tui_desk.core.reports import build_report
from tui_desk.core.sla import SlaPolicies
from tui_desk.store import open_store
from tui_desk.store import report_queries as rq
from tui_desk.store.report_durations import tags_per_hour


def best(action: Callable[[], Any], runs: int) -> tuple[float, float]:
    """(CPU s, wall s) of the run with the least CPU."""
    found: tuple[float, float] | None = None
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        action()
        measured = (time.process_time() - cpu, time.perf_counter() - wall)
        found = measured if found is None or measured[0] < found[0] else found
    assert found is not None
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a store file (a copy: it is migrated)")
    parser.add_argument("--now", required=True, help="the report's now, e.g. 2026-12-05T06:00:00+00:00")
    parser.add_argument("--runs", type=int, default=2, help="runs per figure; the least CPU is shown")
    parser.add_argument("--no-scan", action="store_true", help="leave out the reference scan")
    args = parser.parse_args(argv)

    store = open_store(args.db)
    now = datetime.fromisoformat(args.now)
    first = store.scalar("SELECT min(created_at) FROM tickets")
    policies = SlaPolicies.from_config(None, local_timezone=UTC)
    keys = rq.Keys.of(rq.statuses(store))

    def line(label: str, measured: tuple[float, float]) -> None:
        cpu, wall = measured
        print(f"{label:<52} cpu {cpu:6.2f} s  wall {wall:6.2f} s  load {os.getloadavg()[0]:4.1f}", flush=True)

    for name, since in (("30 days", "30d"), ("all time", first[:10])):
        period = resolve_period(since, None, now, UTC)
        for by in (None, "agent", "department", "priority", "tag"):
            line(
                f"{name}, by {by}: first replies and resolutions",
                best(lambda p=period, b=by: period_seconds(store, p, keys, b), args.runs),
            )
        line(f"{name}: tag counts", best(lambda p=period: tags_per_hour(store, p.start, p.end), args.runs))
        for by in (None, "agent", "tag"):
            for scan in (False,) if args.no_scan else (False, True):
                line(
                    f"{name}, by {by}: build_report{' --scan' if scan else ''}",
                    best(
                        lambda s=since, b=by, sc=scan: build_report(
                            store, policies, since=s, by=b, now=now, timezone=UTC, scan=sc
                        ),
                        args.runs,
                    ),
                )
    return 0


if __name__ == "__main__":
    sys.exit(main())
