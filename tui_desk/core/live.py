"""Changes pushed by the store: what another app changed, as soon as it committed.

On PostgreSQL every change and every presence change is announced at its commit
(store/live.py); a `ChangeFeed` waits for those announcements, so the app refreshes when
something changed instead of asking every second. SQLite announces nothing: `feed` gives
None and the app keeps its periodic check.

A feed whose connection is lost raises the StoreError once, then reconnects on later calls,
waiting 1, 2, 4 ... up to 30 s between tries; the first call after it is back says that
anything may have changed meanwhile, since what was announced while away is lost.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from ..domain.errors import StoreError
from ..i18n import _
from ..store import Store
from ..store import live as store_live

FIRST_RETRY = 1.0
LAST_RETRY = 30.0


@dataclass(frozen=True)
class Changes:
    """What changed: tickets (their ids when named; `any_ticket` when some may be unnamed) and presence."""

    tickets: frozenset[int] = frozenset()
    any_ticket: bool = False
    presence: bool = False

    @property
    def tickets_changed(self) -> bool:
        return self.any_ticket or bool(self.tickets)


EVERYTHING = Changes(any_ticket=True, presence=True)


def _paused(error: StoreError) -> StoreError:
    """The error of the store, said as what the agent loses: nothing but the immediacy."""
    return type(error)(_("No live updates for now, reconnecting: {reason}").format(reason=error))


def _changes(notices: list[store_live.Notice]) -> Changes:
    ids: set[int] = set()
    any_ticket = presence = False
    for notice in notices:
        if notice.channel == store_live.PRESENCE_CHANNEL:
            presence = True
        elif notice.channel == store_live.CHANGES_CHANNEL:
            parts = [p for p in notice.payload.split(",") if p.strip()]
            if not parts or not all(p.strip().isdigit() for p in parts):
                any_ticket = True  # too many to name, or not ours to read: look at everything
            ids.update(int(p) for p in parts if p.strip().isdigit())
    return Changes(frozenset(ids), any_ticket, presence)


class ChangeFeed:
    """Waits for the store's announcements. `wait` from one thread; `stop` from any."""

    def __init__(self, store: Store, *, now: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self._now = now
        self._listener: store_live.Listener | None = None
        self._retry_at = 0.0
        self._delay = FIRST_RETRY
        self._lost = False  # the connection went: the next one first says "anything changed"
        self._stopped = threading.Event()

    def wait(self, timeout: float) -> Changes | None:
        """Block up to `timeout` seconds: what changed, or None when nothing did (or the feed stopped).

        Raises StoreError when the connection cannot be made or is lost; call again to retry.
        """
        if self._stopped.is_set():
            return None
        if self._listener is None:
            remaining = self._retry_at - self._now()
            if remaining > 0:
                self._stopped.wait(min(timeout, remaining))
                return None
            try:
                self._listener = store_live.listener(self.store)
            except StoreError as error:
                self._failed()
                raise _paused(error) from None
            if self._listener is None:  # a store that cannot tell: nothing will ever come
                self._stopped.wait(timeout)
                return None
            self._delay = FIRST_RETRY
            if self._lost:
                self._lost = False
                return EVERYTHING
        try:
            notices = self._listener.wait(timeout)
        except StoreError as error:
            self._listener.close()
            self._listener = None
            self._failed()
            raise _paused(error) from None
        return _changes(notices) if notices else None

    def _failed(self) -> None:
        self._lost = True
        self._retry_at = self._now() + self._delay
        self._delay = min(self._delay * 2, LAST_RETRY)

    def stop(self) -> None:
        """Make `wait` return at once from a pause between retries (a wait on the server ends by its timeout)."""
        self._stopped.set()

    def close(self) -> None:
        """Close the connection; from the thread that waits, once it is done waiting."""
        self._stopped.set()
        if self._listener is not None:
            self._listener.close()
            self._listener = None


def feed(store: Store) -> ChangeFeed | None:
    """A feed of `store`'s changes, or None when the store announces none (SQLite: keep checking)."""
    if store.dialect != "postgresql":
        return None
    return ChangeFeed(store)
