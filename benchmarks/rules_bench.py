"""How long the time rules (`tui-desk rules run`) take on a big demo desk.

    python benchmarks/rules_bench.py                    # 100,000 tickets
    python benchmarks/rules_bench.py --tickets 20000
    python benchmarks/rules_bench.py --db /tmp/big.db   # fill once, keep, reuse (store_bench files too)

The demo store is filled once (or reused with --db); every measurement runs
on a fresh copy of it, so each run of the benchmark does the same work. The
rules run with the clock at the demo's "now" (its latest event plus a
minute) and the built-in SLA policies and [rules] defaults, exactly as the
command builds them:

- first run: the demo never had the rules applied, so this one catches up
  (resolves every ticket answered more than 5 days ago, purges every ticket
  deleted more than 30 days ago); the SLA clocks are current (the fill
  computed them with the same policies).
- second run: must change nothing (idempotent).
- a minute later: the steady state of the app's every-minute run.
- after a change of SLA targets (business hours unchanged): the run
  recomputes the due time of every running clock; then again.
- after a change of business hours: the run replays every SLA clock from
  the timeline (rebuild_sla); then again.
- rebuild_sla alone (median of --runs).

Target: `rules run` under 5 s at 100,000 tickets.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from tui_desk import demo
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.rules import RulesConfig, run_rules
from tui_desk.core.sla import SlaPolicies
from tui_desk.domain.clock import from_text
from tui_desk.store import Store, open_store

NOW = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)  # the same demo as store_bench.py
TARGET_SECONDS = 5.0


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    start = time.perf_counter()
    result = action()
    return time.perf_counter() - start, result


def _copy(source: Path, folder: Path, name: str) -> Store:
    target = folder / name
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{target}{suffix}").exists():
            os.unlink(f"{target}{suffix}")
    shutil.copyfile(source, target)
    return open_store(target)


def _service(store: Store, now: datetime, sla: SlaPolicies) -> TicketService:
    return TicketService(store, clock=lambda: now, actor="bench", sla=sla)


def _counts(report: Any) -> str:
    return (
        f"sla rebuilt {report.sla_rebuilt:,}, woken {report.woken:,}, auto-resolved {report.auto_resolved:,},"
        f" purged {report.purged:,}, skipped {report.skipped:,}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000, help="demo tickets to fill (default 100000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", help="store file: filled if empty, reused if it has tickets, kept (never changed)")
    parser.add_argument("--runs", type=int, default=3, help="rebuild_sla calls; the median is shown (default 3)")
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="tui-desk-rules-bench-") as folder_name:
        folder = Path(folder_name)
        source = Path(args.db) if args.db else folder / "bench.db"
        store = open_store(source)
        print(f"SQLite {store.scalar('SELECT sqlite_version()')}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        existing = store.scalar("SELECT count(*) FROM tickets")
        if existing:
            print(f"Reusing {source} ({existing:,} tickets): no fill")
        else:
            took, _ = _timed(lambda: demo.fill_demo(store, tickets=args.tickets, seed=args.seed, now=NOW))
            print(f"Demo fill of {args.tickets:,} tickets: {took:.1f} s")
        latest = store.scalar("SELECT max(at) FROM events")
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the copies must hold everything
        store.close()
        if latest is None:
            print("The store has no tickets")
            return 1
        now = from_text(latest) + timedelta(minutes=1)
        policies = SlaPolicies.from_config({})
        rules = RulesConfig()
        print(f"Rules at {now:%Y-%m-%d %H:%M} UTC: auto_resolve_after 5d, purge_deleted_after 30d")
        print()
        slowest = 0.0

        work = _copy(source, folder, "work.db")
        try:
            tickets = work.scalar("SELECT count(*) FROM tickets")
            service = _service(work, now, policies)
            took, report = _timed(lambda: run_rules(service, rules))
            slowest = max(slowest, took)
            print(f"rules run, first (catches up)     {took * 1000:9.0f} ms   {_counts(report)}")
            took, report = _timed(lambda: run_rules(service, rules))
            slowest = max(slowest, took)
            print(f"rules run, second (idempotent)    {took * 1000:9.0f} ms   {_counts(report)}")
            if report.changed or report.sla_rebuilt:
                print("  NOT IDEMPOTENT: the second run changed something")
                return 1
            later = _service(work, now + timedelta(minutes=1), policies)
            took, report = _timed(lambda: run_rules(later, rules))
            slowest = max(slowest, took)
            print(f"rules run, a minute later         {took * 1000:9.0f} ms   {_counts(report)}")

            changed = _service(work, now + timedelta(minutes=2), policies.with_setting("first_response", "2h"))
            took, report = _timed(lambda: run_rules(changed, rules))
            slowest = max(slowest, took)
            print(f"rules run after a target change   {took * 1000:9.0f} ms   {_counts(report)}")
            took, report = _timed(lambda: run_rules(changed, rules))
            print(f"rules run, again                  {took * 1000:9.0f} ms   {_counts(report)}")
            hours = _service(
                work, now + timedelta(minutes=3), changed.sla.with_setting("timezone", "America/New_York")
            )
            took, report = _timed(lambda: run_rules(hours, rules))
            slowest = max(slowest, took)
            print(f"rules run after an hours change   {took * 1000:9.0f} ms   {_counts(report)}")
            took, report = _timed(lambda: run_rules(hours, rules))
            print(f"rules run, again                  {took * 1000:9.0f} ms   {_counts(report)}")

            times = []
            for _ in range(max(1, args.runs)):
                took, rebuilt = _timed(hours.rebuild_sla)
                times.append(took)
            print(
                f"rebuild_sla alone ({rebuilt:,} tickets) {statistics.median(times) * 1000:7.0f} ms"
                f"   (median of {len(times)}; min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})"
            )
        finally:
            work.close()

        print()
        verdict = "OK" if slowest < TARGET_SECONDS else "TOO SLOW"
        print(f"Slowest rules run over {tickets:,} tickets: {slowest:.2f} s (target < {TARGET_SECONDS:.0f} s): {verdict}")
        return 0 if slowest < TARGET_SECONDS else 1


if __name__ == "__main__":
    sys.exit(main())
