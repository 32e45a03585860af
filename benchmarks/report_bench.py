"""How fast reports are on a big demo desk: build_report, then the whole `tui-desk report` command.

    python benchmarks/report_bench.py                     # 100,000 tickets, 5 runs each
    python benchmarks/report_bench.py --tickets 20000 --runs 3
    python benchmarks/report_bench.py --db /tmp/big.db    # reuse (or keep) a store file

The demo spreads its tickets over the six weeks before NOW, so a 30-day report
reads about three quarters of them: the worst case for a store of that size
(a desk with years of history has far fewer tickets per month). Target: the
command under 2 s at 100,000 tickets, build_report well under that.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from _common import NOW, demo_store, median_ms

from tui_desk.core.reports import Report, build_report, duration_text, percent_text
from tui_desk.core.sla import SlaPolicies

TARGET_SECONDS = 2.0


def _summary(report: Report) -> str:
    first, resolution = report.first_response, report.resolution
    return (
        f"{report.new_tickets:,} new, backlog {report.backlog_total:,}, "
        f"1st {duration_text(first.median)}/{duration_text(first.p90)}, "
        f"res {duration_text(resolution.median)}/{duration_text(resolution.p90)}, "
        f"SLA {percent_text(report.sla_first_response.percent_met)}"
        f" ({report.sla_first_response.breached:,} late)"
        + (f", {len(report.groups)} groups" if report.by else "")
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000, help="demo tickets to fill (default 100000)")
    parser.add_argument("--runs", type=int, default=5, help="calls per figure; the median is shown (default 5)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--scan", action="store_true",
        help="build_report(scan=True): new tickets and backlog from every ticket and event, not the summary tables",
    )
    parser.add_argument("--db", help="store file: filled if empty, reused if it has tickets, kept afterwards")
    parser.add_argument(
        "--now", default=NOW.isoformat(),
        help="the reports' now, an ISO time (default the demo's NOW); a store filled without"
        " --now (scale_bench's) needs the time it was filled",
    )
    args = parser.parse_args(argv)
    args.now = datetime.fromisoformat(args.now.replace("Z", "+00:00")).astimezone(UTC)

    with demo_store(args.db, args.tickets, args.seed, "tui-desk-report-bench-") as (store, path):
        counts = {t: store.scalar(f"SELECT count(*) FROM {t}") for t in ("tickets", "events", "ticket_tags")}
        print("  " + ", ".join(f"{n:,} {t}" for t, n in counts.items()))
        print()
        return _measure(store, path, args)


def _measure(store: Any, path: Path, args: argparse.Namespace) -> int:
    policies = SlaPolicies.from_config(None, local_timezone=UTC)

    def report(**kwargs: Any) -> Callable[[], Report]:
        return lambda: build_report(store, policies, now=args.now, timezone=UTC, scan=args.scan, **kwargs)

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("build_report, last 30 days", report()),
        ("build_report, all time", report(since="2025-03-03")),
        ("build_report, last 90 days", report(since="90d")),
        ("build_report, 30 days by agent", report(by="agent")),
        ("build_report, 30 days by tag", report(by="tag")),
        ("build_report, 7 days", report(since="7d")),
    ]
    print(f"{'operation':<40} {'median ms':>10} {'min':>8} {'max':>8} {'cpu ms':>8}  figures")
    print("-" * 120)
    worst = 0.0
    for label, action in cases:
        cpu: list[float] = []  # process CPU (both threads of build_report): other helpers' load aside

        def timed(action: Callable[[], Any] = action, cpu: list[float] = cpu) -> Any:
            started = time.process_time()
            result = action()
            cpu.append((time.process_time() - started) * 1000)
            return result

        median, low, high, result = median_ms(timed, args.runs)
        worst = max(worst, median)
        print(f"{label:<40} {median:>10.0f} {low:>8.0f} {high:>8.0f} {statistics.median(cpu[1:]):>8.0f}  {_summary(result)}")

    # The whole command in a fresh interpreter, as a user runs it: start-up, config, store, print.
    since = (args.now - timedelta(days=29)).date().isoformat()
    until = args.now.date().isoformat()
    env = {**os.environ, "TUI_DESK_CONFIG": str(path.with_suffix(".no-config.toml")), "TZ": "UTC"}
    command = [sys.executable, "-m", "tui_desk.cli", "--db", str(path), "report", "--since", since, "--until", until]
    for label, extra in (("tui-desk report (30 days)", []), ("tui-desk report --by agent --json", ["--by", "agent", "--json"])):

        def run(extra: list[str] = extra, label: str = label) -> Any:
            done = subprocess.run([*command, *extra], env=env, capture_output=True, text=True, check=False)
            if done.returncode:
                raise SystemExit(f"{label} failed: {done.stderr.strip()}")
            return done.stdout

        median, low, high, out = median_ms(run, max(1, min(args.runs, 3)))
        verdict = "ok" if median / 1000 < TARGET_SECONDS else f"SLOWER than {TARGET_SECONDS:.0f} s"
        print(f"{label:<40} {median:>10.0f} {low:>8.0f} {high:>8.0f}  {len(out.splitlines())} lines; {verdict}")
    print(f"\n(median of {args.runs} runs after one warm-up; the command: median of up to 3 runs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
