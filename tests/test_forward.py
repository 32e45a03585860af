"""`tui-desk forward MESSAGE_ID --to ADDR` (issue 15, item 7; docs/issue15/forward.md).

A real SMTP server (aiosmtpd) receives the forward: the supplier gets the agent's text, the
customer's message and its attachment byte for byte; the customer gets nothing; the ticket's
status and SLA clocks stay; the timeline has the forward.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from support import assert_one_line_error, dump, mail, run_cli
from test_attachments_in import BINARY, write_config
from test_mail_smtp import smtp_server  # noqa: F401 - the fixture

from tui_desk.core.forwarding import forward_address
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.errors import InvalidInput
from tui_desk.mail.outgoing import FORWARD_LINE
from tui_desk.store import mailboxes, open_store

pytestmark = pytest.mark.both_backends

Run = Callable[..., tuple[int, str, str]]
SLA_COLUMNS = ("status", "waiting_since", "first_response_at", "last_agent_reply_at", "last_customer_message_at",
               "sla_running_since", "sla_first_elapsed", "sla_due", "sla_key", "bucket")


@pytest.fixture
def run(db_path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Run:
    monkeypatch.setenv("TUI_DESK_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    open_store(db_path).close()

    def invoke(*args: str) -> tuple[int, str, str]:
        return run_cli(capsys, ["--db", str(db_path), "--as", "alice", *args])

    return invoke


@pytest.fixture
def ticket(db_path, clock) -> tuple[int, int]:
    """A customer's ticket whose first message carries a binary attachment: (ticket id, message id)."""
    store = open_store(db_path)
    try:
        service = TicketService(store, clock=clock)
        ticket_id = service.create_ticket(
            email="Carol <carol@example.com>", subject="Broken pump", body="The pump leaks since Monday.",
            message_id="<c1@example.com>", attachments=[("leak.jpg", "image/jpeg", BINARY)],
        )
        message = store.scalar("SELECT id FROM messages WHERE ticket_id = ?", [ticket_id])
    finally:
        store.close()
    return ticket_id, message


def ticket_state(db_path, ticket_id: int) -> dict:
    store = open_store(db_path)
    try:
        return store.query_one(f"SELECT {', '.join(SLA_COLUMNS)} FROM tickets WHERE id = ?", [ticket_id])
    finally:
        store.close()


def test_forward_reaches_the_supplier_only_with_the_message_and_its_file(
    run: Run, db_path, tmp_path: Path, ticket: tuple[int, int], smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port)
    ticket_id, message = ticket
    before = ticket_state(db_path, ticket_id)

    code, out, err = run("forward", str(message), "--to", "Pump Parts <Orders@Supplier.example>",
                         "--body", "Can you send a replacement seal?")
    assert (code, err) == (0, ""), err
    assert out.strip() == f"#{ticket_id}: forwarded (Pump Parts <Orders@Supplier.example>)"
    assert run("send")[0] == 0

    [got] = handler.received
    assert handler.envelopes == [("help@desk.example", ["Orders@supplier.example"])]  # never the customer
    assert got["To"] == "Pump Parts <Orders@supplier.example>"
    assert got["Subject"] == f"Fwd: Broken pump [#{ticket_id}]"
    assert got["In-Reply-To"] is None and got["References"] is None  # a conversation of its own
    text = got.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.index("Can you send a replacement seal?") < text.index(FORWARD_LINE) < text.index("The pump leaks")
    assert "From: Carol <carol@example.com>" in text and "Subject: Broken pump" in text
    files = [(p.get_filename(), p.get_content_type(), p.get_payload(decode=True)) for p in got.iter_attachments()]
    assert files == [("leak.jpg", "image/jpeg", BINARY)]

    assert ticket_state(db_path, ticket_id) == before  # status and the customer's SLA clocks
    shown = json.loads(run("show", str(ticket_id), "--json")[1])
    assert shown["events"][-1] | {"at": None} == {
        "at": None, "actor": "alice", "kind": "forwarded", "from": None, "to": None,
        "detail": "Orders@supplier.example",
    }
    note = shown["messages"][-1]
    assert (note["kind"], note["body"], note["author"]) == ("note", "Can you send a replacement seal?", "alice")
    assert note["message_id"] == got["Message-ID"]
    store = open_store(db_path)
    try:
        row = store.query_one("SELECT kind, forward_of, to_address, status FROM outbox")
        assert row == {"kind": "forward", "forward_of": message, "to_address": "Orders@supplier.example", "status": "sent"}
    finally:
        store.close()
    assert "forwarded (Orders@supplier.example)" in run("show", str(ticket_id))[1]


def test_forward_goes_out_from_the_mailbox_the_ticket_came_through(
    run: Run, db_path, tmp_path: Path, ticket: tuple[int, int], smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port)
    ticket_id, message = ticket
    store = open_store(db_path)
    with store.transaction() as conn:
        mailboxes.set_mailbox(conn, ticket_id, "Billing <billing@desk.example>")
    store.close()
    assert run("forward", str(message), "--to", "orders@supplier.example")[0] == 0
    assert run("send")[0] == 0
    [got] = handler.received
    assert got["From"] == "Billing <billing@desk.example>"


