"""The throw-away PostgreSQL server the PostgreSQL store tests run on (tests/pg_server.py)."""

from __future__ import annotations

import pg_server
import pytest


def test_a_fresh_database_answers_over_the_unix_socket_only(pg_url: str) -> None:
    import psycopg

    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)
        assert conn.execute("SHOW listen_addresses").fetchone() == ("",)
        # Each test gets an empty database of its own.
        tables = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
        assert tables == (0,)
        assert conn.execute("SHOW server_encoding").fetchone() == ("UTF8",)


def test_each_test_has_its_own_database(pg_url: str, pg_server_session: pg_server.PgServer) -> None:
    import psycopg

    with psycopg.connect(pg_url) as conn:
        conn.execute("CREATE TABLE mine (x int)")
    with pg_server_session.database() as other, psycopg.connect(other) as conn:
        assert conn.execute("SELECT to_regclass('mine')").fetchone() == (None,)


def test_without_server_binaries_the_reason_names_the_package(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(pg_server, "server_bin", lambda: None)
    reason = pg_server.why_not()
    assert reason is not None
    assert "postgresql" in reason and "not installed" in reason


def test_a_reset_desk_is_the_fresh_desk_again(pg_url: str) -> None:
    """pg_server.Reset (the state machine's fresh desk per example) leaves what a new desk has:
    the same rows and the same next ticket number."""
    from support import dump

    from tui_desk.core.lifecycle import TicketService
    from tui_desk.store import open_store

    store = open_store(pg_url)
    fresh = dump(store)
    reset = pg_server.Reset(pg_url)
    try:
        service = TicketService(store, actor="alice")
        ticket = service.create_ticket(email="c@example.com", subject="s", body="b")
        service.tag(ticket, ["vip"])
        service.resolve(ticket)
        assert dump(store) != fresh
        reset()
        assert dump(store) == fresh
        assert service.create_ticket(email="d@example.com", subject="t", body="b") == ticket == 1
    finally:
        reset.close()
        store.close()


def test_a_reused_migrated_desk_is_the_fresh_desk_again_or_is_not_reused(
    pg_server_session: pg_server.PgServer,
) -> None:
    """pg_server.MigratedDesks (the `store` fixture's desks on PostgreSQL): a desk comes back with
    a new desk's rows and next ticket number; one whose schema a test changed is dropped."""
    import psycopg
    from support import dump

    from tui_desk.core.lifecycle import TicketService
    from tui_desk.store import open_store

    desks = pg_server.MigratedDesks(pg_server_session, lambda url: open_store(url).close())
    with desks.desk("en") as url:
        store = open_store(url)
        fresh = dump(store)
        service = TicketService(store, actor="alice")
        ticket = service.create_ticket(email="c@example.com", subject="s", body="b")
        service.resolve(ticket)
        store.close()
        leaked = psycopg.connect(url)  # a connection the test forgot: ended before the reuse
        leaked.execute("SELECT pg_advisory_lock(7)")
    with desks.desk("en") as again:
        assert again == url
        store = open_store(again)
        assert dump(store) == fresh
        assert TicketService(store, actor="alice").create_ticket(email="d@example.com", subject="t", body="b") == 1
        held = store.scalar(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
        )
        assert held == 0
        store.close()
        with psycopg.connect(again, autocommit=True) as conn:
            conn.execute("CREATE TABLE mine (x int)")
    with desks.desk("en") as third:
        assert third != url
        with psycopg.connect(third) as conn:
            assert conn.execute("SELECT to_regclass('mine')").fetchone() == (None,)
    leaked.close()
