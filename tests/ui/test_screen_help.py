"""Help reachable by sight from every screen with keys (issue 17 item 5, docs/issue17/polish.md):
`?` (F1 where a field takes `?`) opens a help of that screen's own keys, and the screen names it."""

from __future__ import annotations

from test_mail_smtp import settings_for
from textual.widgets import Footer

from tui_desk.domain.clock import fixed_clock
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.forward import ForwardScreen
from tui_desk.ui.screens.full_text import FullTextScreen
from tui_desk.ui.screens.help import HelpScreen
from tui_desk.ui.screens.reports import ReportsScreen
from tui_desk.ui.screens.templates import TemplatesScreen

from .conftest import ACTOR, Desk, make_app
from .helpers import NOW, SIZE, press, settle, type_text, widget_text


def words(widget) -> str:  # noqa: ANN001
    return " ".join(widget_text(widget).split())


async def _help_of(pilot, screen_type: type, key: str = "question_mark") -> str:  # noqa: ANN001
    """Press the help key on a screen of `screen_type`; the help's text, then back to that screen."""
    app = pilot.app
    assert isinstance(app.screen, screen_type)
    await press(pilot, key)
    assert isinstance(app.screen, HelpScreen), f"{key} did nothing on {screen_type.__name__}"
    shown = words(app.screen.query_one("#help-box"))
    assert "Reply to the customer" not in shown  # the main screen's keys do nothing here
    assert "Inbox marks" not in shown
    await press(pilot, "escape")
    assert isinstance(app.screen, screen_type)
    return shown


async def test_question_mark_opens_the_keys_of_the_reports_screen(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "x")
        assert "? Help" in words(app.screen.query_one(Footer))
        shown = await _help_of(pilot, ReportsScreen)
        assert "Focus Next" not in shown and "Copy selected text" not in shown  # Textual's, in English
        for line in ("Reports", "p Period", "b Group by", "7 7 days", "j, ↓ Down", "Esc, q Close"):
            assert line in shown, (line, shown)


async def test_question_mark_opens_the_keys_of_the_saved_replies_and_the_full_text(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "w")
        assert "? Help" in words(app.screen.query_one(Footer))
        shown = await _help_of(pilot, FullTextScreen)
        assert "Full text" in shown and "b Page up" in shown
        await press(pilot, "escape")
        await press(pilot, "ctrl+p")
        await type_text(pilot, "Saved replies")
        await press(pilot, "enter")
        assert "? Help" in words(app.screen.query_one(Footer))
        shown = await _help_of(pilot, TemplatesScreen)
        for line in ("Saved replies", "a Add", "r Rename"):
            assert line in shown, (line, shown)


async def test_f1_opens_the_keys_of_the_forward_dialog_where_question_mark_is_typed(desk: Desk) -> None:
    app = TuiDeskApp(desk.store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, mail=settings_for(9))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "F")
        assert isinstance(app.screen, ForwardScreen)
        assert "F1 Help" in words(app.screen.query_one("#forward-box"))
        await press(pilot, "enter")  # to the address field: `?` is a character there
        await type_text(pilot, "?")
        assert isinstance(app.screen, ForwardScreen)
        shown = await _help_of(pilot, ForwardScreen, "f1")
        for line in ("Forward", "Ctrl+S Forward", "Esc Cancel"):
            assert line in shown, (line, shown)
        assert app.screen.to == "?"


async def test_the_help_footer_shows_the_helps_own_keys_not_the_main_screens(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await press(pilot, "question_mark")
        assert isinstance(app.screen, HelpScreen)
        footer = words(app.screen.query_one(Footer))
        assert "Esc Close" in footer and "↓ Down" in footer and "PgDn Page down" in footer
        bottom, _offset = app.screen.get_widget_at(2, 23)  # the main screen's `r Reply …` showed there
        assert app.screen.query_one(Footer) in (bottom, *bottom.ancestors)
        box = app.screen.query_one("#help-box")
        await press(pilot, "pagedown")
        assert box.scroll_offset.y > 0
