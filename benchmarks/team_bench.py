"""A team on one desk: agent processes triaging at once, and what it costs each of them.

    python benchmarks/team_bench.py                          # 10 agents, 60 s, a throw-away PostgreSQL
    python benchmarks/team_bench.py --url 'postgresql://desk@/team?host=/tmp/pg'
    python benchmarks/team_bench.py --db /tmp/team.db        # the same on a SQLite file, to compare
    python benchmarks/team_bench.py --think 2                # agents at a human pace: 2 s per step

Each agent is a process of its own, as each agent's app would be. It runs the triage loop
as fast as it can (or with --think, reading a while between steps): read the top of the Needs-attention view, open one of its first tickets
(ticket, thread, timeline), then reply (queued for e-mail), resolve, add a note or tag it,
through the same requests the app runs (core/requests.py). Like every open app, each agent
also tries to send the outbox once a second under the one-runner lease (core/jobs.py); the
replies go by SMTP to a sink in this process (aiosmtpd).

Afterwards the desk is checked as tests/test_team_concurrency.py checks it: every change an
agent was told it made is one event, and there is no other; each ticket's version moved once
per change; each status event starts where the one before ended. A difference is a lost
update. Every reply queued must reach the sink once: a second copy is a duplicate send.
"""

from __future__ import annotations

import argparse
import email
import multiprocessing
import random
import socket
import statistics
import sys
import threading
import time
import traceback
from collections import Counter
from contextlib import ExitStack
from email import policy
from typing import Any

from _common import NOW, backend_line, throwaway_postgresql

from tui_desk import demo
from tui_desk.core.changes import STATUS_EVENT_KINDS
from tui_desk.core.jobs import SEND_OUTBOX, exclusive
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.names import TagEdit
from tui_desk.core.requests import ChangeRequest, Note, Reply, Resolve, Tag, run
from tui_desk.domain.store_location import redact_url
from tui_desk.mail.outbox import reply_options, send_due, unsent_count
from tui_desk.mail.settings import MailSettings, mail_settings
from tui_desk.store import open_store, queries
from tui_desk.store.queries import VIEW_ALL, VIEW_ATTENTION, InboxFilter

SPAWN = multiprocessing.get_context("spawn")
TAGS = ("billing", "urgent", "vip", "refund", "shipping")


def _settings(port: int) -> MailSettings:
    return mail_settings(
        {"mail": {"smtp": {"host": "127.0.0.1", "port": port, "security": "none", "from": "help@desk.example"}}}
    )


class _Sink:
    """The SMTP server the outbox sends to: what arrived, by Message-ID."""

    def __init__(self) -> None:
        self.message_ids: list[str] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: ANN401, N802
        mail = email.message_from_bytes(envelope.content, policy=policy.default)
        self.message_ids.append(str(mail["Message-ID"]))
        return "250 OK"


# -- one agent (module level: a spawned interpreter imports it) -----------------------------------
def _choose(rng: random.Random, ticket: Any, settings: MailSettings) -> ChangeRequest:  # noqa: ANN401
    roll = rng.random()
    if roll < 0.45:
        return Reply(f"Thanks, we are on it ({rng.getrandbits(32):08x}).", reply_options(settings))
    if roll < 0.75:
        return Resolve()
    if roll < 0.9:
        return Note("Checked the logs; nothing on our side yet.")
    tag = rng.choice(TAGS)
    return Tag(TagEdit(add=(), remove=(tag,)) if tag in ticket.tags else TagEdit(add=(tag,), remove=()))


def _sender(location: str, settings: MailSettings, deadline: float, rounds: Counter[str]) -> None:
    """What every open app does once a second: send the outbox if no other process is sending it."""
    store = open_store(location)
    try:
        while time.monotonic() < deadline:
            with exclusive(store, SEND_OUTBOX) as lease:
                if lease is None:
                    rounds["skipped"] += 1
                else:
                    rounds["sent"] += send_due(store, settings).sent
                    rounds["ran"] += 1
            time.sleep(1.0)
    finally:
        store.close()


