"""Live without polling on PostgreSQL: the app hears of another agent's change when it commits
(ui/background.py, core/live.py; docs/issue14/live.md). The periodic check is set to an hour in
these tests, so only the store's announcement can explain what shows up."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import open_store
from tui_desk.ui import background
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.presence import QUIT_WAIT

from .conftest import ACTOR, Desk, build_desk
from .helpers import NOW, SIZE, StepClock, inbox_subjects, notifications, settle, thread_text
from .test_live import wait_until
from .test_presence_in_app import marker

HOUR = 3600.0


@pytest.fixture
def pg_desk(pg_url: str) -> Iterator[Desk]:
    store = open_store(pg_url)
    clock = StepClock()
    service = TicketService(store, clock=clock, actor=ACTOR)
    ids = build_desk(service, clock)
    yield Desk(pg_url, store, service, clock, ids)  # type: ignore[arg-type]  # the URL is its path
    store.close()


def app_on(store, actor: str = ACTOR) -> TuiDeskApp:  # noqa: ANN001
    return TuiDeskApp(store, clock=lambda: NOW, actor=actor, live_interval=HOUR)


async def test_a_ticket_created_by_another_agent_shows_within_a_second(pg_desk: Desk) -> None:
    other = open_store(pg_desk.path)
    app = app_on(pg_desk.store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            assert "Fresh" not in inbox_subjects(app)
            TicketService(other, clock=lambda: NOW, actor="bob").create_ticket(
                email="x@example.com", subject="Fresh", body="hi", priority="urgent"
            )
            took = await wait_until(pilot, lambda: "Fresh" in inbox_subjects(app), timeout=5.0)
            assert took < 1.0
            # A note on the ticket on screen redraws its thread too.
            TicketService(other, clock=lambda: NOW, actor="bob").add_note(app.main.selected_id, "Bob called.")
            took = await wait_until(pilot, lambda: "Bob called." in thread_text(app), timeout=5.0)
            assert took < 1.0
    finally:
        other.close()


async def test_another_agents_presence_shows_within_a_second(pg_desk: Desk) -> None:
    vpn, site = pg_desk.ids["vpn"], pg_desk.ids["site"]
    bob_store = open_store(pg_desk.path)
    bob, alice = app_on(bob_store, "bob"), app_on(pg_desk.store)
    try:
        async with bob.run_test(size=SIZE) as bob_pilot:
            await settle(bob_pilot)
            await bob_pilot.press("j")  # bob reads the second ticket; alice opens the first
            await settle(bob_pilot)
            assert bob.main.selected_id == site and marker(bob, vpn) == " "
            async with alice.run_test(size=SIZE) as alice_pilot:
                await settle(alice_pilot)
                assert alice.main.selected_id == vpn
                await wait_until(bob_pilot, lambda: marker(bob, vpn) == "◉", timeout=5.0)
                # Alice moves to bob's ticket: bob's inbox and header say so at once (his own
                # heartbeat, the only other read of presence here, comes every 10 s).
                started = time.monotonic()
                await alice_pilot.press("j")
                await wait_until(
                    bob_pilot, lambda: marker(bob, vpn) == " " and "alice is viewing it" in thread_text(bob), timeout=5.0
                )
                assert time.monotonic() - started < 1.0
                started = time.monotonic()
            # Alice quit: she is gone from bob's header as soon as her leaving is written.
            await wait_until(bob_pilot, lambda: "alice is" not in thread_text(bob), timeout=5.0)
            assert time.monotonic() - started < 1.0 + QUIT_WAIT
    finally:
        bob_store.close()


async def test_quitting_stops_the_listener_at_once(pg_desk: Desk) -> None:
    app = app_on(pg_desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.main._listening is not None
        thread = app.main._listening[0]
        assert thread.is_alive()
        started = time.monotonic()
    assert time.monotonic() - started < background.LISTEN_WAIT + 1.0
    assert not thread.is_alive()
    # Its connection is closed: no session of this app listens any more (the server's
    # backend takes a moment to go after the client closed).
    deadline = time.monotonic() + 2.0
    while pg_desk.store.scalar("SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tui-desk live'"):
        assert time.monotonic() < deadline, "the listening session outlived the app"
        time.sleep(0.02)


async def test_a_lost_connection_is_said_once_and_the_app_catches_up_when_it_is_back(
    pg_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui_desk.core import live

    monkeypatch.setattr(live, "FIRST_RETRY", 0.2)
    other = open_store(pg_desk.path)
    app = app_on(pg_desk.store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await wait_until(
                pilot,
                lambda: other.scalar(
                    "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'tui-desk live'"
                ) == 1,
            )
            other.scalar(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE application_name = 'tui-desk live'"
            )
            await wait_until(pilot, lambda: len(notifications(app)) == 1, timeout=5.0)
            assert notifications(app)[0].startswith("No live updates for now, reconnecting: ")
            assert "Traceback" not in notifications(app)[0]
            TicketService(other, clock=lambda: NOW, actor="bob").create_ticket(
                email="x@example.com", subject="While away", body="hi", priority="urgent"
            )
            # Reconnected, it checks at once for what it may have missed, and hears of changes again.
            await wait_until(pilot, lambda: "While away" in inbox_subjects(app), timeout=5.0)
            TicketService(other, clock=lambda: NOW, actor="bob").create_ticket(
                email="x@example.com", subject="Back again", body="hi", priority="urgent"
            )
            took = await wait_until(pilot, lambda: "Back again" in inbox_subjects(app), timeout=5.0)
            assert took < 1.0
            assert len(notifications(app)) == 1  # said once, never a traceback
    finally:
        other.close()
