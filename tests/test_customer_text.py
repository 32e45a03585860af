"""Customer text is data: stored and returned exactly, never interpreted by a terminal."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tui_desk.cli import main
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.text import one_line, printable
from tui_desk.store import Store, queries

SUBJECT = "[bold red]x[/]"
BODY = (
    "Hi,\r\n\x1b[31mred alert\x1b[0m and a title change \x1b]0;pwned\x07"
    " a NUL \x00 here, a bare \r return, a bell \x07, and C1 \x9b2J.\n"
    "Markup too: [link=https://evil.example]click[/link] \u202eRTL\u202c ünïcödé 🎫"
)
ESC = "\x1b"


@pytest.fixture
def hostile(service: TicketService) -> int:
    ticket_id = service.create_ticket(
        email="mallory@example.com", name="Mal\x1b[2Jlory", subject=SUBJECT, body=BODY
    )
    service.add_note(ticket_id, "note with \x1b[5mblink\x1b[0m")
    service.tag(ticket_id, add=["[red]tag[/]"])
    return ticket_id


def test_service_and_queries_return_customer_text_exactly(
    service: TicketService, store: Store, hostile: int
) -> None:
    ticket = queries.get_ticket(store, hostile)
    assert ticket.subject == SUBJECT
    assert ticket.customer_name == "Mal\x1b[2Jlory"
    thread = queries.ticket_messages(store, hostile)
    assert thread[0].body == BODY
    assert thread[1].body == "note with \x1b[5mblink\x1b[0m"
    # The raw bytes in the file are the UTF-8 of what the customer sent, NUL included.
    raw = store.scalar("SELECT CAST(body AS BLOB) FROM messages WHERE id = ?", [thread[0].id])
    assert raw == BODY.encode("utf-8")

    later = service.add_customer_message(hostile, BODY)
    assert queries.ticket_messages(store, hostile)[-1].body == BODY
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
    assert data["messages"][0]["body"] == BODY
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
    assert data["messages"][0]["body"] == BODY


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


def test_printable_keeps_text_but_defuses_controls() -> None:
    shown = printable(BODY)
    assert ESC not in shown and "\x00" not in shown and "\x07" not in shown and "\x9b" not in shown
    assert "\r" not in shown
    assert "red alert" in shown and "ünïcödé 🎫" in shown
    assert "\n" in shown  # newlines are kept for the thread view
    assert "\n" not in one_line(BODY)
