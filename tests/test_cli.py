"""The `tui-desk` command line, run in-process: output, stdin, and one-line errors."""

from __future__ import annotations

import functools
import io
import json
import sqlite3
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta

import pytest
from support import dump

from tui_desk.cli import entry as cli
from tui_desk.domain.clock import from_text
from tui_desk.store import Store, open_store, queries

pytestmark = pytest.mark.both_backends

AS = "alice"


@pytest.fixture
def run(db_path, capsys, monkeypatch):
    """run("reply", "1", "--body", "x") -> (exit code, stdout, stderr)."""
    monkeypatch.setattr("sys.stdin", io.StringIO(""))

    def invoke(*args: str, stdin: str | None = None, db: str | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        capsys.readouterr()
        try:
            code = cli.main(["--db", db or str(db_path), "--as", AS, *args])
        except SystemExit as exit_:  # argparse usage errors
            code = exit_.code
        out, err = capsys.readouterr()
        return code, out, err

    return invoke


@pytest.fixture
def new_ticket(run):
    def create(
        subject: str = "Printer jammed", priority: str = "normal", email: str = "carol@example.com"
    ) -> int:
        code, out, err = run(
            "new", "--email", email, "--subject", subject, "--priority", priority, "--body", "Help!"
        )
        assert (code, err) == (0, "")
        return int(out)

    return create


def assert_one_line_error(code: int, out: str, err: str, *words: str) -> None:
    assert code == 1
    assert out == ""
    assert err.endswith("\n") and err.count("\n") == 1, err
    assert "Traceback" not in err
    assert err.startswith("tui-desk: ") or err.startswith("tui-desk")
    for word in words:
        assert word in err, err


# -- creating and answering -----------------------------------------------------------------
def test_new_prints_the_id(run, store: Store) -> None:
    code, out, err = run(
        "new", "--email", "carol@example.com", "--subject", "Printer jammed", "--body", "Help!"
    )
    assert (code, out, err) == (0, "1\n", "")
    code, out, _ = run(
        "new",
        "--email",
        "dan@example.com",
        "--subject",
        "VPN down",
        "--priority",
        "urgent",
        "--department",
        "Technical",
        "--name",
        "Dan",
        stdin="From stdin\nsecond line\n",
    )
    assert (code, out) == (0, "2\n")
    ticket = queries.get_ticket(store, 2)
    assert (ticket.status, ticket.priority, ticket.department, ticket.customer_name) == (
        "new",
        "urgent",
        "Technical",
        "Dan",
    )
    assert queries.ticket_messages(store, 2)[0].body == "From stdin\nsecond line\n"


@pytest.mark.parametrize("via", ["--body", "stdin"])
def test_reply_note_and_customer_reply(run, store: Store, new_ticket, via: str) -> None:
    ticket_id = new_ticket()

    def say(command: str, text: str) -> tuple[int, str, str]:
        if via == "--body":
            return run(command, str(ticket_id), "--body", text)
        return run(command, f"#{ticket_id}", stdin=text)

    code, out, err = say("reply", "Please restart it.")
    assert (code, err) == (0, "")
    assert out == f"#{ticket_id}: replied: New → Answered\n"
    code, out, _ = say("note", "VIP customer")
    assert (code, out) == (0, f"#{ticket_id}: internal note\n")
    code, out, _ = say("customer-reply", "Did not help.")
    assert (code, out) == (0, f"#{ticket_id}: customer wrote: Answered → Open\n")

    assert queries.get_ticket(store, ticket_id).status == "open"
    thread = queries.ticket_messages(store, ticket_id)
    assert [(m.kind, m.author, m.body) for m in thread[1:]] == [
        ("reply", AS, "Please restart it."),
        ("note", AS, "VIP customer"),
        ("customer", "carol@example.com", "Did not help."),
    ]
    events = queries.ticket_events(store, ticket_id)
    assert [(e.kind, e.actor, e.from_value, e.to_value) for e in events[1:]] == [
        ("replied", AS, "new", "answered"),
        ("note", AS, None, None),
        ("customer_message", "carol@example.com", "answered", "open"),
    ]


def test_empty_reply_from_stdin_is_refused(run, store: Store, new_ticket) -> None:
    ticket_id = new_ticket()
    before = dump(store)
    assert_one_line_error(*run("reply", str(ticket_id), stdin="  \n"), "needs some text")
    assert dump(store) == before


# -- status, assignee, priority, tags ---------------------------------------------------------
def test_status_postponed_until_2h(run, store: Store, new_ticket) -> None:
    ticket_id = new_ticket()
    before = datetime.now(UTC).replace(microsecond=0)
    code, out, err = run("status", str(ticket_id), "postponed", "--until", "2h")
    after = datetime.now(UTC)
    assert (code, err) == (0, "")
    assert out == f"#{ticket_id}: postponed: New → Postponed\n"
    ticket = queries.get_ticket(store, ticket_id)
    assert ticket.status == "postponed"
    until = from_text(ticket.postponed_until)
    assert before + timedelta(hours=2) <= until <= after + timedelta(hours=2)
    event = queries.ticket_events(store, ticket_id)[-1]
    assert (event.kind, event.actor, event.from_value, event.to_value, event.detail) == (
        "postponed",
        AS,
        "new",
        "postponed",
        ticket.postponed_until,
    )


def test_status_postponed_until_reads_the_dialogs_forms(run, store: Store, new_ticket) -> None:
    """`--until` takes what the postpone dialog takes (domain/when.py): combined units, week days."""
    ticket_id = new_ticket()
    before = datetime.now(UTC).replace(microsecond=0)
    code, _out, err = run("status", str(ticket_id), "postponed", "--until", "1h30min")
    after = datetime.now(UTC)
    assert (code, err) == (0, "")
    until = from_text(queries.get_ticket(store, ticket_id).postponed_until)
    assert before + timedelta(minutes=90) <= until <= after + timedelta(minutes=90)
    other = new_ticket()
    code, _out, err = run("status", str(other), "postponed", "--until", "1M")
    assert code != 0 and "say 30min or 1mo" in err
    assert queries.get_ticket(store, other).status == "new"


def test_status_round_trip(run, store: Store, new_ticket) -> None:
    ticket_id = new_ticket()
    for word, expected in [
        ("resolved", "resolved"),
        ("open", "open"),
        ("spam", "spam"),
        ("deleted", "deleted"),
        ("restore", "open"),
        ("delete", "deleted"),
    ]:
        code, _, err = run("status", str(ticket_id), word)
        assert (code, err) == (0, ""), word
        assert queries.get_ticket(store, ticket_id).status == expected
    assert run("status", str(ticket_id), "purge")[0] == 0
    assert store.scalar("SELECT count(*) FROM tickets") == 0


def test_custom_status_via_cli(run, store: Store, new_ticket) -> None:
    ticket_id = new_ticket()
    code, out, _ = run("statuses", "--add", "Waiting on supplier", "--meaning", "hold")
    assert (code, out) == (0, "Added status Waiting on supplier (waiting-on-supplier)\n")
    assert run("status", str(ticket_id), "waiting on supplier")[0] == 0
    assert queries.get_ticket(store, ticket_id).status == "waiting-on-supplier"
    code, out, _ = run("statuses", "--json")
    listed = {s["key"]: s for s in json.loads(out)}
    assert listed["waiting-on-supplier"] == {
        "key": "waiting-on-supplier",
        "name": "Waiting on supplier",
        "meaning": "hold",
        "builtin": False,
        "count": 1,
    }


def test_assign_priority_and_tags(run, store: Store, new_ticket) -> None:
    ticket_id = new_ticket()
    code, out, _ = run("assign", str(ticket_id), "bob")
    assert (code, out) == (0, f"#{ticket_id}: assigned: - → bob\n")
    code, out, _ = run("priority", str(ticket_id), "HIGH")
    assert (code, out) == (0, f"#{ticket_id}: priority: normal → high\n")
    assert run("tag", str(ticket_id), "+a", "+b")[0] == 0
    code, out, _ = run("tag", str(ticket_id), "+c", "-b")
    assert (code, out) == (0, f"#{ticket_id}: tagged: - → c\n#{ticket_id}: untagged: b → -\n")

    ticket = queries.get_ticket(store, ticket_id)
    assert (ticket.assignee, ticket.priority, ticket.tags) == ("bob", "high", ("a", "c"))
    kinds = [
        (e.kind, e.actor, e.from_value, e.to_value)
        for e in queries.ticket_events(store, ticket_id)[1:]
    ]
    assert kinds == [
        ("assigned", AS, None, "bob"),
        ("priority", AS, "normal", "high"),
        ("tagged", AS, None, "a"),
        ("tagged", AS, None, "b"),
        ("tagged", AS, None, "c"),
        ("untagged", AS, "b", None),
    ]
    code, out, _ = run("assign", str(ticket_id), "-")
    assert (code, out) == (0, f"#{ticket_id}: assigned: bob → -\n")


def test_wake_brings_back_due_tickets(run, store: Store, service) -> None:
    ticket_id = service.create_ticket(email="carol@example.com", subject="Later", body="x")
    service.postpone(
        ticket_id, service.clock() + timedelta(hours=1)
    )  # the fixture clock is in the past
    code, out, _ = run("wake")
    assert (code, out) == (0, f"#{ticket_id}: woke up: Postponed → New\n")
    assert queries.get_ticket(store, ticket_id).status == "new"
    assert run("wake")[:2] == (0, "")


# -- list and show ------------------------------------------------------------------------------
def test_list_json_keys_and_inbox_order(run, store: Store, new_ticket) -> None:
    normal = new_ticket("normal one")
    urgent = new_ticket("urgent one", "urgent")
    low = new_ticket("low one", "low")
    answered = new_ticket("answered one", "high")
    high = new_ticket("high one", "high")
    assert run("reply", str(answered), "--body", "Done")[0] == 0
    assert run("assign", str(low), "bob")[0] == 0

    code, out, err = run("list", "--json")
    assert (code, err) == (0, "")
    rows = json.loads(out)
    assert [r["id"] for r in rows] == [urgent, high, normal, low, answered]
    for row in rows:
        assert {
            "id",
            "subject",
            "status",
            "priority",
            "customer_email",
            "assignee",
            "waiting_since",
        } <= set(row)
    assert {
        k: rows[0][k] for k in ("id", "subject", "status", "priority", "customer_email", "assignee")
    } == {
        "id": urgent,
        "subject": "urgent one",
        "status": "new",
        "priority": "urgent",
        "customer_email": "carol@example.com",
        "assignee": None,
    }
    assert rows[3]["assignee"] == "bob"
    assert rows[4]["status"] == "answered" and rows[4]["waiting_since"] is None
    assert all(r["waiting_since"] for r in rows[:4])

    code, out, _ = run("list", "--json", "--status", "attention")
    assert [r["id"] for r in json.loads(out)] == [urgent, high, normal, low]
    code, out, _ = run("list", "--json", "--status", "answered")
    assert [r["id"] for r in json.loads(out)] == [answered]
    code, out, _ = run("list", "--json", "--assignee", "bob")
    assert [r["id"] for r in json.loads(out)] == [low]
    code, out, _ = run("list", "--json", "--search", "urg")
    assert [r["id"] for r in json.loads(out)] == [urgent]
    code, out, _ = run("list", "--json", "--limit", "2", "--offset", "1")
    assert [r["id"] for r in json.loads(out)] == [high, normal]

    code, out, _ = run("list")
    lines = out.splitlines()
    assert len(lines) == 5 and f"#{urgent}" in lines[0] and f"#{answered}" in lines[-1]


def test_show_json_has_ticket_messages_and_events(run, store: Store, new_ticket) -> None:
    ticket_id = new_ticket()
    run("reply", str(ticket_id), "--body", "Restart it")
    run("tag", str(ticket_id), "+vip")
    code, out, err = run("show", str(ticket_id), "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert {
        "id",
        "subject",
        "status",
        "priority",
        "customer_email",
        "assignee",
        "department",
        "tags",
        "waiting_since",
        "version",
        "messages",
        "events",
    } <= set(data)
    assert (data["id"], data["status"], data["tags"]) == (ticket_id, "answered", ["vip"])
    assert [(m["kind"], m["body"]) for m in data["messages"]] == [
        ("customer", "Help!"),
        ("reply", "Restart it"),
    ]
    for event in data["events"]:
        assert {"at", "actor", "kind", "from", "to"} <= set(event)
        datetime.fromisoformat(event["at"].replace("Z", "+00:00"))
    assert [(e["kind"], e["actor"], e["from"], e["to"]) for e in data["events"]] == [
        ("created", "carol@example.com", None, "new"),
        ("replied", AS, "new", "answered"),
        ("tagged", AS, None, "vip"),
    ]
    code, out, _ = run("show", str(ticket_id))
    assert code == 0 and out.startswith(f"#{ticket_id} Printer jammed\n") and "Restart it" in out


# -- bad input: exit 1, one line on stderr, nothing changed ------------------------------------
BAD = {
    "unknown id (show)": (["show", "999"], "No ticket #999"),
    "unknown id (reply)": (["reply", "999", "--body", "x"], "No ticket #999"),
    "unknown id (status)": (["status", "999", "resolved"], "No ticket #999"),
    "unknown id (tag)": (["tag", "999", "+x"], "No ticket #999"),
    "not an id": (["show", "abc"], "Not a ticket id"),
    "an id too large for the store": (["status", "{id},99999999999999999999", "resolved"], "Not a ticket id"),
    "an id too large for show": (["show", "99999999999999999999"], "Not a ticket id"),
    "refused transition": (["status", "{id}", "open"], "cannot be reopened"),
    "refused purge": (["status", "{id}", "purge"], "only deleted tickets can be purged"),
    "same priority": (["priority", "{id}", "normal"], "already has priority"),
    "unknown status": (["status", "{id}", "frozen"], "Unknown status 'frozen'"),
    "built-in status set directly": (["status", "{id}", "answered"], "not directly"),
    "unknown status in list": (["list", "--status", "frozen"], "Unknown status 'frozen'"),
    "unknown priority": (["priority", "{id}", "asap"], "Unknown priority 'asap'"),
    "unknown priority for new": (
        ["new", "--email", "a@b.c", "--subject", "s", "--body", "b", "--priority", "asap"],
        "Unknown priority",
    ),
    "bad e-mail": (
        ["new", "--email", "nobody", "--subject", "s", "--body", "b"],
        "Not an e-mail address",
    ),
    "bad --until": (
        ["status", "{id}", "postponed", "--until", "soon"],
        "Cannot understand the time 'soon'",
    ),
    "--until in the past": (
        ["status", "{id}", "postponed", "--until", "2001-01-01T00:00"],
        "future",
    ),
    "postponed without --until": (["status", "{id}", "postponed"], "needs a time"),
    "--until without postponed": (
        ["status", "{id}", "resolved", "--until", "2h"],
        "only goes with postponed",
    ),
    "tag with a comma": (["tag", "{id}", "+a,b"], "comma"),  # a bare word adds (item 4): see test_names.py
    "missing argument": (["priority", "{id}"], "error"),
    "unknown command": (["frobnicate"], "error"),
    "negative limit": (["list", "--limit", "-1"], "from 0 to"),
}


@pytest.mark.parametrize("case", list(BAD))
def test_bad_input_is_one_line_and_changes_nothing(
    run, store: Store, new_ticket, case: str
) -> None:
    ticket_id = new_ticket()
    args, expected = BAD[case]
    before = dump(store)
    code, out, err = run(*(a.format(id=ticket_id) for a in args))
    assert_one_line_error(code, out, err, expected)
    assert dump(store) == before


def test_corrupt_db_file_is_one_line_and_left_alone(run, tmp_path) -> None:
    path = tmp_path / "corrupt.db"
    garbage = b"this is not sqlite" * 1000
    path.write_bytes(garbage)
    for args in (
        ["list"],
        ["show", "1"],
        ["new", "--email", "a@b.c", "--subject", "s", "--body", "b"],
    ):
        assert_one_line_error(*run(*args, db=str(path)), "not a valid tui-desk database")
    assert path.read_bytes() == garbage


def test_directory_as_db_is_one_line(run, tmp_path) -> None:
    assert_one_line_error(*run("list", db=str(tmp_path)), "is a folder")


def test_locked_db_is_one_line_and_changes_nothing(
    run, store: Store, db_path, new_ticket, monkeypatch
) -> None:
    ticket_id = new_ticket()
    # The CLI waits DEFAULT_BUSY_TIMEOUT (5 s) for a lock; keep the test fast.
    monkeypatch.setattr(cli, "open_store", functools.partial(open_store, busy_timeout=0.2))
    before = dump(store)
    with ExitStack() as held:
        if store.dialect == "postgresql":  # another agent's write transaction holds the desk's write lock
            other = open_store(db_path)
            held.callback(other.close)
            held.enter_context(other.transaction())
        else:
            holder = sqlite3.connect(db_path, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
            held.callback(holder.close)
            held.callback(holder.execute, "ROLLBACK")
        for args in (
            ["reply", str(ticket_id), "--body", "x"],
            ["status", str(ticket_id), "resolved"],
            ["tag", str(ticket_id), "+x"],
            ["new", "--email", "a@b.c", "--subject", "s", "--body", "b"],
        ):
            assert_one_line_error(*run(*args), "locked by another process")
    assert dump(store) == before
    assert run("status", str(ticket_id), "resolved")[0] == 0  # and works once the lock is gone


def test_new_takes_the_customer_name_from_a_full_address(another_db, capsys):
    db = str(another_db("s.db"))
    assert cli.main(["--db", db, "new", "--email", "Bob Builder <bob@example.com>", "--subject", "Hi", "--body", "x"]) == 0
    capsys.readouterr()
    assert cli.main(["--db", db, "show", "1", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["customer_name"] == "Bob Builder"
    assert data["customer_email"] == "bob@example.com"


def test_tag_with_an_option_after_the_tags_is_one_clear_line(another_db, capsys):
    db = str(another_db("s.db"))
    assert cli.main(["--db", db, "new", "--email", "a@b.c", "--subject", "Hi", "--body", "x"]) == 0
    capsys.readouterr()
    assert cli.main(["--db", db, "tag", "1", "+a", "--db", db]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "before the tags" in err


# -- many tickets at once, undo, merge, split ---------------------------------------------------
def test_status_for_a_list_and_range_of_ids_names_the_refused(run, store: Store, new_ticket) -> None:
    ids = [new_ticket(subject=f"Ticket {n}") for n in range(6)]
    assert run("status", str(ids[2]), "spam")[0] == 0
    code, out, err = run("status", f"{ids[0]},{ids[1]}-{ids[5]}", "resolved")
    assert code == 1
    assert out.count("resolved") == 5
    assert f"Ticket #{ids[2]} is Spam and cannot be resolved" in err
    assert err.strip().endswith(f"5 resolved, 1 refused: Ticket #{ids[2]} is Spam and cannot be resolved; only New, Open, Answered, Postponed tickets can")
    assert [queries.get_ticket(store, i).status for i in ids] == ["resolved", "resolved", "spam", "resolved", "resolved", "resolved"]


def test_assign_priority_and_tag_many(run, store: Store, new_ticket) -> None:
    ids = [new_ticket() for _ in range(3)]
    id_list = ",".join(map(str, ids))
    assert run("assign", id_list, "bob")[0] == 0
    assert run("priority", id_list, "urgent")[0] == 0
    code, out, _ = run("tag", id_list, "+vip")
    assert (code, out.splitlines()[-1], len(out.splitlines())) == (0, "3 tagged", 4)
    assert {(t.assignee, t.priority, t.tags) for t in (queries.get_ticket(store, i) for i in ids)} == {
        ("bob", "urgent", ("vip",))
    }


@pytest.mark.parametrize("ids", ["12-", "a,b", "25-20", "1-99999"])
def test_bad_id_lists_are_one_line_errors(run, store: Store, new_ticket, ids) -> None:
    new_ticket()
    before = dump(store)
    assert_one_line_error(*run("status", ids, "resolved"))
    assert dump(store) == before


def test_undo_from_the_command_line(run, store: Store, new_ticket) -> None:
    ids = [new_ticket() for _ in range(2)]
    run("status", f"{ids[0]},{ids[1]}", "resolved")
    code, out, err = run("undo")
    assert (code, err) == (0, "")
    assert out.endswith("Undone: resolve on 2 tickets\n")
    assert {queries.get_ticket(store, i).status for i in ids} == {"new"}
    assert_one_line_error(*run("undo"), "Nothing to undo")
    run("reply", str(ids[0]), "--body", "On it")
    assert_one_line_error(*run("undo"), "cannot be unsent")


def test_merge_and_split_from_the_command_line(run, store: Store, new_ticket) -> None:
    target, source = new_ticket(subject="Invoice"), new_ticket(subject="Re: invoice")
    code, out, _ = run("merge", str(source), f"#{target}")
    assert code == 0
    assert queries.get_ticket(store, source).merged_into == target
    message = queries.ticket_messages(store, target)[-1].id
    code, out, err = run("split", str(message))
    assert (code, err) == (0, "")
    new_id = int(out.split("#")[1])
    assert [m.id for m in queries.ticket_messages(store, new_id)] == [message]
    assert run("undo")[0] == 0  # the split
    assert run("undo")[0] == 0  # the merge
    assert queries.get_ticket(store, source).status == "new"
    assert_one_line_error(*run("merge", str(source), str(source)), "itself")
    assert_one_line_error(*run("split", "999999"), "No message 999999")


def test_list_by_priority_and_an_unknown_priority_is_one_line(run, new_ticket) -> None:
    """`list --priority` (docs/issue17/polish.md): the inbox filter's priority on the command line."""
    urgent = new_ticket("urgent one", "urgent")
    new_ticket("normal one")
    other_urgent = new_ticket("another urgent", "urgent")
    code, out, err = run("list", "--priority", "Urgent", "--json")
    assert (code, err) == (0, "")
    assert sorted(r["id"] for r in json.loads(out)) == sorted([urgent, other_urgent])
    code, out, err = run("list", "--priority", "urgnet")
    assert_one_line_error(code, out, err, "urgnet", "urgent")
