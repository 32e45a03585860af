"""Presence in the app: two agents on one desk see who else is on which ticket."""

from __future__ import annotations

from datetime import timedelta

from tui_desk.core import presence
from tui_desk.core.presence import Doing
from tui_desk.store import open_store
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.dialogs import ConfirmDialog
from tui_desk.ui.screens.reply import ReplyScreen
from tui_desk.ui.widgets.inbox import InboxList

from .conftest import ACTOR, Desk
from .helpers import NOW, SIZE, StepClock, press, settle, thread_text, widget_text
from .test_live import wait_until

LIVE = 0.2


def inbox_line(app: TuiDeskApp, ticket_id: int) -> str:
    """The inbox row of this ticket as drawn (the row's number is its second column)."""
    for line in widget_text(app.query_one(InboxList)).splitlines()[1:]:
        if line[2:].split(maxsplit=1)[:1] == [str(ticket_id)]:
            return line
    raise AssertionError(f"#{ticket_id} is not drawn")


def marker(app: TuiDeskApp, ticket_id: int) -> str:
    """The presence mark beside the attention marker: ◉ viewing, ✎ replying, blank nobody."""
    return inbox_line(app, ticket_id)[1]


async def test_two_apps_see_each_other_on_a_ticket_and_lose_it_when_one_quits(desk: Desk) -> None:
    vpn, site = desk.ids["vpn"], desk.ids["site"]
    bob_store = open_store(desk.path)  # another agent's app: its own connections to the same file
    alice = TuiDeskApp(desk.store, clock=lambda: NOW, actor=ACTOR, live_interval=LIVE)
    bob = TuiDeskApp(bob_store, clock=lambda: NOW, actor="bob", live_interval=LIVE)
    try:
        async with bob.run_test(size=SIZE) as bob_pilot:
            await settle(bob_pilot)
            await press(bob_pilot, "j")  # bob reads the second ticket; alice will open the VPN ticket
            assert bob.main.selected_id == site
            assert marker(bob, vpn) == " "

            async with alice.run_test(size=SIZE) as alice_pilot:
                await settle(alice_pilot)
                assert alice.main.selected_id == vpn
                took = await wait_until(bob_pilot, lambda: marker(bob, vpn) == "◉", timeout=2.0)
                assert took < 2.0
                assert marker(bob, site) == " "
                # Alice sees bob on the site, and not herself on the VPN ticket.
                await wait_until(alice_pilot, lambda: marker(alice, site) == "◉", timeout=5.0)
                assert marker(alice, vpn) == " "

                # Alice moves to the site ticket: bob's thread header names her.
                await press(alice_pilot, "j")
                await wait_until(bob_pilot, lambda: "alice is viewing it" in thread_text(bob), timeout=5.0)
                await wait_until(bob_pilot, lambda: marker(bob, vpn) == " ", timeout=5.0)

                # Alice starts a reply: the mark and the header say so.
                await press(alice_pilot, "r")
                assert isinstance(alice.screen, ReplyScreen)
                await wait_until(bob_pilot, lambda: marker(bob, site) == "✎", timeout=5.0)
                await wait_until(bob_pilot, lambda: "alice is replying" in thread_text(bob), timeout=5.0)

                # Bob's r on that ticket asks first; n leaves him where he was.
                await press(bob_pilot, "r")
                assert isinstance(bob.screen, ConfirmDialog)
                assert "alice is replying" in bob.screen.question
                await press(bob_pilot, "n")
                assert not isinstance(bob.screen, (ConfirmDialog, ReplyScreen))
                # y opens the editor after all.
                await press(bob_pilot, "r", "y")
                assert isinstance(bob.screen, ReplyScreen)
                await press(bob_pilot, "escape")

            # Alice quit (with her editor open): she is gone from bob's inbox and header.
            await wait_until(bob_pilot, lambda: marker(bob, site) == " ", timeout=2.0)
            assert "alice is" not in thread_text(bob)
            assert presence.everyone(desk.store, lambda: NOW, excluding="bob") == []
    finally:
        bob_store.close()


