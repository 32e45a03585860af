"""Helpers for the UI tests: waiting for workers, reading what the panes show."""

from __future__ import annotations

from contextlib import suppress
from datetime import UTC, datetime, timedelta

from textual import events
from textual.geometry import Region
from textual.keys import _character_to_key
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import OptionList, Static
from textual.worker import WorkerCancelled, WorkerState

from tui_desk.domain.models import InboxRow
from tui_desk.store import Store, queries
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.widgets.thread import ThreadView
from tui_desk.ui.widgets.timeline import TimelineView

# The data set is written from START on; the app's clock stands still at NOW.
START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SIZE = (120, 36)


class StepClock:
    """A clock that moves only when told to: every write of the data set gets its own time."""

    def __init__(self, start: datetime = START) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, minutes: float = 5) -> datetime:
        self.now += timedelta(minutes=minutes)
        return self.now


async def settle(pilot: Pilot, rounds: int = 8) -> None:
    """Wait until no worker runs.

    A worker's callback runs before the worker ends (`call_from_thread` waits for it), but
    what the callback posts (a highlighted row, a new worker) needs a pause to be handled,
    and may start another worker: the inbox loads, then the selected ticket.
    """
    app = pilot.app
    for _ in range(rounds):
        # An exclusive worker (the live check) replaced by a newer one is cancelled: wait again.
        with suppress(WorkerCancelled):
            await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(w.state in (WorkerState.PENDING, WorkerState.RUNNING) for w in app.workers):
            return
    raise AssertionError(f"workers still busy after {rounds} rounds: {list(app.workers)}")


async def press(pilot: Pilot, *keys: str) -> None:
    """Press keys one by one, letting workers finish after each (dialogs open from workers)."""
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def type_text(pilot: Pilot, text: str) -> None:
    """Type text into the focused widget: one key event per character, as a terminal sends them.

    `pilot.press` idles after every key (about 50 ms each); the events here are queued
    at once, in order, and the app handles them as it would a fast typist's.
    """
    app = pilot.app
    for char in text:
        app.post_message(events.Key(_character_to_key(char), char))
    await settle(pilot)


def notifications(app: TuiDeskApp, severity: str | None = None) -> list[str]:
    return [n.message for n in app._notifications if severity is None or n.severity == severity]


def widget_text(widget: Widget) -> str:
    """The text a widget draws, line by line (its whole height, even if scrolled out of view).

    A container's text is the text of its shown children, in order.
    """
    children = [child for child in widget.children if child.display]
    if children:
        return "\n".join(widget_text(child) for child in children)
    width, height = widget.outer_size
    return "\n".join(strip.text.rstrip() for strip in widget.render_lines(Region(0, 0, width, height)))


def thread_text(app: TuiDeskApp) -> str:
    return app.query_one(ThreadView).text


def timeline_text(app: TuiDeskApp) -> str:
    """The timeline as one line of words: the pane is narrow, so its lines wrap."""
    return " ".join(app.query_one(TimelineView).text.split())


def status_bar_text(app: TuiDeskApp) -> str:
    return widget_text(app.query_one("#status-bar", Static))


def inbox_rows(app: TuiDeskApp) -> list[InboxRow]:
    rows = [app.main.inbox.row_at(i) for i in range(app.main.inbox.total)]
    assert all(row is not None for row in rows), "an inbox page was not loaded"
    return rows  # type: ignore[return-value]


def inbox_subjects(app: TuiDeskApp) -> list[str]:
    return [row.subject for row in inbox_rows(app)]


def current_subject(app: TuiDeskApp) -> str | None:
    row = app.main.inbox.current
    return row.subject if row else None


def event_kinds(store: Store, ticket_id: int) -> list[str]:
    return [e.kind for e in queries.ticket_events(store, ticket_id)]


def last_event(store: Store, ticket_id: int):  # noqa: ANN201
    return queries.ticket_events(store, ticket_id)[-1]


def status_of(store: Store, ticket_id: int) -> str:
    return queries.get_ticket(store, ticket_id).status


def listed(app: TuiDeskApp) -> list[str]:
    """What a filter picker (`f`) lists now: nothing while its list is hidden."""
    options = app.screen.query_one("#filter-values", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)] if options.display else []
