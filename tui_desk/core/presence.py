"""Presence: who else is on a ticket, viewing it or replying to it.

An app says what its agent is doing (`mark`) when a ticket's thread is shown or the
reply editor opens, again on a heartbeat (every `HEARTBEAT` seconds), and `leave`s when
the agent moves away or quits. An entry whose heartbeat is older than `EXPIRY` does not
count: an app that dies is forgotten within it. The store keeps the rows
(store/presence.py); the clock is the caller's, so tests move time by hand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from ..domain.clock import Clock, from_text, system_clock, to_text
from ..domain.models import Message, MessageKind
from ..domain.text import one_line
from ..i18n import _
from ..store import Store, queries
from ..store import presence as rows

EXPIRY = timedelta(seconds=30)
HEARTBEAT = 10.0  # seconds between an app's heartbeats: three fit in the expiry


class Doing(StrEnum):
    VIEWING = "viewing"
    REPLYING = "replying"


@dataclass(frozen=True)
class Presence:
    agent: str
    ticket_id: int
    doing: Doing
    since: str  # stored time text (UTC)

    def to_json(self) -> dict[str, str]:
        return {"agent": self.agent, "doing": self.doing.value, "since": self.since}


def fresh_after(now: datetime) -> str:
    """The oldest heartbeat that still counts at `now`."""
    return to_text(now - EXPIRY)


def fresh_before(now: datetime) -> str:
    """The latest heartbeat that counts at `now`: one further ahead was written by a clock far off
    (or is not a time at all) and would otherwise show an agent long after their app is gone."""
    return to_text(now + EXPIRY)


def is_fresh(heartbeat_at: str, now: datetime) -> bool:
    return now - EXPIRY <= from_text(heartbeat_at) <= now + EXPIRY


def _presence(row: dict[str, Any]) -> Presence | None:
    try:
        doing = Doing(row["doing"])
        ticket_id = int(row["ticket_id"])
        from_text(str(row["since"]))
    except (ValueError, TypeError):  # written by a newer version, or a broken row: not ours to show
        return None
    return Presence(str(row["agent"]), ticket_id, doing, str(row["since"]))


def _outranks(p: Presence, other: Presence) -> bool:
    """Replying outranks viewing; of two doing the same, the one there longer."""
    if p.doing is not other.doing:
        return p.doing is Doing.REPLYING
    return p.since < other.since


def _presences(found: list[dict[str, Any]], excluding: str | None) -> list[Presence]:
    """One entry per agent and ticket, in the order found: an agent with two apps on a ticket
    is replying if either app is (see `_outranks`)."""
    merged: dict[tuple[str, int], Presence] = {}
    for p in map(_presence, found):
        if p is None or p.agent == excluding:
            continue
        key = (p.agent, p.ticket_id)
        seen = merged.get(key)
        if seen is None or _outranks(p, seen):
            merged[key] = p
    return list(merged.values())


def mark(
    store: Store, agent: str, ticket_id: int, doing: Doing, clock: Clock = system_clock, *, session: str = ""
) -> None:
    """The agent is `doing` this ticket now (and no other in this app, `session`); also a heartbeat."""
    now = clock()
    rows.set_presence(store, agent, ticket_id, doing.value, to_text(now), fresh_after(now), session, fresh_before(now))


def leave(store: Store, agent: str, ticket_id: int | None = None, *, session: str | None = None) -> None:
    """The agent left this ticket (None: every ticket, as on quitting), in this app or (None) in all."""
    rows.clear_presence(store, agent, ticket_id, session)


def prune(store: Store, clock: Clock = system_clock) -> int:
    now = clock()
    return rows.prune(store, fresh_after(now), fresh_before(now))


def on_ticket(store: Store, ticket_id: int, clock: Clock = system_clock, *, excluding: str | None = None) -> list[Presence]:
    """Who is on this ticket now, longest there first (without `excluding`, the asking agent)."""
    now = clock()
    return _presences(rows.on_ticket(store, ticket_id, fresh_after(now), fresh_before(now)), excluding)


def on_tickets(
    store: Store, ticket_ids: Sequence[int], clock: Clock = system_clock, *, excluding: str | None = None
) -> dict[int, list[Presence]]:
    """Who is on each of these tickets now; tickets with nobody are left out."""
    found: dict[int, list[Presence]] = {}
    now = clock()
    for p in _presences(rows.on_tickets(store, ticket_ids, fresh_after(now), fresh_before(now)), excluding):
        found.setdefault(p.ticket_id, []).append(p)
    return found


def everyone(store: Store, clock: Clock = system_clock, *, excluding: str | None = None) -> list[Presence]:
    """Every agent on a ticket now, by agent then ticket."""
    now = clock()
    return _presences(rows.active(store, fresh_after(now), fresh_before(now)), excluding)


def by_ticket(presences: Sequence[Presence]) -> dict[int, list[Presence]]:
    found: dict[int, list[Presence]] = {}
    for p in presences:
        found.setdefault(p.ticket_id, []).append(p)
    return found


def replying(presences: Sequence[Presence]) -> list[Presence]:
    return [p for p in presences if p.doing is Doing.REPLYING]


def describe(presences: Sequence[Presence]) -> str:
    """ "bob is replying, carol is viewing it": the thread header and `show` say it so."""
    return ", ".join(
        (_("{agent} is replying") if p.doing is Doing.REPLYING else _("{agent} is viewing it")).format(
            agent=one_line(p.agent, 40)
        )
        for p in presences
    )


def arrived_since(store: Store, ticket_id: int, after_message: int, agent: str, limit: int = 200) -> list[Message]:
    """What came in on the ticket after message `after_message` that a reply should not cross:
    the customer's messages and other agents' replies (at most the latest `limit`)."""
    return [
        m
        for m in queries.ticket_messages(store, ticket_id, limit=limit)
        if m.id > after_message
        and (m.kind == MessageKind.CUSTOMER or (m.kind == MessageKind.REPLY and m.author != agent))
    ]
