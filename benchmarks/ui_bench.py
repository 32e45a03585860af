"""UI speed on demo stores: start-up to first inbox rows, selection to thread shown, memory.

    python benchmarks/ui_bench.py --tickets 100000 --small 1000
    python benchmarks/ui_bench.py --tickets 100000 --pg 'postgresql://desk@/postgres?host=/tmp/pg'

With --pg the demo desks are PostgreSQL databases on that server (created as
tui_desk_ui_<tickets> if missing, filled if empty, kept for the next run).

Start-up is measured from launching a fresh `python` process to the moment the
inbox has its first rows (the app runs headless and exits there). Selection
latency is measured in-process: move the cursor, then wait until the thread and
timeline hold the newly selected ticket and the next frame has been written to
the (headless) terminal.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = r"""
import sys, time
from tui_desk.store import open_store
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.main_screen import MainScreen

class FirstRowsScreen(MainScreen):
    def _apply_inbox(self, request, flt, snapshot):
        super()._apply_inbox(request, flt, snapshot)
        self.call_after_refresh(self._report)

    def _report(self):
        if self.inbox.row_at(0) is None:
            return
        rss = 0
        for line in open("/proc/self/status"):
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) // 1024
        print(f"ROWS {time.time():.6f} {rss}", flush=True)
        self.app.exit()

class FirstRows(TuiDeskApp):
    def get_default_screen(self):
        self._main = FirstRowsScreen()
        return self._main

