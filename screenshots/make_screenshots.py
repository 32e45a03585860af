"""Regenerate the README's screenshots from demo data with a fixed clock.

    python screenshots/make_screenshots.py

Writes inbox.svg, thread-note.svg, reply.svg, help.svg, postpone.svg, bulk.svg and saved-reply.svg here.
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

os.environ["TZ"] = "UTC"
time.tzset()

from tui_desk.demo import fill_demo  # noqa: E402
from tui_desk.domain.clock import fixed_clock  # noqa: E402
from tui_desk.store import open_store  # noqa: E402
from tui_desk.store.queries import InboxFilter, inbox_position  # noqa: E402
from tui_desk.ui.app import TuiDeskApp  # noqa: E402

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
SIZE = (160, 48)


async def settle(pilot) -> None:  # noqa: ANN001
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def shoot(store, name: str, keys: list[str], select: int | None = None, view: str | None = None) -> None:  # noqa: ANN001
    app = TuiDeskApp(store, clock=fixed_clock(NOW), actor="alice", live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        if view:
            await pilot.press(view)
            await settle(pilot)
        if select is not None:
            position = inbox_position(store, app.main.inbox_filter, select)
            if position is not None:
                app.main.inbox.move_to(position)
                await settle(pilot)
        for key in keys:
            await pilot.press(key)
            await settle(pilot)
        app.save_screenshot(str(HERE / f"{name}.svg"))
    print(f"wrote screenshots/{name}.svg")


async def main() -> None:
    with tempfile.TemporaryDirectory() as scratch:
        store = open_store(Path(scratch) / "demo.db")
        fill_demo(store, tickets=1000, seed=1, now=NOW)
        # A needs-attention ticket that carries an internal note, for the thread shot.
        noted = store.query_one(
            "SELECT t.id FROM tickets t JOIN messages m ON m.ticket_id = t.id AND m.kind = 'note'"
            " WHERE t.bucket = 0 AND t.message_count BETWEEN 3 AND 5 ORDER BY t.priority_rank, t.sort_key LIMIT 1"
        )
        noted_id = noted["id"] if noted else None
        assert inbox_position(store, InboxFilter(view="attention"), noted_id or 0) is not None or noted_id is None
        await shoot(store, "inbox", [])
        await shoot(store, "thread-note", ["enter"], select=noted_id)
        await shoot(store, "reply", ["r", *"Hello, thanks for writing. We have found the problem and", "enter", *"a fix is on its way."])
        await shoot(store, "help", ["question_mark"])
        await shoot(store, "postpone", ["p"])
        await shoot(store, "bulk", ["space", "space", "j", "space", "a"])
        await shoot(store, "saved-reply", ["r", "ctrl+t", *"info"])


if __name__ == "__main__":
    asyncio.run(main())
