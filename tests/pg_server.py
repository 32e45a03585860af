"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl in a temporary folder.

It listens on a Unix socket in that folder only (no TCP), trusts local connections, and is
stopped and removed at the end of the session. PostgreSQL refuses to run as root, so when the
tests run as root the server runs as an unprivileged user (`postgres` if the Debian package
made one, else `nobody`). Without the server binaries (or psycopg) the tests that need it skip
with one reason, `why_not()`.
"""

from __future__ import annotations

import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

SUPERUSER = "desk"
_INSTALL_HINT = "apt-get install -y postgresql; .ci/run does it in CI"


def server_bin() -> Path | None:
    """The folder holding initdb and pg_ctl: the newest /usr/lib/postgresql/N/bin, else $PATH."""

    def version(path: str) -> int:
        part = Path(path).parent.parent.name
        return int(part) if part.isdigit() else 0

    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=version, reverse=True)
    if found:
        return Path(found[0]).parent
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    return None


def why_not() -> str | None:
    """Why the PostgreSQL tests cannot run here, or None when they can."""
    if server_bin() is None:
        return f"PostgreSQL server binaries (initdb, pg_ctl) are not installed ({_INSTALL_HINT})"
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed (pip install -e '.[test]')"
    return None


def _server_user() -> pwd.struct_passwd | None:
    """Whom to run the server as: None (ourselves) unless we are root."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError(
        "running as root, and there is no 'postgres' or 'nobody' user to run PostgreSQL as"
    )


class PgServer:
    """One running server; `database()` hands out a fresh, empty database per test."""

    def __init__(self, bin_dir: Path, root: Path) -> None:
        self.bin_dir = bin_dir
        self.root = root
        self.data = root / "data"
        self.socket_dir = root
        self._names = itertools.count(1)
        self._user = _server_user()

    def url(self, dbname: str) -> str:
        """A libpq connection URL for one database on this server (Unix socket, no password)."""
        return f"postgresql://{SUPERUSER}@/{dbname}?host={self.socket_dir}"

    def _run(self, *args: str) -> None:
        kwargs: dict[str, object] = {}
        if self._user is not None:
            kwargs = {"user": self._user.pw_uid, "group": self._user.pw_gid, "extra_groups": []}
        result = subprocess.run(
            [str(self.bin_dir / args[0]), *args[1:]],
            cwd=self.root,
            env={"PATH": os.environ.get("PATH", ""), "LC_ALL": "C.UTF-8", "TZ": "UTC"},
            capture_output=True,
            text=True,
            **kwargs,
        )
        if result.returncode != 0:
            log = self.root / "server.log"
            tail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
            raise RuntimeError(f"{args[0]} failed: {result.stderr.strip()}\n{tail}")

    def start(self) -> None:
        if self._user is not None:
            os.chown(self.root, self._user.pw_uid, self._user.pw_gid)
        self.root.chmod(0o755)
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "--auth=trust",
            "-E", "UTF8", "--locale=C.UTF-8", "--no-sync",
        )  # fmt: skip
        self.start_existing()

    def start_existing(self) -> None:
        """Start the server on a data folder initdb already made (benchmarks/scale_pg.py keeps one)."""
        options = (
            f"-c listen_addresses='' -k {self.socket_dir} -c fsync=off"
            " -c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.root / "server.log"),
            "-o", options, "-w", "-t", "60", "start",
        )  # fmt: skip

    def stop(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url("postgres"), autocommit=True) as conn:
            conn.execute(sql)

    @contextmanager
    def database(self, options: str = "") -> Iterator[str]:
        """A new empty database for one test (`options` of CREATE DATABASE, e.g. another
        locale); dropped (with its connections) afterwards."""
        name = f"desk_{os.getpid()}_{next(self._names)}"
        self._admin(f'CREATE DATABASE "{name}" {options}')
        try:
            yield self.url(name)
        finally:
            self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def running_server() -> Iterator[PgServer]:
    """Start a server in a temporary folder; stop it and remove the folder afterwards."""
    bin_dir = server_bin()
    if bin_dir is None:
        raise RuntimeError(why_not())
    root = Path(tempfile.mkdtemp(prefix="tui-desk-pg-"))
    server = PgServer(bin_dir, root)
    try:
        server.start()
        yield server
    finally:
        try:
            server.stop()
        finally:
            shutil.rmtree(root, ignore_errors=True)


class Reset:
    """Puts a migrated desk database back to how its migration left it, in a few milliseconds.

    For tests that need many fresh desks one after the other (the lifecycle state machine: a
    desk per example): a new database costs about 0.3 s (CREATE DATABASE, or a clone of a
    migrated template, which measured no faster, plus the migration), this about 20 ms. Only
    for desks that nothing but tui-desk wrote to: rows are put back, not triggers or grants.
    """

    def __init__(self, url: str) -> None:
        import psycopg

        self._conn = psycopg.connect(url, autocommit=True)
        self._tables = [
            row[0]
            for row in self._conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
                " AND tablename <> 'schema_version' ORDER BY tablename"
            )
        ]
        self._rows = {t: self._conn.execute(f"SELECT * FROM {t}").fetchall() for t in self._tables}
        self._sequences = self._conn.execute(
            "SELECT sequencename, last_value, last_value IS NOT NULL FROM pg_sequences"
            " WHERE schemaname = current_schema()"
        ).fetchall()

    def __call__(self) -> None:
        with self._conn.transaction():
            self._conn.execute("SET LOCAL session_replication_role = replica")  # no foreign key order
            for table in self._tables:
                self._conn.execute(f"DELETE FROM {table}")
                rows = self._rows[table]
                if rows:
                    marks = ", ".join(["%s"] * len(rows[0]))
                    with self._conn.cursor() as cursor:
                        cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)
            for name, last, called in self._sequences:
                self._conn.execute("SELECT setval(%s, %s, %s)", [name, last or 1, called])

    def close(self) -> None:
        self._conn.close()


