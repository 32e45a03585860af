"""`tui-desk copy --to`: a whole desk into another store, SQLite -> PostgreSQL -> SQLite, unchanged.

A desk with every kind of row (merges, undo records, a purge, SLA clocks, queued replies,
attachments, custom statuses, saved replies, tags) is copied there and back: the JSON exports,
and every row of every copied table, are the same; new tickets on the copies never take a
number the desk had used. Refusals leave the target as it was.
"""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from support import AGENT, FakeClock, assert_one_line_error, run_cli

from tui_desk.core.actions import undo_last
from tui_desk.core.lifecycle import TicketService
from tui_desk.core.names import tag_edit
from tui_desk.core.requests import Assign, Merge, Tag, run
from tui_desk.core.templates import add_template
from tui_desk.demo import fill_demo
from tui_desk.mail.export import export_json
from tui_desk.store import Store, open_store, queries
from tui_desk.store.desk_copy import NOT_COPIED, copied_tables, copy_desk, desk_tables
from tui_desk.store.queries import InboxFilter

pytestmark = pytest.mark.filterwarnings("ignore::ResourceWarning")


def _desk(path: Path) -> Store:
    """A SQLite desk holding every kind of row the app writes, made by real service calls."""
    store = open_store(path)
    fill_demo(store, tickets=60, seed=7)
    clock = FakeClock()
    service = TicketService(store, clock=clock, actor=AGENT)
    service.define_status("Waiting for parts", "hold")
    add_template(store, "Parts ordered", "Hello {customer.first_name}, the parts are on their way.", clock=clock)
    first = service.create_ticket(email="dana@example.com", subject="Blue screen", body="Again today.")
    second = service.create_ticket(email="dana@example.com", subject="Blue screen (2)", body="And now.")
    service.reply(first, "Which driver?", attachments=[("log.txt", "text/plain", b"\x00\x01 binary \xff")],
                  outbox=True, new_message_id=lambda: "<copy-test-1@desk.invalid>")
    run(service, Tag(tag_edit(add=["hardware", "windows"])), [first])
    run(service, Merge(first), [second])
    run(service, Assign("bob"), [first])
    undo_last(service)  # the assignment: an undone action in the log
    fourth = service.create_ticket(email="erik@example.com", subject="Parts", body="Waiting")
    service.set_custom_status(fourth, "waiting-for-parts")
    third = service.create_ticket(email="erik@example.com", subject="Old spam", body="Buy now")
    service.mark_spam(third)
    service.delete(third)
    service.purge(third)  # the highest number: it stays used
    clock.advance(timedelta(hours=3))
    return store


def _rows(store: Store) -> dict[str, list[str]]:
    """Every row of every copied table, as text in a stable order."""
    with store.read_snapshot() as conn:
        tables = copied_tables(conn)
    return {t: sorted(repr(tuple(row.values())) for row in store.query(f"SELECT * FROM {t}")) for t in tables}


def _export(store: Store, path: Path) -> object:
    ids = [r["id"] for r in store.query("SELECT id FROM tickets ORDER BY id")]
    export_json(store, path, ids)
    return json.loads(path.read_text(encoding="utf-8"))


def test_a_desk_goes_to_postgresql_and_back_unchanged(tmp_path: Path, pg_url: str) -> None:
    source = _desk(tmp_path / "desk.db")
    on_server = open_store(pg_url)
    counts = copy_desk(source, on_server)
    back = open_store(tmp_path / "back.db")
    copy_desk(on_server, back)

    assert counts["tickets"] == 63 and counts["outbox"] == 1 and counts["purged"] == 1
    assert counts["actions"] >= 3 and counts["attachments"] >= 1
    original = _export(source, tmp_path / "a.json")
    assert original == _export(on_server, tmp_path / "b.json") == _export(back, tmp_path / "c.json")
    rows = _rows(source)
    assert rows == _rows(on_server) == _rows(back)
    # The search indexes cover the copied rows (SQLite's FTS5 tables are not copied but rebuilt).
    for words in ("Blue screen", "driver"):
        found = [[r.id for r in queries.inbox_page(s, InboxFilter(search=words), limit=100)] for s in (source, on_server, back)]
        assert found[0] and found[0] == found[1] == found[2], (words, found)
    assert all(rows[t] for t in ("outbox", "actions", "action_tickets", "purged", "meta", "templates"))

    # New tickets take numbers the desk never used: above the purged one too.
    highest = source.scalar("SELECT max(ticket_id) FROM purged")
    assert highest > source.scalar("SELECT max(id) FROM tickets")
    for store in (on_server, back):
        service = TicketService(store, clock=FakeClock(), actor=AGENT)
        assert service.create_ticket(email="new@example.com", subject="After the move", body="Hi") == highest + 1
        service.add_note(highest + 1, "A new message gets a new row id")
    for store in (source, on_server, back):
        store.close()


