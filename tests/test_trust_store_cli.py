"""Issue 12 ("Trust"), the store and command-line items: 5, 8 (CLI/store), 12, 17, 18, 19, 20, 22.

Each test is named after its item; each fails on the code before the fix.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from support import assert_one_line_error, dump, run_cli

from tui_desk.cli import entry as cli
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.sla import SlaPolicies
from tui_desk.demo import fill_demo
from tui_desk.domain import errors
from tui_desk.store import Store, open_store, queries

pytestmark = pytest.mark.both_backends

AS = "alice"
ROOT = Path(__file__).resolve().parent.parent


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def run(db_path, capsys, monkeypatch):
    """run("list", ...) -> (exit code, stdout, stderr), in-process."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def invoke(*args: str, db: str | Path | None = None, stdin: object = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", stdin)
        return run_cli(capsys, ["--db", str(db or db_path), "--as", AS, *args])

    return invoke


@pytest.fixture
def umask() -> Iterator[None]:
    """A permissive umask, as many desktops have: the store must be private anyway."""
    old = os.umask(0o002)
    yield
    os.umask(old)


def tickets(service: TicketService, count: int) -> list[int]:
    return [
        service.create_ticket(email=f"c{i}@example.com", name=None, subject=f"Ticket {i}", body="Help")
        for i in range(count)
    ]


# -- 5: the store is private ---------------------------------------------------------------------
def test_item5_new_store_and_its_wal_and_shm_are_private(tmp_path: Path, umask: None) -> None:
    tmp_path.chmod(0o755)
    path = tmp_path / "new" / "deeper" / "desk.db"
    store = open_store(path)
    try:
        TicketService(store, actor=AS).create_ticket(email="c@example.com", name=None, subject="s", body="b")
        wal, shm = Path(f"{path}-wal"), Path(f"{path}-shm")
        assert wal.exists() and shm.exists()
        assert (mode(path), mode(wal), mode(shm)) == (0o600, 0o600, 0o600)
    finally:
        store.close()
    assert mode(tmp_path / "new") == 0o700
    assert mode(tmp_path / "new" / "deeper") == 0o700
    assert mode(tmp_path) == 0o755  # a folder the user had is left as it was


def test_item5_store_in_an_existing_shared_folder_is_still_private(tmp_path: Path, umask: None) -> None:
    os.umask(0)  # umask-independent
    tmp_path.chmod(0o777)
    store = open_store(tmp_path / "desk.db")
    store.close()
    assert mode(tmp_path / "desk.db") == 0o600
    assert mode(tmp_path) == 0o777


@pytest.mark.parametrize("fmt", ["json", "mbox"])
def test_item5_exports_are_private(run, store: Store, tmp_path: Path, umask: None, fmt: str) -> None:
    TicketService(store, actor=AS).create_ticket(email="c@example.com", name=None, subject="s", body="b")
    target = tmp_path / f"export.{fmt}"
    code, out, err = run("export", "--format", fmt, str(target))
    assert (code, err) == (0, "")
    assert mode(target) == 0o600


def test_item5_new_config_file_is_private(run, tmp_path: Path, monkeypatch, umask: None) -> None:
    config = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    code, _out, err = run("sla", "set", "first_response", "2h")
    assert (code, err) == (0, "")
    assert mode(config) == 0o600
    assert mode(config.parent) == 0o700


# -- 8: a failed write names its real cause ------------------------------------------------------
def _full(store: Store) -> Store:
    """No page may be added any more: SQLite answers SQLITE_FULL, as on a full disk; PostgreSQL
    answers what it says when it cannot extend a table's file (SQLSTATE 53100 disk_full)."""
    if store.dialect == "postgresql":
        store.conn.execute(
            "CREATE OR REPLACE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full';"
            " END $$"
        )
        for table in ("messages", "tags"):
            store.conn.execute(
                f"CREATE TRIGGER {table}_disk_full BEFORE INSERT ON {table} FOR EACH ROW EXECUTE FUNCTION disk_full()"
            )
        return store
    pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
    store.conn.execute(f"PRAGMA max_page_count = {pages}")
    return store


def _room_again(store: Store) -> None:
    if store.dialect == "postgresql":
        store.conn.execute("DROP FUNCTION disk_full() CASCADE")
    else:
        store.conn.execute("PRAGMA max_page_count = 1073741823")


