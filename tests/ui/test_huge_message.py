"""Item 21: a 10 MB message neither freezes the app nor fills its memory; `w` shows all of it.

The thread pane draws a bounded start of each message (and a bounded total per thread)
with a line saying how much is left out; the full text opens with `w` in a pane that
wraps off the event loop and draws only the rows in sight. The bounds are asserted on
what is drawn (lines of the pane), not on time.
"""

from __future__ import annotations

import base64
import os

from tui_desk.store import Store
from tui_desk.ui.screens.full_text import FullTextScreen
from tui_desk.ui.widgets.full_text import FullTextView, wrap_offsets
from tui_desk.ui.widgets.thread import MESSAGE_CHARS, THREAD_CHARS, ThreadView

from .conftest import make_app
from .helpers import SIZE, press, settle, thread_text
from .test_robustness import service_for

TEN_MB = 10_000_000


def prose(size: int) -> str:
    line = "The customer explains the problem once more, at length and in detail."
    return "\n".join(line for _ in range(size // (len(line) + 1)))


async def test_item21_ten_mb_message_is_drawn_bounded_and_whole_behind_w(empty_store: Store) -> None:
    service = service_for(empty_store)
    service.create_ticket(email="small@example.com", subject="Small", body="Hello", priority="urgent")
    huge = service.create_ticket(email="log@example.com", subject="Our log", body=prose(TEN_MB) + "\nTHE END")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        assert app.main.ticket is not None and app.main.ticket.id == huge
        shown = thread_text(app)
        assert len(shown.splitlines()) < 600, "the pane draws a bounded part"
        assert "more characters not shown; press w to read the full text" in shown
        assert "THE END" not in shown

        await press(pilot, "w")
        assert isinstance(app.screen, FullTextScreen)
        view = app.screen.query_one(FullTextView)
        assert view.ready
        assert view.virtual_size.height > 100_000, "every line of the message is there to scroll to"
        await press(pilot, "G")
        last_rows = [view.render_line(y).text.strip() for y in range(view.scrollable_content_region.height)]
        assert "THE END" in last_rows
        await press(pilot, "escape")
        assert app.screen is app.screen_stack[0]


async def test_item21_base64_blob_without_spaces(empty_store: Store) -> None:
    blob = base64.b64encode(os.urandom(TEN_MB * 3 // 4)).decode()
    service = service_for(empty_store)
    service.create_ticket(email="att@example.com", subject="Attachment as text", body=blob)
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = thread_text(app)
        assert len(shown.splitlines()) < 600
        assert f"{len(blob) - MESSAGE_CHARS:,} more characters not shown" in shown
        await press(pilot, "w")
        view = app.screen.query_one(FullTextView)
        width = view.scrollable_content_region.width
        assert view.virtual_size.height >= len(blob) // width  # cut straight through the one long word
        assert view.render_line(0).cell_length == width


async def test_item21_thread_total_is_bounded(empty_store: Store) -> None:
    service = service_for(empty_store)
    ticket = service.create_ticket(email="many@example.com", subject="Many long ones", body=prose(MESSAGE_CHARS * 2))
    for _ in range(40):
        service.add_customer_message(ticket, prose(MESSAGE_CHARS * 2))
    service.add_customer_message(ticket, "The latest, short one")
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        pane = app.query_one(ThreadView)
        drawn = sum(len(line.strip()) for line in pane.text.split("\n"))
        assert drawn < THREAD_CHARS * 1.2
        assert "The latest, short one" in thread_text(app)
        assert thread_text(app).count("press w to read the full text") == 42 - 1


def test_item21_wrapping_rows() -> None:
    assert wrap_offsets("aaaa bbbb cccc", 9) == [(0, 9), (10, 14)]
    assert wrap_offsets("x" * 25, 10) == [(0, 10), (10, 20), (20, 25)]
    assert wrap_offsets("", 10) == [(0, 0)]
    assert wrap_offsets("東京東京東京", 4) == [(0, 2), (2, 4), (4, 6)]  # two cells each


async def test_item21_full_text_key_is_in_help_and_palette(empty_store: Store) -> None:
    app = make_app(empty_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        keys = [key for _title, rows in app.main.help_sections() for key, _text in rows]
        assert "w" in keys
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Full text" in titles
