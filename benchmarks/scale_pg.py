"""scale_bench on PostgreSQL: a server to measure on, and a desk (database) per size on it.

    python benchmarks/scale_bench.py --pg-data /var/tmp/scale-pg --dir /var/tmp/scale
    python benchmarks/scale_bench.py --db-url 'postgresql://desk@/postgres?host=/tmp/pg' --dir /var/tmp/scale

--pg-data starts a throw-away server in that folder (initdb the first time, as the tests do
with tests/pg_server.py: Unix socket only, trust, fsync off) and stops it at the end; the
folder and its desks are kept for the next run. --db-url names a server already running (any
database on it: the desks are made beside it). Either way each size is the database
tui_desk_scale_SIZE, created if missing, filled by `tui-desk --db URL demo` if it has no
fill record (pg-SIZE.fill.json in --dir), reused otherwise.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

from _common import pg_server_module


@contextmanager
def kept_server(folder: Path) -> Iterator[str]:
    """The URL of the `postgres` database on a server whose data stays in `folder`: made by
    initdb the first time, started now, stopped (not removed) at the end."""
    pg_server = pg_server_module()
    folder = folder.resolve()
    folder.mkdir(parents=True, exist_ok=True)

    class Kept(pg_server.PgServer):  # type: ignore[misc, name-defined]
        def start(self) -> None:
            if not (self.data / "PG_VERSION").exists():
                super().start()
                return
            if self._user is not None:
                import os

                os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
            self.start_existing()

        def stop(self) -> None:
            if (self.data / "postmaster.pid").exists():
                self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    bin_dir = pg_server.server_bin()
    server = Kept(bin_dir, folder)
    server.start()
    try:
        yield server.url("postgres")
    finally:
        server.stop()


def database_url(server_url: str, name: str) -> str:
    """The URL of database `name` on the server of `server_url`."""
    return urlsplit(server_url)._replace(path=f"/{name}").geturl()


def fresh_database(server_url: str, name: str) -> str:
    """Database `name` on that server, dropped first if it was there: empty, UTF-8."""
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING UTF8 LOCALE 'C.UTF-8'")
    return database_url(server_url, name)


def drop_database(server_url: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def has_database(server_url: str, name: str) -> bool:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as admin:
        return admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None


def server_version(server_url: str) -> str:
    import psycopg

    with psycopg.connect(server_url, autocommit=True) as admin:
        row = admin.execute("SHOW server_version").fetchone()
    return "PostgreSQL " + str(row[0] if row else "?").split()[0]


def analyze(url: str) -> None:
    """Fresh planner statistics after a bulk fill, as autovacuum would gather them a little later."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")


@contextmanager
def niced_database(server_url: str, name: str, niceness: int = 10) -> Iterator[None]:
    """The server processes working for database `name` (a fill's connections) at a lower
    priority while this lasts: a fill beside other people's measurements, and beside this
    run's own on the other desks, which keep the normal priority. Looked for every second;
    nothing where the server's processes are not ours to renice."""
    import os
    import threading

    import psycopg

    done = threading.Event()

    def renice() -> None:
        try:
            with psycopg.connect(server_url, autocommit=True) as admin:
                while not done.is_set():
                    for (pid,) in admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", [name]):
                        try:
                            if os.getpriority(os.PRIO_PROCESS, pid) < niceness:
                                os.setpriority(os.PRIO_PROCESS, pid, niceness)
                        except OSError:
                            continue
                    done.wait(1.0)
        except psycopg.Error:
            return

    watcher = threading.Thread(target=renice, daemon=True)
    watcher.start()
    try:
        yield
    finally:
        done.set()
        watcher.join()
