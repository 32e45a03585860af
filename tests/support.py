"""Helpers shared by the test modules: a controllable clock, store dumps, tickets in a status."""

from __future__ import annotations

import mailbox
import shutil
import subprocess
import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path

import pytest

from tui_desk import cli
from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store

START = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

BUILTIN = ("new", "open", "answered", "resolved", "postponed", "spam", "deleted")
LIVE = ("new", "open", "answered", "resolved", "postponed")

CUSTOMER = "carol@example.com"
AGENT = "alice"

# Every table a user's data lives in (the FTS shadow tables follow from these).
TABLES = (
    "customers",
    "agents",
    "departments",
    "statuses",
    "tickets",
    "messages",
    "attachments",
    "tags",
    "ticket_tags",
    "events",
    "purged",
)


class FakeClock:
    """A fixed clock that only moves when a test says so."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta | None = None, **kwargs: float) -> datetime:
        self.now += delta if delta is not None else timedelta(**kwargs)
        return self.now


def dump(store: Store) -> dict[str, list[tuple]]:
    """Every row of every data table, in a stable order: equal dumps mean an unchanged store."""
    return {
        table: sorted(tuple(row) for row in store.conn.execute(f"SELECT * FROM {table}"))
        for table in TABLES
    }


def event_count(store: Store, ticket_id: int | None = None) -> int:
    if ticket_id is None:
        return store.scalar("SELECT count(*) FROM events")
    return store.scalar("SELECT count(*) FROM events WHERE ticket_id = ?", [ticket_id])


def ticket_in_status(
    service: TicketService,
    status: str,
    *,
    subject: str = "Printer on floor 3 is jammed",
    email: str = CUSTOMER,
    body: str = "It shows error E42 since this morning.",
    priority: str = "normal",
) -> int:
    """A ticket brought to `status` the way users get there: real service calls only.

    Postponed tickets are postponed from Open, so waking them should give Open back.
    A custom status key (defined beforehand) is reached from Open.
    """
    clock = service.clock
    tick = getattr(clock, "advance", lambda **_: None)
    ticket_id = service.create_ticket(email=email, subject=subject, body=body, priority=priority)
    tick(minutes=1)
    if status == "new":
        return ticket_id
    if status in ("open", "postponed") or status not in BUILTIN:
        service.reply(ticket_id, "Have you tried switching it off and on again?")
        tick(minutes=1)
        service.add_customer_message(ticket_id, "Yes, still broken.")
        tick(minutes=1)
        if status == "postponed":
            service.postpone(ticket_id, clock() + timedelta(days=1))
            tick(minutes=1)
        elif status != "open":
            service.set_custom_status(ticket_id, status)
            tick(minutes=1)
    elif status == "answered":
        service.reply(ticket_id, "We are on it.")
    elif status == "resolved":
        service.resolve(ticket_id)
    elif status == "spam":
        service.mark_spam(ticket_id)
    elif status == "deleted":
        service.delete(ticket_id)
    else:  # pragma: no cover - BUILTIN is exhaustive
        raise AssertionError(status)
    tick(minutes=1)
    return ticket_id


def run_cli(capsys: pytest.CaptureFixture[str], argv: Sequence[str]) -> tuple[int, str, str]:
    """The command line in-process: (exit code, stdout, stderr)."""
    capsys.readouterr()
    try:
        code = cli.main(list(argv))
    except SystemExit as exit_:  # argparse usage errors
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def assert_one_line_error(code: int, out: str, err: str, *words: str) -> None:
    """The command-line contract for bad input: exit 1, nothing on stdout, one clean line on stderr."""
    assert code == 1, (code, out, err)
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert err.startswith("tui-desk")
    for bad in ("Traceback", "unexpected error", "OverflowError", "ValueError", "\x1b"):
        assert bad not in err, err
    for word in words:
        assert word in err, err


def mail(
    frm: str,
    subject: str,
    body: str,
    mid: str | None,
    reply_to: str | None = None,
    date: str = "Mon, 02 Mar 2026 10:00:00 +0000",
    **headers: str,
) -> bytes:
    """One message to the desk; extra headers as keyword arguments (X_Tui_Desk_Status=...)."""
    m = EmailMessage()
    m["From"] = frm
    m["To"] = "help@desk.example"
    m["Subject"] = subject
    if mid:
        m["Message-ID"] = mid
    if reply_to:
        m["In-Reply-To"] = reply_to
        m["References"] = reply_to
    m["Date"] = date
    for name, value in headers.items():
        m[name.replace("_", "-")] = value
    m.set_content(body)
    return m.as_bytes()


def write_mbox(path: Path, messages: list[bytes]) -> Path:
    box = mailbox.mbox(path)
    for raw in messages:
        box.add(raw)
    box.flush()
    box.close()
    return path


def stop_dovecot_in_background(dovecot: str, config: Path, root: Path) -> None:
    """Stop a test's dovecot and remove its folder without waiting: its master takes about 2.5 s
    to end its children, and the next test starts its own server on another port and folder.
    Not a daemon thread: the run ends only once every server is stopped and its folder gone."""

    def stop() -> None:
        subprocess.run([dovecot, "-c", str(config), "stop"], check=False, capture_output=True)
        shutil.rmtree(root, ignore_errors=True)

    threading.Thread(target=stop, name="dovecot-stop").start()
