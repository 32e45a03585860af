"""Issue 16's table: what a user waits for, at 1k, 10k, 100k and 1M tickets, in one table.

    python benchmarks/scale_bench.py --dir /tmp/scale                       # 1k, 10k, 100k, 1M
    python benchmarks/scale_bench.py --dir /tmp/scale --sizes 1000,100000 --quick

Stores are kept in --dir as SIZE.db and reused by the next run (their fill figures are kept
beside them in SIZE.fill.json); a missing one is filled with `tui-desk demo --tickets SIZE`
(the command a user runs), timed, its peak memory taken. Every figure is measured through
what the app and the CLI use, so a faster code path shows here as soon as it is merged:

- launch to first inbox rows: a fresh `python` running the app headless until the inbox
  has rows (as benchmarks/ui_bench.py), median of --runs;
- selection to thread and timeline shown, search first page, switching view: in one app
  process per size (run_test, 160x48): the time from the change (a cursor move, a new inbox
  filter) to the frame that shows it; the app's resident memory (RSS) after all of them;
- `tui-desk report` over the last 30 days and over all time, and `tui-desk rules run`
  right after a run (nothing due), as commands: start-up included;
- importing an mbox of SIZE messages (`tui-desk import`, into a new store): messages/s and
  the peak memory of the importer with its parsing processes (see below);
  the mbox is written message by message (write_mbox) and kept as SIZE.mbox;
- the store's size on disk, per ticket and per message.

Peak memory of a command: the largest sum of memory over the command's process tree
(proportional set size, PSS: pages shared by forked processes counted once), sampled every
0.1 s, or the largest single process's peak resident memory (getrusage RUSAGE_CHILDREN,
exact) if that is larger.

--quick leaves out the slow figures: the import (and its mbox) and the all-time report.
--skip-import only the import; --import-up-to N imports only at the sizes up to N. The targets are issue 16's, checked at the largest size.

On PostgreSQL (--db-url SERVER or --pg-data FOLDER, see benchmarks/scale_pg.py) each size is a
database on that server (the import's target too); the same figures, the same table. The
peak memory of the fill and the import is the client's: the server's is not counted.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

SEED = 1
# "invoice" is in about one demo message in seven; "adapter" in one awkward ticket only.
COMMON_WORD, RARE_WORD, NO_HIT = "invoice", "adapter", "qqxjzvvk"


# -- running commands ---------------------------------------------------------------------------

# The PostgreSQL server the stores are on (a URL of any database on it), None for SQLite files.
PG_SERVER: str | None = None


def _env(store: Path | str) -> dict[str, str]:
    """A user without a config file (built-in defaults), on this checkout."""
    config = Path(tempfile.gettempdir()) / "scale-bench" if isinstance(store, str) else store
    return {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "TUI_DESK_CONFIG": str(config.with_suffix(".no-config.toml")),
        "TUI_DESK_AGENT": "bench",
    }


def _tree_kb(root: int) -> int:
    """Memory (kB) of a process and all its descendants, from /proc: the sum of their
    proportional set sizes (PSS), so pages the forked parsers share are counted once."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                parents[int(entry)] = int(stat.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += next((int(line.split()[1]) for line in rollup if line.startswith("Pss:")), 0)
        except OSError:
            pass
        todo.extend(child for child, parent in parents.items() if parent == pid)
    return total


