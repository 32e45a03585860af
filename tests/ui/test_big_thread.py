"""A big thread opened whole (`m`) costs what is on screen (issue 16, docs/issue16/big-thread.md):
its latest lines show and keys are answered before the rest is drawn; Home, End and pages
reach what they reach when everything is drawn; a resize keeps the place without drawing
the whole thread again."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, open_store
from tui_desk.ui.widgets import text_pane
from tui_desk.ui.widgets import thread as thread_module
from tui_desk.ui.widgets.text_pane import TextPane
from tui_desk.ui.widgets.thread import DEFAULT_MESSAGE_LIMIT, ThreadView

from .conftest import make_app
from .helpers import SIZE, StepClock, press, settle

MESSAGES = DEFAULT_MESSAGE_LIMIT + 60


@pytest.fixture
def big_desk(tmp_path: Path) -> Iterator[tuple[Store, int]]:
    """One ticket of 260 four-line messages: more than the thread shows until `m`."""
    store = open_store(tmp_path / "big.db")
    service = TicketService(store, clock=StepClock(), actor="alice")
    ticket = service.create_ticket(email="ann@example.com", subject="Big", body=body(0))
    for n in range(1, MESSAGES):
        service.add_customer_message(ticket, body(n))
    yield store, ticket
    store.close()


def body(n: int) -> str:
    return "\n".join(f"Message {n} line {line}" for line in range(4))


def drawn(pane: TextPane) -> int:
    """The parts drawn to lines (a pane that draws every part at once has them all)."""
    return getattr(pane, "drawn_parts", len(pane._parts))


def on_screen(pane: TextPane) -> list[str]:
    return [pane.render_line(row).text.rstrip() for row in range(pane.scrollable_content_region.height)]


def in_text(pane: TextPane) -> list[str]:
    """The lines at the pane's place in its whole text (every part drawn, the view kept)."""
    text = pane.text.split("\n")
    y = round(pane.scroll_offset.y)
    return text[y : y + pane.scrollable_content_region.height]


async def until(condition: Callable[[], bool]) -> None:
    for _ in range(10_000):  # a bound, not a timing: a hung app fails instead of hanging the run
        if condition():
            return
        await asyncio.sleep(0.001)
    raise AssertionError("never happened")


async def key_now(pilot: Pilot, key: str) -> None:
    """A key handled without waiting for the app to be idle (`pilot.press` waits for it)."""
    pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
    await pilot.pause(0)
    await pilot.pause(0)


async def open_whole(pilot: Pilot) -> ThreadView:
    app: Any = pilot.app
    await settle(pilot)
    thread = app.main.query_one(ThreadView)
    thread.focus()
    await press(pilot, "m")
    assert app.main.ticket is not None and len(app.main._messages) == MESSAGES
    return thread


async def open_paged_up(pilot: Pilot, pages: int) -> tuple[ThreadView, list[str]]:
    """The big thread opened whole and paged up `pages` times from its end: the pane and what it shows."""
    thread = await open_whole(pilot)
    for _ in range(pages):
        await key_now(pilot, "pageup")
    return thread, on_screen(thread)


@pytest.fixture
def no_filler(monkeypatch: pytest.MonkeyPatch) -> None:
    """What is not in view stays undrawn until the test reads the whole text."""

    async def idle(self: TextPane, generation: int, order: Any) -> None:
        return None

    monkeypatch.setattr(text_pane, "SYNC_LINES", 0, raising=False)
    monkeypatch.setattr(TextPane, "_fill_slices", idle, raising=False)


