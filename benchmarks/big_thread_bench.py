"""Opening a big thread whole (`m`): what the event loop pays, and when the reader sees lines.

    python benchmarks/big_thread_bench.py --db /work/scale/big-thread/10000.db --big-thread 3000

Changes the store (notes are added to its biggest thread until it has --big-thread messages):
run it on a copy. In one app (headless, 160x48), the biggest thread is opened whole, then:
from the request to the first frame that shows it (wall, and the CPU of the event loop's
thread), the longest stretch the event loop could not run anything else (a 1 ms ticker's
worst gap, from the request until every part is drawn), the time until every part is drawn,
and what Home, End and a resize to another width cost. Figures are medians of --runs.
Issue 16 (docs/issue16/big-thread.md): the loop never held much longer than a frame.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from launch_bench import _settle, grow_thread  # noqa: E402


class Ticker:
    """The worst gap between the event loop's turns, as a key press would wait."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        last = time.perf_counter()
        while True:
            await asyncio.sleep(0.001)
            now = time.perf_counter()
            self.worst = max(self.worst, now - last)
            last = now

    def start(self) -> None:
        self.worst = 0.0
        self._task = asyncio.get_running_loop().create_task(self._run())

    def stop(self) -> float:
        assert self._task is not None
        self._task.cancel()
        return self.worst


async def painted_after(app: Any, moment: float) -> None:
    while app.painted_at <= moment:
        await asyncio.sleep(0.0005)


async def one_run(path: str) -> dict[str, float]:
    from textual.events import Resize
    from textual.geometry import Size
    from ui_bench import timed_app

    from tui_desk.store import open_store
    from tui_desk.ui.widgets.thread import ThreadView

    Timed = timed_app()

    store = open_store(path)
    biggest = store.scalar("SELECT id FROM tickets ORDER BY message_count DESC, id LIMIT 1")
    app = Timed(store)
    figures: dict[str, float] = {}
    ticker = Ticker()
    async with app.run_test(size=(160, 48)):
        main = app.main
        while main.inbox.row_at(0) is None or main.ticket is None:
            await asyncio.sleep(0.005)
        await _settle(app)
        pane = main.query_one(ThreadView)
        main._whole_thread.add(biggest)
        ticker.start()
        opened, cpu = time.perf_counter(), time.thread_time()
        main.load_ticket(biggest)
        while app.shown_at < opened or main.ticket is None or main.ticket.id != biggest or app.painted_at < app.shown_at:
            await asyncio.sleep(0.0005)
        figures["first frame (ms)"] = (app.painted_at - opened) * 1000
        figures["  event loop CPU until the first frame (ms)"] = (time.thread_time() - cpu) * 1000
        figures["  parts drawn then"] = getattr(pane, "drawn_parts", len(pane._parts))
        await _settle(app)
        while getattr(pane, "drawn_parts", len(pane._parts)) < len(pane._parts):
            await asyncio.sleep(0.001)
        figures["every part drawn (ms)"] = (time.perf_counter() - opened) * 1000
        figures["  event loop CPU until every part drawn (ms)"] = (time.thread_time() - cpu) * 1000
        figures["worst event loop stall, request to all drawn (ms)"] = ticker.stop() * 1000
        assert main.ticket is not None and main.ticket.id == biggest
        figures["parts"] = len(pane._parts)
        for key, action in (("Home", pane.action_scroll_home), ("End", pane.action_scroll_end)):
            cpu = time.thread_time()
            action()
            figures[f"{key}, all drawn (ms CPU)"] = (time.thread_time() - cpu) * 1000
        # Another width: every part is to be drawn again; Home then End before the filler is done.
        ticker.start()
        width = pane._rendered_width
        asked, cpu = time.perf_counter(), time.thread_time()
        app._driver._size = Size(130, 48)  # as Pilot.resize_terminal, without its wait for idle
        app.post_message(Resize(Size(130, 48), Size(130, 48)))
        while pane._rendered_width == width:
            await asyncio.sleep(0.0005)
        await painted_after(app, time.perf_counter())
        figures["resize to 130 columns: first frame (ms)"] = (app.painted_at - asked) * 1000
        figures["  event loop CPU until that frame (ms)"] = (time.thread_time() - cpu) * 1000
        for key, action in (("Home", pane.action_scroll_home), ("End", pane.action_scroll_end)):
            cpu = time.thread_time()
            action()
            figures[f"  then {key} (ms CPU)"] = (time.thread_time() - cpu) * 1000
        await _settle(app)
        while getattr(pane, "drawn_parts", len(pane._parts)) < len(pane._parts):
            await asyncio.sleep(0.001)
        figures["  worst event loop stall, resize to all drawn (ms)"] = ticker.stop() * 1000
    store.close()
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="the store file (changed: use a copy)")
    parser.add_argument("--big-thread", type=int, default=3000, metavar="N", help="messages in the biggest thread")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from tui_desk.store import open_store

    store = open_store(args.db)
    biggest = store.scalar("SELECT id FROM tickets ORDER BY message_count DESC, id LIMIT 1")
    grow_thread(store, biggest, args.big_thread)
    store.close()
    runs = [asyncio.run(one_run(args.db)) for _ in range(args.runs)]
    print(f"thread #{biggest}, {args.big_thread:,} messages; load average {os.getloadavg()[0]:.2f}")
    for name in runs[0]:
        values = [run[name] for run in runs]
        print(f"{name:<58} {statistics.median(values):>9.1f}   ({' '.join(f'{v:.0f}' for v in values)})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