WRAPPER = r"""
import json, resource, subprocess, sys
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
print(json.dumps({"rc": done.returncode, "out": done.stdout[-4000:], "err": done.stderr[-4000:],
                  "maxrss_kb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


def run_measured(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a command; its wall time, output, largest process (exact) and peak tree RSS (sampled)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-c", WRAPPER, *command], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    peak = 0
    while process.poll() is None:
        peak = max(peak, _tree_kb(process.pid) - _wrapper_kb)
        time.sleep(0.1)
    out, _ = process.communicate()
    result: dict[str, Any] = json.loads(out)
    result["seconds"] = time.perf_counter() - started
    result["peak_mb"] = max(peak, result["maxrss_kb"]) / 1024
    result["max_process_mb"] = result["maxrss_kb"] / 1024
    if result["rc"]:
        raise SystemExit(f"{' '.join(command)} failed:\n{result['err']}")
    return result


_wrapper_kb = 0  # the wrapper's own interpreter, left out of the tree's sum (measured once)


def _measure_wrapper() -> None:
    global _wrapper_kb
    process = subprocess.Popen([sys.executable, "-c", "import json, resource, subprocess, sys, time; time.sleep(0.5)"])
    time.sleep(0.3)
    _wrapper_kb = _tree_kb(process.pid)
    process.wait()


def cli(store: Path | str, *args: str) -> list[str]:
    return [sys.executable, "-m", "tui_desk.cli", "--db", str(store), *args]


def median_seconds(action: Callable[[], float], runs: int) -> float:
    return statistics.median(action() for _ in range(max(1, runs)))


# -- the stores -----------------------------------------------------------------------------------

def ensure_store(directory: Path, size: int) -> tuple[Path | str, dict[str, Any]]:
    """SIZE.db filled by `tui-desk demo` (timed, peak memory) or reused with its recorded fill."""
    if PG_SERVER is not None:
        return ensure_pg_desk(directory, size, PG_SERVER)
    path = directory / f"{size}.db"
    record = directory / f"{size}.fill.json"
    if path.exists() and record.exists():
        return path, json.loads(record.read_text())
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    print(f"  filling {path} with {size:,} demo tickets…", flush=True)
    done = run_measured(cli(path, "demo", "--tickets", str(size), "--seed", str(SEED)), _env(path))
    fill = {"seconds": done["seconds"], "peak_mb": done["peak_mb"], "max_process_mb": done["max_process_mb"]}
    # Rules not yet run on the demo: catch up once, as the app does in its first minute.
    run_measured(cli(path, "rules", "run"), _env(path))
    record.write_text(json.dumps(fill))
    return path, fill


def ensure_pg_desk(directory: Path, size: int, server: str) -> tuple[str, dict[str, Any]]:
    """Database tui_desk_scale_SIZE on the server, filled by `tui-desk --db URL demo` (niced:
    the client and its server processes) or reused with its recorded fill."""
    import scale_pg

    name = f"tui_desk_scale_{size}"
    record = directory / f"pg-{size}.fill.json"
    if record.exists() and scale_pg.has_database(server, name):
        return scale_pg.database_url(server, name), json.loads(record.read_text())
    url = scale_pg.fresh_database(server, name)
    print(f"  filling database {name} with {size:,} demo tickets…", flush=True)
    with scale_pg.niced_database(server, name):
        done = run_measured(["nice", "-n", "10", *cli(url, "demo", "--tickets", str(size), "--seed", str(SEED))], _env(url))
        fill = {"seconds": done["seconds"], "peak_mb": done["peak_mb"], "max_process_mb": done["max_process_mb"]}
        run_measured(["nice", "-n", "10", *cli(url, "rules", "run")], _env(url))
        scale_pg.analyze(url)
    record.write_text(json.dumps(fill))
    return url, fill


def store_counts(path: Path | str) -> tuple[int, int, float, str]:
    """Tickets, messages, bytes on disk, and the day of the first ticket (for an all-time report)."""
    from tui_desk.store import open_store

    store = open_store(path)
    try:
        tickets = int(store.scalar("SELECT count(*) FROM tickets"))
        messages = int(store.scalar("SELECT count(*) FROM messages"))
        first = str(store.scalar("SELECT min(created_at) FROM tickets") or "2000-01-01")[:10]
        if store.dialect == "postgresql":
            return tickets, messages, float(store.scalar("SELECT pg_database_size(current_database())")), first
        store.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        store.close()
    assert isinstance(path, Path)
    on_disk = sum(Path(f"{path}{s}").stat().st_size for s in ("", "-wal") if Path(f"{path}{s}").exists())
    return tickets, messages, on_disk, first


# -- the app, in a child process per size ---------------------------------------------------------

async def _app_figures(path: str, moves: int) -> dict[str, Any]:
    """Selection, search, view switches and memory, measured in one app (see the module doc)."""
    from tui_desk.core.saved_views import SavedView
    from tui_desk.store import open_store
    from tui_desk.store.queries import VIEW_ALL, InboxFilter
    from tui_desk.ui.app import TuiDeskApp
    from tui_desk.ui.main_screen import MainScreen

    class Screen(MainScreen):
        def _apply_inbox(self, request, flt, snapshot) -> None:  # noqa: ANN001
            super()._apply_inbox(request, flt, snapshot)
            if request == self._inbox_request:
                self.app.inbox_at = (flt, time.perf_counter())  # type: ignore[attr-defined]

        def _show_ticket(self, snapshot) -> None:  # noqa: ANN001
            self.app.shown_at = time.perf_counter()  # type: ignore[attr-defined]
            super()._show_ticket(snapshot)

    class App(TuiDeskApp):
        painted_at = 0.0
        shown_at = 0.0
        inbox_at: tuple[Any, float] = (None, 0.0)

        def get_default_screen(self) -> MainScreen:
            self._main = Screen()
            return self._main

        def _display(self, screen, renderable) -> None:  # noqa: ANN001
            super()._display(screen, renderable)
            self.painted_at = time.perf_counter()

    async def painted_after(moment_of: Callable[[], float], started: float) -> float:
        while moment_of() < started:
            if time.perf_counter() - started > 120:
                raise SystemExit("the app did not show the change within 120 s")
            await asyncio.sleep(0.0005)
        shown = moment_of()
        while app.painted_at < shown:
            await asyncio.sleep(0.0005)
        return app.painted_at - started

    async def switch(flt: InboxFilter) -> float:
        """Seconds from setting the inbox's filter to the frame with its first rows (or none)."""
        screen = app.main
        if screen.inbox_filter == flt:  # start from another view, so the switch loads
            screen.inbox_filter = InboxFilter(view="status", statuses=("new",))
            await painted_after(lambda: app.inbox_at[1] if app.inbox_at[0] != flt else 0.0, time.perf_counter())
        started = time.perf_counter()
        screen.inbox_filter = flt
        took = await painted_after(lambda: app.inbox_at[1] if app.inbox_at[0] == flt else 0.0, started)
        await app.workers.wait_for_complete()
        return took

    app = App(open_store(path), live_interval=None)
    figures: dict[str, Any] = {}
    async with app.run_test(size=(160, 48)):
        while app.main.inbox.row_at(0) is None or app.main.ticket is None:
            await asyncio.sleep(0.005)
        samples = []
        for step in range(moves):
            inbox = app.main.inbox
            target = inbox.cursor + (1 if step % 40 < 30 else -1)
            expected = inbox.row_at(target)
            started = time.perf_counter()
            inbox.move_to(target)
            if expected is None:
                await app.workers.wait_for_complete()
                expected = inbox.current
            while app.main.ticket is None or app.main.ticket.id != expected.id:
                await asyncio.sleep(0.0005)
            samples.append(await painted_after(lambda: app.shown_at, started))
            await asyncio.sleep(0.05)  # a reader's pause: each move starts with no frame under way
        figures["selection"] = statistics.median(samples)

        everything = InboxFilter(view=VIEW_ALL)
        for key, word in (("search_common", COMMON_WORD), ("search_rare", RARE_WORD), ("search_none", NO_HIT)):
            figures[key] = statistics.median([await switch(everything.with_(search=word)) for _ in range(3)])
        saved = SavedView(name="bench", status="attention", department="Billing", order="sla")
        views = {
            "view_all": everything,
            "view_resolved": InboxFilter(view="status", statuses=("resolved",)),
            "view_saved": saved.inbox_filter("bench"),
        }
        for key, flt in views.items():
            times = []
            for _ in range(3):
                times.append(await switch(flt))
                await switch(InboxFilter(view="attention"))
            figures[key] = statistics.median(times)
        with open("/proc/self/status") as status:
            figures["rss_mb"] = next(int(line.split()[1]) for line in status if line.startswith("VmRSS:")) / 1024
    return figures


