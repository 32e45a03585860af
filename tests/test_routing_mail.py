"""Routing by mailbox end to end (issue 18, docs/issue18/routing.md): a real dovecot with two
accounts, as tests/test_mail_mailboxes.py starts it. A rule's `mailbox` pattern sees the account a
mail came in through, and the rule's department and round-robin assignment are made in the fetch."""

from __future__ import annotations

import pytest
from test_mail_imap import _why_not
from test_mail_mailboxes import dovecot, message, passwords, raw_config, smtp_server  # noqa: F401 - fixtures

from tui_desk.core.lifecycle import TicketService
from tui_desk.core.routing import attach, routing_from_config
from tui_desk.mail.imap import fetch_all
from tui_desk.mail.settings import mail_settings
from tui_desk.store import queries

pytestmark = [pytest.mark.skipif(_why_not() is not None, reason=_why_not() or ""), pytest.mark.both_backends]


def test_mailbox_rule_routes_fetched_mail(service: TicketService, dovecot, smtp_server, passwords) -> None:  # noqa: ANN001, F811
    imap_port, deliver = dovecot
    smtp_port, _handler = smtp_server
    raw = raw_config(imap_port, smtp_port)
    settings = mail_settings(raw)
    attach(service, routing_from_config({
        "departments": {"Money": {"agents": ["alice", "bob"]}},
        "routing": [{"name": "billing box", "match": {"mailbox": r"billing@desk\.example"}, "department": "Money", "assign": "round-robin"}],
    }))
    deliver("billing", message(1, "Dave <dave@example.com>", "billing@desk.example"))
    deliver("billing", message(2, "Erin <erin@example.com>", "billing@desk.example"))
    deliver("sales", message(3, "Carol <carol@example.com>", "sales@desk.example"))
    fetch_all(service, settings)
    tickets = {t.subject: t for t in (queries.get_ticket(service.store, i) for i in (1, 2, 3))}
    assert (tickets["Question 3"].department, tickets["Question 3"].assignee) == ("Sales", None)
    billing = sorted((t for t in tickets.values() if t.subject != "Question 3"), key=lambda t: t.id)
    assert [(t.department, t.assignee) for t in billing] == [("Money", "alice"), ("Money", "bob")]
    events = queries.ticket_events(service.store, billing[0].id)
    assert ("routing: billing box", "department", "Money") in {(e.actor, e.kind, e.to_value) for e in events}
