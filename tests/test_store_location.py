"""Issue 14 item 7: --db, $TUI_DESK_DB and `store =` may name a PostgreSQL server by URL; a
password in it is never printed (errors, --help, hints, the app's failure lines)."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from support import assert_one_line_error, run_cli

from tui_desk.core.config import load_config, resolve_db_path
from tui_desk.domain.errors import StoreError
from tui_desk.domain.store_location import is_server_url, redact_url
from tui_desk.store import Store, open_store
from tui_desk.ui.empty_hint import getting_started
from tui_desk.ui.failures import describe_failure

SECRET = "s3cr:et"
URL = f"postgresql://agent:{SECRET}@db.example:5432/desk?sslmode=require"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (URL, "postgresql://agent:***@db.example:5432/desk?sslmode=require"),
        ("postgres://agent:pw@h1,h2:5433/desk", "postgres://agent:***@h1,h2:5433/desk"),
        ("postgresql://agent:p@ss@db/desk", "postgresql://agent:***@db/desk"),
        ("postgresql://db/desk?user=agent&password=pw&sslmode=disable",
         "postgresql://db/desk?user=agent&password=***&sslmode=disable"),
        ("POSTGRESQL://agent:pw@db/desk", "POSTGRESQL://agent:***@db/desk"),
        # Nothing to hide: unchanged, libpq's own parameters included.
        ("postgresql:///desk?host=/run/pg&sslmode=verify-full", "postgresql:///desk?host=/run/pg&sslmode=verify-full"),
        ("postgresql://agent@db/desk", "postgresql://agent@db/desk"),
        ("/home/me/password=x:y@z.db", "/home/me/password=x:y@z.db"),
        # Review: a password holding '/', '?', '#' or a space, sslpassword=, leading blanks, and
        # schemes that are URLs but not libpq's (still never shown).
        ("postgresql://agent:se/cr?e#t@db/desk", "postgresql://agent:***@db/desk"),
        ("postgresql://db/desk?sslpassword=keypw&sslmode=require", "postgresql://db/desk?sslpassword=***&sslmode=require"),
        ("postgresql://db/desk?password=se cret#x&sslmode=require", "postgresql://db/desk?password=***&sslmode=require"),
        ("  postgres://agent:pw@db/desk", "  postgres://agent:***@db/desk"),
        ("\tpostgresql://agent:pw@db/desk", "\tpostgresql://agent:***@db/desk"),
        ("postgresql+psycopg://agent:pw@db/desk", "postgresql+psycopg://agent:***@db/desk"),
        ("pg://agent:pw@db/desk", "pg://agent:***@db/desk"),
    ],
)  # fmt: skip
def test_redact_url_hides_every_password_and_keeps_the_rest(url: str, shown: str) -> None:
    assert redact_url(url) == shown


def test_a_url_is_a_server_and_a_path_is_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert is_server_url(URL) and is_server_url("postgres://db/desk")
    assert not is_server_url("desk.db") and not is_server_url("./postgresql:/x")
    # Kept as given for libpq (not made a Path, not expanded), whichever source names it.
    assert resolve_db_path(URL) == URL
    monkeypatch.setenv("TUI_DESK_DB", URL)
    assert resolve_db_path(None) == URL
    assert resolve_db_path(str(tmp_path / "x.db")) == tmp_path / "x.db"  # --db wins


def test_the_config_file_store_comes_after_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'store = "{URL}"\n')
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    configured = load_config().store
    assert configured == URL
    assert resolve_db_path(None, configured) == URL
    monkeypatch.setenv("TUI_DESK_DB", str(tmp_path / "env.db"))
    assert resolve_db_path(None, configured) == tmp_path / "env.db"
    monkeypatch.delenv("TUI_DESK_DB")
    config.write_text('store = "~/desk.db"\n')
    assert resolve_db_path(None, load_config().store) == Path("~/desk.db").expanduser()


def test_a_store_that_is_not_text_in_the_config_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("store = 5\n")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    assert_one_line_error(*run_cli(capsys, ["list"]), "store must be text")


def test_an_unreachable_server_store_is_named_without_its_password_or_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as refused:
        open_store(URL)
    with pytest.raises(StoreError):
        Store(URL)
    assert "PostgreSQL" in str(refused.value) and SECRET not in str(refused.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("where", ["--db", "env", "config"])
def test_the_command_line_names_the_server_without_its_password(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    argv = ["list"]
    if where == "--db":
        argv += ["--db", URL]
    elif where == "env":
        monkeypatch.setenv("TUI_DESK_DB", URL)
    else:
        config = tmp_path / "config.toml"
        config.write_text(f'store = "{URL}"\n')
        monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    code, out, err = run_cli(capsys, argv)
    assert_one_line_error(code, out, err, "PostgreSQL", "agent:***@db.example")
    assert SECRET not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == (["config.toml"] if where == "config" else [])


def test_help_never_shows_the_store_url(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("TUI_DESK_DB", URL)
    for argv in (["--help"], ["list", "--help"]):
        code, out, err = run_cli(capsys, argv)
        assert code == 0 and "--db" in out
        assert SECRET not in out + err


def test_the_apps_failure_line_and_empty_store_hint_hide_the_password() -> None:
    line = describe_failure(sqlite3.OperationalError("database is locked"), URL)
    assert "agent:***@db.example" in line and SECRET not in line
    line = describe_failure(sqlite3.OperationalError("disk I/O error"), URL)
    assert SECRET not in line
    hint = " ".join(text for pair in getting_started(URL) for text in pair)
    assert "TUI_DESK_DB=" in hint and "agent:***@db.example" in hint and SECRET not in hint
    assert os.environ.get("PGPASSWORD") is None  # nothing of ours set libpq's own variables


@pytest.mark.parametrize("url", ["postgresql+psycopg://agent:s3cr:et@db/desk", "pg://agent:s3cr:et@db/desk"])
@pytest.mark.parametrize("where", ["--db", "env", "config"])
def test_a_url_of_another_scheme_is_refused_not_made_a_file(
    url: str, where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review: `postgresql+psycopg://` was taken for a file name: `new` made folders named like
    it, and "No store at ..." printed its password."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text(f'store = "{url}"\n' if where == "config" else "")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    if where == "env":
        monkeypatch.setenv("TUI_DESK_DB", url)
    for command in ("demo", "list"):
        code, out, err = run_cli(capsys, [command, "--db", url] if where == "--db" else [command])
        assert_one_line_error(code, out, err, "postgresql://", "agent:***@db")
        assert SECRET not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


@pytest.mark.parametrize("where", ["env", "config"])
def test_a_blank_store_location_is_refused(
    where: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Review: TUI_DESK_DB=" " (or store = " ") made a store file named " " in the current folder."""
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "config.toml"
    config.write_text('store = "  "\n' if where == "config" else "")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    if where == "env":
        monkeypatch.setenv("TUI_DESK_DB", "  ")
    code, out, err = run_cli(capsys, ["demo"])
    assert_one_line_error(code, out, err, "blank")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.toml"]


def test_a_drive_letter_is_a_path_not_a_url() -> None:
    assert resolve_db_path("C://desk.db") == Path("C://desk.db")
    assert redact_url("C://a:b@c") == "C://a:b@c"
