"""The demo data: complete, deterministic, and exactly what TicketService would have written."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tui_desk.cli import main
from tui_desk.core.lifecycle import TicketService
from tui_desk.demo import fill_demo
from tui_desk.domain.clock import from_text
from tui_desk.domain.models import Priority, Status
from tui_desk.store import Store, open_store, queries
from tui_desk.store.queries import InboxFilter

NOW = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
COUNT = 300

STATUS_EVENTS = {
    "created", "customer_message", "replied", "resolved", "postponed", "woken", "reopened", "spam", "deleted",
    "restored", "status",
}
DATA_TABLES = ("customers", "agents", "departments", "tags", "tickets", "ticket_tags", "messages", "attachments",
               "events")


def _open(path: Path) -> Store:
    return open_store(path)


pytestmark = pytest.mark.both_backends


@pytest.fixture(scope="module")
def demo_stores() -> Iterator[tuple[dict[str, object], ExitStack]]:
    """The demo store of each backend, filled once for the module."""
    with ExitStack() as databases:
        yield {}, databases


@pytest.fixture
def demo_path(demo_stores, backend: str, tmp_path_factory: pytest.TempPathFactory, request) -> object:
    made, databases = demo_stores
    if backend not in made:
        if backend == "postgresql":
            location = databases.enter_context(request.getfixturevalue("pg_server_session").database())
        else:
            location = tmp_path_factory.mktemp("demo") / "demo.db"
        store = open_store(location)
        assert fill_demo(store, tickets=COUNT, seed=7, now=NOW) == COUNT
        store.close()
        made[backend] = location
    return made[backend]


@pytest.fixture
def demo(demo_path: Path) -> Iterator[Store]:
    store = _open(demo_path)
    yield store
    store.close()


def _dump(store: Store) -> dict[str, list[tuple]]:
    return {table: [tuple(r) for r in store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2")]
            for table in DATA_TABLES}


def _filled(path: Path, seed: int, tickets: int = 60) -> dict[str, list[tuple]]:
    store = open_store(path)
    try:
        fill_demo(store, tickets=tickets, seed=seed, now=NOW)
        return _dump(store)
    finally:
        store.close()


# -- what is in it ---------------------------------------------------------------------------

def test_every_status_and_priority_is_present(demo: Store) -> None:
    statuses = {r["status"] for r in demo.query("SELECT DISTINCT status FROM tickets")}
    # Merged only comes from an agent merging two tickets, which the demo does not do.
    assert statuses == {s.value for s in Status} - {Status.MERGED.value}
    priorities = {r["priority"] for r in demo.query("SELECT DISTINCT priority FROM tickets")}
    assert priorities == {p.value for p in Priority}
    normal = demo.scalar("SELECT count(*) FROM tickets WHERE priority = 'normal'")
    assert normal > COUNT / 2  # mostly normal


def test_people_threads_and_tags_look_real(demo: Store) -> None:
    assert demo.scalar("SELECT count(*) FROM tickets") == COUNT
    customers = demo.scalar("SELECT count(*) FROM customers")
    assert COUNT / 5 < customers < COUNT / 2
    names = " ".join(r["name"] or "" for r in demo.query("SELECT name FROM customers"))
    assert any(ch in names for ch in "õäöüšžčćđāēīūņļķģșțăâî")
    assert demo.scalar("SELECT count(*) FROM customers WHERE phone IS NOT NULL") > 0
    assert demo.scalar("SELECT count(*) FROM customers WHERE company IS NOT NULL") > 0
    agents = demo.query("SELECT name, full_name FROM agents")
    assert 5 <= len(agents) <= 8 and all(a["full_name"] for a in agents)
    departments = {r["name"] for r in demo.query("SELECT name FROM departments")}
    assert {"Billing", "Technical", "Sales", "Shipping"} <= departments
    tags = {r["name"] for r in demo.query("SELECT name FROM tags")}
    assert {"vip", "refund", "bug", "invoice", "shipping", "login"} <= tags
    kinds = {r["kind"] for r in demo.query("SELECT DISTINCT kind FROM messages")}
    assert kinds == {"customer", "reply", "note"}
    counts = [r["message_count"] for r in demo.query("SELECT message_count FROM tickets")]
    assert min(counts) == 1 and max(counts) >= 40
    assert sum(1 for c in counts if c <= 8) > 0.95 * COUNT
    real = demo.query("SELECT message_count, (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id) AS n FROM tickets t")
    assert all(r["message_count"] == r["n"] for r in real)
    assert demo.scalar("SELECT count(*) FROM attachments") > 0


def test_times_are_spread_over_six_weeks_before_now(demo: Store) -> None:
    first, last = demo.query_one("SELECT min(created_at) AS a, max(updated_at) AS b FROM tickets").values()
    assert from_text(first) >= NOW - timedelta(days=43)
    assert from_text(first) <= NOW - timedelta(days=30)
    assert from_text(last) <= NOW
    assert demo.scalar("SELECT max(at) FROM events") <= "2026-03-02T09:00:00Z"
    # Ids follow arrival, like tickets created one by one.
    created = [r["created_at"] for r in demo.query("SELECT created_at FROM tickets ORDER BY id")]
    assert created == sorted(created)


def test_postponed_spam_and_deleted_tickets_are_complete(demo: Store) -> None:
    for row in demo.query("SELECT * FROM tickets WHERE status = 'postponed'"):
        assert from_text(row["postponed_until"]) > NOW
        assert row["postponed_from"] in ("new", "open", "answered")
    for row in demo.query("SELECT * FROM tickets WHERE status IN ('spam', 'deleted')"):
        assert row["previous_status"] in ("new", "open", "answered", "resolved", "postponed")
    for row in demo.query("SELECT * FROM tickets WHERE status NOT IN ('postponed')"):
        assert row["postponed_until"] is None


def test_awkward_content_is_there(demo: Store) -> None:
    subjects = [r["subject"] for r in demo.query("SELECT subject FROM tickets")]
    assert any("[bold]" in s and "[/]" in s for s in subjects)
    assert any(len(s) > 200 for s in subjects)
    assert any(not s.isascii() for s in subjects)
    assert any("\x1b" in r["body"] for r in demo.query("SELECT body FROM messages"))


def test_search_finds_meaningful_words(demo: Store) -> None:
    for word in ("invoice", "refund", "login", "order", "Šifra", "sifra"):
        rows = queries.inbox_page(demo, InboxFilter(search=word), 0, 50)
        assert rows, word


# -- consistent with the lifecycle -----------------------------------------------------------

def test_status_agrees_with_the_last_status_event(demo: Store) -> None:
    last: dict[int, str] = {}
    for e in demo.query("SELECT ticket_id, kind, to_value FROM events ORDER BY id"):
        if e["kind"] in STATUS_EVENTS:
            last[e["ticket_id"]] = e["to_value"]
    for row in demo.query("SELECT id, status FROM tickets"):
        assert last[row["id"]] == row["status"], row["id"]


def test_events_are_in_time_order_and_actors_are_people(demo: Store) -> None:
    agents = {r["name"] for r in demo.query("SELECT name FROM agents")}
    previous: dict[int, str] = {}
    for e in demo.query("SELECT e.ticket_id, e.at, e.actor, e.kind, c.email FROM events e"
                        " JOIN tickets t ON t.id = e.ticket_id JOIN customers c ON c.id = t.customer_id ORDER BY e.id"):
        assert e["at"] >= previous.get(e["ticket_id"], "")
        previous[e["ticket_id"]] = e["at"]
        if e["kind"] in ("created", "customer_message"):
            assert e["actor"] == e["email"]
        elif e["kind"] == "woken":
            assert e["actor"] == "system"
        else:
            assert e["actor"] in agents, e


def _replay(demo: Store, target: TicketService, clock: list[datetime], ticket_id: int) -> int:
    """Play one demo ticket's timeline through the real service; returns the new ticket's id."""
    ticket = queries.get_ticket(demo, ticket_id)
    messages = demo.query("SELECT * FROM messages WHERE ticket_id = ? ORDER BY id", [ticket_id])
    events = demo.query("SELECT * FROM events WHERE ticket_id = ? ORDER BY id", [ticket_id])
    files = {}
    for a in demo.query("SELECT a.* FROM attachments a JOIN messages m ON m.id = a.message_id"
                        " WHERE m.ticket_id = ? ORDER BY a.id", [ticket_id]):
        files.setdefault(a["message_id"], []).append((a["filename"], a["content_type"], a["data"]))
    first_priority = next((e["from_value"] for e in events if e["kind"] == "priority"), ticket.priority)
    first_department = next((e["from_value"] for e in events if e["kind"] == "department"), ticket.department)
    thread = iter(messages)
    new_id = 0
    i = 0
    while i < len(events):
        e = events[i]
        at = from_text(e["at"])
        clock[0] = at
        kind, actor = e["kind"], e["actor"]
        if kind in ("created", "customer_message", "replied", "note"):
            m = next(thread)
            extra = {"attachments": files.get(m["id"], ())}
            if kind == "created":
                new_id = target.create_ticket(
                    email=ticket.customer_email, name=ticket.customer_name, subject=ticket.subject,
                    body=m["body"], priority=first_priority, department=first_department, at=at,
                    message_id=m["message_id"], **extra,
                )
            elif kind == "customer_message":
                target.add_customer_message(new_id, m["body"], at=at, author=actor, message_id=m["message_id"],
                                            **extra)
            elif kind == "replied":
                target.reply(new_id, m["body"], actor=actor, at=at, **extra)
            else:
                target.add_note(new_id, m["body"], actor=actor)
        elif kind in ("tagged", "untagged"):
            add, remove = [], []
            while i < len(events) and events[i]["kind"] in ("tagged", "untagged") and (
                events[i]["at"], events[i]["actor"]) == (e["at"], actor):
                (add if events[i]["kind"] == "tagged" else remove).append(events[i]["to_value"] or events[i]["from_value"])
                i += 1
            target.tag(new_id, add=add, remove=remove, actor=actor)
            continue
        elif kind == "postponed":
            target.postpone(new_id, from_text(e["detail"]), actor=actor)
        elif kind == "woken":
            target.wake(new_id, actor=actor)
        elif kind == "assigned":
            target.assign(new_id, e["to_value"], actor=actor)
        elif kind == "priority":
            target.set_priority(new_id, e["to_value"], actor=actor)
        elif kind == "department":
            target.set_department(new_id, e["to_value"], actor=actor)
        else:
            action = {"resolved": target.resolve, "reopened": target.reopen, "spam": target.mark_spam,
                      "deleted": target.delete, "restored": target.restore}[kind]
            action(new_id, actor=actor)
        i += 1
    return new_id


def _comparable(store: Store, ticket_id: int) -> dict:
    row = store.query_one(
        "SELECT t.*, c.email AS customer_email, a.name AS assignee, d.name AS department FROM tickets t"
        " JOIN customers c ON c.id = t.customer_id LEFT JOIN agents a ON a.id = t.assignee_id"
        " LEFT JOIN departments d ON d.id = t.department_id WHERE t.id = ?", [ticket_id])
    assert row is not None
    for column in ("id", "customer_id", "assignee_id", "department_id"):
        del row[column]
    row["tags"] = sorted(queries.get_ticket(store, ticket_id).tags)
    row["messages"] = [
        (*tuple(r.values())[1:], [tuple(a.values()) for a in store.query(
            "SELECT filename, size FROM attachments WHERE message_id = ? ORDER BY id", [r["id"]])])
        for r in store.query(
            "SELECT id, kind, author, body, created_at, message_id FROM messages m WHERE ticket_id = ? ORDER BY id",
            [ticket_id])
    ]
    row["events"] = [
        tuple(r.values()) for r in store.query(
            "SELECT at, actor, kind, from_value, to_value, detail FROM events WHERE ticket_id = ? ORDER BY id",
            [ticket_id])
    ]
    return row


def test_demo_tickets_are_what_the_service_would_have_written(demo: Store, another_db) -> None:
    """Replay every demo ticket's timeline through TicketService: same columns, thread and events."""
    replayed = open_store(another_db("replay.db"))
    clock = [NOW]
    service = TicketService(replayed, clock=lambda: clock[0], actor="nobody")
    try:
        for (ticket_id,) in demo.conn.execute("SELECT id FROM tickets ORDER BY id").fetchall():
            new_id = _replay(demo, service, clock, ticket_id)
            assert _comparable(replayed, new_id) == _comparable(demo, ticket_id), ticket_id
    finally:
        replayed.close()