def test_item8_disk_full_is_reported_not_masked_by_rollback(store: Store) -> None:
    service = TicketService(store, actor=AS)
    ticket = tickets(service, 1)[0]
    before = dump(store)
    _full(store)
    # A note that needs fresh pages: SQLite rolls the whole transaction back itself.
    with pytest.raises(errors.StoreFull, match="disk is full") as caught:
        service.add_note(ticket, "x" * 30000)
    assert "rollback" not in str(caught.value)
    assert isinstance(caught.value, errors.StoreError)
    assert dump(store) == before
    _room_again(store)
    service.assign(ticket, "bob")  # the store works on once there is room again
    assert queries.get_ticket(store, ticket).assignee == "bob"


def test_item8_failure_inside_a_nested_part_never_commits_the_rest(store: Store) -> None:
    tickets(TicketService(store, actor=AS), 1)
    before = dump(store)
    _full(store)
    # SQLite ends the whole transaction on a full disk; PostgreSQL undoes the failed savepoint
    # alone. Either way nothing of the failed parts is committed.
    whole = pytest.raises(errors.StoreFull) if store.dialect == "sqlite" else contextlib.nullcontext()
    with whole, store.transaction():
        with pytest.raises(errors.StoreFull), store.transaction() as conn:
            conn.execute("INSERT INTO tags(name) VALUES (?)", ["x" * 20000])
        # The caller goes on after the failed part (a bulk action would): nothing may be
        # written on its own, outside the transaction SQLite already ended.
        with pytest.raises(errors.StoreFull), store.transaction() as conn:
            conn.execute("INSERT INTO tags(name) VALUES ('small')")
    assert dump(store) == before


def test_item8_a_batch_never_commits_without_a_part_it_lost_nor_drops_the_rest_unsaid(store: Store) -> None:
    """A batch without savepoints (the mail import's): a part that fails before writing is
    undone alone where the store can (SQLite), else the whole batch fails loudly (PostgreSQL
    refuses every statement after an error and turns COMMIT into a silent rollback)."""
    try:
        with store.transaction(savepoints=False) as conn:
            conn.execute("INSERT INTO tags(name) VALUES ('first')")
            with contextlib.suppress(errors.StoreError), store.transaction() as part:
                part.execute("INSERT INTO tags(name) VALUES ('first')")  # taken: fails, writes nothing
            with contextlib.suppress(errors.StoreError), store.transaction() as part:
                part.execute("INSERT INTO tags(name) VALUES ('second')")
    except errors.StoreError:
        committed = False
    else:
        committed = True
    names = {row["name"] for row in store.query("SELECT name FROM tags")}
    assert ({"first", "second"} <= names) == committed, (committed, names)
    assert committed or not {"first", "second"} & names
    assert committed == (store.dialect == "sqlite")
    assert not store.conn.in_transaction


def test_item8_cli_names_a_full_disk_in_one_line(run, store: Store, monkeypatch) -> None:
    ticket = tickets(TicketService(store, actor=AS), 1)[0]
    store.close()
    real_open = cli.open_store
    monkeypatch.setattr(cli, "open_store", lambda *a, **k: _full(real_open(*a, **k)))
    code, out, err = run("note", str(ticket), "--body", "x" * 30000)
    assert_one_line_error(code, out, err, "disk is full")
    assert "rollback" not in err


def test_item8_cli_names_a_read_only_store(run, store: Store, monkeypatch) -> None:
    ticket = tickets(TicketService(store, actor=AS), 1)[0]
    store.close()
    real_open = cli.open_store

    def read_only(*args: object, **kwargs: object) -> Store:
        opened = real_open(*args, **kwargs)
        if opened.dialect == "postgresql":  # what a read-only standby or database answers
            opened.conn.execute("SET default_transaction_read_only = on")
        else:
            opened.conn.execute("PRAGMA query_only = ON")  # what a read-only file or mount answers
        return opened

    monkeypatch.setattr(cli, "open_store", read_only)
    code, out, err = run("note", str(ticket), "--body", "kept?")
    assert_one_line_error(code, out, err, "read-only")