async def test_an_app_that_dies_is_forgotten_after_the_expiry(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    clock = StepClock(NOW)
    other = open_store(desk.path)
    try:
        # Another process marks its agent as replying, then dies without clearing it.
        presence.mark(other, "carol", vpn, Doing.REPLYING, lambda: NOW)
        app = TuiDeskApp(desk.store, clock=clock, actor=ACTOR, live_interval=LIVE)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await wait_until(pilot, lambda: marker(app, vpn) == "✎", timeout=5.0)
            assert "carol is replying" in thread_text(app)
            clock.now = NOW + presence.EXPIRY + timedelta(seconds=1)
            await wait_until(pilot, lambda: marker(app, vpn) == " ", timeout=5.0)
            assert "carol is" not in thread_text(app)
    finally:
        other.close()


async def test_nobody_else_leaves_the_inbox_rows_as_they_were(desk: Desk) -> None:
    app = TuiDeskApp(desk.store, clock=lambda: NOW, actor=ACTOR, live_interval=LIVE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.pause(LIVE * 3)
        assert all(line[1] == " " for line in widget_text(app.query_one(InboxList)).splitlines()[1:] if line.strip())
        # Its own presence is in the store for the others, not shown to itself.
        assert [(p.agent, p.ticket_id, p.doing) for p in presence.everyone(desk.store, lambda: NOW)] == [
            (ACTOR, desk.ids["vpn"], Doing.VIEWING)
        ]


async def test_a_store_that_refuses_presence_writes_is_said_once_and_work_goes_on(desk: Desk, monkeypatch) -> None:
    from tui_desk.domain.errors import StoreLocked

    from .helpers import notifications

    def locked(*args: object, **kwargs: object) -> None:
        raise StoreLocked("The store is locked by another process; try again in a moment")

    monkeypatch.setattr("tui_desk.store.presence.set_presence", locked)
    app = TuiDeskApp(desk.store, clock=lambda: NOW, actor=ACTOR, live_interval=LIVE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for _ in range(3):
            app.main.presence_heartbeat()
            await settle(pilot)
        await press(pilot, "j", "j")
        assert notifications(app, "error").count("The store is locked by another process; try again in a moment") == 1
        assert app.main.selected_id == desk.ids["invoice"]  # the third row: moving was never held up


async def test_a_reply_sent_after_new_messages_came_in_shows_them_and_asks(desk: Desk) -> None:
    from tui_desk.store import queries

    from .helpers import type_text

    site = desk.ids["site"]
    app = TuiDeskApp(desk.store, clock=lambda: NOW, actor=ACTOR, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        assert app.main.selected_id == site
        await press(pilot, "r")
        await type_text(pilot, "We restarted the load balancer.")

        # Meanwhile, from elsewhere: the customer writes, and bob answers.
        desk.service.add_customer_message(site, "It works again, thanks!")
        bob = desk.service.__class__(desk.store, clock=desk.clock, actor="bob")
        bob.reply(site, "Glad to hear it.")
        desk.service.add_note(site, "Notes do not count.")
        stored = len(queries.ticket_messages(desk.store, site))

        await press(pilot, "ctrl+s")
        assert isinstance(app.screen, ConfirmDialog)
        question = app.screen.question
        assert "Since you opened the editor, #4 got:" in question
        assert "Customer · ana@example.com" in question and "It works again, thanks!" in question
        assert "Reply · bob" in question and "Glad to hear it." in question
        assert "Notes do not count." not in question
        # n: back to the text, nothing sent.
        await press(pilot, "n")
        assert isinstance(app.screen, ReplyScreen)
        assert app.screen.text == "We restarted the load balancer."
        assert len(queries.ticket_messages(desk.store, site)) == stored

        # Asked once about those: the next ctrl+s sends.
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, (ConfirmDialog, ReplyScreen))
        last = queries.ticket_messages(desk.store, site)[-1]
        assert (last.kind, last.author, last.body) == ("reply", ACTOR, "We restarted the load balancer.")


async def test_a_reply_with_nothing_new_since_the_editor_opened_goes_at_once(desk: Desk) -> None:
    from tui_desk.store import queries

    from .helpers import type_text

    site = desk.ids["site"]
    app = TuiDeskApp(desk.store, clock=lambda: NOW, actor=ACTOR, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "r")
        await type_text(pilot, "On it.")
        desk.service.add_note(site, "A colleague's note is no reason to ask.")
        await press(pilot, "ctrl+s")
        assert not isinstance(app.screen, (ConfirmDialog, ReplyScreen))
        assert queries.ticket_messages(desk.store, site)[-1].body == "On it."
