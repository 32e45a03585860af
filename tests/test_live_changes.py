"""Live without polling on PostgreSQL: a change committed by one app reaches another's feed at once
(core/live.py, store/live.py; docs/issue14/live.md)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from support import AGENT, FakeClock

from tui_desk.core import live, presence
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.presence import Doing
from tui_desk.domain.errors import StoreError
from tui_desk.store import Store, open_store


@pytest.fixture
def desk(pg_url: str) -> Iterator[tuple[Store, Store]]:
    """Two apps' stores on one PostgreSQL desk: the one that listens, and the other agent's."""
    mine, theirs = open_store(pg_url), open_store(pg_url)
    yield mine, theirs
    mine.close()
    theirs.close()


@pytest.fixture
def feed(desk: tuple[Store, Store]) -> Iterator[live.ChangeFeed]:
    found = live.feed(desk[0])
    assert found is not None
    assert found.wait(0) is None  # connected and listening, nothing yet
    yield found
    found.close()


def wait_for(feed: live.ChangeFeed, within: float) -> tuple[live.Changes | None, float]:
    started = time.monotonic()
    changes = feed.wait(within)
    return changes, time.monotonic() - started


def test_a_change_committed_by_another_store_reaches_the_feed_within_a_second(
    desk: tuple[Store, Store], feed: live.ChangeFeed, clock: FakeClock
) -> None:
    other = TicketService(desk[1], clock=clock, actor="bob")
    ticket = other.create_ticket(email="c@example.com", subject="Printer", body="jammed")
    changes, took = wait_for(feed, 1.0)
    assert changes is not None and took < 1.0
    assert ticket in changes.tickets and changes.tickets_changed and not changes.presence
    other.add_note(ticket, "looked at it")
    changes, took = wait_for(feed, 1.0)
    assert changes is not None and changes.tickets == {ticket} and took < 1.0


def test_a_rolled_back_transaction_announces_nothing(
    desk: tuple[Store, Store], feed: live.ChangeFeed, clock: FakeClock
) -> None:
    other = TicketService(desk[1], clock=clock, actor="bob")
    ticket = other.create_ticket(email="c@example.com", subject="Printer", body="jammed")
    assert feed.wait(1.0) is not None
    with pytest.raises(RuntimeError), desk[1].transaction():
        other.add_note(ticket, "never written")
        raise RuntimeError("the app died mid-change")
    assert feed.wait(1.5) is None
    other.add_note(ticket, "written")  # the feed still listens: it was told nothing, not deaf
    changes = feed.wait(1.0)
    assert changes is not None and changes.tickets == {ticket}


def test_presence_changes_are_announced_and_a_mere_heartbeat_is_not(
    desk: tuple[Store, Store], feed: live.ChangeFeed, clock: FakeClock
) -> None:
    ticket = TicketService(desk[1], clock=clock, actor=AGENT).create_ticket(
        email="c@example.com", subject="S", body="b"
    )
    assert feed.wait(1.0) is not None
    presence.mark(desk[1], "bob", ticket, Doing.VIEWING, clock, session="b")
    changes, took = wait_for(feed, 1.0)
    assert changes is not None and changes.presence and not changes.tickets_changed and took < 1.0
    presence.mark(desk[1], "bob", ticket, Doing.VIEWING, clock, session="b")  # the heartbeat
    assert feed.wait(1.0) is None
    presence.mark(desk[1], "bob", ticket, Doing.REPLYING, clock, session="b")
    changes = feed.wait(1.0)
    assert changes is not None and changes.presence
    presence.leave(desk[1], "bob", session="b")
    changes = feed.wait(1.0)
    assert changes is not None and changes.presence


def test_a_lost_connection_is_said_once_then_the_feed_reconnects_and_says_anything_may_have_changed(
    desk: tuple[Store, Store], clock: FakeClock
) -> None:
    now = [1000.0]
    feed = live.ChangeFeed(desk[0], now=lambda: now[0])
    assert feed.wait(0) is None
    with desk[1].transaction() as conn:  # what a server restart or a network cut does to the session
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'tui-desk live'")
    with pytest.raises(StoreError, match="No live updates for now, reconnecting: "):
        feed.wait(2.0)
    # Until the first retry is due nothing is tried (no error either); then it is back.
    assert feed.wait(0.01) is None
    now[0] += live.FIRST_RETRY
    assert feed.wait(0.01) == live.EVERYTHING
    ticket = TicketService(desk[1], clock=clock, actor="bob").create_ticket(
        email="c@example.com", subject="S", body="b"
    )
    changes = feed.wait(1.0)
    assert changes is not None and ticket in changes.tickets
    feed.close()


def test_a_server_that_cannot_be_reached_is_retried_later_and_longer(pg_url: str) -> None:
    store = open_store(pg_url)
    store._url = pg_url.replace("?host=", "?port=1&host=")  # type: ignore[attr-defined]  # nobody there
    now = [0.0]
    feed = live.ChangeFeed(store, now=lambda: now[0])
    with pytest.raises(StoreError, match="reconnecting: Cannot reach the PostgreSQL store"):
        feed.wait(0.01)
    assert feed.wait(0.01) is None  # not again before the retry: said once, not at every call
    now[0] += live.FIRST_RETRY
    with pytest.raises(StoreError):
        feed.wait(0.01)
    now[0] += live.FIRST_RETRY  # the second retry waits twice as long
    assert feed.wait(0.01) is None
    feed.close()
    store.close()


def test_sqlite_announces_nothing_and_keeps_its_check(tmp_path) -> None:
    store = open_store(tmp_path / "desk.db")
    assert live.feed(store) is None
    store.close()


def test_a_desk_made_before_the_announcements_gets_them_when_it_is_next_opened(
    pg_url: str, monkeypatch: pytest.MonkeyPatch, clock: FakeClock
) -> None:
    import psycopg

    from tui_desk.store import pg_schema

    with monkeypatch.context() as patch:  # a tui-desk of PostgreSQL schema 1 made this desk
        patch.setattr(pg_schema, "PG_MIGRATIONS", pg_schema.PG_MIGRATIONS[:1])
        patch.setattr(pg_schema, "PG_SCHEMA_VERSION", 1)
        with psycopg.connect(pg_url, autocommit=True) as raw:
            assert pg_schema.migrate(raw) == 0
            assert pg_schema.schema_version(raw) == 1
    mine, theirs = open_store(pg_url), open_store(pg_url)
    try:
        assert mine.scalar("SELECT max(version) FROM schema_version") == pg_schema.PG_SCHEMA_VERSION
        feed = live.feed(mine)
        assert feed is not None and feed.wait(0) is None
        ticket = TicketService(theirs, clock=clock, actor="bob").create_ticket(
            email="c@example.com", subject="S", body="b"
        )
        changes = feed.wait(1.0)
        assert changes is not None and ticket in changes.tickets
        feed.close()
    finally:
        mine.close()
        theirs.close()


def test_a_transaction_of_too_many_tickets_to_name_names_some_then_says_any_ticket_may_have_changed(
    desk: tuple[Store, Store], feed: live.ChangeFeed, clock: FakeClock
) -> None:
    other = TicketService(desk[1], clock=clock, actor="bob")
    with desk[1].transaction(savepoints=False):  # as the mail import stores a batch
        made = [other.create_ticket(email=f"c{n}@example.com", subject="S", body="b") for n in range(600)]
    named: set[int] = set()
    anything = False
    while (changes := feed.wait(0.5)) is not None:
        named |= changes.tickets
        anything = anything or changes.any_ticket
    assert anything and 0 < len(named) <= 500 and named <= set(made)