def _agent(location: str, number: int, seconds: float, think: float, port: int, start, results) -> None:  # noqa: ANN001
    try:
        actor = f"agent{number:02d}"
        settings = _settings(port)
        store = open_store(location)
        service = TicketService(store, actor=actor)
        rng = random.Random(number)
        timings: dict[str, list[float]] = {
            "inbox page": [], "open ticket": [], "change": [], "triage step": [], "write lock wait": []
        }  # fmt: skip
        begin = store._begin

        def timed_begin(conn: Any) -> None:  # noqa: ANN401
            # How long a writer waits for the others: the desk's write lock is taken in BEGIN.
            began = time.perf_counter()
            begin(conn)
            timings["write lock wait"].append(time.perf_counter() - began)

        store._begin = timed_begin  # type: ignore[method-assign]
        made: list[tuple[str, int, str, str | None, str | None, int | None, str]] = []
        refused = 0
        rounds: Counter[str] = Counter()
        start.wait(120)
        deadline = time.monotonic() + seconds
        sender = threading.Thread(target=_sender, args=(location, settings, deadline, rounds), daemon=True)
        sender.start()
        while time.monotonic() < deadline:
            began = time.perf_counter()
            page = queries.inbox_page(store, InboxFilter(view=VIEW_ATTENTION), 0, 50) or queries.inbox_page(
                store, InboxFilter(view=VIEW_ALL), 0, 50
            )
            read = time.perf_counter()
            row = rng.choice(page[:20])  # the team works the top of one view: they meet on tickets
            ticket = queries.get_ticket(store, row.id)
            queries.ticket_messages(store, row.id, limit=200)
            queries.ticket_events(store, row.id)
            opened = time.perf_counter()
            request = _choose(rng, ticket, settings)
            outcome = run(service, request, [row.id])
            done = time.perf_counter()
            refused += len(outcome.refused)
            for change in outcome.changes:
                body = request.body if isinstance(request, Reply) else ""
                made.append((actor, change.ticket_id, change.kind, change.from_value, change.to_value,
                             change.message_id, body))  # fmt: skip
            timings["inbox page"].append(read - began)
            timings["open ticket"].append(opened - read)
            timings["change"].append(done - opened)
            timings["triage step"].append(done - began)
            if think:
                time.sleep(min(rng.expovariate(1 / think), max(0.0, deadline - time.monotonic())))
        sender.join(30)
        results.put((actor, timings, made, refused, dict(rounds), None))
    except BaseException:
        results.put((f"agent{number:02d}", {}, [], 0, {}, traceback.format_exc()))
        raise


# -- the run ----------------------------------------------------------------------------------------
def _p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=20)[18] if len(values) >= 2 else (values[0] if values else 0.0)