# What a desk database holds besides its rows: anything a test may have changed that a Reset
# does not put back (tables, columns, indexes, triggers, functions, grants, the database's
# settings) and what the planner reads (statistics, table sizes: an ANALYZE by the code under
# test or by autovacuum). A desk whose print changed is dropped instead of reused.
_PRINT = """
SELECT md5(coalesce(string_agg(x, E'\\n' ORDER BY x), '')) FROM (
    SELECT concat_ws(':', 'class', n.nspname, c.relname, c.relkind, c.reltuples, c.relpages,
                     c.relacl::text, c.reloptions::text, c.relrowsecurity)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast')
      AND n.nspname NOT LIKE 'pg_temp%' AND n.nspname NOT LIKE 'pg_toast_temp%'
    UNION ALL
    SELECT concat_ws(':', 'column', a.attrelid::regclass::text, a.attname, a.atttypid, a.attnotnull,
                     pg_get_expr(d.adbin, d.adrelid))
    FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
    WHERE a.attnum > 0 AND NOT a.attisdropped AND n.nspname = current_schema()
    UNION ALL SELECT concat_ws(':', 'trigger', tgrelid::regclass::text, tgname, tgenabled) FROM pg_trigger
    UNION ALL SELECT concat_ws(':', 'constraint', conrelid::regclass::text, conname) FROM pg_constraint
    UNION ALL SELECT concat_ws(':', 'rule', ev_class::regclass::text, rulename) FROM pg_rewrite
    UNION ALL SELECT concat_ws(':', 'policy', polrelid::regclass::text, polname) FROM pg_policy
    UNION ALL SELECT concat_ws(':', 'function', p.oid::regprocedure::text)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL SELECT concat_ws(':', 'type', t.typname) FROM pg_type t
    JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    UNION ALL SELECT concat_ws(':', 'schema', nspname, nspacl::text) FROM pg_namespace
    UNION ALL SELECT concat_ws(':', 'extension', extname, extversion) FROM pg_extension
    UNION ALL SELECT concat_ws(':', 'statistic', starelid::regclass::text, staattnum) FROM pg_statistic s
    JOIN pg_class c ON c.oid = s.starelid JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = current_schema()
    UNION ALL SELECT concat_ws(':', 'setting', array_to_string(setconfig, ',')) FROM pg_db_role_setting
    WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())
    UNION ALL SELECT concat_ws(':', 'database', datconnlimit, datallowconn, datacl::text) FROM pg_database
    WHERE datname = current_database()
    UNION ALL SELECT concat_ws(':', 'prepared', gid) FROM pg_prepared_xacts WHERE database = current_database()
) prints(x)
"""

# A table or index never vacuumed counts as 10 pages for the planner while it is smaller: below
# this size a reused desk's leftover (deleted) rows cannot change a plan.
_SMALL = 5 * 8192


class _PooledDesk(Reset):
    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url
        self.name = ""
        self.print = self._conn.execute(_PRINT).fetchone()[0]
        self._conn.close()

    def put_back(self) -> bool:
        """Rows and sequences as the migration left them; False (nothing done) when anything else
        changed, or a table grew past what the planner sees as small."""
        import psycopg

        self._conn = psycopg.connect(self.url, autocommit=True)
        try:
            if self._conn.execute(_PRINT).fetchone()[0] != self.print:
                return False
            biggest = self._conn.execute(
                "SELECT coalesce(max(pg_relation_size(c.oid)), 0) FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i')"
            ).fetchone()[0]
            if biggest > _SMALL:
                return False
            self()
            return True
        finally:
            self._conn.close()


class MigratedDesks:
    """Migrated desk databases for tests that open one at once (the `store` fixture): a desk is
    put back with a Reset after its test (about 20 ms) instead of a new database and a
    migration per test (about 0.3 s).

    A desk goes back only as the migration left it: its test's connections ended, the same
    schema, settings and planner statistics, every table still small; any other desk is
    dropped, and the next test gets a new one. The desks are keyed by what the migration
    depends on (the language of the default saved replies).
    """

    def __init__(self, server: PgServer, migrate: Callable[[str], None]) -> None:
        self.server = server
        self._migrate = migrate
        self._free: dict[str, list[_PooledDesk]] = {}
        self._names = itertools.count(1)

    @contextmanager
    def desk(self, key: str) -> Iterator[str]:
        free = self._free.setdefault(key, [])
        if free:
            desk = free.pop()
        else:
            name = f"desk_{os.getpid()}_pooled_{next(self._names)}"
            self.server._admin(f'CREATE DATABASE "{name}"')
            self._migrate(self.server.url(name))
            desk = _PooledDesk(self.server.url(name))
            desk.name = name
        name = desk.name
        try:
            yield desk.url
        finally:
            # The test's own connections (a leaked one, a child process's) end first: they may
            # hold locks, and a reused desk must not see them.
            self.server._admin(
                "SELECT pg_terminate_backend(pid, 10000) FROM pg_stat_activity"
                f" WHERE datname = '{name}' AND pid <> pg_backend_pid()"
            )
            try:
                reusable = desk.put_back()
            except Exception:
                reusable = False
            if reusable:
                free.append(desk)
            else:
                self.server._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
