"""The main screen at 80x24, 60x20 and 30x8 (docs/issue17/layout.md): what stays in sight."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Static

from tui_desk.i18n import _, set_language
from tui_desk.ui.layout import TicketLine
from tui_desk.ui.widgets.thread import ThreadView

from .conftest import Desk, make_app
from .helpers import press, settle, status_bar_text, widget_text


@pytest.fixture(autouse=True)
def _english_after() -> Iterator[None]:
    yield
    set_language(None)


def long_thread(desk: Desk) -> int:
    site = desk.ids["site"]
    for n in range(8):
        desk.service.add_customer_message(site, f"Update {n}: still down.\n\nOrders lost so far: {n * 10}.")
        desk.clock.advance()
    return site


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
async def test_the_pinned_line_names_the_customer_and_sla_after_scrolling_up(desk: Desk, size: tuple[int, int]) -> None:
    site = long_thread(desk)
    app = make_app(desk.store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await press(pilot, "j")  # Site down: the second ticket of the inbox
        assert app.main.inbox.current is not None and app.main.inbox.current.id == site
        thread = app.query_one(ThreadView)
        assert thread.scroll_offset.y > 0 and thread.scroll_offset.y == thread.max_scroll_y  # opens at the end
        await press(pilot, "tab", *["k"] * 6)
        assert 0 < thread.scroll_offset.y < thread.max_scroll_y  # in the middle: no header of the scrolling part
        line = widget_text(app.query_one(TicketLine)).strip()
        assert line.startswith(f"#{site} · Ana Horvat · "), line
        if size[0] >= 80:  # the whole line fits: status, priority and the SLA as the inbox shows it
            assert "Open" in line and "urgent" in line and "SLA " in line, line
        else:
            assert line.endswith("…") or "SLA " in line, line


@pytest.mark.parametrize("size", [(80, 24), (60, 20)])
@pytest.mark.parametrize("pane", ["inbox", "thread", "timeline"])
async def test_help_is_in_sight_with_any_pane_focused(desk: Desk, size: tuple[int, int], pane: str) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        if pane == "timeline":  # folded below 100 columns: T shows it
            await press(pilot, "T")
        app.query_one(f"#{pane}").focus()
        await settle(pilot)
        assert app.focused is app.query_one(f"#{pane}")
        shown = widget_text(app.screen)
        assert "? Help" in shown and "q Quit" in shown


async def test_help_is_in_sight_in_latvian(desk: Desk) -> None:
    set_language("lv")
    app = make_app(desk.store)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        app.query_one("#thread").focus()
        await settle(pilot)
        assert "? " + _("Help") in widget_text(app.screen) and _("Help") != "Help"


async def test_a_long_status_cuts_the_counts_not_itself(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=(60, 20)) as pilot:
        await settle(pilot)
        await press(pilot, "asterisk")  # mark every ticket
        bar = status_bar_text(app)
        assert "4 marked" in bar and "as " in bar, bar
        assert "Answered" not in bar  # the counts gave way
        assert "? Help" in widget_text(app.query_one("#top-keys", Static))


async def test_the_timeline_folds_below_100_columns_and_t_shows_it(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        timeline = app.query_one("#timeline-pane")
        thread = app.query_one("#thread-pane")
        assert not timeline.display and thread.outer_size.width == 80
        await press(pilot, "T")
        assert timeline.display
        await pilot.resize_terminal(120, 36)
        await settle(pilot)
        assert timeline.display and thread.size.width >= 60


async def test_too_small_says_so_and_comes_back(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=(30, 8)) as pilot:
        await settle(pilot)
        shown = widget_text(app.screen)
        assert " ".join(shown.split()) == "Terminal too small: 30x8, needs at least 60x16"
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert "Terminal too small" not in widget_text(app.screen)
        assert app.focused is app.main.inbox  # the keys work again where they did
        await press(pilot, "j")
        assert app.main.inbox.cursor == 1


async def test_the_selected_row_stays_in_view_after_a_resize_and_inbox_smaller(desk: Desk) -> None:
    for n in range(40):
        desk.service.create_ticket(email=f"c{n}@example.com", name=f"C {n}", subject=f"Question {n}", body="Hi")
        desk.clock.advance()
    app = make_app(desk.store)
    async with app.run_test(size=(120, 48)) as pilot:
        await settle(pilot)
        inbox = app.main.inbox
        await press(pilot, *["j"] * 25)

        def in_view() -> bool:
            top = round(inbox.scroll_offset.y)
            return top <= inbox.cursor <= top + inbox.scrollable_content_region.height - 2

        assert inbox.cursor == 25 and in_view()
        await pilot.resize_terminal(80, 24)
        await settle(pilot)
        assert in_view(), (inbox.cursor, inbox.scroll_offset.y, inbox.scrollable_content_region.height)
        await press(pilot, "less_than_sign", "less_than_sign", "less_than_sign")
        assert in_view(), (inbox.cursor, inbox.scroll_offset.y, inbox.scrollable_content_region.height)


async def test_the_inbox_keeps_the_customer_at_80_columns(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        shown = widget_text(app.query_one("#inbox"))
        assert "Customer" in shown.splitlines()[0] and "Dave Lee" in shown
