"""`tui-desk import` of one mbox into a new store: wall time, rate, CPU time of the storing process
and of its parsers, peak memory of the whole process tree, the load average (docs/issue16/bulk-import.md).

    python benchmarks/import_cpu.py MBOX STORE      # STORE must not exist yet
    python benchmarks/import_cpu.py MBOX postgresql://USER@/postgres?host=/SOCKET/DIR

With a postgresql:// URL the import goes into a new database `tui_desk_import_cpu` on that server
(dropped first if there; kept afterwards to look at), and the server's CPU is given too: that of
its postmaster's process tree (backends, autovacuum, writers; backends that ended included), read
from /proc, so only for a server on this machine, and all of it: measure on a server of your own
(docs/issue16/pg-import.md).

On a shared machine the wall time follows the load; the CPU times per process are the figures to
compare between two versions. An mbox: `benchmarks/scale_bench.py`'s write_mbox.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from scale_bench import ROOT, _env, _tree_kb

from tui_desk.domain.store_location import is_server_url

CHILD = r"""
import json, resource, sys
from tui_desk.cli.entry import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
own, parsers = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"store_cpu": own.ru_utime + own.ru_stime, "parsers_cpu": parsers.ru_utime + parsers.ru_stime,
                  "store_rss_mb": own.ru_maxrss / 1024, "parser_rss_mb": parsers.ru_maxrss / 1024}))
"""
DATABASE = "tui_desk_import_cpu"
_TICK = os.sysconf("SC_CLK_TCK")


def _server_pid(url: str) -> int | None:
    """The postmaster of the server at `url`, if it runs on this machine."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        backend = int(conn.execute("SELECT pg_backend_pid()").fetchone()[0])  # type: ignore[index]
        try:
            return _stat(backend)[1]
        except OSError:
            return None


def _stat(pid: int) -> tuple[float, int, float]:
    """(own CPU seconds, parent pid, CPU seconds of its children that ended) of a process."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICK, int(fields[1]), (int(fields[13]) + int(fields[14])) / _TICK


def _server_cpu(postmaster: int) -> float:
    """CPU seconds of the postmaster, its living children, and its children that ended."""
    own, _parent, ended = _stat(postmaster)
    total = own + ended
    for entry in os.listdir("/proc"):
        if entry.isdigit() and int(entry) != postmaster:
            try:
                cpu, parent, _ = _stat(int(entry))
            except (OSError, IndexError, ValueError):
                continue
            if parent == postmaster:
                total += cpu
    return total


def _new_database(server_url: str) -> str:
    sys.path.insert(0, str(Path(__file__).parent))
    import scale_pg

    return scale_pg.fresh_database(server_url, DATABASE)


def main() -> None:
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    mbox = Path(sys.argv[1]).resolve()
    postmaster = None
    if is_server_url(sys.argv[2]):
        store = _new_database(sys.argv[2])
        postmaster = _server_pid(store)
    else:
        store = str(Path(sys.argv[2]).resolve())
        if Path(store).exists():
            raise SystemExit(f"{store} exists: the import is measured into a new store")
    messages = sum(1 for line in mbox.open("rb") if line.startswith(b"From "))
    load_before = os.getloadavg()
    server_before = _server_cpu(postmaster) if postmaster else 0.0
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", CHILD, "--db", store, "import", "--quiet", str(mbox)],
        env=_env(Path(store) if postmaster is None else store), cwd=ROOT, stdout=subprocess.PIPE, text=True,
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_kb(process.pid))
        time.sleep(0.5)
    wall = time.perf_counter() - started
    out = process.communicate()[0].strip().splitlines()
    figures = json.loads(out[-1])
    print(*out[:-1], sep="\n")  # the import's own summary line
    print(f"{messages:,} messages in {wall:.1f} s: {messages / wall:,.0f}/s; load {load_before[0]:.1f} -> "
          f"{os.getloadavg()[0]:.1f}")
    print(f"store CPU {figures['store_cpu']:.1f} s ({figures['store_cpu'] / messages * 1e6:.0f} µs/message), "
          f"parsers CPU {figures['parsers_cpu']:.1f} s ({figures['parsers_cpu'] / messages * 1e6:.0f} µs/message)")
    if postmaster:
        time.sleep(0.5)  # the import's backend ends after its client: its CPU goes to the postmaster's children
        server = _server_cpu(postmaster) - server_before
        print(f"server CPU {server:.1f} s ({server / messages * 1e6:.0f} µs/message)")
    print(f"peak memory of the tree (PSS) {peak / 1024:.0f} MB; largest store RSS {figures['store_rss_mb']:.0f} MB, "
          f"parser {figures['parser_rss_mb']:.0f} MB")


if __name__ == "__main__":
    main()
