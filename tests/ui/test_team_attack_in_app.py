"""Hostile review of the app on a team desk (docs/issue14/review-app.md): races between agents,
a slow store, names and subjects that are hostile input."""

from __future__ import annotations

import time

import pytest

from tui_desk.store import queries
from tui_desk.ui import panes
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.dialogs import ConfirmDialog
from tui_desk.ui.screens.reply import ReplyScreen

from .conftest import ACTOR, Desk
from .helpers import NOW, SIZE, settle, type_text


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
