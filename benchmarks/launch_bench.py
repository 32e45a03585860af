"""The running app on one store: launch to first inbox rows, memory through a session, selection.

    python benchmarks/launch_bench.py --db /work/scale/launch-1m.db
    python benchmarks/launch_bench.py --db /tmp/demo-1000.db --runs 5

The store is opened as the app opens it (a store at an older schema is migrated: measure
on a copy). Launch is timed from starting a fresh `python` process to the moment the
inbox has its first rows on the (headless) terminal, as the real app runs: live refresh
and SLA tick on, time rules off (they change tickets; cron's or `rules run`'s job here).
Then, in this process, one session: the resident memory (RSS) after the first rows, after
scrolling the inbox --scroll rows down, after a search, after opening the biggest thread
whole, after switching views; and the median from a cursor move to the frame that shows
the new ticket's thread and timeline (issue 16: 1.0 s, 200 MB and 30 ms at a million tickets).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ui_bench import resident_mb

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
        print(f"ROWS {time.time():.6f}", flush=True)
        self.app.exit()

class FirstRows(TuiDeskApp):
    def get_default_screen(self):
        self._main = FirstRowsScreen()
        return self._main

if sys.argv[2:] == ["cli"]:  # through `tui-desk --db STORE`: its imports, config and set-up too
    import tui_desk.ui.app as app_module
    from tui_desk.cli.entry import main
    from tui_desk.ui.background import BackgroundJobs

    app_module.MainScreen = FirstRowsScreen
    BackgroundJobs.run_time_rules = lambda self: None  # they would change the store
    run = TuiDeskApp.run
    TuiDeskApp.run = lambda self, **options: run(self, **options, headless=True, size=(160, 48))
    main(["--db", sys.argv[1]])
else:
    FirstRows(open_store(sys.argv[1])).run(headless=True, size=(160, 48))
"""


