"""Issue 12, items 9 and 10: a queued reply keeps its recipient; a bulk reply gives each its own Message-ID."""

from __future__ import annotations

import sqlite3

import pytest
from test_mail_smtp import free_port, settings_for, smtp_server  # noqa: F401 - the fixture

from tui_desk.core.actions import ActionKind, PartlyDone, perform
from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.outbox import reply_options, send_due
from tui_desk.store import open_store
from tui_desk.store.report_sla_schema import INDEXES as SLA_INDEXES
from tui_desk.store.report_summary import TRIGGERS_ON
from tui_desk.store.report_tag_summary import INDEXES as TAG_INDEXES
from tui_desk.store.report_tag_summary import TRIGGERS_ON as TAG_TRIGGERS_ON
from tui_desk.store.schema import V8_COLUMNS

pytestmark = pytest.mark.both_backends


def test_item9_queued_reply_goes_to_the_customer_answered_after_a_merge(
    service: TicketService, clock, smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    settings = settings_for(port)
    alice = service.create_ticket(email="Alice <alice@example.com>", subject="Lost parcel", body="where?",
                                  message_id="<a1@example.com>")
    bob = service.create_ticket(email="Bob <bob@example.org>", subject="Refund", body="money back",
                                message_id="<b1@example.org>")
    service.reply(alice, "It is on its way.", **reply_options(settings))
    clock.advance(minutes=1)
    perform(service, ActionKind.MERGE, [alice], lambda i: service.merge(i, bob))

    result = send_due(service.store, settings, clock=clock)

    assert (result.sent, result.failed) == (1, 0)
    [got] = handler.received
    assert handler.envelopes == [("help@desk.example", ["alice@example.com"])]
    assert got["To"] == "Alice <alice@example.com>"
    assert got["Subject"] == f"Re: Lost parcel [#{alice}]"
    assert got["In-Reply-To"] == "<a1@example.com>"
    assert "<b1@example.org>" not in (got["References"] or "")


def test_item9_reply_queued_before_the_upgrade_keeps_its_customer(db_path, clock, backend) -> None:
    """A row queued by schema 4 (no stored recipient) is addressed when the store is upgraded."""
    if backend == "postgresql":
        pytest.skip("an upgrade of a SQLite store of schema 4: no PostgreSQL desk was ever at schema 4")
    store = open_store(db_path)
    service = TicketService(store, clock=clock, actor="agent")
    alice = service.create_ticket(email="alice@example.com", subject="Lost parcel", body="where?")
    bob = service.create_ticket(email="bob@example.org", subject="Refund", body="money back")
    service.reply(alice, "On its way.", outbox=True, message_id="<r1@desk.example>")
    store.close()
    conn = sqlite3.connect(db_path)  # back to how schema 4 left such a row
    for trigger, _table in TAG_TRIGGERS_ON:  # schema 11
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE report_tags")
    for index in [*SLA_INDEXES, *TAG_INDEXES]:  # schema 12 and 11
        conn.execute("DROP INDEX " + index.split()[2])
    for trigger, _table in TRIGGERS_ON:  # schema 10
        conn.execute(f"DROP TRIGGER {trigger}")
    conn.execute("DROP TABLE report_created")
    conn.execute("DROP TABLE report_moves")
    conn.execute("DROP INDEX outbox_kind_recipient")  # schema 8
    for table, column, _kind in V8_COLUMNS:
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    for column in ("to_address", "to_name", "subject", "in_reply_to", "references_"):
        conn.execute(f"ALTER TABLE outbox DROP COLUMN {column}")
    conn.execute("ALTER TABLE actions DROP COLUMN skipped_at")
    conn.execute("DROP TABLE job_leases")  # schema 6
    conn.execute("DROP TABLE presence")  # schema 7
    conn.execute("DROP TABLE agents_away")  # schema 9
    conn.execute("DROP TABLE routing_turns")  # schema 9
    conn.execute("PRAGMA user_version = 4")
    conn.commit()
    conn.close()

    store = open_store(db_path)
    service = TicketService(store, clock=clock, actor="agent")
    assert store.scalar("SELECT to_address FROM outbox") == "alice@example.com"
    service.merge(alice, bob)
    port = free_port()
    from aiosmtpd.controller import Controller
    from test_mail_smtp import Collect

    handler = Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        assert send_due(store, settings_for(port), clock=clock).sent == 1
    finally:
        controller.stop()
        store.close()
    assert handler.envelopes[0][1] == ["alice@example.com"]


def test_item10_bulk_reply_gives_each_ticket_its_own_message_id(
    service: TicketService, clock, smtp_server  # noqa: F811
) -> None:
    port, handler, _controller = smtp_server
    settings = settings_for(port)
    first = service.create_ticket(email="carol@example.com", subject="One", body="a")
    second = service.create_ticket(email="dave@example.com", subject="Two", body="b")
    options = reply_options(settings)

    outcome = perform(service, ActionKind.REPLY, [first, second], lambda i: service.reply(i, "hi", **options))

    assert outcome.changed == [first, second] and not outcome.refused
    assert send_due(service.store, settings, clock=clock).sent == 2
    ids = [m["Message-ID"] for m in handler.received]
    assert len(set(ids)) == 2
    assert sorted(e[1][0] for e in handler.envelopes) == ["carol@example.com", "dave@example.com"]


def test_item10_bulk_action_stopped_midway_says_what_was_done(service: TicketService) -> None:
    tickets = [service.create_ticket(email=f"c{n}@example.com", subject=f"S{n}", body="b") for n in range(4)]

    def reply(ticket_id: int):
        if ticket_id == tickets[2]:
            raise sqlite3.OperationalError("disk I/O error")
        return service.reply(ticket_id, "hi")

    service.resolve(tickets[1])
    service.reopen(tickets[1])
    service.set_status(tickets[1], "spam")
    with pytest.raises(PartlyDone) as stopped:
        perform(service, ActionKind.REPLY, tickets, reply)

    text = str(stopped.value)
    assert text.startswith("1 replied, 1 refused")
    assert f"stopped at #{tickets[2]}: OperationalError: disk I/O error" in text
    assert f"not tried: #{tickets[3]}" in text
    assert stopped.value.outcome.changed == [tickets[0]]


def test_item10_cli_bulk_reply_with_smtp(db_path, tmp_path, monkeypatch, smtp_server, capsys) -> None:  # noqa: F811
    from tui_desk.cli import main

    port, handler, _controller = smtp_server
    config = tmp_path / "config.toml"
    config.write_text(f'[mail.smtp]\nhost = "127.0.0.1"\nport = {port}\nsecurity = "none"\nfrom = "help@desk.example"\n')
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    for n in (1, 2):
        assert main(["new", "--db", str(db_path), "--email", f"c{n}@example.com", "--subject", f"S{n}", "--body", "x"]) == 0
    capsys.readouterr()

    assert main(["reply", "--db", str(db_path), "1,2", "--body", "hi"]) == 0

    out = capsys.readouterr().out
    assert "2 replied" in out
    assert main(["send", "--db", str(db_path)]) == 0
    assert sorted(e[1][0] for e in handler.envelopes) == ["c1@example.com", "c2@example.com"]


def test_item10_cli_bulk_stopped_by_a_store_error_names_what_was_done(db_path, monkeypatch, capsys) -> None:
    from tui_desk.cli import main
    from tui_desk.domain.errors import StoreError

    for n in (1, 2, 3):
        assert main(["new", "--db", str(db_path), "--email", f"c{n}@example.com", "--subject", f"S{n}", "--body", "x"]) == 0
    capsys.readouterr()
    real = TicketService.reply

    def failing(self, ticket_id, body, **kwargs):  # noqa: ANN001, ANN202
        if ticket_id == 2:
            raise StoreError("database or disk is full")
        return real(self, ticket_id, body, **kwargs)

    monkeypatch.setattr(TicketService, "reply", failing)

    assert main(["reply", "--db", str(db_path), "1,2,3", "--body", "hi"]) == 1

    out, err = capsys.readouterr()
    assert "#1" in out
    assert "1 replied; stopped at #2: database or disk is full; not tried: #3" in err