# -- deterministic ---------------------------------------------------------------------------

def test_same_seed_and_now_give_the_same_data(another_db) -> None:
    assert _filled(another_db("a.db"), seed=3) == _filled(another_db("b.db"), seed=3)


def test_another_seed_gives_other_data(another_db) -> None:
    a, b = _filled(another_db("a.db"), seed=3), _filled(another_db("b.db"), seed=4)
    assert a["tickets"] != b["tickets"] and a["messages"] != b["messages"]


def test_it_appends_to_an_existing_store(store: Store) -> None:
    try:
        service = TicketService(store, actor="alice")
        mine = service.create_ticket(email="carol@example.com", subject="Printer jammed", body="E42")
        service.assign(mine, "alice")
        fill_demo(store, tickets=80, seed=1, now=NOW)
        customers = store.scalar("SELECT count(*) FROM customers")
        fill_demo(store, tickets=80, seed=1, now=NOW)  # same people again: reused, not duplicated
        assert store.scalar("SELECT count(*) FROM tickets") == 161
        assert store.scalar("SELECT count(*) FROM customers") == customers
        assert store.scalar("SELECT count(*) FROM agents WHERE name = 'alice'") == 1
        assert queries.get_ticket(store, mine).subject == "Printer jammed"
        assert [r.id for r in queries.inbox_page(store, InboxFilter(search="jammed"))] == [mine]
        if store.dialect == "sqlite":  # the file's own checks; PostgreSQL checks its foreign keys at each write
            assert store.conn.execute("INSERT INTO messages_fts(messages_fts) VALUES ('integrity-check')").fetchall() == []
            assert store.conn.execute("INSERT INTO tickets_fts(tickets_fts) VALUES ('integrity-check')").fetchall() == []
            assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        store.close()


