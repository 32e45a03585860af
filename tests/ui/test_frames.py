"""One frame per selection: the inbox highlight never runs ahead of the thread it points at."""

from __future__ import annotations

import time

from tui_desk.domain.clock import fixed_clock
from tui_desk.store import Store, queries
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.frames import LONGEST_HOLD
from tui_desk.ui.widgets.thread import ThreadView

from .conftest import ACTOR, NOW, Desk
from .helpers import SIZE, settle


class FrameWatcher(TuiDeskApp):
    """Notes, for every frame written to the terminal, the ticket under the cursor and the one in the thread."""

    def __init__(self, store: Store) -> None:
        super().__init__(store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None)
        self.frames: list[tuple[int | None, str]] = []

    def _display(self, screen, renderable) -> None:  # noqa: ANN001
        super()._display(screen, renderable)
        row = self.main.inbox.current
        header = self.query_one(ThreadView).text.split("\n", 1)[0]
        self.frames.append((row.id if row else None, header))


async def test_moving_the_cursor_paints_the_highlight_and_its_thread_in_one_frame(desk: Desk) -> None:
    app = FrameWatcher(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key in "jjjkjj":
            app.frames.clear()
            await pilot.press(key)
            await settle(pilot)
            await pilot.pause(0.05)
            moved = [frame for frame in app.frames if frame[0] == app.main.inbox.current.id]
            assert moved, "no frame showed the move"
            # Every frame that shows the new highlight already shows that ticket's thread.
            assert all(header.startswith(f"#{row_id} ") for row_id, header in moved), app.frames


async def test_a_slow_ticket_load_never_freezes_the_inbox(desk: Desk, monkeypatch) -> None:  # noqa: ANN001
    app = FrameWatcher(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        real_events = queries.ticket_events

        def slow_events(store: Store, ticket_id: int):  # noqa: ANN202
            time.sleep(LONGEST_HOLD * 6)
            return real_events(store, ticket_id)

        monkeypatch.setattr(queries, "ticket_events", slow_events)
        app.frames.clear()
        await pilot.press("j")
        moved_to = app.main.inbox.current.id
        await pilot.pause(LONGEST_HOLD * 3)
        # The highlight is painted after the longest hold, before the thread has arrived.
        assert any(row_id == moved_to and not header.startswith(f"#{moved_to} ") for row_id, header in app.frames)
        await settle(pilot)
        await pilot.pause(0.05)
        assert app.frames[-1][1].startswith(f"#{moved_to} ")
