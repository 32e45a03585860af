"""Reading undisturbed (issue 17 items 6 and 8, docs/issue17/reading.md): a refresh of the
ticket being read keeps the reader's place, following the end only from the end; jumps are
instant; `m` keeps the message read in view; a click on the inbox header selects nothing."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual import events
from textual.pilot import Pilot

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, open_store
from tui_desk.ui import panes
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.widgets.full_text import FullTextView
from tui_desk.ui.widgets.thread import ThreadView
from tui_desk.ui.widgets.timeline import TimelineView

from .conftest import make_app
from .helpers import SIZE, StepClock, press, settle

MESSAGES = 30


@pytest.fixture
def long_desk(tmp_path: Path) -> Iterator[tuple[Path, Store, int, int]]:
    """A ticket of 30 five-line messages and 40 events (first in the inbox), and a short one."""
    path = tmp_path / "long.db"
    store = open_store(path)
    service = TicketService(store, clock=StepClock(), actor="alice")
    long = service.create_ticket(email="ann@example.com", subject="Long", body=body(0), priority="urgent")
    for n in range(1, MESSAGES):
        if n % 2 == 0:  # the last is the customer's: the ticket needs attention
            service.reply(long, body(n))
        else:
            service.add_customer_message(long, body(n))
    for n in range(10):
        service.tag(long, add=[f"t{n}"])
    other = service.create_ticket(email="bob@example.com", subject="Other", body="Short question.")
    yield path, store, long, other
    store.close()


def body(n: int) -> str:
    return "\n".join(f"Message {n} line {line}" for line in range(5))


def another_agent(path: Path) -> tuple[Store, TicketService]:
    store = open_store(path)
    return store, TicketService(store, clock=StepClock(), actor="bob")


async def live_refresh(pilot: Pilot) -> None:
    """What the timer or a NOTIFY does when the change marker moved (ui/background.py)."""
    pilot.app.main.check_for_changes()  # type: ignore[attr-defined]
    await settle(pilot)


def in_view(pane: ThreadView | TimelineView) -> list[str]:
    y, height = round(pane.scroll_offset.y), pane.scrollable_content_region.height
    return pane.text.split("\n")[y : y + height]


async def opened(app: TuiDeskApp, pilot: Pilot, long: int) -> ThreadView:
    await settle(pilot)
    assert app.main.ticket is not None and app.main.ticket.id == long
    thread = app.main.query_one(ThreadView)
    thread.focus()
    await settle(pilot)
    assert thread.max_scroll_y > 20, "the thread must be longer than its pane"
    return thread


async def test_a_live_refresh_keeps_the_place_of_a_reader_scrolled_up(long_desk) -> None:  # noqa: ANN001
    path, store, long, other = long_desk
    bob_store, bob = another_agent(path)
    app = make_app(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            thread = await opened(app, pilot, long)
            assert thread.scroll_offset.y == thread.max_scroll_y, "a ticket opens at its latest message"
            await press(pilot, "k", "k", "k", "pageup")
            place, seen = thread.scroll_offset.y, in_view(thread)
            shows = 0
            show = thread.show

            def counted(*args, **kwargs) -> None:  # noqa: ANN002, ANN003
                nonlocal shows
                shows += 1
                show(*args, **kwargs)

            thread.show = counted  # type: ignore[method-assign]

            bob.tag(other, add=["vip"])  # another agent, another ticket
            await live_refresh(pilot)
            assert shows == 1, "the refresh redrew the thread read"
            assert (thread.scroll_offset.y, in_view(thread)) == (place, seen)

            thread.set_presence("bob is replying")  # a line more in the header above
            await settle(pilot)
            assert "bob is replying" in thread.text and in_view(thread) == seen

            # A change to this very ticket that adds a header line: the lines read stay where they are.
            bob.assign(long, "bob")
            bob.add_note(long, "Bob's note at the end.")
            await live_refresh(pilot)
            assert "Bob's note at the end." in thread.text
            assert in_view(thread) == seen
            assert thread.scroll_offset.y < thread.max_scroll_y

            # At the very top the header stays whole when it grows.
            await press(pilot, "g")
            thread.set_presence("")
            await settle(pilot)
            thread.set_presence("carol is viewing")
            await settle(pilot)
            assert thread.scroll_offset.y == 0 and in_view(thread)[0] == "#1 Long"
    finally:
        bob_store.close()


async def test_a_reader_at_the_end_follows_new_messages(long_desk) -> None:  # noqa: ANN001
    path, store, long, _other = long_desk
    bob_store, bob = another_agent(path)
    app = make_app(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            thread = await opened(app, pilot, long)
            before = thread.max_scroll_y
            bob.add_customer_message(long, "A new message from the customer.")
            await live_refresh(pilot)
            assert thread.max_scroll_y > before
            assert thread.scroll_offset.y == thread.max_scroll_y
            assert "A new message from the customer." in "\n".join(in_view(thread))
    finally:
        bob_store.close()


async def test_the_timeline_keeps_the_place_too(long_desk) -> None:  # noqa: ANN001
    path, store, long, other = long_desk
    bob_store, bob = another_agent(path)
    app = make_app(store)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await opened(app, pilot, long)
            timeline = app.main.query_one(TimelineView)
            timeline.focus()
            await settle(pilot)
            assert timeline.scroll_offset.y == timeline.max_scroll_y > 5
            await press(pilot, "k", "k")
            place, seen = timeline.scroll_offset.y, in_view(timeline)
            bob.tag(long, add=["new"])
            await live_refresh(pilot)
            assert "new" in timeline.text.split("\n")[-1]
            assert (timeline.scroll_offset.y, in_view(timeline)) == (place, seen)

            await press(pilot, "G")
            bob.tag(long, add=["newer"])
            await live_refresh(pilot)
            assert "newer" in in_view(timeline)[-1], "from the end, the end stays in view"

            # Another ticket opens at its end, as before.
            await press(pilot, "escape", "j")
            assert app.main.ticket is not None and app.main.ticket.id == other
            assert timeline.scroll_offset.y == timeline.max_scroll_y
    finally:
        bob_store.close()


async def key_now(pilot: Pilot, key: str) -> None:
    """Send a key and let it be handled, without waiting for animations as `pilot.press` does."""
    pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
    await pilot.pause()


async def test_jumps_are_instant_in_the_thread_and_the_timeline(long_desk) -> None:  # noqa: ANN001
    _path, store, long, _other = long_desk
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        thread = await opened(app, pilot, long)
        timeline = app.main.query_one(TimelineView)
        # Checked right after each key: an animated scroll would still be on its way.
        for pane in (thread, timeline):
            pane.focus()
            await pilot.pause()
            await key_now(pilot, "g")
            assert pane.scroll_offset.y == 0
            await key_now(pilot, "G")
            assert pane.scroll_offset.y == pane.max_scroll_y > 0
            await key_now(pilot, "home")
            assert pane.scroll_offset.y == 0
            await key_now(pilot, "pagedown")
            assert pane.scroll_offset.y == pane.scrollable_content_region.height
            await key_now(pilot, "pageup")
            assert pane.scroll_offset.y == 0
            await key_now(pilot, "end")
            assert pane.scroll_offset.y == pane.max_scroll_y
            assert not app.animator.is_being_animated(pane, "scroll_y")


async def test_m_keeps_the_message_read_in_view(long_desk, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    _path, store, long, _other = long_desk
    monkeypatch.setattr(panes, "DEFAULT_MESSAGE_LIMIT", 10)  # 20 earlier messages stay behind `m`
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        thread = await opened(app, pilot, long)
        assert "20 earlier messages not shown" in thread.text
        await press(pilot, "k", "k", "k", "k")
        seen = in_view(thread)
        assert any("Message 2" in line for line in seen)
        await press(pilot, "m")
        assert "Message 0 line 0" in thread.text and "earlier messages" not in thread.text
        assert in_view(thread) == seen, "the earlier messages came in above what was read"


async def test_a_click_on_the_inbox_header_selects_nothing(desk) -> None:  # noqa: ANN001
    app = make_app(desk.store)
    async with app.run_test(size=(120, 16)) as pilot:  # the smallest the app lays out: rows hide above
        await settle(pilot)
        inbox = app.main.inbox
        await press(pilot, "G")
        assert inbox.scroll_offset.y > 0, "rows are hidden above the view"
        cursor, selected = inbox.cursor, app.main.selected_id
        await pilot.click(inbox, offset=(5, 0))
        await settle(pilot)
        assert (inbox.cursor, app.main.selected_id) == (cursor, selected)


async def test_a_resize_keeps_the_text_read_at_the_top(long_desk) -> None:  # noqa: ANN001
    _path, store, long, _other = long_desk
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        thread = await opened(app, pilot, long)
        await press(pilot, "g", "pagedown")  # the header, which rewraps, is above the view
        top = in_view(thread)[0]
        assert top.strip() and round(thread.scroll_offset.y) > 0
        await pilot.resize_terminal(88, 36)  # the ticket header rewraps, the message lines do not
        await settle(pilot)
        assert in_view(thread)[0] == top


async def test_jumps_are_instant_in_the_full_text_too(long_desk) -> None:  # noqa: ANN001
    _path, store, long, _other = long_desk
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await opened(app, pilot, long)
        await press(pilot, "w")
        view = app.screen.query_one(FullTextView)
        await key_now(pilot, "G")
        assert view.scroll_offset.y == view.max_scroll_y > 0
        await key_now(pilot, "g")
        assert view.scroll_offset.y == 0
        await key_now(pilot, "space")
        assert view.scroll_offset.y == view.scrollable_content_region.height