def _lost_updates(store: Any, before: dict[int, dict[str, Any]], first_event: int, made: list[tuple]) -> list[str]:  # noqa: ANN401
    """What in the desk does not match the changes the agents were told they made."""
    problems = []
    events = store.query(
        "SELECT ticket_id, actor, kind, from_value, to_value FROM events WHERE id >= ? ORDER BY id", [first_event]
    )
    in_store = Counter((e["actor"], e["ticket_id"], e["kind"], e["from_value"], e["to_value"]) for e in events)
    told = Counter(change[:5] for change in made)
    problems += [f"change without its event: {c}" for c in (told - in_store).elements()]
    problems += [f"event without its change: {c}" for c in (in_store - told).elements()]
    per_ticket = Counter(change[1] for change in made)
    touched = sorted(per_ticket)
    for start in range(0, len(touched), 500):
        chunk = touched[start : start + 500]
        rows = store.query(
            f"SELECT id, version, status FROM tickets WHERE id IN ({', '.join('?' for _ in chunk)})", chunk
        )
        for row in rows:
            if row["version"] != before[row["id"]]["version"] + per_ticket[row["id"]]:
                problems.append(f"#{row['id']}: version {row['version']}, expected"
                                f" {before[row['id']]['version'] + per_ticket[row['id']]}")  # fmt: skip
            status = before[row["id"]]["status"]
            for event in (e for e in events if e["ticket_id"] == row["id"] and e["kind"] in STATUS_EVENT_KINDS):
                if event["from_value"] != status:
                    problems.append(f"#{row['id']}: {event['kind']} from {event['from_value']}, but it was {status}")
                status = event["to_value"]
            if row["status"] != status:
                problems.append(f"#{row['id']}: status {row['status']}, its events end at {status}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tickets", type=int, default=5000, help="demo tickets on a new desk (default 5000)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--think", type=float, default=0.0, help="mean seconds an agent reads between steps (default 0: machine speed)"
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--url", help="a PostgreSQL database (filled if empty); default: a throw-away server")
    where.add_argument("--db", help="a SQLite store file instead (filled if empty)")
    args = parser.parse_args()
    try:
        from aiosmtpd.controller import Controller
    except ImportError:
        raise SystemExit("The team bench needs aiosmtpd (pip install -e '.[test]')") from None

    with ExitStack() as stack:
        if args.db:
            location = args.db
        elif args.url:
            location = args.url
        else:
            location = stack.enter_context(throwaway_postgresql())
        store = open_store(location)
        stack.callback(store.close)
        print(backend_line(store))
        if not store.scalar("SELECT count(*) FROM tickets"):
            began = time.perf_counter()
            demo.fill_demo(store, tickets=args.tickets, seed=args.seed, now=NOW)
            print(f"Demo fill of {args.tickets:,} tickets: {time.perf_counter() - began:.1f} s")
        print(f"Desk {redact_url(str(location))}: {store.scalar('SELECT count(*) FROM tickets'):,} tickets;"
              f" {args.agents} agents for {args.seconds:g} s"
              + (f", {args.think:g} s mean think time" if args.think else ""))  # fmt: skip
        sink = _Sink()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        controller = Controller(sink, hostname="127.0.0.1", port=port)
        controller.start()
        stack.callback(controller.stop)
        settings = _settings(port)
        send_due(store, settings)  # what an earlier run left queued is not this run's
        sink.message_ids.clear()

        before = {r["id"]: r for r in store.query("SELECT id, version, status FROM tickets")}
        first_event = int(store.scalar("SELECT coalesce(max(id), 0) FROM events")) + 1
        first_outbox = int(store.scalar("SELECT coalesce(max(id), 0) FROM outbox")) + 1
        start, results = SPAWN.Barrier(args.agents + 1), SPAWN.Queue()
        agents = [
            SPAWN.Process(target=_agent, args=(str(location), n, args.seconds, args.think, port, start, results))
            for n in range(args.agents)
        ]
        for agent in agents:
            agent.start()
        start.wait(120)
        reports = [results.get(timeout=args.seconds + 180) for _ in agents]
        elapsed = max(args.seconds, 1e-9)  # each agent stops starting steps then
        for agent in agents:
            agent.join(60)
        errors = [(actor, error) for actor, _t, _m, _r, _rounds, error in reports if error]
        for actor, error in errors:
            print(f"\n{actor} failed:\n{error}", file=sys.stderr)

        # What is still queued goes now, by this one sender; then every reply should have arrived.
        with exclusive(store, SEND_OUTBOX) as lease:
            while lease is not None and unsent_count(store) and send_due(store, settings).sent:
                pass
        time.sleep(0.5)

        made = [change for report in reports for change in report[2]]
        timings: dict[str, list[float]] = {}
        for report in reports:
            for name, values in report[1].items():
                timings.setdefault(name, []).extend(values)
        rounds: Counter[str] = Counter()
        for report in reports:
            rounds.update(report[4])
        lost = _lost_updates(store, before, first_event, made)
        replies = [c for c in made if c[2] == "replied"]
        queued = store.query(
            "SELECT o.status, m.message_id FROM outbox o JOIN messages m ON m.id = o.message_id WHERE o.id >= ?",
            [first_outbox],
        )
        arrived = Counter(sink.message_ids)
        duplicates = sum(n - 1 for n in arrived.values() if n > 1)
        undelivered = sum(1 for row in queued if arrived[row["message_id"]] == 0)

        steps = len(timings.get("triage step", []))
        print()
        print(f"{'measurement':<44} {'figure':>12}")
        print(f"{'triage steps (page + open + change)':<44} {steps:>12,}")
        print(f"{'triage steps per second (all agents)':<44} {steps / elapsed:>12.1f}")
        print(f"{'changes per second (all agents)':<44} {len(made) / elapsed:>12.1f}")
        for name in ("inbox page", "open ticket", "change", "triage step", "write lock wait"):
            values = timings.get(name, [])
            if values:
                print(f"{name + ', median / p95 (ms)':<44} {statistics.median(values) * 1000:>6.1f} / "
                      f"{_p95(values) * 1000:>5.1f}")  # fmt: skip
        print(f"{'refused (the ticket had moved on)':<44} {sum(r[3] for r in reports):>12,}")
        print(f"{'replies queued / sent by the agents':<44} {len(replies):>6,} / {rounds['sent']:,}")
        print(f"{'outbox rounds run / skipped (one runner)':<44} {rounds['ran']:>6,} / {rounds['skipped']:,}")
        print(f"{'agent processes that failed':<44} {len(errors):>12}")
        print(f"{'lost updates':<44} {len(lost):>12}")
        print(f"{'duplicate sends':<44} {duplicates:>12}")
        print(f"{'replies not delivered':<44} {undelivered:>12}")
        for problem in lost[:20]:
            print("  " + problem)
        return 1 if errors or lost or duplicates or undelivered or len(queued) != len(replies) else 0


if __name__ == "__main__":
    sys.exit(main())