def test_item8_a_database_user_who_may_only_read_reads_and_is_told_read_only(
    run, store: Store, db_path, backend: str
) -> None:
    """PostgreSQL's read-only file: a team's reporting user granted SELECT only (or a read-only
    standby). It lists and shows tickets; a change is refused in one line that says read-only."""
    if backend == "sqlite":
        pytest.skip("PostgreSQL grants; the SQLite file's permissions are the test above and below")
    ticket = tickets(TicketService(store, actor=AS), 1)[0]
    reader = f"reader_{db_path.split('@/')[1].split('?')[0]}"
    store.conn.execute(f"CREATE ROLE {reader} LOGIN")
    store.conn.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {reader}")
    store.close()
    as_reader = db_path.replace("postgresql://desk@", f"postgresql://{reader}@")
    code, out, err = run("list", db=as_reader)
    assert (code, err) == (0, ""), err
    assert "Ticket 0" in out
    code, out, err = run("note", str(ticket), "--body", "kept?", db=as_reader)
    assert_one_line_error(code, out, err, "read-only")


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a read-only file")
def test_item8_cli_names_a_read_only_file(run, store: Store, db_path: Path) -> None:
    if store.dialect == "postgresql":
        pytest.skip("SQLite file permissions; a PostgreSQL user without write grants is the test below")
    ticket = tickets(TicketService(store, actor=AS), 1)[0]
    store.close()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{db_path}{suffix}").exists():
            Path(f"{db_path}{suffix}").chmod(0o400)
    try:
        code, out, err = run("note", str(ticket), "--body", "kept?")
        assert_one_line_error(code, out, err, "read-only")
    finally:
        for suffix in ("", "-wal", "-shm"):
            if Path(f"{db_path}{suffix}").exists():
                Path(f"{db_path}{suffix}").chmod(0o600)


def test_item8_store_errors_name_their_cause() -> None:
    from tui_desk.store.db import store_error

    cases = {
        "database or disk is full": errors.StoreFull,
        "database disk image is malformed": errors.StoreDamaged,
        "attempt to write a readonly database": errors.StoreReadOnly,
        "database is locked": errors.StoreLocked,
    }
    for text, kind in cases.items():
        raised = store_error(sqlite3.OperationalError(text), "/x/desk.db")
        assert type(raised) is kind and "/x/desk.db" in str(raised)


