"""The app on a PostgreSQL desk: drafts kept in the user's data folder, a lost connection said.

A draft is kept beside a store file; a server's desk has no file, so its drafts go to the
user's data folder, one folder per desk (a hash of the redacted URL, never the password).
A connection the server ends (a restart, an administrator) is one notification naming it,
and the next action connects again.
"""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from textual.widgets import TextArea

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, open_store, queries
from tui_desk.ui.app import WORKER_THREADS
from tui_desk.ui.screens.reply import DRAFT_SAVE_DELAY, ReplyScreen

from .conftest import ACTOR, build_desk, make_app
from .helpers import SIZE, StepClock, current_subject, notifications, press, settle, type_text


@pytest.fixture
def data_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "data-home"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


@pytest.fixture
def server_url(pg_url: str) -> str:
    """The desk's URL with a password in it (the test server trusts local connections)."""
    return pg_url.replace("desk@", "desk:hunter2@")


@pytest.fixture
def server_desk(server_url: str) -> Iterator[tuple[Store, dict[str, int]]]:
    store = open_store(server_url)
    clock = StepClock()
    ids = build_desk(TicketService(store, clock=clock, actor=ACTOR), clock)
    yield store, ids
    store.close()


def end_every_connection(url: str) -> None:
    """What a server restart or `pg_terminate_backend` by an administrator does to the app's connections."""
    with psycopg.connect(url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


async def test_a_draft_on_a_server_desk_survives_quitting(
    server_desk: tuple[Store, dict[str, int]], server_url: str, data_home: Path
) -> None:
    store, ids = server_desk
    site = ids["site"]
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        assert current_subject(app) == "Site down for EU customers"
        await press(pilot, "r")
        await type_text(pilot, "The EU mirror is back")
        await pilot.pause(DRAFT_SAVE_DELAY + 0.3)

    files = [p for p in data_home.rglob("*") if p.is_file()]
    assert [p.name for p in files] == [f"reply-{site}-{ACTOR}.txt"]
    assert files[0].read_text() == "The EU mirror is back"
    assert stat.S_IMODE(files[0].stat().st_mode) == 0o600
    assert stat.S_IMODE(files[0].parent.stat().st_mode) == 0o700
    assert not any("hunter2" in str(p) or "desk_" in str(p.relative_to(data_home)) for p in data_home.rglob("*"))

    reopened = open_store(server_url)  # a new process would open it anew
    app = make_app(reopened)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "r")
        assert isinstance(app.screen, ReplyScreen)
        assert app.screen.query_one(TextArea).text == "The EU mirror is back"
    reopened.close()


async def test_drafts_of_two_server_desks_are_apart(data_home: Path) -> None:
    from tui_desk.ui.drafts import Drafts

    one = Drafts.next_to("postgresql://desk:secret@db.example/one", ACTOR)
    two = Drafts.next_to("postgresql://desk:secret@db.example/two", ACTOR)
    one.save("reply", 7, "for desk one")
    assert two.load("reply", 7) is None
    assert Drafts.next_to("postgresql://desk:secret@db.example/one", ACTOR).load("reply", 7) == "for desk one"
    assert one.folder is not None and str(data_home) in str(one.folder) and "secret" not in str(one.folder)


async def test_a_connection_ended_while_idle_is_made_again_unseen(
    server_desk: tuple[Store, dict[str, int]], server_url: str, data_home: Path
) -> None:
    """A server restart while the agent reads: the next action connects again, nothing to say."""
    store, ids = server_desk
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        assert current_subject(app) == "Site down for EU customers"
        end_every_connection(server_url)
        await pilot.pause(0.2)
        await press(pilot, "e")
        await settle(pilot)
        assert notifications(app, "error") == []
    assert queries.get_ticket(store, ids["site"]).status == "resolved"


async def test_a_connection_lost_mid_action_is_one_notification_and_the_next_try_works(
    server_desk: tuple[Store, dict[str, int]], server_url: str, data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store, ids = server_desk
    real_begin = store._begin

    def begin_then_lose(conn: object) -> None:
        real_begin(conn)
        monkeypatch.setattr(store, "_begin", real_begin)  # once
        end_every_connection(server_url)

    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        assert current_subject(app) == "Site down for EU customers"
        monkeypatch.setattr(store, "_begin", begin_then_lose)
        await press(pilot, "e")  # resolve: the server ends its connection inside the transaction
        await settle(pilot)
        errors = notifications(app, "error")
        assert len(errors) == 1 and "Lost the connection to the PostgreSQL store" in errors[0], errors
        assert "hunter2" not in errors[0] and "desk:***@" in errors[0] and "\n" not in errors[0]
        await pilot.pause(0.2)
        assert queries.get_ticket(store, ids["site"]).status != "resolved"

        await press(pilot, "e")  # the next try connects again
        await settle(pilot)
        assert len(notifications(app, "error")) == 1
    assert queries.get_ticket(store, ids["site"]).status == "resolved"


def app_connections(url: str) -> int:
    with psycopg.connect(url, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchone()
    assert row is not None
    return int(row[0])


async def test_one_app_holds_a_few_connections_however_many_cores_the_machine_has(
    server_desk: tuple[Store, dict[str, int]], server_url: str, data_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ten agents on 16-core laptops must not use up the server's max_connections (100 by default).

    Every worker thread keeps a connection; while the server is slow (here: a table locked by an
    administrator for a moment), each key press starts another worker that waits.
    """
    store, _ids = server_desk
    monkeypatch.setattr("os.cpu_count", lambda: 32)  # asyncio's own pool would grow to 32 threads
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        with psycopg.connect(server_url) as admin:
            admin.execute("LOCK TABLE tickets, messages, events IN ACCESS EXCLUSIVE MODE")
            for _ in range(8):
                for key in ("j", "j", "k", "k", "G", "g"):
                    await pilot.press(key)
                await pilot.press("slash")
                # Typed as a fast typist would, without waiting for the workers (type_text does):
                # each waits for the lock (5 s), and the point is that many wait at once.
                await pilot.press(*"site")
                await pilot.press("enter", "escape")
                await pilot.pause(0.1)
            busy = app_connections(server_url)
            admin.rollback()
        await settle(pilot)
        # the worker pool, the live listener, the test's own store connection and the admin's
        assert busy <= WORKER_THREADS + 3
