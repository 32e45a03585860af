"""Live refresh: what another process writes to the store shows up without a key press."""

from __future__ import annotations

import asyncio
import sys
import time

from textual.pilot import Pilot

from .conftest import Desk, make_app
from .helpers import (
    SIZE,
    current_subject,
    inbox_subjects,
    press,
    settle,
    status_bar_text,
    thread_text,
)

LIVE = 0.2


async def cli(desk: Desk, *args: str) -> None:
    """Run the command line in its own OS process against the same store file."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tui_desk", "--db", str(desk.path), "--as", "bob", *args,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, (out, err)


async def wait_until(pilot: Pilot, condition, timeout: float = 2.0) -> float:  # noqa: ANN001
    """Let the app run (no key presses) until `condition()` holds; return how long it took."""
    started = time.monotonic()
    while not condition():
        elapsed = time.monotonic() - started
        assert elapsed < timeout, f"not seen within {timeout} s"
        await pilot.pause(0.05)
    return time.monotonic() - started


async def test_new_ticket_from_another_process_appears(desk: Desk) -> None:
    password = desk.ids["password"]
    app = make_app(desk.store, live_interval=LIVE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "G")
        assert (app.main.inbox.cursor, current_subject(app)) == (3, "Password reset link expired")

        await cli(desk, "new", "--email", "x@y.z", "--subject", "Fresh", "--body", "hi", "--priority", "urgent")
        await wait_until(pilot, lambda: "Fresh" in inbox_subjects(app))
        await settle(pilot)

        # Urgent, so it lands above the selected ticket: the selection follows the ticket, not the row.
        assert inbox_subjects(app).index("Fresh") == 2
        assert (app.main.inbox.cursor, app.main.selected_id) == (4, password)
        assert thread_text(app).startswith("#3 Password reset link expired")
        assert "New 3" in status_bar_text(app)


async def test_changes_from_another_process_refresh_inbox_and_thread(desk: Desk) -> None:
    password, site = desk.ids["password"], desk.ids["site"]
    app = make_app(desk.store, live_interval=LIVE)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "G")

        await cli(desk, "status", str(site), "resolved")
        await wait_until(pilot, lambda: "Site down for EU customers" not in inbox_subjects(app))
        await settle(pilot)
        assert (app.main.inbox.cursor, app.main.selected_id) == (2, password)

        # A change to the selected ticket itself redraws its thread in place.
        await cli(desk, "note", str(password), "--body", "Bob called the customer.")
        await wait_until(pilot, lambda: "Bob called the customer." in thread_text(app))
        assert "Internal note · bob" in thread_text(app)
        assert app.main.selected_id == password
