"""Hostile review of the app on a team desk (docs/issue14/review-app.md): races between agents,
a slow store, names and subjects that are hostile input."""

from __future__ import annotations

import threading
import time

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import open_store, queries
from tui_desk.ui import background, panes
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.dialogs import ConfirmDialog
from tui_desk.ui.screens.reply import ReplyScreen

from .conftest import ACTOR, Desk
from .helpers import NOW, SIZE, settle, thread_text, type_text
from .test_live import wait_until
from .test_live_in_app import app_on
from .test_live_in_app import pg_desk as pg_desk  # noqa: F401 - the fixture, used by name


async def test_a_reply_opened_before_its_thread_loaded_still_asks_about_what_came_in_since(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow store: j then r before the thread is on screen. The editor opens on the highlighted
    ticket; the customer writes while the agent types; ctrl+s must ask, as it does when the
    thread had loaded first (docs/issue14/presence.md, "Reply crossing")."""
    site = desk.ids["site"]
    slow = {"on": False}
    get_ticket = queries.get_ticket

    def slow_get_ticket(store, ticket_id):  # noqa: ANN001, ANN202 - a server far away
        if slow["on"] and ticket_id == site:
            time.sleep(0.5)
        return get_ticket(store, ticket_id)

    monkeypatch.setattr(panes.queries, "get_ticket", slow_get_ticket)
    app = TuiDeskApp(desk.store, clock=lambda: NOW, actor=ACTOR, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        slow["on"] = True
        await pilot.press("j")
        await pilot.press("r")  # the previous ticket's thread is still the one shown
        assert isinstance(app.screen, ReplyScreen) and app.screen.ticket_id == site
        editor = app.screen
        await type_text(pilot, "Restarted it.")
        desk.service.add_customer_message(site, "Never mind, it is back.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmDialog), queries.ticket_messages(desk.store, site)[-1].body
        assert "Never mind, it is back." in app.screen.question
        await pilot.press("n")
        await settle(pilot)
        assert app.screen is editor and editor.text == "Restarted it."


async def test_a_burst_of_changes_by_another_agent_costs_a_few_reloads_and_the_last_one_shows(
    pg_desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another agent's import (here 300 notes, each its own commit, each announced): the open app
    reloads its inbox a few times a second, not once per commit, and still shows the last."""
    site = pg_desk.ids["site"]
    reloads = []
    inbox_count = queries.inbox_count

    def counted(store, flt):  # noqa: ANN001, ANN202
        reloads.append(time.monotonic())
        return inbox_count(store, flt)

    monkeypatch.setattr(panes.queries, "inbox_count", counted)
    app = app_on(pg_desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("j")
        await settle(pilot)
        assert app.main.selected_id == site
        reloads.clear()

        def burst() -> None:
            other = open_store(pg_desk.path)
            bob = TicketService(other, clock=lambda: NOW, actor="bob")
            for n in range(300):
                bob.add_note(site, f"Imported {n}")
            other.close()

        writer = threading.Thread(target=burst)
        started = time.monotonic()
        writer.start()
        while writer.is_alive():
            await pilot.pause(0.05)
        took = time.monotonic() - started
        await wait_until(pilot, lambda: "Imported 299" in thread_text(app), timeout=5.0)
        assert len(reloads) <= took / background.PUSH_GAP + 3, (len(reloads), took)