FirstRows(open_store(sys.argv[1]), live_interval=None).run(headless=True, size=(160, 48))
"""


def resident_mb() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) // 1024
    return 0


def make_store(directory: Path, tickets: int, server: str | None = None) -> str:
    """A demo desk of `tickets` tickets: a file in `directory`, or a database on `server`."""
    from tui_desk.demo import fill_demo
    from tui_desk.store import open_store

    if server:
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from _common import bench_database

        location = bench_database(server, f"tui_desk_ui_{tickets}")
        store = open_store(location)
        empty = not store.scalar("SELECT count(*) FROM tickets")
    else:
        location = str(directory / f"demo-{tickets}.db")
        empty = not Path(location).exists()
        store = open_store(location)
    if empty:
        started = time.perf_counter()
        fill_demo(store, tickets=tickets, seed=1)
        print(f"  demo store of {tickets:,} tickets filled in {time.perf_counter() - started:.1f} s")
    store.close()
    return location


def startup(path: str, runs: int) -> tuple[float, int]:
    """Median seconds from process launch to first inbox rows, and the RSS then (MB)."""
    times, rss = [], 0
    for _ in range(runs):
        started = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60
        )
        line = next((text for text in out.stdout.splitlines() if text.startswith("ROWS")), None)
        if line is None:
            raise SystemExit(f"the app did not show rows:\n{out.stdout}\n{out.stderr}")
        _, at, rss_text = line.split()
        times.append(float(at) - started)
        rss = int(rss_text)
    return statistics.median(times), rss


def timed_app():  # noqa: ANN201 - a class made on demand (Textual imported late)
    """The app, noting when a ticket is shown (`shown_at`) and when a frame reaches the
    (headless) terminal (`painted_at`); launch_bench and big_thread_bench use it too."""
    from tui_desk.ui.app import TuiDeskApp
    from tui_desk.ui.main_screen import MainScreen

    class TimedScreen(MainScreen):
        def _show_ticket(self, snapshot) -> None:  # noqa: ANN001
            self.app.shown_at = time.perf_counter()  # type: ignore[attr-defined]
            super()._show_ticket(snapshot)

    class Timed(TuiDeskApp):
        painted_at = 0.0
        shown_at = 0.0

        def get_default_screen(self) -> MainScreen:
            self._main = TimedScreen()
            return self._main

        def _display(self, screen, renderable) -> None:  # noqa: ANN001
            super()._display(screen, renderable)
            self.painted_at = time.perf_counter()

    return Timed


async def selection_latency(
    path: str, moves: int, pause: float, print_samples: bool = False
) -> tuple[float, float, int]:
    """Median and worst seconds from a cursor move to the frame showing its ticket.

    `pause` is the reading time between moves: 0 is a held-down key, a pause
    of a few tenths of a second is an agent reading each ticket, whose move
    starts when no frame is under way.
    """
    from tui_desk.store import open_store

    Timed = timed_app()
    app = Timed(open_store(path), live_interval=None)
    samples = []
    async with app.run_test(size=(160, 48)):
        while app.main.inbox.row_at(0) is None or app.main.ticket is None:
            await asyncio.sleep(0.005)
        for step in range(moves):
            inbox = app.main.inbox
            target_index = inbox.cursor + (1 if step % 40 < 30 else -1)
            expected = inbox.row_at(target_index)
            started = time.perf_counter()
            inbox.move_to(target_index)
            if expected is None:
                await app.workers.wait_for_complete()
                expected = inbox.current
            while app.main.ticket is None or app.main.ticket.id != expected.id:
                if time.perf_counter() - started > 30:
                    raise SystemExit(f"ticket #{expected.id} was not shown within 30 s (see the app's error)")
                await asyncio.sleep(0.0005)
            while app.painted_at < app.shown_at:  # the frame with the new thread and timeline
                await asyncio.sleep(0.0005)
            samples.append(app.painted_at - started)
            if pause:
                await asyncio.sleep(pause)
        rss = resident_mb()
    if print_samples:
        print(" ".join(f"{s * 1000:.0f}" for s in samples))
    return statistics.median(samples), max(samples), rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tickets", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--moves", type=int, default=60)
    parser.add_argument("--samples", action="store_true", help="print every selection's latency (ms)")
    parser.add_argument("--dir", help="keep the demo stores here (default: a temporary folder)")
    parser.add_argument("--pg", metavar="URL", help="a PostgreSQL server (any database URL on it) to keep the desks on")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        directory = Path(args.dir or scratch)
        directory.mkdir(parents=True, exist_ok=True)
        print("Preparing stores…")
        small = make_store(directory, args.small, args.pg)
        large = make_store(directory, args.tickets, args.pg)
        print(f"  backend: {'PostgreSQL' if args.pg else 'SQLite'}")
        small_start, small_rss = startup(small, args.runs)
        large_start, large_rss = startup(large, args.runs)
        paced_median, paced_worst, _ = asyncio.run(selection_latency(large, args.moves, 0.2, args.samples))
        median_move, worst_move, app_rss = asyncio.run(selection_latency(large, args.moves, 0, args.samples))
        print()
        print(f"{'measurement':<52} {'figure':>12}")
        print(f"{'start-up to first rows, ' + format(args.small, ',') + ' tickets (median)':<52} {small_start * 1000:>9.0f} ms")
        print(f"{'start-up to first rows, ' + format(args.tickets, ',') + ' tickets (median)':<52} {large_start * 1000:>9.0f} ms")
        print(f"{'ratio large / small':<52} {large_start / small_start:>12.2f}")
        print(f"{'selection to thread shown, reading pace (median)':<52} {paced_median * 1000:>9.1f} ms")
        print(f"{'selection to thread shown, reading pace (worst)':<52} {paced_worst * 1000:>9.1f} ms")
        print(f"{'selection to thread shown, key held (median)':<52} {median_move * 1000:>9.1f} ms")
        print(f"{'selection to thread shown, key held (worst)':<52} {worst_move * 1000:>9.1f} ms")
        print(f"{'memory at first rows, ' + format(args.tickets, ',') + ' tickets':<52} {large_rss:>9} MB")
        print(f"{'memory after ' + str(args.moves) + ' selections (in-process)':<52} {app_rss:>9} MB")


if __name__ == "__main__":
    main()
