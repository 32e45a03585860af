"""What the store-based benchmarks share: a demo store to measure (a SQLite file or a PostgreSQL
database), a median timer, and a throw-away PostgreSQL server for a quick comparison."""

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
from tui_desk.domain.store_location import is_server_url, redact_url
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


def backend_line(store: Store) -> str:
    """Which database engine and version the figures are of, and the machine."""
    if store.dialect == "postgresql":
        engine = "PostgreSQL " + str(store.scalar("SHOW server_version")).split()[0]
    else:
        engine = f"SQLite {store.scalar('SELECT sqlite_version()')}"
    return f"{engine}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs"


def size_mb(store: Store, location: str | Path) -> float:
    """The store's size on disk: the file, or the PostgreSQL database."""
    if store.dialect == "postgresql":
        return float(store.scalar("SELECT pg_database_size(current_database())")) / 1e6
    return Path(location).stat().st_size / 1e6


@contextmanager
def demo_store(db: str | None, tickets: int, seed: int, prefix: str) -> Iterator[tuple[Store, Path | str]]:
    """A store of demo tickets: `db` (a file or a postgresql:// URL) reused if it has tickets
    (filled if empty), else a temporary file."""
    temp = None
    path: Path | str
    if db and is_server_url(db):
        path = db
    elif db:
        path = Path(db)
    else:
        temp = tempfile.TemporaryDirectory(prefix=prefix)
        path = Path(temp.name) / "bench.db"
    store = open_store(path)
    try:
        existing = store.scalar("SELECT count(*) FROM tickets")
        print(backend_line(store))
        if existing:
            print(f"Reusing {redact_url(str(path))} ({existing:,} tickets): no fill")
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


def pg_server_module():  # noqa: ANN201 - tests/pg_server.py, imported from the checkout
    """The tests' throw-away PostgreSQL server module, or exit with why there is none."""
    tests = Path(__file__).resolve().parent.parent / "tests"
    sys.path.insert(0, str(tests))
    try:
        import pg_server
    finally:
        sys.path.remove(str(tests))
    reason = pg_server.why_not()
    if reason is not None:
        raise SystemExit(f"Cannot start a PostgreSQL server: {reason}")
    return pg_server


@contextmanager
def throwaway_postgresql() -> Iterator[str]:
    """The URL of an empty database on a PostgreSQL server started for this run (initdb in a
    temporary folder, as the tests do with tests/pg_server.py), stopped and removed afterwards.

    The benchmarks are run from a checkout, like the tests; the app itself never imports this.
    """
    pg_server = pg_server_module()
    with pg_server.running_server() as server, server.database() as url:
        yield url


def bench_database(server_url: str, name: str) -> str:
    """The URL of database `name` on the server of `server_url`, created (UTF-8) if missing."""
    from urllib.parse import urlsplit

    import psycopg

    with psycopg.connect(server_url, autocommit=True) as admin:
        if admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is None:
            admin.execute(
                f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8 LOCALE \'C.UTF-8\''
            )
    return urlsplit(server_url)._replace(path=f"/{name}").geturl()