def test_zero_tickets_adds_nothing(store: Store) -> None:
    try:
        assert fill_demo(store, tickets=0, seed=1, now=NOW) == 0
        assert store.scalar("SELECT count(*) FROM tickets") == 0
    finally:
        store.close()


# -- usable ----------------------------------------------------------------------------------

def test_service_actions_work_on_demo_tickets(store: Store) -> None:
    clock = [NOW + timedelta(minutes=5)]
    service = TicketService(store, clock=lambda: clock[0], actor="alice")
    try:
        fill_demo(store, tickets=120, seed=2, now=NOW)
        new = store.scalar("SELECT id FROM tickets WHERE status = 'new' ORDER BY id LIMIT 1")
        change = service.reply(new, "We are looking into it.")
        assert (change.from_value, change.to_value) == ("new", "answered")
        assert queries.get_ticket(store, new).status == "answered"

        deleted = store.query_one("SELECT id, previous_status FROM tickets WHERE status = 'deleted' LIMIT 1")
        assert deleted is not None
        assert service.restore(deleted["id"]).to_value == deleted["previous_status"]

        postponed = {r["id"]: r["postponed_from"] for r in store.query(
            "SELECT id, postponed_from FROM tickets WHERE status = 'postponed'")}
        assert postponed and service.wake_due() == []  # all postponed into the future
        clock[0] = NOW + timedelta(days=15)
        woken = {c.ticket_id: c.to_value for c in service.wake_due()}
        assert woken == postponed

        for row in store.query("SELECT id, version FROM tickets WHERE status = 'answered' LIMIT 3"):
            service.add_customer_message(row["id"], "Still broken.", expected_version=row["version"])
            assert queries.get_ticket(store, row["id"]).status == "open"
    finally:
        store.close()


def test_demo_command(another_db, capsys: pytest.CaptureFixture[str]) -> None:
    path = another_db("cli.db")
    assert main(["demo", "--tickets", "50", "--db", str(path)]) == 0
    assert "50" in capsys.readouterr().out
    other = another_db("cli2.db")  # demo data goes only into an empty store (issue 12, item 12)
    assert main(["demo", "--tickets", "20", "--seed", "5", "--now", "2026-03-02T09:00:00Z", "--db", str(other)]) == 0
    store = open_store(other)
    try:
        assert store.scalar("SELECT count(*) FROM tickets") == 20
        assert store.scalar("SELECT max(updated_at) FROM tickets") <= "2026-03-02T09:00:00Z"
    finally:
        store.close()