def launch(path: str, runs: int, cli: bool = False) -> tuple[list[float], list[float]]:
    """Seconds from process start to first inbox rows, and the CPU seconds of that process, per run.

    The modules are compiled once, into a cache of this benchmark's, before the timed runs: an
    installed app has its bytecode, a PYTHONDONTWRITEBYTECODE shell would compile every module
    at every launch (about 0.2 s of CPU).
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "tui-desk-launch-bench-pyc")
    times, cpu = [], []
    for run in range(runs + 1):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        started = time.time()
        out = subprocess.run(
            [sys.executable, "-c", CHILD, path, *(["cli"] if cli else [])], capture_output=True, text=True, cwd=ROOT, timeout=120, env=env
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        line = next((text for text in out.stdout.splitlines() if text.startswith("ROWS")), None)
        if line is None:
            raise SystemExit(f"the app did not show rows:\n{out.stdout}\n{out.stderr}")
        if run:  # the first run fills the bytecode cache
            times.append(float(line.split()[1]) - started)
            cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
    return times, cpu


def deep_refresh(path: str, depth: int) -> list[str]:
    """What an inbox reload reads to keep a ticket `depth` rows down the All view selected:
    counting the rows before it (queries.inbox_position, as before) or its page (ui/panes.py)."""
    from tui_desk.store import open_store, queries
    from tui_desk.store.queries import InboxFilter
    from tui_desk.ui.widgets.inbox import PAGE_SIZE

    store = open_store(path)
    flt = InboxFilter(view="all")
    found = queries.inbox_page(store, flt, depth, 1)
    if not found:
        store.close()
        return []
    wanted = found[0].id

    def counted() -> None:
        position = queries.inbox_position(store, flt, wanted)
        queries.inbox_page(store, flt, (position or 0) // PAGE_SIZE * PAGE_SIZE, PAGE_SIZE)

    def paged() -> None:
        page = queries.inbox_page(store, flt, depth // PAGE_SIZE * PAGE_SIZE, PAGE_SIZE)
        assert any(row.id == wanted for row in page)

    lines = []
    for what, action in ((f"reload, cursor {depth:,} rows down: count before it", counted), ("  read its page only", paged)):
        action()
        walls, cpus = [], []
        for _ in range(5):
            wall, cpu = time.perf_counter(), time.process_time()
            action()
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        figure = f"{statistics.median(walls) * 1000:.1f} ms, CPU {statistics.median(cpus) * 1000:.1f}"
        lines.append(f"{what:<58} {figure:>10}")
    store.close()
    return lines


def grow_thread(store: Any, ticket_id: int, messages: int) -> None:
    """Notes on `ticket_id` until its thread has `messages` messages: a big thread to open."""
    from tui_desk.core.lifecycle import TicketService
    from tui_desk.store import queries

    service = TicketService(store, actor="bench")
    have = queries.get_ticket(store, ticket_id).message_count
    paragraph = "A long note, as agents write when a case drags on for months. " * 10
    for n in range(have, messages):
        service.add_note(ticket_id, f"Note {n}: {paragraph}")


async def _settle(app: Any) -> None:
    await app.workers.wait_for_complete()
    await asyncio.sleep(0.05)
    await app.workers.wait_for_complete()


async def session(path: str, scroll: int, moves: int, big_thread: int) -> tuple[list[tuple[str, int]], list[float], list[float], list[float]]:
    from ui_bench import timed_app

    from tui_desk.store import open_store
    from tui_desk.store.queries import InboxFilter

    Timed = timed_app()

    store = open_store(path)
    biggest = store.scalar("SELECT id FROM tickets ORDER BY message_count DESC, id LIMIT 1")
    grow_thread(store, biggest, big_thread)
    app = Timed(store)
    memory: list[tuple[str, int]] = []
    samples: list[float] = []
    reads: list[float] = []  # from the move to the thread's rows in hand (before drawing)
    loop: list[float] = []  # CPU of the event loop's thread for it (the bench's polling included)
    async with app.run_test(size=(160, 48)) as pilot:
        main = app.main
        while main.inbox.row_at(0) is None or main.ticket is None:
            await asyncio.sleep(0.005)
        await _settle(app)
        memory.append(("after launch", resident_mb()))
        # Selection: one step at a time, as an agent reads down the list.
        for step in range(moves):
            inbox = main.inbox
            target = inbox.cursor + (1 if step % 40 < 30 else -1)
            expected = inbox.row_at(target)
            started, loop_cpu = time.perf_counter(), time.thread_time()
            inbox.move_to(target)
            if expected is None:
                await app.workers.wait_for_complete()
                expected = inbox.current
            while main.ticket is None or main.ticket.id != expected.id:
                await asyncio.sleep(0.0005)
            while app.painted_at < main.app.shown_at:  # type: ignore[attr-defined]
                await asyncio.sleep(0.0005)
            samples.append(app.painted_at - started)
            reads.append(app.shown_at - started)
            loop.append(time.thread_time() - loop_cpu)
            await asyncio.sleep(0.05)
        # Scroll down the view a page at a time: the list grows past the counted cap.
        main.set_filter(InboxFilter(view="all"), "all")
        await _settle(app)
        while main.inbox.cursor < scroll and main.inbox.cursor < main.inbox.total - 1:
            await pilot.press("pagedown")
            await _settle(app)
        memory.append((f"after scrolling to row {main.inbox.cursor:,}", resident_mb()))
        main.set_filter(InboxFilter(view="all", search="password"), "all")
        await _settle(app)
        memory.append(("after a search ('password')", resident_mb()))
        main.set_filter(InboxFilter(view="all"), "all")
        await _settle(app)
        if biggest is not None:
            main._whole_thread.add(biggest)
            opened, loop_cpu = time.perf_counter(), time.thread_time()
            main.load_ticket(biggest)
            while app.shown_at < opened or main.ticket is None or main.ticket.id != biggest or app.painted_at < app.shown_at:
                await asyncio.sleep(0.001)
            whole = time.perf_counter() - opened, time.thread_time() - loop_cpu
            await _settle(app)
            shown = main.ticket.message_count if main.ticket is not None else 0
            memory.append((f"after opening #{biggest} whole ({shown:,} messages)", resident_mb()))
        for key in ("attention", "resolved", "all", "answered", "attention"):
            main.action_view(key)
            await _settle(app)
        memory.append(("after switching views 5 times", resident_mb()))
    store.close()
    if biggest is not None:
        print(f"whole thread of #{biggest} shown in {whole[0] * 1000:.0f} ms (event loop CPU {whole[1] * 1000:.0f} ms)")
    return memory, samples, reads, loop


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the store file (migrated if older: use a copy)")
    parser.add_argument("--runs", type=int, default=3, help="launches to time")
    parser.add_argument("--scroll", type=int, default=3000, help="inbox rows to scroll down")
    parser.add_argument("--moves", type=int, default=40, help="cursor moves to time")
    parser.add_argument("--depth", type=int, default=50_000, help="rows down the All view for the reload figure")
    parser.add_argument(
        "--big-thread", type=int, default=0, metavar="N",
        help="first add notes to the store's biggest thread until it has N messages (changes the store)",
    )
    args = parser.parse_args(argv)
    times, cpu = launch(args.db, args.runs)
    cli_times, cli_cpu = launch(args.db, args.runs, cli=True)
    memory, samples, reads, loop = asyncio.run(session(args.db, args.scroll, args.moves, args.big_thread))
    print(f"{'measurement':<58} {'figure':>10}")
    print("-" * 70)
    print(f"{'launch to first inbox rows (median of ' + str(args.runs) + ')':<58} {statistics.median(times) * 1000:>7.0f} ms")
    print(f"{'  each run':<58} {' '.join(f'{t * 1000:.0f}' for t in times):>10}")
    print(f"{'  CPU time of the launched process until it quit (median)':<58} {statistics.median(cpu) * 1000:>7.0f} ms")
    print(f"{'the same through `tui-desk --db` (median; time rules off)':<58} {statistics.median(cli_times) * 1000:>7.0f} ms")
    print(f"{'  CPU time (median)':<58} {statistics.median(cli_cpu) * 1000:>7.0f} ms")
    for what, mb in memory:
        print(f"{'memory ' + what:<58} {mb:>7} MB")
    print(f"{'selection to thread and timeline shown (median)':<58} {statistics.median(samples) * 1000:>7.1f} ms")
    print(f"{'selection to thread and timeline shown (worst)':<58} {max(samples) * 1000:>7.1f} ms")
    print(f"{'  of which: move to the ticket read (median)':<58} {statistics.median(reads) * 1000:>7.1f} ms")
    print(f"{'  CPU of the event loop for it (median)':<58} {statistics.median(loop) * 1000:>7.1f} ms")
    for line in deep_refresh(args.db, args.depth):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