def test_a_reply_to_the_customer_afterwards_does_not_thread_on_the_forward(
    run: Run, db_path, tmp_path: Path, ticket: tuple[int, int], smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port)
    ticket_id, message = ticket
    assert run("forward", str(message), "--to", "orders@supplier.example")[0] == 0
    assert run("reply", str(ticket_id), "--body", "We asked the supplier.")[0] == 0
    assert run("send")[0] == 0

    forward, reply = handler.received
    assert [e[1] for e in handler.envelopes] == [["orders@supplier.example"], ["carol@example.com"]]
    assert forward["Message-ID"] not in (reply["References"] or "")
    assert reply["In-Reply-To"] == "<c1@example.com>"
    assert forward.get_body(("plain",)).get_content().startswith(FORWARD_LINE)  # no text: the block alone


def test_the_suppliers_answer_comes_back_into_the_ticket(
    run: Run, db_path, tmp_path: Path, ticket: tuple[int, int], smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port)
    ticket_id, message = ticket
    assert run("forward", str(message), "--to", "orders@supplier.example", "--body", "Seal?")[0] == 0
    assert run("send")[0] == 0
    [forward] = handler.received
    answer = tmp_path / "answer.eml"
    answer.write_bytes(mail("Orders <orders@supplier.example>", f"Re: Fwd: Broken pump [#{ticket_id}]",
                            "Seal ships tomorrow.", "<s1@supplier.example>", reply_to=forward["Message-ID"]))

    assert run("import", str(answer))[0] == 0

    last = json.loads(run("show", str(ticket_id), "--json")[1])["messages"][-1]
    assert (last["kind"], last["author"], last["body"].strip()) == ("customer", "orders@supplier.example", "Seal ships tomorrow.")


def test_a_forwarded_message_by_someone_the_customer_copied_names_them_as_its_sender(
    run: Run, db_path, tmp_path: Path, ticket: tuple[int, int], smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port)
    ticket_id, _message = ticket
    store = open_store(db_path)
    try:
        TicketService(store).add_customer_message(ticket_id, "Photo of the seal attached.", author="bob@example.com")
        by_bob = store.scalar("SELECT max(id) FROM messages WHERE ticket_id = ?", [ticket_id])
    finally:
        store.close()
    assert run("forward", str(by_bob), "--to", "orders@supplier.example")[0] == 0
    assert run("send")[0] == 0
    [got] = handler.received
    text = got.get_body(("plain",)).get_content()
    assert "From: bob@example.com" in text and "carol@example.com" not in text


@pytest.mark.parametrize(
    ("to", "words"),
    [
        ("carol@example.com", ["customer", "reply"]),
        ("CAROL@example.com", ["customer"]),
        ("help@desk.example", ["own address"]),
        ("orders@supplier.example\r\nBcc: spy@evil.example", ["Not one e-mail address"]),
        ("orders@supplier.example, spy@evil.example", ["Not one e-mail address"]),
        ("not an address", ["Not one e-mail address"]),
    ],
)
def test_forward_to_the_customer_or_garbage_is_refused(
    run: Run, db_path, tmp_path: Path, ticket: tuple[int, int], to: str, words: list[str], smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port)
    _ticket_id, message = ticket
    store = open_store(db_path)
    before = dump(store)
    store.close()

    assert_one_line_error(*run("forward", str(message), "--to", to), *words)

    store = open_store(db_path)
    try:
        assert dump(store) == before and store.scalar("SELECT count(*) FROM outbox") == 0
    finally:
        store.close()


def test_forward_without_smtp_or_of_a_note_is_refused_and_records_nothing(
    run: Run, db_path, tmp_path: Path, ticket: tuple[int, int], smtp_server  # noqa: F811
) -> None:
    ticket_id, message = ticket
    write_config(tmp_path / "config.toml")  # no [mail.smtp]
    store = open_store(db_path)
    before = dump(store)
    store.close()
    assert_one_line_error(*run("forward", str(message), "--to", "orders@supplier.example"), "SMTP", "[mail.smtp]")
    store = open_store(db_path)
    assert dump(store) == before
    store.close()

    port, _handler, _controller = smtp_server
    write_config(tmp_path / "config.toml", port)
    assert run("note", str(ticket_id), "--body", "internal: the supplier is slow")[0] == 0
    note = json.loads(run("show", str(ticket_id), "--json")[1])["messages"][-1]["id"]
    assert_one_line_error(*run("forward", str(note), "--to", "orders@supplier.example"), "internal note")
    assert_one_line_error(*run("forward", "99999", "--to", "orders@supplier.example"), "No message 99999")
    assert_one_line_error(*run("forward", "abc", "--to", "orders@supplier.example"), "Not a message id")


def test_forward_address_is_one_plain_address() -> None:
    assert forward_address("Pump Parts <orders@Supplier.EXAMPLE>") == ("orders@supplier.example", "Pump Parts")
    for bad in ("a@b.example\nBcc: c@d.example", "<a@b.example> c@d.example", "a@b", "a@b.example;c@d.example",
                "a\u202e@b.example"):
        with pytest.raises(InvalidInput):
            forward_address(bad)