async def test_the_latest_lines_show_and_a_key_is_answered_before_the_rest_is_drawn(
    big_desk: tuple[Store, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    store, _ticket = big_desk
    monkeypatch.setattr(text_pane, "SYNC_LINES", 0, raising=False)
    monkeypatch.setattr(text_pane, "SLICE_SECONDS", 0, raising=False)  # a part a slice: the loop turns between parts
    app = make_app(store)
    frames: list[tuple[int, int, list[str]]] = []
    home: list[int] = []
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        thread = app.main.query_one(ThreadView)
        thread.focus()
        display = app._display

        def displayed(*args: Any) -> None:
            display(*args)
            if len(thread._parts) > MESSAGES and not frames:  # the first frame of the whole thread
                frames.append((drawn(thread), len(thread._parts), on_screen(thread)))

        app._display = displayed  # type: ignore[method-assign]
        scroll_home = thread.action_scroll_home

        def counted_home() -> None:
            home.append(drawn(thread))
            scroll_home()

        thread.action_scroll_home = counted_home  # type: ignore[method-assign]
        app.post_message(events.Key("m", "m"))
        await until(lambda: bool(frames))  # no wait for the app to be idle: it is busy drawing
        app.post_message(events.Key("g", "g"))
        await until(lambda: bool(home))
        await settle(pilot)
        drawn_first, parts, screen = frames[0]
        assert drawn_first < parts / 4, "the first frame waited for the whole thread to be drawn"
        assert "  Message 259 line 3" in screen, "the thread opens at its latest message"
        assert home[0] < parts, "the key waited for the whole thread to be drawn"
        assert thread.scroll_offset.y == 0 and on_screen(thread)[0] == "#1 Big"
        assert drawn(thread) == parts, "the rest is drawn in the background"
        assert on_screen(thread) == in_text(thread)


async def test_pages_home_and_end_over_parts_not_yet_drawn(big_desk: tuple[Store, int], no_filler: None) -> None:
    store, _ticket = big_desk
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        thread = await open_whole(pilot)
        parts = len(thread._parts)
        assert drawn(thread) < parts / 4
        assert on_screen(thread)[-2] == "  Message 259 line 3"
        pages = [on_screen(thread)]
        for _ in range(5):
            await key_now(pilot, "pageup")
            pages.insert(0, on_screen(thread))
        assert drawn(thread) < parts / 4
        # Each page is the one right above the last: no line lost or seen twice.
        lines = [line for page in pages for line in page]
        whole = thread.text.split("\n")
        assert drawn(thread) == parts
        first = next(n for n, line in enumerate(lines) if "Message" in line)  # a line found once
        start = whole.index(lines[first]) - first
        assert whole[start : start + len(lines)] == lines
        assert on_screen(thread) == in_text(thread) == pages[0], "drawing the rest moved the view"

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        thread = await open_whole(pilot)
        await key_now(pilot, "home")
        assert thread.scroll_offset.y == 0 and on_screen(thread)[0] == "#1 Big"
        await key_now(pilot, "pagedown")
        second = on_screen(thread)
        await key_now(pilot, "end")
        assert on_screen(thread)[-2] == "  Message 259 line 3"
        assert thread.scroll_offset.y == thread.max_scroll_y
        assert drawn(thread) < len(thread._parts) / 4, "Home and End drew the whole thread"
        last = on_screen(thread)
        assert in_text(thread) == last, "drawing the rest moved the view away from the end"
        whole = thread.text.split("\n")
        height = thread.scrollable_content_region.height
        assert second == whole[height : 2 * height]


async def test_a_resize_keeps_the_place_without_drawing_the_whole_thread(
    big_desk: tuple[Store, int], no_filler: None
) -> None:
    store, _ticket = big_desk
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        thread, seen = await open_paged_up(pilot, 8)
        assert any(line.startswith("  Message") for line in seen)
        await pilot.resize_terminal(SIZE[0] - 20, SIZE[1])
        await settle(pilot)
        assert drawn(thread) < len(thread._parts) / 4, "the resize drew the whole thread"
        # Short lines: only the pane's width changed, the messages read stay on the same rows.
        assert on_screen(thread) == seen
        assert in_text(thread) == seen


async def test_a_live_refresh_keeps_the_place_over_parts_not_yet_drawn(
    big_desk: tuple[Store, int], tmp_path: Path, no_filler: None
) -> None:
    store, ticket = big_desk
    bob_store = open_store(tmp_path / "big.db")
    try:
        app = make_app(store)
        async with app.run_test(size=SIZE) as pilot:
            thread, seen = await open_paged_up(pilot, 6)
            TicketService(bob_store, clock=StepClock(), actor="bob").add_note(ticket, "Bob's note at the end.")
            app.main.check_for_changes()  # what the timer or a NOTIFY does (ui/background.py)
            await settle(pilot)
            assert len(thread._parts) == MESSAGES + 2, "the thread was not reloaded"
            assert drawn(thread) < len(thread._parts) / 4
            assert on_screen(thread) == seen
            assert "Bob's note at the end." in thread.text
            assert on_screen(thread) == in_text(thread) == seen
    finally:
        bob_store.close()


async def test_copying_the_whole_text_draws_each_part_not_yet_drawn_once(
    big_desk: tuple[Store, int], no_filler: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[int] = []
    build = thread_module.message_renderable

    def counted(message: Any, *args: Any) -> Any:
        built.append(message.id)
        return build(message, *args)

    monkeypatch.setattr(thread_module, "message_renderable", counted)
    store, _ticket = big_desk
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        thread, seen = await open_paged_up(pilot, 3)
        built.clear()
        whole = thread.text.split("\n")
        assert len(built) == len(set(built)) > MESSAGES / 2, "a part was drawn twice for the text"
        assert "  Message 0 line 0" in whole and "  Message 259 line 3" in whole
        assert drawn(thread) == len(thread._parts)
        assert on_screen(thread) == in_text(thread) == seen, "drawing the rest moved the view"
