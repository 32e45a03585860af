"""What the store-based benchmarks share: a demo store to measure and a median timer."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tui_desk import demo
from tui_desk.store import Store, open_store

NOW = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)


def median_ms(action: Callable[[], Any], runs: int) -> tuple[float, float, float, Any]:
    """Median, min and max in ms over `runs` calls, after one warm-up call; and the last result."""
    result = action()  # warm the page cache and the statement cache once
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        result = action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), min(times), max(times), result


@contextmanager
def demo_store(db: str | None, tickets: int, seed: int, prefix: str) -> Iterator[tuple[Store, Path]]:
    """A store of demo tickets: `db` reused if it has tickets (filled if empty), else a temporary one."""
    temp = None
    if db:
        path = Path(db)
    else:
        temp = tempfile.TemporaryDirectory(prefix=prefix)
        path = Path(temp.name) / "bench.db"
    store = open_store(path)
    try:
        existing = store.scalar("SELECT count(*) FROM tickets")
        print(f"SQLite {store.scalar('SELECT sqlite_version()')}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs")
        if existing:
            print(f"Reusing {path} ({existing:,} tickets): no fill")
        else:
            start = time.perf_counter()
            demo.fill_demo(store, tickets=tickets, seed=seed, now=NOW)
            took = time.perf_counter() - start
            phases = ", ".join(f"{name} {seconds:.1f}" for name, seconds in demo.last_timings.items())
            print(f"Demo fill of {tickets:,} tickets: {took:.1f} s  ({phases})")
        yield store, path
    finally:
        store.close()
        if temp is not None:
            temp.cleanup()
