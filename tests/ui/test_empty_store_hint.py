"""Item 22 (app): an empty store says how to get tickets in, with the commands to run."""

from __future__ import annotations

import shlex

from tui_desk.store import Store

from .conftest import Desk, make_app
from .helpers import SIZE, press, settle, type_text, widget_text
from .test_robustness import service_for


async def test_item22_empty_store_shows_how_to_get_tickets_in(empty_store: Store) -> None:
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = widget_text(app.main.inbox)
        assert "No tickets yet" in shown
        for command in (
            f"export TUI_DESK_DB={shlex.quote(empty_store.path)}",  # the app runs on another store than the default
            "tui-desk import PATH",
            "tui-desk fetch",
            "tui-desk new --email ADDRESS --subject TEXT",
            "tui-desk --demo",
        ):
            assert command in shown, command

        service_for(empty_store).create_ticket(email="first@example.com", subject="The first one", body="Hi")
        app.main.refresh_inbox()
        await settle(pilot)
        shown = widget_text(app.main.inbox)
        assert "No tickets yet" not in shown and "The first one" in shown


async def test_item22_an_empty_view_of_a_full_store_has_no_such_hint(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "slash")
        await type_text(pilot, "nothing matches this")
        await press(pilot, "enter")
        assert app.main.inbox.total == 0
        assert "No tickets yet" not in widget_text(app.main.inbox)
