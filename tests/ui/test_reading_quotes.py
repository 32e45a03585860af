"""Quoted older mail and signatures in a customer's message are folded to one line; Z unfolds
them for the ticket shown and folds them again (issue 15 item 9)."""

from __future__ import annotations

from textual.pilot import Pilot

from tui_desk.store import Store

from .conftest import make_app
from .helpers import SIZE, inbox_rows, notifications, press, settle, thread_text
from .test_robustness import service_for

CUSTOMER = """The new link works, thank you!

Am 22.11.2026 um 10:00 schrieb Support <support@example.com>:
> Here is a fresh link.
> It is valid for 24 hours.
>
> \x1b[31mRegards\x1b[0m
> Support

--\u0020
Ann Lee
ACME Ltd."""

REPLY = "Glad it works.\n\n> The new link works\n> thank you\n> really"


async def go_to(pilot: Pilot, ticket_id: int) -> None:
    app = pilot.app
    ids = [row.id for row in inbox_rows(app)]
    await press(pilot, "g", *["j"] * ids.index(ticket_id))
    assert app.main.ticket is not None and app.main.ticket.id == ticket_id


async def test_z_unfolds_the_quoted_mail_and_folds_it_again(empty_store: Store) -> None:
    service = service_for(empty_store)
    ticket = service.create_ticket(email="ann@example.com", subject="Link", body=CUSTOMER)
    service.reply(ticket, REPLY)
    service.add_customer_message(ticket, "One more thing.")  # back in Needs attention
    other = service.create_ticket(email="bob@example.com", subject="Other", body="Plain question.\n> a\n> b\n> c\nMore text.")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await go_to(pilot, ticket)
        shown = thread_text(app)
        assert "The new link works, thank you!" in shown
        assert "… 10 quoted lines (Z unfolds)" in shown  # attribution, quote and signature: one fold
        assert "fresh link" not in shown and "ACME" not in shown
        assert "> The new link works" in shown, "the agent's reply is never folded"

        await press(pilot, "Z")
        shown = thread_text(app)
        assert "> Here is a fresh link." in shown and "ACME Ltd." in shown
        assert "quoted lines" not in shown
        assert "␛[31mRegards␛[0m" in shown and "\x1b" not in shown, "unfolded text is still sanitised"

        await press(pilot, "Z")
        assert "fresh link" not in thread_text(app)

        await press(pilot, "Z")
        await go_to(pilot, other)  # unfolded there; another ticket starts folded
        assert "… 3 quoted lines (Z unfolds)" in thread_text(app)
        await go_to(pilot, ticket)
        assert "fresh link" not in thread_text(app)


async def test_z_says_when_nothing_is_folded(empty_store: Store) -> None:
    service_for(empty_store).create_ticket(email="c@example.com", subject="Plain", body="Just a question.")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "Z")
        assert "Nothing is folded in this thread" in notifications(app)
