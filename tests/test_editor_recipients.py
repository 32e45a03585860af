"""What the reply editor shows and takes for To and Cc (core/editor_recipients.py,
docs/issue15/recipients.md "In the editor"): the same To and Cc the outbox fixes."""

from __future__ import annotations

import pytest

from tui_desk.core.editor_recipients import for_reply, parse_cc
from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.errors import InvalidInput

pytestmark = pytest.mark.both_backends


def test_to_is_the_customer_or_their_reply_to_and_cc_the_remembered_list(service: TicketService) -> None:
    plain = service.create_ticket(email="carol@example.com", name="Carol", subject="a", body="b", cc=["bob@example.com"])
    shown = for_reply(service.store, plain)
    assert shown is not None
    assert (shown.to_line(), shown.cc_text()) == ("Carol <carol@example.com>", "bob@example.com")
    redirected = service.create_ticket(
        email="dave@example.com", name="Dave", subject="a", body="b",
        cc=["orders@example.com", "erin@example.com"], reply_to="orders@example.com",
    )
    shown = for_reply(service.store, redirected)
    assert shown is not None  # the To is not copied as well, as the outbox leaves it out
    assert (shown.to_line(), shown.cc) == ("orders@example.com", ("erin@example.com",))
    service.reply(redirected, "ok", cc=[])
    assert for_reply(service.store, redirected).cc == ()  # type: ignore[union-attr]
    assert for_reply(service.store, 999) is None


def test_parse_cc_takes_what_people_paste_and_refuses_the_rest() -> None:
    assert parse_cc('"Bob, the boss" <Bob@Example.com>; carol@example.org dave@example.net,, bob@example.com') == [
        "bob@example.com", "carol@example.org", "dave@example.net",
    ]
    assert parse_cc("  ") == []
    with pytest.raises(InvalidInput, match="own address"):
        parse_cc("x@example.com, Help <help@desk.example>", ["help@desk.example"])
    for bad in ("bob", "bob@example.com\r\nBcc: eve@example.com", "<>", "a@b@c"):
        with pytest.raises(InvalidInput):
            parse_cc(bad)
    with pytest.raises(InvalidInput, match="At most 20"):
        parse_cc(", ".join(f"p{n}@example.com" for n in range(21)))