# -- one size -------------------------------------------------------------------------------------

def measure(directory: Path, size: int, args: argparse.Namespace) -> dict[str, Any]:
    from ui_bench import startup

    path, fill = ensure_store(directory, size)
    figures: dict[str, Any] = {"fill_s": fill["seconds"], "fill_mb": fill["peak_mb"]}
    tickets, messages, on_disk, first_day = store_counts(path)
    figures.update(tickets=tickets, messages=messages)
    figures["kb_ticket"] = on_disk / 1024 / max(1, tickets)
    figures["kb_message"] = on_disk / 1024 / max(1, messages)
    print(f"  {size:,}: {tickets:,} tickets, {messages:,} messages, {on_disk / 1e6:,.0f} MB", flush=True)
    if PG_SERVER is not None:
        from tui_desk.domain.store_location import redact_url

        print(f"  on {redact_url(str(path))}", flush=True)

    figures["launch"], _ = startup(str(path), args.runs)
    child = subprocess.run(
        [sys.executable, __file__, "--app-child", str(path), "--moves", str(args.moves)],
        capture_output=True, text=True, cwd=ROOT, env=_env(path), check=False,
    )
    if child.returncode:
        raise SystemExit(f"the app measurements failed:\n{child.stderr[-3000:]}")
    figures.update(json.loads(child.stdout.splitlines()[-1]))

    env = _env(path)

    def command(*words: str) -> Callable[[], float]:
        return lambda: run_measured(cli(path, *words), env)["seconds"]

    run_measured(cli(path, "rules", "run"), env)  # whatever became due since the last run
    figures["rules"] = median_seconds(command("rules", "run"), args.runs)
    figures["report_30d"] = median_seconds(command("report", "--since", "30d"), args.runs)
    if not args.quick:
        figures["report_all"] = median_seconds(command("report", "--since", first_day), max(1, args.runs // 2))
    if not (args.quick or args.skip_import) and size <= args.import_up_to:
        figures.update(import_figures(directory, size))
    return figures


WORDS = ["printer", "invoice", "login", "password", "refund", "order", "shipping", "broken", "screen", "account", "update", "error", "the", "a", "to", "and", "please", "thanks", "since", "yesterday", "again", "still", "cannot", "open", "send", "help", "our", "office", "café", "naïve", "Grüße"]


def write_mbox(path: Path, messages: int, seed: int = SEED) -> None:
    """An mbox of `messages` messages written one by one (nothing kept but the open threads):
    new requests from 1 in 3 senders, their follow-ups and the desk's replies (In-Reply-To),
    1 in 10 HTML, 1 in 20 with a small attachment. Text is formatted directly: the email
    package takes about a millisecond a message, an hour for a million."""
    import base64
    import random
    from datetime import UTC, datetime, timedelta
    from email.utils import format_datetime

    rng = random.Random(seed)
    start = datetime(2025, 1, 6, 8, 0, tzinfo=UTC)
    pdf = base64.encodebytes(b"%PDF-1.4 " + b"x" * 1500).decode()
    threads: list[tuple[str, str, str]] = []  # (subject, customer, last Message-ID), the latest 5,000
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for n in range(messages):
            moment = start + timedelta(seconds=20 * n)
            if threads and rng.random() < 0.5:
                index = rng.randrange(len(threads))
                subject, customer, last = threads[index]
                ours = rng.random() < 0.5
                sender, to = ("Help Desk <help@desk.example>", customer) if ours else (customer, "help@desk.example")
                headers = f"Subject: Re: {subject}\nIn-Reply-To: {last}\nReferences: {last}\n"
            else:
                subject = " ".join(rng.choice(WORDS) for _ in range(5)).capitalize()
                customer = f"Customer {n % 50_000} <customer{n % 50_000}@example.org>"
                sender, to, index = customer, "help@desk.example", None
                headers = f"Subject: {subject}\n"
            mid = f"<scale-{n}@example.org>"
            body = "\n".join(" ".join(rng.choices(WORDS, k=12)) for _ in range(rng.randint(2, 10)))
            kind = rng.random()
            if kind < 0.05:
                content = (
                    "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b1\"\n\n--b1\n"
                    f"Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}\n--b1\n"
                    "Content-Type: application/pdf; name=\"report.pdf\"\nContent-Disposition: attachment;"
                    f" filename=\"report.pdf\"\nContent-Transfer-Encoding: base64\n\n{pdf}--b1--\n"
                )
            elif kind < 0.15:
                content = (
                    "MIME-Version: 1.0\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n"
                    f"<html><body><p>{body}</p><ul><li>one</li></ul></body></html>\n"
                )
            else:
                content = f"MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: 8bit\n\n{body}\n"
            out.write(
                f"From scale@example.org {moment:%a %b %d %H:%M:%S %Y}\nFrom: {sender}\nTo: {to}\n{headers}"
                f"Message-ID: {mid}\nDate: {format_datetime(moment)}\n{content}\n"
            )
            if index is None:
                threads.append((subject, customer, mid))
                if len(threads) > 5000:
                    threads[rng.randrange(len(threads))] = threads.pop()
            else:
                threads[index] = (subject, customer, mid)


def import_figures(directory: Path, size: int) -> dict[str, Any]:
    mbox = directory / f"{size}.mbox"
    if not mbox.exists():
        print(f"  writing {mbox} ({size:,} messages)…", flush=True)
        partial = mbox.with_suffix(".mbox.part")
        write_mbox(partial, size)
        partial.rename(mbox)
    if PG_SERVER is not None:
        import scale_pg

        name = f"tui_desk_scale_import_{size}"
        url = scale_pg.fresh_database(PG_SERVER, name)
        try:
            done = run_measured(cli(url, "import", str(mbox)), _env(url))
        finally:
            scale_pg.drop_database(PG_SERVER, name)
        return {"import_rate": size / done["seconds"], "import_mb": done["peak_mb"]}
    with tempfile.TemporaryDirectory(prefix="scale-import-", dir=directory) as folder:
        target = Path(folder) / "import.db"
        done = run_measured(cli(target, "import", str(mbox)), _env(target))
    return {"import_rate": size / done["seconds"], "import_mb": done["peak_mb"]}


# -- the table ------------------------------------------------------------------------------------

def _ms(value: float) -> str:
    return f"{value * 1000:,.0f} ms"


def _s(value: float) -> str:
    return f"{value:,.1f} s"


def _mb(value: float) -> str:
    return f"{value:,.0f} MB"


# (key, what a user waits for, shown as, target text, met(figures at the largest, at the smallest))
Check = Callable[[dict[str, Any], dict[str, Any]], bool]
ROWS: list[tuple[str, str, Callable[[Any], str], str, Check]] = [
    ("launch", "launch to first inbox rows (median)", _ms, "≤ 1.0 s, ≤ 1.3× 1k",
     lambda big, small: big["launch"] <= 1.0 and big["launch"] <= 1.3 * small["launch"]),
    ("selection", "selection to thread and timeline (median)", _ms, "≤ 30 ms", lambda b, s: b["selection"] <= 0.030),
    ("search_common", f"search first page, common word ({COMMON_WORD})", _ms, "≤ 200 ms",
     lambda b, s: b["search_common"] <= 0.2),
    ("search_rare", f"search first page, rare word ({RARE_WORD})", _ms, "≤ 200 ms", lambda b, s: b["search_rare"] <= 0.2),
    ("search_none", "search first page, no hit", _ms, "≤ 200 ms", lambda b, s: b["search_none"] <= 0.2),
    ("view_all", "switch view: All, first rows", _ms, "≤ 150 ms", lambda b, s: b["view_all"] <= 0.15),
    ("view_resolved", "switch view: Resolved, first rows", _ms, "≤ 150 ms", lambda b, s: b["view_resolved"] <= 0.15),
    ("view_saved", "switch view: a saved view, first rows", _ms, "≤ 150 ms", lambda b, s: b["view_saved"] <= 0.15),
    ("report_30d", "tui-desk report, last 30 days", _s, "≤ 2 s", lambda b, s: b["report_30d"] <= 2.0),
    ("report_all", "tui-desk report, all time", _s, "≤ 2 s", lambda b, s: b["report_all"] <= 2.0),
    ("rules", "tui-desk rules run, nothing due", _ms, "≤ 0.5 s", lambda b, s: b["rules"] <= 0.5),
    ("rss_mb", "the running app's memory (RSS)", _mb, "≤ 200 MB", lambda b, s: b["rss_mb"] <= 200),
    ("fill_s", "tui-desk demo: fill time", _s, "reported", lambda b, s: True),
    ("fill_mb", "tui-desk demo: peak memory", _mb, "≤ 300 MB", lambda b, s: b["fill_mb"] <= 300),
    ("import_rate", "tui-desk import: mbox of as many messages as tickets, rate", lambda v: f"{v:,.0f}/s", "≥ 10,000/s",
     lambda b, s: b["import_rate"] >= 10_000),
    ("import_mb", "tui-desk import: peak memory", _mb, "≤ 300 MB", lambda b, s: b["import_mb"] <= 300),
    ("messages", "messages in the store", lambda v: f"{v:,}", "", lambda b, s: True),
    ("kb_ticket", "store on disk per ticket", lambda v: f"{v:,.1f} kB", "reported", lambda b, s: True),
    ("kb_message", "store on disk per message", lambda v: f"{v:,.1f} kB", "reported", lambda b, s: True),
]


def _size_name(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 and size % 1_000_000 == 0 else (
        f"{size // 1000}k" if size % 1000 == 0 else str(size))


def print_table(results: dict[int, dict[str, Any]]) -> None:
    sizes = sorted(results)
    small, big = results[sizes[0]], results[sizes[-1]]
    head = ["what a user waits for", *(_size_name(s) + " tickets" for s in sizes), "target", f"at {_size_name(sizes[-1])}"]
    lines = [head]
    for key, label, shown, target, met in ROWS:
        cells = [shown(results[s][key]) if key in results[s] else "skipped" for s in sizes]
        if key not in big or not target or target == "reported":
            verdict = ""
        else:
            verdict = "pass" if met(big, small) else "FAIL"
        lines.append([label, *cells, target, verdict])
    print()
    print("| " + " | ".join(head) + " |")
    print("|" + "|".join("---" for _ in head) + "|")
    for line in lines[1:]:
        print("| " + " | ".join(line) + " |")


def main(argv: list[str] | None = None) -> int:
    global PG_SERVER
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000,1000000", help="tickets per store, comma-separated")
    parser.add_argument("--dir", required=False, help="where the stores are kept and reused (default: a temporary folder)")
    parser.add_argument("--runs", type=int, default=3, help="runs per timed command; the median is shown (default 3)")
    parser.add_argument("--moves", type=int, default=40, help="cursor moves for the selection median (default 40)")
    parser.add_argument("--quick", action="store_true", help="leave out the import and the all-time report")
    parser.add_argument("--skip-import", action="store_true", help="leave out the import")
    parser.add_argument("--import-up-to", type=int, default=10**9, metavar="N", help="import only at sizes up to N")
    parser.add_argument("--db-url", metavar="URL", help="measure on PostgreSQL: a postgresql:// URL of a running "
                        "server (any database on it); a desk per size is made beside it (see benchmarks/scale_pg.py)")
    parser.add_argument("--pg-data", metavar="FOLDER", help="measure on PostgreSQL: start a throw-away server with "
                        "its data in FOLDER (made the first time, kept for the next run) and stop it at the end")
    parser.add_argument("--fill-only", action="store_true", help="make (or find) the stores, measure nothing")
    parser.add_argument("--app-child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.app_child:
        print(json.dumps(asyncio.run(_app_figures(args.app_child, args.moves))))
        return 0
    try:
        sizes = sorted({int(text.replace("_", "")) for text in args.sizes.split(",") if text.strip()})
    except ValueError:
        parser.error("--sizes: whole numbers separated by commas, e.g. 1000,100000")
    if not sizes or min(sizes) <= 0:
        parser.error("--sizes: at least one size above 0")
    if args.db_url and args.pg_data:
        parser.error("--db-url and --pg-data: one or the other")
    if args.db_url and not args.db_url.startswith(("postgresql://", "postgres://")):
        parser.error("--db-url: a postgresql:// URL")
    with contextlib.ExitStack() as stack:
        if args.pg_data:
            import scale_pg

            PG_SERVER = stack.enter_context(scale_pg.kept_server(Path(args.pg_data)))
        elif args.db_url:
            import psycopg
            import scale_pg

            try:
                scale_pg.server_version(args.db_url)
            except psycopg.Error as error:
                raise SystemExit(f"--db-url: cannot reach the server: {str(error).strip().splitlines()[0]}") from None
            PG_SERVER = args.db_url
        return run_sizes(sizes, args)


def run_sizes(sizes: list[int], args: argparse.Namespace) -> int:
    _measure_wrapper()
    scratch = None if args.dir else tempfile.mkdtemp(prefix="scale-bench-")
    directory = Path(args.dir or scratch or ".")
    directory.mkdir(parents=True, exist_ok=True)
    results: dict[int, dict[str, Any]] = {}
    try:
        engine = "SQLite"
        if PG_SERVER is not None:
            import scale_pg

            engine = scale_pg.server_version(PG_SERVER)
        print(f"{engine}, Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, stores in {directory}", flush=True)
        for size in sizes:
            if args.fill_only:
                ensure_store(directory, size)
                continue
            results[size] = measure(directory, size, args)
    finally:
        if results:
            print_table(results)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