def test_the_copy_carries_every_table_of_the_schema(tmp_path: Path, pg_url: str) -> None:
    """A table a migration adds is copied, or named in NOT_COPIED: never forgotten silently."""
    sqlite_store, pg_store = open_store(tmp_path / "desk.db"), open_store(pg_url)
    with sqlite_store.read_snapshot() as lite, pg_store.read_snapshot() as pg:
        lite_tables, pg_tables = set(desk_tables(lite)), set(desk_tables(pg))
        assert lite_tables - {"schema_version"} == pg_tables - {"schema_version"}
        assert set(NOT_COPIED) <= lite_tables | pg_tables
        assert set(copied_tables(lite)) == lite_tables - set(NOT_COPIED)
        assert set(copied_tables(pg)) == pg_tables - set(NOT_COPIED)
        # The data tables the tests know of are all in it.
        assert {"tickets", "messages", "attachments", "events", "outbox", "templates", "purged"} <= set(copied_tables(lite))
    sqlite_store.close()
    pg_store.close()


def test_copy_command_says_what_it_copied_and_never_the_password(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _desk(tmp_path / "desk.db").close()
    with_password = pg_url.replace("desk@", "desk:hunter2@")
    code, out, err = run_cli(capsys, ["--db", str(tmp_path / "desk.db"), "copy", "--to", with_password])
    assert code == 0, err
    assert out.startswith("Copied 63 tickets, ") and "desk:***@" in out and "hunter2" not in out + err
    # Back into a new file, from the server as the current store.
    code, out, err = run_cli(capsys, ["--db", pg_url, "copy", "--to", str(tmp_path / "back.db")])
    assert (code, err) == (0, "") and out.startswith("Copied 63 tickets, ")


def test_a_target_holding_a_desk_is_refused_and_unchanged(
    tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _desk(tmp_path / "desk.db").close()
    target = open_store(pg_url)
    TicketService(target, clock=FakeClock(), actor=AGENT).create_ticket(email="x@example.com", subject="Mine", body=".")
    before = _rows(target)
    target.close()
    code, out, err = run_cli(capsys, ["--db", str(tmp_path / "desk.db"), "copy", "--to", pg_url])
    assert_one_line_error(code, out, err, "already holds a desk")
    target = open_store(pg_url)
    assert _rows(target) == before
    target.close()


def test_a_file_target_holding_a_desk_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _desk(tmp_path / "desk.db").close()
    other = open_store(tmp_path / "other.db")
    fill_demo(other, tickets=3, seed=2)
    before = _rows(other)
    other.close()
    code, out, err = run_cli(capsys, ["--db", str(tmp_path / "desk.db"), "copy", "--to", str(tmp_path / "other.db")])
    assert_one_line_error(code, out, err, "already holds a desk")
    other = open_store(tmp_path / "other.db")
    assert _rows(other) == before
    other.close()


def test_the_same_store_is_refused(tmp_path: Path, pg_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    _desk(tmp_path / "desk.db").close()
    code, out, err = run_cli(capsys, ["--db", str(tmp_path / "desk.db"), "copy", "--to", str(tmp_path / "." / "desk.db")])
    assert_one_line_error(code, out, err, "is the store being copied")
    open_store(pg_url).close()
    code, out, err = run_cli(capsys, ["--db", pg_url, "copy", "--to", pg_url.replace("desk@", "desk:secret@")])
    assert_one_line_error(code, out, err, "is the store being copied")
    assert "secret" not in err


def test_an_unreachable_server_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _desk(tmp_path / "desk.db").close()
    url = f"postgresql://desk:hunter2@/nowhere?host={tmp_path}/no-socket-here"
    code, out, err = run_cli(capsys, ["--db", str(tmp_path / "desk.db"), "copy", "--to", url])
    assert_one_line_error(code, out, err, "Cannot reach")
    assert "hunter2" not in err


def test_a_failed_copy_leaves_no_new_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A failure mid-copy rolls the target back; a file the run created is removed again."""
    _desk(tmp_path / "desk.db").close()
    from tui_desk.store import desk_copy

    real = desk_copy._copy_table

    def failing(source, read, write, table, target, progress):  # noqa: ANN001, ANN202
        if table == "events":
            raise sqlite3.OperationalError("disk I/O error")
        return real(source, read, write, table, target, progress)

    monkeypatch.setattr(desk_copy, "_copy_table", failing)
    code, out, err = run_cli(capsys, ["--db", str(tmp_path / "desk.db"), "copy", "--to", str(tmp_path / "new.db")])
    assert code == 1 and "disk I/O error" in err and err.count("\n") == 1
    assert not (tmp_path / "new.db").exists()


def test_server_to_server(tmp_path: Path, pg_url: str, pg_server_session) -> None:  # noqa: ANN001
    """Two databases of one server are two desks: the copy goes through, the rows are the same."""
    first = open_store(pg_url)
    copy_desk(_desk(tmp_path / "desk.db"), first)
    with pg_server_session.database() as other_url:
        second = open_store(other_url)
        counts = copy_desk(first, second)
        assert counts["tickets"] == 63 and _rows(first) == _rows(second)
        second.close()
    first.close()
