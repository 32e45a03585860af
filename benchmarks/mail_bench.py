"""Mail import speed: a generated mbox of ~5,000 messages (threads, replies, HTML, attachments).

    python benchmarks/mail_bench.py [--messages 5000] [--runs 5]

Each run imports the mbox into a new empty store (first import), then again
(second import: every message already there), and checks the store holds
every message, searchable. Prints messages per second of each import with the
CPU seconds of this process (threading and storing) and of the parsing
processes, and the 1-minute load average: on a shared machine the load moves
the figures. Then the medians. The goal is >= 2,000 messages/s.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tui_desk.core.lifecycle import TicketService  # noqa: E402
from tui_desk.mail.importer import import_paths  # noqa: E402
from tui_desk.store import open_store  # noqa: E402

WORDS = ["printer", "invoice", "login", "password", "refund", "order", "shipping", "broken", "screen", "account", "update", "error"]


def generate_mbox(path: Path, messages: int, seed: int = 1) -> int:
    """An mbox of threads: new requests, customer follow-ups and help-desk replies."""
    rng = random.Random(seed)
    start = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    threads: list[tuple[str, str, str]] = []  # (subject, customer, last message-id)
    with path.open("wb") as handle:
        for n in range(messages):
            moment = start + timedelta(minutes=3 * n)
            message = EmailMessage()
            if threads and rng.random() < 0.45:
                index = rng.randrange(len(threads))
                subject, customer, last = threads[index]
                ours = rng.random() < 0.5
                message["From"] = "Help Desk <help@desk.example>" if ours else customer
                message["To"] = customer if ours else "help@desk.example"
                message["Subject"] = "Re: " + subject
                message["In-Reply-To"] = last
                message["References"] = last
            else:
                subject = " ".join(rng.choice(WORDS) for _ in range(5)).capitalize()
                customer = f"Customer {n % 900} <customer{n % 900}@example.org>"
                message["From"] = customer
                message["To"] = "help@desk.example"
                message["Subject"] = subject
                index = None
            mid = f"<bench-{n}@example.org>"
            message["Message-ID"] = mid
            message["Date"] = format_datetime(moment)
            body = "\n".join(" ".join(rng.choice(WORDS) for _ in range(12)) for _ in range(rng.randint(2, 12)))
            if rng.random() < 0.1:
                message.set_content(f"<html><body><p>{body}</p><ul><li>one</li></ul></body></html>", subtype="html")
            else:
                message.set_content(body + "\nGrüße, ça va — 😀\n")
            if rng.random() < 0.05:
                message.add_attachment(b"x" * 2000, maintype="application", subtype="pdf", filename="rapport-é.pdf")
            if index is None:
                threads.append((subject, customer, mid))
            else:
                threads[index] = (subject, customer, mid)
            handle.write(f"From bench@example.org {moment:%a %b %d %H:%M:%S %Y}\n".encode())
            data = message.as_bytes().replace(b"\nFrom ", b"\n>From ")
            handle.write(data.rstrip(b"\n") + b"\n\n")
    return messages


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=5, help="imports into a new store each; medians reported")
    args = parser.parse_args()
    rates: dict[str, list[float]] = {"first import": [], "second import (all already there)": []}
    with tempfile.TemporaryDirectory() as folder:
        mbox = Path(folder) / "bench.mbox"
        generate_mbox(mbox, args.messages)
        for run in range(args.runs):
            store = open_store(Path(folder) / f"bench-{run}.db")
            service = TicketService(store, actor="bench")
            for label, figures in rates.items():
                before = os.times()
                started = time.perf_counter()
                summary = import_paths(service, [mbox], our_addresses=["help@desk.example"], trust_own_address=True)
                elapsed = time.perf_counter() - started
                after = os.times()
                ours = after.user + after.system - before.user - before.system
                parsers = after.children_user + after.children_system - before.children_user - before.children_system
                figures.append(summary.seen / elapsed)
                print(
                    f"{label}: {summary.seen} messages in {elapsed:.2f} s = {summary.seen / elapsed:,.0f} messages/s"
                    f"  (CPU s: this process {ours:.2f}, parsers {parsers:.2f}; load {os.getloadavg()[0]:.2f})"
                )
                if run == 0:
                    print(f"  {summary.line()}")
                for where, why in summary.skipped[:5]:
                    print(f"  skipped {where}: {why}")
            stored = store.scalar("SELECT count(*) FROM messages")
            searchable = store.scalar("SELECT count(*) FROM messages_fts")
            store.close()
            if stored != args.messages or searchable != stored:
                print(f"wrong import: {stored} messages stored, {searchable} searchable, of {args.messages}")
                return 1
    medians = ", ".join(f"{label} {statistics.median(figures):,.0f}" for label, figures in rates.items())
    print(f"median of {args.runs} runs, messages/s: {medians} (goal >= 2,000)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
