"""Presence in the app: say which ticket the agent is on, and show who else is on which.

A base of MainScreen (main_screen.py), on top of the background jobs. The agent is
'viewing' the ticket whose thread is shown and 'replying' while the reply editor is
open on it; that is written when it changes and on a heartbeat (core/presence.py), in a
worker, and cleared when the agent moves to no ticket and when the app quits. With the
live refresh on, who else is where is read at each of its ticks (on PostgreSQL also at once
when the store announces a change of presence): the inbox marks those tickets, the thread
header names them, and `r` asks first when someone else is replying.

Presence never gets in the way of work: a write that fails (a locked or full store) is
said once, not at every heartbeat, and the next heartbeat simply tries again.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from textual import work

from ..core import live, presence
from ..core.presence import Doing, Presence
from .background import BackgroundJobs
from .widgets.thread import ThreadView

QUIT_WAIT = 2.0  # seconds a quit waits for its presence to be cleared; then it expires by itself

_UNKNOWN: Any = object()  # what is in the store after a failed write: the next one writes again


class PresenceJobs(BackgroundJobs):
    """Writes this agent's presence; reads everyone else's."""

    def __init__(self) -> None:
        super().__init__()
        self._viewing: int | None = None  # the ticket whose thread is shown
        self._replying: int | None = None  # the ticket the reply editor is open on
        self._written: Any = None  # what the store holds for us: (ticket, doing), None, or _UNKNOWN
        self._presence_failing = False  # a write failed and was said; said again only after one succeeds
        self._left = False  # quitting: no write any more
        self._others: dict[int, list[Presence]] = {}  # ticket id -> the other agents on it
        self._presence_lock = threading.Lock()
        self._session = uuid.uuid4().hex  # this app: the agent may have another one open

    def _wanted(self) -> tuple[int, Doing] | None:
        if self._replying is not None:
            return self._replying, Doing.REPLYING
        if self._viewing is not None:
            return self._viewing, Doing.VIEWING
        return None

    # -- what the panes and the editor say ------------------------------------------------
    def now_viewing(self, ticket_id: int | None) -> None:
        if self._viewing != ticket_id:
            self._viewing = ticket_id
            self._write_presence(heartbeat=False)

    def now_replying(self, ticket_id: int | None) -> None:
        if self._replying != ticket_id:
            self._replying = ticket_id
            self._write_presence(heartbeat=False)

    def others_on(self, ticket_id: int) -> list[Presence]:
        return self._others.get(ticket_id, [])

    def presence_text(self, ticket_id: int) -> str:
        return presence.describe(self.others_on(ticket_id))

    # -- the timers -----------------------------------------------------------------------
    def first_rows_shown(self) -> None:
        super().first_rows_shown()
        self.set_interval(presence.HEARTBEAT, self.presence_heartbeat)

    def start_live_refresh(self, interval: float) -> None:
        super().start_live_refresh(interval)
        self.set_interval(self.live_every or interval, self.check_presence)

    def changes_pushed(self, changes: live.Changes) -> None:
        super().changes_pushed(changes)
        if changes.presence:
            self.check_presence()

    def presence_heartbeat(self) -> None:
        self._write_presence(heartbeat=True)

    def check_presence(self) -> None:
        self._read_presence()

    # -- workers --------------------------------------------------------------------------
    @work(thread=True, group="presence", exit_on_error=False)
    def _write_presence(self, heartbeat: bool) -> None:
        # One write at a time, each of what is wanted when it runs: the last one wins.
        with self._presence_lock:
            wanted = self._wanted()
            if self._left or (wanted == self._written and not heartbeat):
                return
            if wanted is None and self._written is None:
                return
            try:
                if wanted is None:
                    presence.leave(self.store, self.actor, session=self._session)
                else:
                    presence.mark(self.store, self.actor, wanted[0], wanted[1], self.clock, session=self._session)
                found = presence.everyone(self.store, self.clock, excluding=self.actor)
            except Exception as error:
                self._written = _UNKNOWN
                if not self._presence_failing:
                    self._presence_failing = True
                    self.app.call_from_thread(self.report_failure, error)
                return
            self._written = wanted
            self._presence_failing = False
        self.app.call_from_thread(self._apply_presence, presence.by_ticket(found))

    @work(thread=True, group="presence-read", exclusive=True, exit_on_error=False)
    def _read_presence(self) -> None:
        try:
            found = presence.everyone(self.store, self.clock, excluding=self.actor)
        except Exception as error:
            self.app.call_from_thread(self.report_failure, error)  # said once, not every second
            return
        self.app.call_from_thread(self._apply_presence, presence.by_ticket(found))

    def _apply_presence(self, others: dict[int, list[Presence]]) -> None:
        if others == self._others:
            return
        self._others = others
        self.inbox.set_presence(
            {
                ticket: (Doing.REPLYING if presence.replying(found) else Doing.VIEWING).value
                for ticket, found in others.items()
            }
        )
        if self.ticket is not None:
            self.query_one(ThreadView).set_presence(self.presence_text(self.ticket.id))

    def on_unmount(self) -> None:
        """The app quits: nobody is on a ticket any more (waited for briefly, never for long)."""
        store, actor, session = self.store, self.actor, self._session

        def leave() -> None:
            with self._presence_lock:
                self._left = True
                try:
                    if self._written is not None:
                        presence.leave(store, actor, session=session)
                except Exception:  # noqa: S110 - quitting: nobody is left to tell; it expires anyway
                    pass
                finally:
                    store.close()  # this thread's own connection

        thread = threading.Thread(target=leave, name="presence-leave", daemon=True)
        thread.start()
        thread.join(QUIT_WAIT)