# -- 12: demo and a mistyped --db ----------------------------------------------------------------
READ_COMMANDS = [
    ["list"],
    ["list", "--json"],
    ["show", "1"],
    ["report"],
    ["export", "{tmp}/out.json"],
    ["views"],
    ["statuses"],
    ["outbox"],
    ["send"],
    ["wake"],
    ["undo"],
    ["rules", "run"],
    ["template", "list"],
    ["template", "show", "greeting"],
    ["note", "1", "--body", "x"],
    ["status", "1", "resolved"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: " ".join(a))
def test_item12_read_commands_refuse_a_missing_store(run, tmp_path: Path, args: list[str]) -> None:
    missing = tmp_path / "typo" / "folder" / "desk.db"
    code, out, err = run(*(a.format(tmp=tmp_path) for a in args), db=missing)
    assert_one_line_error(code, out, err, "No store at", str(missing), "tui-desk new")
    assert not (tmp_path / "typo").exists()


@pytest.mark.parametrize(
    "args",
    [
        ["new", "--email", "c@example.com", "--subject", "s", "--body", "b"],
        ["demo", "--tickets", "3"],
        ["statuses", "--add", "Waiting for parts", "--meaning", "waiting"],
        ["template", "add", "greeting", "--body", "Hello"],
    ],
    ids=lambda a: a[0],
)
def test_item12_write_commands_may_create_the_store(run, tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "new" / "desk.db"
    code, _out, err = run(*args, db=path)
    assert (code, err) == (0, ""), err
    assert path.exists()


def test_item12_demo_refuses_a_store_with_tickets(run, store: Store, db_path: Path) -> None:
    tickets(TicketService(store, actor=AS), 2)
    before = dump(store)
    code, out, err = run("demo", "--tickets", "5")
    assert_one_line_error(code, out, err, str(db_path), "not empty")
    assert dump(store) == before


def test_item12_app_demo_still_opens_a_throw_away_store(run, monkeypatch, tmp_path: Path) -> None:
    seen: dict[str, object] = {}

    def fake_app(path: str, **kwargs: object) -> int:
        opened = open_store(path, create=False)
        seen["tickets"] = opened.scalar("SELECT count(*) FROM tickets")
        seen["path"] = path
        opened.close()
        return 0

    import tui_desk.ui.app

    monkeypatch.setattr(tui_desk.ui.app, "run_app", fake_app)
    code = cli.main(["--demo", "--db", str(tmp_path / "real.db")])
    assert code == 0
    assert seen["tickets"] == 1000
    assert not (tmp_path / "real.db").exists()  # the user's store is not touched
    assert not Path(str(seen["path"])).exists()  # the throw-away store is gone


# -- 17: list says how many there are ------------------------------------------------------------
def test_item17_list_says_how_many_there_are_in_total(run, store: Store) -> None:
    tickets(TicketService(store, actor=AS), 55)
    code, out, err = run("list")
    assert code == 0
    assert len(out.splitlines()) == 50
    assert "Showing 1-50 of 55 tickets" in err and "--limit" in err and "--offset" in err

    code, out, err = run("list", "--offset", "50")
    assert (code, len(out.splitlines())) == (0, 5)
    assert "Showing 51-55 of 55 tickets" in err

    code, out, err = run("list", "--json")
    assert code == 0 and len(json.loads(out)) == 50  # stdout keeps its shape: a list of rows
    assert "of 55 tickets" in err

    code, out, err = run("list", "--limit", "100")
    assert (code, len(out.splitlines()), err) == (0, 55, "")


# -- 18: huge numbers ----------------------------------------------------------------------------
HUGE = "99999999999999999999"
HUGE_CASES = {
    "huge limit": (["list", "--limit", HUGE], "--limit"),
    "huge offset": (["list", "--offset", HUGE], "--offset"),
    "very many digits": (["list", "--limit", "9" * 5000], "--limit"),
    "huge demo tickets": (["demo", "--tickets", HUGE], "--tickets"),
    "huge until": (["status", "{id}", "postponed", "--until", "99999999999d"], "99999999999d"),
    "until year one": (["status", "{id}", "postponed", "--until", "0001-01-01"], "0001-01-01"),
    "until year 9999": (["status", "{id}", "postponed", "--until", "9999-12-31T23:59:59"], "9999-12-31"),
    "until many digits": (["status", "{id}", "postponed", "--until", "9" * 5000 + "d"], "99999"),
    "report until year one": (["report", "--until", "0001-01-01"], "0001-01-01"),
    "report since huge": (["report", "--since", HUGE + "d"], HUGE),
    "demo now year 9999": (["demo", "--now", "9999-12-31T23:59:59Z"], "9999-12-31"),
}


@pytest.mark.parametrize("case", HUGE_CASES)
def test_item18_huge_numbers_are_refused_in_one_line(run, store: Store, case: str) -> None:
    ticket = tickets(TicketService(store, actor=AS), 1)[0]
    before = dump(store)
    args, named = HUGE_CASES[case]
    code, out, err = run(*(a.format(id=ticket) for a in args))
    assert_one_line_error(code, out, err, named)
    assert dump(store) == before


def test_item18_huge_limit_is_refused(run, store: Store) -> None:
    code, out, err = run("list", "--limit", HUGE)
    assert_one_line_error(code, out, err, "--limit", HUGE)


@pytest.mark.parametrize(
    ("key", "value", "named"),
    [
        ("first_response", "100000000h", "first_response"),
        ("resolution", "9" * 40 + "w", "resolution"),
        ("hours.end", "09:00:01", "hours.end"),  # a second a day: the built-in 8h would take centuries
    ],
)
def test_item18_sla_setting_that_cannot_work_is_refused_when_set(
    run, store: Store, tmp_path: Path, monkeypatch, key: str, value: str, named: str
) -> None:
    config = tmp_path / "config.toml"
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    code, out, err = run("sla", "set", key, value)
    assert_one_line_error(code, out, err, named)
    assert not config.exists()
    code, out, err = run("new", "--email", "c@example.com", "--subject", "s", "--body", "b")
    assert (code, err) == (0, "")


def test_item18_bad_sla_already_in_the_config_is_reported_clearly(run, tmp_path: Path, monkeypatch) -> None:
    config = tmp_path / "config.toml"
    config.write_text('[sla]\nfirst_response = "100000000h"\n', encoding="utf-8")
    monkeypatch.setenv("TUI_DESK_CONFIG", str(config))
    code, out, err = run("new", "--email", "c@example.com", "--subject", "s", "--body", "b")
    assert_one_line_error(code, out, err, str(config), "first_response")


def test_item18_tiny_business_hours_still_work_when_reachable() -> None:
    policies = SlaPolicies.from_config({"sla": {"hours": {"start": "09:00", "end": "09:01"}}})
    assert policies.for_ticket(None, "normal").first_response == 480 * 60


def test_item18_last_resort_guard_is_one_line(run, store: Store, monkeypatch) -> None:
    def overflow(*_args: object, **_kwargs: object) -> None:
        raise OverflowError("date value out of range")

    monkeypatch.setattr(cli, "run_command", overflow)
    code, out, err = run("list")
    assert_one_line_error(code, out, err, "out of range")


# -- 19: text that is not UTF-8 ------------------------------------------------------------------
def _env(db: Path) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "TUI_DESK_DB": str(db), "TUI_DESK_AGENT": AS}


def test_item19_latin1_on_stdin_is_replaced_not_a_traceback(store: Store, db_path: Path) -> None:
    ticket = tickets(TicketService(store, actor=AS), 1)[0]
    done = subprocess.run(
        [sys.executable, "-m", "tui_desk", "note", str(ticket)],
        input=b"caf\xe9 cr\xe8me",
        capture_output=True,
        env=_env(db_path),
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert b"Traceback" not in done.stderr and b"unexpected" not in done.stderr
    assert b"UTF-8" in done.stderr  # one warning line says what happened
    body = queries.ticket_messages(store, ticket)[-1].body
    assert body == "caf\ufffd cr\ufffdme"


def test_item19_undecodable_stdin_in_process(run, store: Store) -> None:
    ticket = tickets(TicketService(store, actor=AS), 1)[0]
    stdin = io.TextIOWrapper(io.BytesIO(b"caf\xe9"), encoding="utf-8")
    code, _out, err = run("note", str(ticket), stdin=stdin)
    assert code == 0 and "UTF-8" in err
    assert queries.ticket_messages(store, ticket)[-1].body == "caf\ufffd"


def test_item19_undecodable_argument_is_replaced(run, store: Store) -> None:
    ticket = tickets(TicketService(store, actor=AS), 1)[0]
    code, _out, err = run("note", str(ticket), "--body", "caf\udce9")  # what Python makes of b"caf\xe9"
    assert code == 0 and "UTF-8" in err and "Traceback" not in err
    assert queries.ticket_messages(store, ticket)[-1].body == "caf\ufffd"


def test_item19_template_from_undecodable_stdin(run, store: Store) -> None:
    stdin = io.TextIOWrapper(io.BytesIO(b"Bonjour caf\xe9"), encoding="utf-8")
    code, _out, err = run("template", "add", "hello", "-", stdin=stdin)
    assert code == 0 and "UTF-8" in err
    code, out, _err = run("template", "show", "hello")
    assert (code, out) == (0, "Bonjour caf\ufffd\n")


def test_item19_file_that_is_not_utf8_is_refused_clearly(run, store: Store, tmp_path: Path) -> None:
    text = tmp_path / "latin1.txt"
    text.write_bytes(b"caf\xe9")
    code, out, err = run("template", "add", "hello", "--file", str(text))
    assert_one_line_error(code, out, err, "not UTF-8")


# -- 20: a closed pipe ---------------------------------------------------------------------------
def test_item20_list_into_a_closed_pipe_exits_quietly(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    store = open_store(path)
    fill_demo(store, tickets=300, seed=1)
    store.close()
    # More than a pipe buffer (64 KiB): the writer is still writing when the reader goes.
    process = subprocess.Popen(
        [sys.executable, "-m", "tui_desk", "list", "--json", "--limit", "300"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=_env(path),
    )
    assert process.stdout is not None and process.stderr is not None
    assert process.stdout.readline()  # like `head -1`
    process.stdout.close()
    err = process.stderr.read()
    process.wait(timeout=60)
    assert err == b""
    assert process.returncode in (0, 141)


def test_item20_shell_pipe_into_head(tmp_path: Path) -> None:
    path = tmp_path / "demo.db"
    store = open_store(path)
    fill_demo(store, tickets=300, seed=1)
    store.close()
    done = subprocess.run(
        f"{sys.executable} -m tui_desk list --limit 300 --json 2>{tmp_path}/err | head -1; echo ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        env=_env(path),
        timeout=60,
    )
    first, status = done.stdout.decode().splitlines()
    assert first == "["
    assert int(status) in (0, 141)
    assert (tmp_path / "err").read_bytes() == b""


# -- 22: an empty store says how to get tickets in -----------------------------------------------
def test_item22_list_on_an_empty_store_says_how_to_get_tickets(run, store: Store) -> None:
    code, out, err = run("list")
    assert (code, out) == (0, "")
    for way in ("tui-desk import", "tui-desk fetch", "tui-desk new", "--demo"):
        assert way in err, err
    code, out, err = run("list", "--json")
    assert (code, json.loads(out)) == (0, [])
    assert "tui-desk import" in err


def test_item22_no_hint_when_a_filter_matches_nothing(run, store: Store) -> None:
    tickets(TicketService(store, actor=AS), 1)
    code, out, err = run("list", "--status", "spam")
    assert (code, out, err) == (0, "", "")
