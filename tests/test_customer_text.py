"""Customer text is data: stored and returned exactly, never interpreted by a terminal.

Exactly, but for NUL: it becomes U+FFFD on its way in, on both backends (docs/trust.md, 4).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tui_desk.cli import main
from tui_desk.core import templates
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.text import one_line, printable
from tui_desk.mail.export import import_json
from tui_desk.store import Store, queries

SUBJECT = "[bold red]x[/]"
BODY = (
    "Hi,\r\n\x1b[31mred alert\x1b[0m and a title change \x1b]0;pwned\x07"
    " a NUL \x00 here, a bare \r return, a bell \x07, and C1 \x9b2J.\n"
    "Markup too: [link=https://evil.example]click[/link] \u202eRTL\u202c ünïcödé 🎫"
)
# What both stores hold: the same text, NUL made U+FFFD (PostgreSQL text cannot hold NUL).
STORED = BODY.replace("\x00", "\ufffd")
ESC = "\x1b"

pytestmark = pytest.mark.both_backends


@pytest.fixture
def hostile(service: TicketService) -> int:
    ticket_id = service.create_ticket(
        email="mallory@example.com", name="Mal\x1b[2Jlory", subject=SUBJECT, body=BODY
    )
    service.add_note(ticket_id, "note with \x1b[5mblink\x1b[0m")
    service.tag(ticket_id, add=["[red]tag[/]"])
    return ticket_id


def test_service_and_queries_return_customer_text_exactly(
    service: TicketService, store: Store, hostile: int, backend: str
) -> None:
    ticket = queries.get_ticket(store, hostile)
    assert ticket.subject == SUBJECT
    assert ticket.customer_name == "Mal\x1b[2Jlory"
    thread = queries.ticket_messages(store, hostile)
    assert thread[0].body == STORED
    assert thread[1].body == "note with \x1b[5mblink\x1b[0m"
    # The raw bytes in the store are the UTF-8 of what the customer sent, NUL as U+FFFD.
    as_bytes = "convert_to(body, 'UTF8')" if backend == "postgresql" else "CAST(body AS BLOB)"
    raw = store.scalar(f"SELECT {as_bytes} FROM messages WHERE id = ?", [thread[0].id])
    assert bytes(raw) == STORED.encode("utf-8")

    later = service.add_customer_message(hostile, BODY)
    assert queries.ticket_messages(store, hostile)[-1].body == STORED
    assert later.message_id == queries.ticket_messages(store, hostile)[-1].id


def test_search_still_finds_words_around_escape_sequences(store: Store, hostile: int) -> None:
    hits = queries.inbox_page(store, queries.InboxFilter(search="alert"))
    assert [r.id for r in hits] == [hostile]
    assert queries.inbox_page(
        store, queries.InboxFilter(search=BODY)
    )  # the whole hostile body as a query


def test_show_json_returns_text_byte_for_byte(store: Store, db_path, hostile: int, capsys) -> None:
    assert main(["--db", str(db_path), "show", str(hostile), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["subject"] == SUBJECT
    assert data["customer_name"] == "Mal\x1b[2Jlory"
    assert data["messages"][0]["body"] == STORED
    assert data["messages"][1]["body"] == "note with \x1b[5mblink\x1b[0m"
    assert data["tags"] == ["[red]tag[/]"]


def test_show_json_from_a_real_process_is_byte_for_byte_and_has_no_raw_escape(
    store: Store, db_path, hostile: int
) -> None:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "tui_desk",
            "--db",
            str(db_path),
            "show",
            str(hostile),
            "--json",
        ],
        capture_output=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert ESC.encode() not in done.stdout  # JSON escapes control characters
    data = json.loads(done.stdout.decode("utf-8"))
    assert data["subject"] == SUBJECT
    assert data["messages"][0]["body"] == STORED


def test_show_for_humans_prints_no_raw_control_characters(
    store: Store, db_path, hostile: int, capsys
) -> None:
    assert main(["--db", str(db_path), "show", str(hostile)]) == 0
    out = capsys.readouterr().out
    assert ESC not in out
    assert "\x00" not in out and "\x07" not in out and "\r" not in out and "\x9b" not in out
    assert SUBJECT in out  # markup is shown as typed, not interpreted
    assert "␛[31mred alert" in out  # escape sequences are made visible, not dropped
    assert "[red]tag[/]" in out


def test_list_for_humans_prints_no_raw_escape(store: Store, db_path, hostile: int, capsys) -> None:
    assert main(["--db", str(db_path), "list"]) == 0
    out = capsys.readouterr().out
    assert ESC not in out and "\x00" not in out
    assert SUBJECT in out


NUL = "a\x00b"
MARKED = "a\ufffdb"


def test_no_text_reaches_either_store_with_a_nul(service: TicketService, store: Store, db_path, tmp_path) -> None:
    """Every way text comes in (a request, the customer, a reply with its outbox row, a note,
    a saved reply, a JSON backup) stores NUL as U+FFFD, on SQLite (which could hold it) as on
    PostgreSQL: both hold the same text, so a desk copied between them compares equal."""
    ticket = service.create_ticket(email="nul@example.com", name=f"N{NUL}", subject=f"s{NUL}", body=f"b{NUL}")
    service.add_customer_message(ticket, f"c{NUL}")
    service.reply(ticket, f"r{NUL}", outbox=True, new_message_id=lambda: "<r@desk.example>")
    service.add_note(ticket, f"n{NUL}")
    templates.add_template(store, "With a NUL", f"t{NUL}")
    backup = tmp_path / "backup.json"
    assert main(["--db", str(db_path), "export", str(backup)]) == 0
    data = json.loads(backup.read_text(encoding="utf-8"))
    restored = data["tickets"][0]
    restored.update(id=9999, subject=f"restored{NUL}", customer_name=f"R{NUL}", customer_email="r@example.com")
    for message in restored["messages"]:
        message.update(message_id=None, body=f"backup{NUL}")
    backup.write_text(json.dumps(data), encoding="utf-8")
    assert import_json(store, backup)[0] == 1

    stored = {
        row["t"]
        for sql in (
            "SELECT subject AS t FROM tickets",
            "SELECT name AS t FROM customers",
            "SELECT body AS t FROM messages",
            "SELECT body AS t FROM templates",
            "SELECT to_name AS t FROM outbox",
        )
        for row in store.query(sql)
    }
    assert [t for t in stored if "\x00" in t] == []
    expected = {f"{first}{MARKED}" for first in ("s", "N", "b", "c", "r", "n", "t", "restored", "R", "backup")}
    assert expected <= stored


def test_printable_keeps_text_but_defuses_controls() -> None:
    shown = printable(BODY)
    assert ESC not in shown and "\x00" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "\r" not in shown
    assert "red alert" in shown and "ünïcödé 🎫" in shown
    assert "\n" in shown  # newlines are kept for the thread view
    assert "\n" not in one_line(BODY)
