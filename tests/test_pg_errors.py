"""A PostgreSQL desk's driver errors are one line naming the cause, never a traceback or the password.

The server is made to end the connection (`pg_terminate_backend`) inside a command's
transaction, and inside a statement run outside any transaction; the command line exits 1
with one line, and the app's failure handler words psycopg's errors as it words SQLite's.
"""

from __future__ import annotations

import psycopg
import pytest
from support import AGENT, FakeClock, assert_one_line_error, run_cli

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, open_store, queries
from tui_desk.store.pg_db import PgStore
from tui_desk.ui.failures import describe_failure


@pytest.fixture
def server_url(pg_url: str) -> str:
    store = open_store(pg_url)
    TicketService(store, clock=FakeClock(), actor=AGENT).create_ticket(email="a@example.com", subject="Hi", body=".")
    store.close()
    return pg_url.replace("desk@", "desk:hunter2@")  # the test server trusts local connections


def test_a_connection_lost_inside_a_command_is_one_line(
    server_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    real_begin = PgStore._begin

    def begin_then_lose(self: PgStore, conn: object) -> None:
        real_begin(self, conn)  # type: ignore[arg-type]
        conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")  # type: ignore[attr-defined]

    monkeypatch.setattr(PgStore, "_begin", begin_then_lose)
    code, out, err = run_cli(capsys, ["--db", server_url, "status", "1", "resolved"])
    assert_one_line_error(code, out, err, "Lost the connection to the PostgreSQL store", "desk:***@")
    assert "hunter2" not in err


def test_a_driver_error_outside_a_transaction_is_one_line(
    server_url: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A statement no store wrapper translated (the server goes away under it) reaches the CLI's
    outer handler as psycopg's own error: named there too, with the store's URL redacted."""

    def server_goes_away(store: Store, *args: object, **kwargs: object) -> list[object]:
        store.conn.execute("SELECT pg_terminate_backend(pg_backend_pid())")
        return []

    monkeypatch.setattr(queries, "inbox_page", server_goes_away)
    code, out, err = run_cli(capsys, ["--db", server_url, "list"])
    assert_one_line_error(code, out, err, "Lost the connection to the PostgreSQL store", "desk:***@")
    assert "hunter2" not in err


def test_the_next_command_after_a_restart_works(server_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with psycopg.connect(server_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    code, out, err = run_cli(capsys, ["--db", server_url, "list"])
    assert (code, err) == (0, "") and "Hi" in out


def test_the_app_words_psycopg_errors_with_the_url_redacted() -> None:
    url = "postgresql://desk:hunter2@db.example/desk"
    lost = describe_failure(psycopg.OperationalError("the connection is closed"), url)
    assert lost.startswith("Lost the connection to the PostgreSQL store postgresql://desk:***@db.example/desk")
    other = describe_failure(psycopg.errors.UndefinedTable('relation "x" does not exist'), url)
    assert other.startswith("Store error in postgresql://desk:***@") and "hunter2" not in other
    # libpq may quote a bad part of the connection string back, the password included.
    quoted = describe_failure(psycopg.OperationalError('invalid percent-encoded token: "hunter2"'), url)
    assert "hunter2" not in quoted


def test_every_connection_notices_a_silently_dropped_network_within_a_minute(pg_url: str) -> None:
    """A firewall that drops an idle connection without a word must not leave a worker waiting
    for the system's TCP defaults (up to hours): libpq's keepalives are on, on every connection."""
    store = open_store(pg_url)
    try:
        assert isinstance(store, PgStore)
        thread_conn = store.conn.raw.info.get_parameters()  # type: ignore[attr-defined]
        session = store.session("tui-desk test")
        try:
            own_conn = session.raw.info.get_parameters()
        finally:
            session.close()
    finally:
        store.close()
    for parameters in (thread_conn, own_conn):
        assert parameters["keepalives"] == "1"
        assert int(parameters["keepalives_idle"]) <= 60
        assert int(parameters["tcp_user_timeout"]) <= 120_000


def test_the_urls_own_keepalive_settings_win(pg_url: str) -> None:
    store = open_store(pg_url + "&keepalives_idle=7")
    try:
        assert store.conn.raw.info.get_parameters()["keepalives_idle"] == "7"  # type: ignore[attr-defined]
    finally:
        store.close()


def test_a_sessions_lock_outlives_an_administrators_idle_session_timeout(pg_url: str) -> None:
    """A job's advisory lock lives on a session that sits idle while the job runs: a server set to
    end idle sessions must not free the job for a second runner halfway."""
    import time

    store = open_store(pg_url)
    try:
        assert isinstance(store, PgStore)
        with psycopg.connect(pg_url, autocommit=True) as admin:
            admin.execute(f"ALTER DATABASE {admin.info.dbname} SET idle_session_timeout = '1s'")
        session = store.session("tui-desk test job")
        try:
            session.execute("SELECT pg_advisory_lock(42)")
            time.sleep(1.6)
            assert session.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'").fetchone()[0] == 1
        finally:
            session.close()
    finally:
        store.close()
