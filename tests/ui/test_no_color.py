"""NO_COLOR (issue 17 item 1): the app starts and works fully in monochrome; cursor row and focus show."""

from __future__ import annotations

import pytest
from textual.widgets import TextArea

from tui_desk.ui.screens.help import HelpScreen
from tui_desk.ui.screens.reply import ReplyScreen
from tui_desk.ui.screens.reports import ReportsScreen

from .conftest import Desk, make_app
from .helpers import SIZE, current_subject, press, settle, thread_text, timeline_text, type_text


async def test_issue17_item1_no_color_starts_and_works(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    # Textual reads NO_COLOR when the App is constructed and then adds its monochrome filter,
    # which every painted line goes through: a crash there ends the app at its first frame.
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(desk.store)
    assert app.no_color
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_subject(app) == "VPN drops every hour"
        await press(pilot, "j", "j", "j")
        assert current_subject(app) == "Password reset link expired"
        assert "That one expired too." in thread_text(app)
        assert "replied" in timeline_text(app).lower()
        app.export_screenshot()

        await press(pilot, "enter", "G", "tab", "j", "escape")  # the thread, the timeline, back
        await press(pilot, "w")  # the full text of the thread
        app.export_screenshot()
        await press(pilot, "escape")
        await press(pilot, "2", "G", "g", "1")  # another view and back
        await press(pilot, "r")
        assert isinstance(app.screen, ReplyScreen)
        await type_text(pilot, "Working on it")
        app.export_screenshot()
        await press(pilot, "escape", "d")  # discard: the dialog asks first
        assert not isinstance(app.screen, ReplyScreen)
        await press(pilot, "n")
        assert isinstance(app.screen, ReplyScreen) and app.screen.query_one(TextArea).text == ""
        await press(pilot, "ctrl+t")  # the saved-reply picker
        app.export_screenshot()
        await press(pilot, "escape", "escape")
        for key in ("p", "a", "slash", "number_sign", "v"):  # the dialogs
            await press(pilot, key)
            assert app.screen is not app.screen_stack[0], key
            app.export_screenshot()
            await press(pilot, "escape")

        await press(pilot, "x")
        assert isinstance(app.screen, ReportsScreen)
        await press(pilot, "3", "b")
        app.export_screenshot()
        await press(pilot, "escape")
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        app.export_screenshot()
        await press(pilot, "escape", "ctrl+p")
        app.export_screenshot()
        await press(pilot, "escape")
        assert app.screen is app.screen_stack[0]
        app.export_screenshot()


async def test_issue17_item1_cursor_row_shows_without_colour(desk: Desk, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        cursor = app.main.inbox.get_component_rich_style("inbox--cursor")
        assert cursor.reverse, "with the inbox focused, the cursor row is drawn reversed"
        assert app.query_one("#inbox-pane").styles.border.top[0] == "double", "the focused pane stands out"
        await press(pilot, "enter")  # focus leaves the inbox: the row is still marked
        assert app.main.inbox.get_component_rich_style("inbox--cursor").underline
        assert app.query_one("#thread-pane").styles.border.top[0] == "double"
        assert app.query_one("#inbox-pane").styles.border.top[0] == "round"
