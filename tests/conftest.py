"""Fixtures: a store on a temporary file and a service with a clock the test controls."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from pathlib import Path

import pg_server
import pytest
from support import AGENT, FakeClock, ticket_in_status

from tui_desk.core.lifecycle import TicketService
from tui_desk.i18n import current_language, set_language
from tui_desk.store import Store, open_store


@pytest.fixture(autouse=True)
def _isolated_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[None]:
    """No user config or data dir, no language or store from the environment; English messages."""
    config_dir = tmp_path_factory.mktemp("config")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config_dir / "missing.toml"))
    # The default store and a server desk's drafts live in the data dir: never the user's own.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path_factory.mktemp("data")))
    for name in ("TUI_DESK_DB", "TUI_DESK_AGENT", "LANGUAGE", "TUI_DESK_DEBUG"):
        monkeypatch.delenv(name, raising=False)
    set_language(None)
    yield
    set_language(None)


@pytest.fixture(scope="session")
def pg_server_session() -> Iterator[pg_server.PgServer]:
    """One throw-away PostgreSQL server for the whole run, started by the first test that asks."""
    reason = pg_server.why_not()
    if reason is not None:
        pytest.skip(reason)
    with pg_server.running_server() as server:
        yield server


@pytest.fixture
def pg_url(pg_server_session: pg_server.PgServer) -> Iterator[str]:
    """The connection URL of a fresh, empty PostgreSQL database for this test."""
    with pg_server_session.database() as url:
        yield url


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


BACKENDS = ("sqlite", "postgresql")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "both_backends: run the module's store tests on SQLite and on PostgreSQL (a throw-away server;"
        " skipped with one reason when its binaries are missing)",
    )


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Tests marked both_backends get `backend` = sqlite and postgresql; the others SQLite only."""
    if "backend" in metafunc.fixturenames and metafunc.definition.get_closest_marker("both_backends"):
        metafunc.parametrize("backend", BACKENDS)


@pytest.fixture
def backend() -> str:
    """The store's backend of this test (SQLite unless the test is marked both_backends)."""
    return "sqlite"


@pytest.fixture(scope="session")
def _pg_migrated_desks(pg_server_session: pg_server.PgServer) -> pg_server.MigratedDesks:
    def migrate(url: str) -> None:
        open_store(url).close()

    return pg_server.MigratedDesks(pg_server_session, migrate)


@pytest.fixture
def db_path(tmp_path, backend: str, request: pytest.FixtureRequest):
    """Where the test's store is: a file, or on PostgreSQL the URL of a fresh database.

    A test with the `store` fixture opens (so migrates) it at once: on PostgreSQL it gets a
    reused desk put back as its migration left it (pg_server.MigratedDesks), which costs a
    Reset instead of a new database and a migration.
    """
    if backend == "postgresql":
        if "store" in request.fixturenames:
            return request.getfixturevalue("_pg_migrated_desk")
        return request.getfixturevalue("pg_url")
    return tmp_path / "desk.db"


@pytest.fixture
def _pg_migrated_desk(_pg_migrated_desks: pg_server.MigratedDesks) -> Iterator[str]:
    with _pg_migrated_desks.desk(current_language()) as url:
        yield url


@pytest.fixture
def another_db(backend: str, tmp_path, request: pytest.FixtureRequest) -> Iterator[Callable[[str], object]]:
    """another_db("b.db") -> where a second (third...) store of the test's backend is: a file
    in tmp_path, or on PostgreSQL the URL of another fresh database."""
    with ExitStack() as made:

        def make(name: str) -> object:
            if backend == "postgresql":
                return made.enter_context(request.getfixturevalue("pg_server_session").database())
            return tmp_path / name

        yield make


@pytest.fixture(scope="session")
def _sqlite_migrated_desks(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str], Path]:
    """migrated(language) -> a SQLite desk as a new store's migration leaves it, made once."""
    made: dict[str, Path] = {}

    def migrated(language: str) -> Path:
        if language not in made:
            path = tmp_path_factory.mktemp("migrated") / "desk.db"
            open_store(path).close()  # the last connection to close checkpoints the WAL
            made[language] = path
        return made[language]

    return migrated


@pytest.fixture
def store(db_path, request: pytest.FixtureRequest) -> Iterator[Store]:
    if isinstance(db_path, Path) and db_path.parent.is_dir() and not any(
        Path(f"{db_path}{suffix}").exists() for suffix in ("", "-wal", "-shm", "-journal")
    ):
        # A new store is its migration's copy: copied (a few ms), not migrated (about 0.1 s).
        shutil.copyfile(request.getfixturevalue("_sqlite_migrated_desks")(current_language()), db_path)
        os.chmod(db_path, 0o600)
    opened = open_store(db_path)
    yield opened
    opened.close()


@pytest.fixture
def service(store: Store, clock: FakeClock) -> TicketService:
    return TicketService(store, clock=clock, actor=AGENT)


@pytest.fixture
def make_ticket(service: TicketService) -> Callable[..., int]:
    """make_ticket("resolved") -> id of a ticket brought to Resolved through real service calls."""

    def make(status: str = "new", **kwargs: object) -> int:
        return ticket_in_status(service, status, **kwargs)  # type: ignore[arg-type]

    return make
