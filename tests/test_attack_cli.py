"""Hostile input on the command line and the store, after issue 12 ("Trust").

Each test guards a defect found by attacking the CLI with absurd values; each failed
on the code before its fix. The contract: bad input is one line on stderr, exit 1,
the store as it was, never a traceback.
"""

from __future__ import annotations

import io
import os
import sqlite3
from pathlib import Path

import pytest
from support import assert_one_line_error, dump, run_cli

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, queries

pytestmark = pytest.mark.both_backends

AS = "alice"


@pytest.fixture
def run(db_path, capsys, monkeypatch):
    """run("list", ...) -> (exit code, stdout, stderr), in-process."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def invoke(*args: str, db: str | Path | None = None, actor: str = AS) -> tuple[int, str, str]:
        return run_cli(capsys, ["--db", str(db_path if db is None else db), "--as", actor, *args])

    return invoke


@pytest.fixture
def ticket(store: Store) -> int:
    return TicketService(store, actor=AS).create_ticket(email="c@example.com", subject="Help", body="Hi")


# -- export never destroys a file it was not asked to create --------------------------------------
@pytest.mark.parametrize("fmt", ["json", "mbox"])
def test_item5_export_onto_the_store_itself_is_refused(run, store: Store, ticket: int, db_path: Path, fmt: str) -> None:
    if store.dialect == "postgresql":
        pytest.skip("SQLite file: an export can overwrite a store file, never a PostgreSQL database")
    before = dump(store)
    store.close()
    code, out, err = run("export", "--format", fmt, str(db_path))
    assert_one_line_error(code, out, err, str(db_path))
    assert dump(store) == before  # reopened: the file is still the store, whole


def test_item5_export_onto_the_stores_journal_name_is_refused(run, store: Store, ticket: int, db_path: Path) -> None:
    if store.dialect == "postgresql":
        pytest.skip("SQLite file: an export can overwrite a store file, never a PostgreSQL database")
    store.close()
    for suffix in ("-wal", "-journal"):
        target = Path(f"{db_path}{suffix}")
        target.unlink(missing_ok=True)
        code, out, err = run("export", "--force", str(target))
        assert_one_line_error(code, out, err, str(target))
        assert not target.exists()


@pytest.mark.parametrize("fmt", ["json", "mbox"])
def test_item5_export_does_not_silently_replace_an_existing_file(
    run, store: Store, ticket: int, tmp_path: Path, fmt: str
) -> None:
    target = tmp_path / "notes.txt"
    target.write_text("precious\n")
    code, out, err = run("export", "--format", fmt, str(target))
    assert_one_line_error(code, out, err, "--force")
    assert target.read_text() == "precious\n"
    code, out, err = run("export", "--format", fmt, "--force", str(target))
    assert code == 0, err
    assert target.read_text() != "precious\n"


def test_item5_export_error_names_the_file(run, store: Store, ticket: int, tmp_path: Path) -> None:
    target = tmp_path / "no-such-folder" / "out.json"
    code, out, err = run("export", str(target))
    assert_one_line_error(code, out, err, str(target))


# -- 12: an empty --db is a mistake, not the default store ----------------------------------------
def test_item12_empty_db_path_is_refused_not_the_default_store(run, monkeypatch, tmp_path: Path) -> None:
    default = tmp_path / "default" / "desk.db"
    monkeypatch.setattr("tui_desk.core.config.default_db_path", lambda: default)
    monkeypatch.delenv("TUI_DESK_DB", raising=False)
    code, out, err = run("new", "--email", "a@example.com", "--subject", "s", "--body", "b", db="")
    assert_one_line_error(code, out, err, "--db")
    assert not default.exists()


# -- 8: the real cause when the disk is full as the store opens -----------------------------------
def test_item8_full_disk_while_opening_is_named_not_disk_io_error(monkeypatch, tmp_path: Path) -> None:
    from tui_desk.domain.errors import StoreFull
    from tui_desk.store.db import store_error

    class Full:
        f_bavail = 0
        f_frsize = 4096

    monkeypatch.setattr("tui_desk.store.db.os.statvfs", lambda _path: Full())
    error = sqlite3.OperationalError("disk I/O error")
    error.sqlite_errorcode = 4874  # SQLITE_IOERR_SHMSIZE: the -shm file cannot grow
    raised = store_error(error, str(tmp_path / "desk.db"))
    assert isinstance(raised, StoreFull), raised
    assert "full" in str(raised)


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_item8_store_that_is_not_a_file_is_named_so(run, tmp_path: Path, kind: str) -> None:
    path = tmp_path / "desk.db"
    if kind == "fifo":
        os.mkfifo(path)
    else:
        path = Path(os.devnull)
    code, out, err = run("new", "--email", "a@example.com", "--subject", "s", "--body", "b", db=path)
    assert_one_line_error(code, out, err, str(path), "not a")
    assert "disk I/O error" not in err


# -- 4: names of agents and departments, like the other names people type -------------------------
@pytest.mark.parametrize("name", ["\x1b[31mx", "a\nb", "inv\u202efdp", "x" * 81, "\ufffd", "!!"])
@pytest.mark.parametrize("command", ["assign", "department"])
def test_item4_assignee_and_department_names_are_validated(
    run, store: Store, ticket: int, command: str, name: str
) -> None:
    before = dump(store)
    code, out, err = run(command, str(ticket), name)
    assert_one_line_error(code, out, err)
    assert dump(store) == before


def test_item4_assignee_and_department_still_take_ordinary_names(run, store: Store, ticket: int) -> None:
    assert run("assign", str(ticket), "Mari Tamm")[0] == 0
    assert run("department", str(ticket), "Sales & Billing")[0] == 0
    assert run("assign", str(ticket), "-")[0] == 0
    got = queries.get_ticket(store, ticket)
    assert (got.assignee, got.department) == (None, "Sales & Billing")


@pytest.mark.parametrize("actor", ["\x1b[31mboss", "a\nfake line"])
def test_item4_acting_agent_name_is_validated(run, store: Store, ticket: int, actor: str) -> None:
    before = dump(store)
    code, out, err = run("note", str(ticket), "--body", "hi", actor=actor)
    assert_one_line_error(code, out, err)
    assert dump(store) == before


def test_item4_empty_status_name_is_refused_not_a_listing(run, store: Store) -> None:
    code, out, err = run("statuses", "--add", "", "--meaning", "waiting")
    assert_one_line_error(code, out, err)


@pytest.mark.parametrize("name", ["ｏｐｅｎ", "ＲＥＳＯＬＶＥＤ", "ａｌｌ"])
def test_item4_status_looking_like_a_reserved_word_is_refused(run, store: Store, name: str) -> None:
    before = dump(store)
    code, out, err = run("statuses", "--add", name, "--meaning", "waiting")
    assert_one_line_error(code, out, err, "reserved")
    assert dump(store) == before


def test_item4_new_ticket_department_follows_the_name_rules(run, store: Store, ticket: int) -> None:
    before = dump(store)
    code, out, err = run("new", "--email", "a@example.com", "--subject", "s", "--body", "b", "--department", "\x1b[1m")
    assert_one_line_error(code, out, err)
    assert dump(store) == before


@pytest.mark.parametrize("word", ["+-a", "++a", "+--db"])
def test_item4_added_tag_never_starts_with_a_sign(run, store: Store, ticket: int, word: str) -> None:
    """A tag "-a" could be removed only by `tag ID --a`, which the CLI reads as an option."""
    code, out, err = run("tag", str(ticket), word)
    assert code == 0, err
    (tag,) = queries.get_ticket(store, ticket).tags
    assert tag[0] not in "+-", tag
    assert run("tag", str(ticket), f"-{tag}")[0] == 0
    assert queries.get_ticket(store, ticket).tags == ()


@pytest.mark.parametrize("value", ["inf", "1e308", "nan", "-5", "99999999999", "abc"])
def test_item18_busy_timeout_from_the_environment_is_bounded(monkeypatch, tmp_path: Path, value: str) -> None:
    """$TUI_DESK_BUSY_TIMEOUT=inf failed every command with "cannot convert float infinity"."""
    import math

    from tui_desk.store import db

    monkeypatch.setenv("TUI_DESK_BUSY_TIMEOUT", value)
    seconds = db._default_busy_timeout()
    assert math.isfinite(seconds) and 0 <= seconds <= 3600
    opened = Store(tmp_path / "desk.db", busy_timeout=seconds)
    assert opened.scalar("SELECT count(*) FROM tickets") == 0
    opened.close()


# -- the config file: only ever a regular file is read whole or replaced --------------------------
@pytest.mark.skipif(os.geteuid() != 0, reason="making a device node needs root")
def test_item18_sla_set_never_replaces_a_device_named_as_config(run, monkeypatch, tmp_path: Path) -> None:
    """TUI_DESK_CONFIG=/dev/null (a common "no config") and `sla set` replaced /dev/null itself, as root."""
    import stat

    device = tmp_path / "null"
    os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    monkeypatch.setenv("TUI_DESK_CONFIG", str(device))
    code, out, err = run("sla", "set", "first_response", "2h")
    assert_one_line_error(code, out, err, str(device))
    assert stat.S_ISCHR(os.stat(device).st_mode)


def test_item18_config_that_never_ends_is_one_line(run, monkeypatch, store: Store) -> None:
    """TUI_DESK_CONFIG=/dev/zero ended in a MemoryError traceback."""
    monkeypatch.setenv("TUI_DESK_CONFIG", "/dev/zero")
    code, out, err = run("list")
    assert_one_line_error(code, out, err, "/dev/zero")


def test_item8_store_on_a_read_only_file_system_is_named_read_only(monkeypatch, tmp_path: Path) -> None:
    """A read-only mount said only "unable to open database file", even for `list`."""
    from tui_desk.domain.errors import StoreReadOnly
    from tui_desk.store.db import store_error

    class ReadOnlyMount:
        f_bavail = 1_000_000
        f_frsize = 4096
        f_flag = os.ST_RDONLY

    monkeypatch.setattr("tui_desk.store.db.os.statvfs", lambda _path: ReadOnlyMount())
    error = sqlite3.OperationalError("unable to open database file")
    error.sqlite_errorcode = 14  # SQLITE_CANTOPEN: the -shm file cannot be made
    raised = store_error(error, str(tmp_path / "desk.db"))
    assert isinstance(raised, StoreReadOnly), raised
    assert "read-only" in str(raised)


@pytest.mark.parametrize(
    "option", [["--status", "nope"], ["--since", "0000-00-00"], ["--since", "99999999999d"], ["--since", "'; --"]]
)
def test_item18_export_filters_are_checked_not_a_silent_empty_or_full_backup(
    run, store: Store, ticket: int, tmp_path: Path, option: list[str]
) -> None:
    """`export --status nope` wrote a backup of 0 tickets; `--since 0000-00-00` one of all."""
    target = tmp_path / "backup.json"
    code, out, err = run("export", *option, str(target))
    assert_one_line_error(code, out, err)
    assert not target.exists()


def test_item18_export_filters_still_work(run, store: Store, ticket: int, tmp_path: Path) -> None:
    TicketService(store, actor=AS).set_status(ticket, "resolved")
    assert run("export", "--status", "Resolved", "--since", "30d", str(tmp_path / "a.json"))[1].startswith("Exported 1 ")
    assert run("export", "--status", "open", str(tmp_path / "b.json"))[1].startswith("Exported 0 ")
    assert run("export", "--since", "2000-01-01", str(tmp_path / "c.json"))[1].startswith("Exported 1 ")


# -- text without end: stdin or a --file that never stops ------------------------------------------
def test_item19_endless_stdin_is_refused_in_one_line(run, store: Store, ticket: int, monkeypatch) -> None:
    """`tui-desk note 1 < /dev/zero` read until the kernel killed it."""
    with open("/dev/zero", "rb") as zero:
        monkeypatch.setattr("sys.stdin", io.TextIOWrapper(zero, encoding="utf-8"))
        before = dump(store)
        code, out, err = run("note", str(ticket))
    assert_one_line_error(code, out, err, "MB")
    assert dump(store) == before


def test_item19_endless_template_file_is_refused_in_one_line(run, store: Store) -> None:
    """`template add x --file /dev/zero` read until the kernel killed it."""
    before = dump(store)
    code, out, err = run("template", "add", "zero", "--file", "/dev/zero")
    assert_one_line_error(code, out, err, "MB")
    assert dump(store) == before
