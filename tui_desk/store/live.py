"""Being told what other apps changed, instead of asking every second (PostgreSQL only).

On PostgreSQL the triggers of pg_schema's migration 2 send a NOTIFY inside every transaction
that adds an event, a message or a purge (channel `CHANGES_CHANNEL`, payload the tickets'
ids) or changes who is on which ticket (`PRESENCE_CHANNEL`); the server delivers it at the
commit, and never for a transaction rolled back. A `Listener` is a connection of its own that
LISTENs on both and waits for them. SQLite has no such thing: `listener` gives None and the
app keeps its check of the change marker.
"""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from .db import Store
from .pg_schema import CHANGES_CHANNEL, PRESENCE_CHANNEL

__all__ = ["CHANGES_CHANNEL", "PRESENCE_CHANNEL", "Listener", "Notice", "listener"]


@dataclass(frozen=True)
class Notice:
    channel: str
    payload: str


class Listener:
    """A session LISTENing to the desk's channels. Use it from one thread at a time."""

    def __init__(self, store: Store, conn: Any) -> None:  # noqa: ANN401 - a PgConnection
        self._store = store
        self._conn = conn
        try:
            for channel in (CHANGES_CHANNEL, PRESENCE_CHANNEL):
                conn.execute(f"LISTEN {channel}")
        except store._db_errors as error:
            conn.close()
            raise store._store_error(error) from None

    def wait(self, timeout: float) -> list[Notice]:
        """What arrived within `timeout` seconds (returns at the first, with any that came with it);
        [] when nothing did. A lost connection is a StoreError; the listener is then of no more use."""
        raw = self._conn.raw
        try:
            found = [Notice(n.channel, n.payload) for n in raw.notifies(timeout=timeout, stop_after=1)]
            if found:  # the rest of a burst (an import's transactions) in the same call
                found += [Notice(n.channel, n.payload) for n in raw.notifies(timeout=0)]
        except self._store._db_errors as error:
            raise self._store._store_error(error) from None
        return found

    def close(self) -> None:
        with suppress(*self._store._db_errors):  # already broken: nothing is left to close
            self._conn.close()


def listener(store: Store, name: str = "tui-desk live") -> Listener | None:
    """A new listener on `store`'s desk, or None when the store cannot tell (SQLite).

    Raises StoreError when the server cannot be reached.
    """
    from .pg_db import PgStore

    if not isinstance(store, PgStore):
        return None
    return Listener(store, store.session(name))
