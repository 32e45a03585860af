"""Hostile review of issue 15's mail surfaces (docs/issue15/*.md, docs/trust.md): what a sender
who forges headers, or an admin who configures carelessly, can make the desk do."""

from __future__ import annotations

import pytest
from test_mail_acknowledge import acks, fetch, mail, settings

from tui_desk.core.lifecycle import TicketService
from tui_desk.mail.outbox import build_mail
from tui_desk.store import recipients as copies

pytestmark = pytest.mark.both_backends


def test_acknowledgement_goes_to_the_from_address_alone(service: TicketService) -> None:
    """A forged Reply-To and Cc must not turn one acknowledgement into mail for twenty strangers
    (docs/issue15/acknowledgement.md: "one acknowledgement an hour to the From address")."""
    config = settings()
    cc = ", ".join(f"victim{n}@example.org" for n in range(20))
    fetch(service, config, mail(1, frm="x@attacker.example", Reply_To="victim@example.org", Cc=cc))
    [ack] = acks(service)
    assert ack["to_address"] == "x@attacker.example"
    outbox_id = service.store.scalar("SELECT id FROM outbox WHERE kind = 'acknowledgement'")
    with service.store.transaction():
        sent = build_mail(service.store, outbox_id, config.smtp, config)
    assert sent["To"] == "x@attacker.example" and sent["Cc"] is None
    # The ticket still remembers them for the agent's own replies (reply-all is the agent's choice).
    assert "victim0@example.org" in copies.remembered_cc(service.store, ack["ticket_id"])


def test_reply_to_cannot_multiply_acknowledgements_to_one_victim(service: TicketService, clock) -> None:
    config = settings()
    for n in range(5):
        fetch(service, config, mail(n, frm=f"x{n}@attacker.example", Reply_To="victim@example.org"))
    assert [a["to_address"] for a in acks(service)] == [f"x{n}@attacker.example" for n in range(5)]


@pytest.mark.parametrize("variant", ["CAROL@example.com", "carol+1@example.com", "Carol+news@EXAMPLE.com"])
def test_one_acknowledgement_an_hour_whatever_the_case_or_plus_tag(service: TicketService, clock, variant: str) -> None:
    """A forged From with another case or a +tag reaches the same mailbox: still one an hour."""
    config = settings()
    fetch(service, config, mail(1))
    clock.advance(minutes=5)
    fetch(service, config, mail(2, frm=variant))
    assert service.store.scalar("SELECT count(*) FROM tickets") == 2
    assert len(acks(service)) == 1


@pytest.mark.parametrize("frm", ["sales+x@desk.example", "SALES@desk.example", "help+loop@DESK.example"])
def test_no_acknowledgement_to_our_own_address_with_a_tag(service: TicketService, frm: str) -> None:
    fetch(service, settings(), mail(1, frm=frm))
    assert acks(service) == []
