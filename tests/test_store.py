"""The SQLite store: creation and migration, clear errors for bad files, search, inbox order."""

from __future__ import annotations

import random
import sqlite3
from datetime import timedelta

import pytest
from support import dump

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.errors import StoreError
from tui_desk.store import Store, db, open_store, queries
from tui_desk.store.queries import InboxFilter
from tui_desk.store.schema import SCHEMA_VERSION

pytestmark = pytest.mark.both_backends


# -- creation, migration, pragmas --------------------------------------------------------------
def test_schema_is_created_lazily_with_wal_and_foreign_keys(tmp_path) -> None:
    path = tmp_path / "sub" / "folder" / "desk.db"
    store = Store(path)
    assert not path.exists()  # nothing happens until the store is used

    assert store.scalar("PRAGMA user_version") == SCHEMA_VERSION
    assert path.is_file()
    assert store.scalar("PRAGMA foreign_keys") == 1
    assert store.scalar("PRAGMA journal_mode") == "wal"
    statuses = [r["key"] for r in store.query("SELECT key FROM statuses ORDER BY position")]
    assert statuses == ["new", "open", "answered", "postponed", "resolved", "spam", "deleted", "merged"]
    store.close()

    # WAL is a property of the file: any other connection sees it too.
    other = sqlite3.connect(path)
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert other.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    other.close()


def test_reopening_does_not_migrate_again(tmp_path, monkeypatch, clock) -> None:
    path = tmp_path / "desk.db"
    first = open_store(path)
    ticket_id = TicketService(first, clock=clock).create_ticket(
        email="a@example.com", subject="Kept", body="Body"
    )
    first.close()

    def must_not_run(database) -> None:
        raise AssertionError("migration ran on an up-to-date store")

    monkeypatch.setattr(db, "MIGRATIONS", [must_not_run] * SCHEMA_VERSION)
    again = open_store(path)
    assert again.scalar("PRAGMA user_version") == SCHEMA_VERSION
    assert queries.get_ticket(again, ticket_id).subject == "Kept"
    assert again.scalar("SELECT count(*) FROM statuses") == 8  # built-ins not inserted twice
    again.close()


def test_store_from_a_newer_version_is_refused(tmp_path) -> None:
    path = tmp_path / "desk.db"
    open_store(path).close()
    raw = sqlite3.connect(path)
    raw.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    raw.commit()
    raw.close()

    with pytest.raises(StoreError) as caught:
        open_store(path)
    message = str(caught.value)
    assert "newer" in message and str(path) in message and "\n" not in message
    raw = sqlite3.connect(path)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION + 1  # left alone
    raw.close()


def test_corrupt_file_gives_one_line_store_error_and_is_left_alone(tmp_path) -> None:
    path = tmp_path / "desk.db"
    garbage = random.Random(7).randbytes(64 * 1024)
    path.write_bytes(garbage)

    with pytest.raises(StoreError) as caught:
        open_store(path)
    message = str(caught.value)
    assert "\n" not in message and message.strip() == message
    assert str(path) in message and "not a valid tui-desk database" in message
    assert path.read_bytes() == garbage


def test_directory_as_path_gives_store_error(tmp_path) -> None:
    with pytest.raises(StoreError) as caught:
        open_store(tmp_path)
    assert "folder" in str(caught.value) and "\n" not in str(caught.value)


def test_path_below_a_file_gives_store_error(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreError) as caught:
        open_store(blocker / "desk.db")
    assert "\n" not in str(caught.value)


def test_foreign_keys_cascade_on_purge(service: TicketService, store: Store) -> None:
    ticket_id = service.create_ticket(email="a@example.com", subject="Gone", body="Soon")
    service.tag(ticket_id, add=["x"])
    service.delete(ticket_id)
    service.purge(ticket_id)
    for table in ("messages", "events", "ticket_tags"):
        assert store.scalar(f"SELECT count(*) FROM {table}") == 0
    assert store.scalar("SELECT count(*) FROM tags") == 1  # the tag itself stays for reuse
    if store.dialect == "sqlite":  # PostgreSQL checks every foreign key on each write
        assert store.scalar("PRAGMA foreign_key_check") is None


def test_a_long_thread_shows_its_latest_messages_in_order(service: TicketService, store: Store) -> None:
    ticket_id = service.create_ticket(email="a@example.com", subject="Long", body="first")
    for n in range(4):
        service.add_note(ticket_id, f"note {n}")
    latest = queries.ticket_messages(store, ticket_id, limit=3)
    assert [m.body for m in latest] == ["note 1", "note 2", "note 3"]


# -- full-text search ------------------------------------------------------------------------
@pytest.fixture
def searchable(service: TicketService, clock) -> dict[str, int]:
    ids = {}
    ids["printer"] = service.create_ticket(
        email="a@example.com", subject="Printer jammed again", body="Paper stuck in tray 2"
    )
    clock.advance(minutes=1)
    ids["invoice"] = service.create_ticket(
        email="b@example.com", subject="Question", body="My invoice shows the wrong VAT number"
    )
    clock.advance(minutes=1)
    ids["later"] = service.create_ticket(
        email="c@example.com", subject="Login", body="Cannot sign in"
    )
    service.add_customer_message(ids["later"], "Also the invoice PDF is blank")
    clock.advance(minutes=1)
    ids["accents"] = service.create_ticket(
        email="d@example.com", subject="Résolution d'écran", body="Ekraan on edasilükatud"
    )
    clock.advance(minutes=1)
    ids["spam"] = service.create_ticket(
        email="e@example.com", subject="Cheap printer ink", body="Buy now"
    )
    service.mark_spam(ids["spam"])
    return ids


def search(store: Store, text: str, **kwargs) -> list[int]:
    return sorted(r.id for r in queries.inbox_page(store, InboxFilter(search=text, **kwargs)))


def test_search_finds_words_in_subjects_and_bodies(store: Store, searchable) -> None:
    assert search(store, "printer") == [searchable["printer"]]  # subject (spam one hidden)
    assert search(store, "tray") == [searchable["printer"]]  # first message body
    assert search(store, "invoice") == sorted(
        [searchable["invoice"], searchable["later"]]
    )  # any message
    assert search(store, "INVOICE vat") == [searchable["invoice"]]  # every word must match
    assert search(store, "printer", view="status", statuses=("spam",)) == [searchable["spam"]]
    assert search(store, "resolution") == [searchable["accents"]]  # diacritics do not matter
    assert search(store, "edasilukatud") == [searchable["accents"]]
    assert search(store, "nothing-like-this") == []


def test_search_treats_the_last_word_as_a_prefix(store: Store, searchable) -> None:
    assert search(store, "print") == [searchable["printer"]]
    assert search(store, "paper stu") == [searchable["printer"]]
    assert search(store, "invo") == sorted([searchable["invoice"], searchable["later"]])
    assert search(store, "pap tray") == []  # only the last word is a prefix


@pytest.mark.parametrize(
    "odd",
    [
        '"',
        '""',
        "AND (",
        "*",
        "printer*",
        "OR",
        "NOT printer",
        "-",
        "^",
        "NEAR(a b)",
        "a:b",
        "'",
        "\\",
        "(((",
        "%_",
        "\x00",
        "  ",
    ],
)
def test_odd_search_input_does_not_crash(store: Store, searchable, odd: str) -> None:
    rows = queries.inbox_page(store, InboxFilter(search=odd))
    assert isinstance(rows, list)
    assert queries.inbox_count(store, InboxFilter(search=odd)) == len(rows)


def test_search_with_operators_as_words_matches_literally(store: Store, searchable) -> None:
    assert search(store, "printer*") == [searchable["printer"]]
    assert search(store, '"printer') == [searchable["printer"]]
    assert search(store, "*") == []


# -- inbox order and filters ----------------------------------------------------------------
@pytest.fixture
def inbox(service: TicketService, clock) -> dict[str, int]:
    """Hand-made tickets, each created one minute after the previous."""

    def new(name: str, priority: str = "normal") -> int:
        ticket_id = service.create_ticket(
            email=f"{name}@example.com", subject=name, body=f"{name} needs help", priority=priority
        )
        clock.advance(minutes=1)
        return ticket_id

    t = {}
    t["reopened"] = new("reopened")  # oldest ticket, but the customer's wait started late
    t["old_normal"] = new("old_normal")
    t["urgent"] = new("urgent", "urgent")
    t["low"] = new("low", "low")
    t["answered_high"] = new("answered_high", "high")
    t["answered_urgent"] = new("answered_urgent", "urgent")
    t["young_normal"] = new("young_normal")
    t["high"] = new("high", "high")
    t["resolved"] = new("resolved")
    t["spam"] = new("spam", "urgent")
    t["deleted"] = new("deleted", "urgent")
    t["postponed"] = new("postponed")

    service.reply(t["reopened"], "Try again")
    clock.advance(minutes=1)
    service.add_customer_message(t["reopened"], "Still broken")  # Open, waiting since now
    clock.advance(minutes=1)
    service.reply(t["answered_high"], "Done?")
    clock.advance(minutes=1)
    service.reply(t["answered_urgent"], "Done?")  # touched after answered_high
    clock.advance(minutes=1)
    service.tag(t["resolved"], add=["VIP"])
    service.resolve(t["resolved"])
    clock.advance(minutes=1)
    service.mark_spam(t["spam"])
    service.delete(t["deleted"])
    service.postpone(t["postponed"], clock() + timedelta(days=1))
    clock.advance(minutes=1)

    service.assign(t["urgent"], "bob")
    service.assign(t["answered_high"], "bob")
    service.assign(t["low"], "dave")
    service.set_department(t["old_normal"], "Billing")
    service.set_department(t["answered_urgent"], "Billing")
    service.tag(t["young_normal"], add=["vip"])
    service.tag(t["spam"], add=["vip"])
    return t


def page(store: Store, flt: InboxFilter = InboxFilter(), **kwargs) -> list[int]:  # noqa: B008
    return [r.id for r in queries.inbox_page(store, flt, **kwargs)]


def names(t: dict[str, int], ids: list[int]) -> list[str]:
    by_id = {v: k for k, v in t.items()}
    return [by_id[i] for i in ids]


def test_inbox_order_attention_first_then_priority_then_longest_wait(store: Store, inbox) -> None:
    assert names(inbox, page(store)) == [
        # needs attention (New, Open): urgent > high > normal > low, longest wait first
        "urgent",
        "high",
        "old_normal",
        "young_normal",
        "reopened",  # created first, but waiting only since the customer wrote again
        "low",
        # the rest of the live tickets: by priority, most recently touched first
        "answered_urgent",
        "answered_high",
        "postponed",
        "resolved",
    ]
    rows = queries.inbox_page(store, InboxFilter())
    assert [r.needs_attention for r in rows] == [True] * 6 + [False] * 4


def test_attention_view_and_priority_changes(service: TicketService, store: Store, inbox) -> None:
    attention = InboxFilter(view=queries.VIEW_ATTENTION)
    assert names(inbox, page(store, attention)) == [
        "urgent",
        "high",
        "old_normal",
        "young_normal",
        "reopened",
        "low",
    ]
    service.set_priority(inbox["low"], "urgent")  # created after "urgent": waited less
    service.set_priority(inbox["old_normal"], "urgent")
    assert names(inbox, page(store, attention)) == [
        "old_normal",
        "urgent",
        "low",
        "high",
        "young_normal",
        "reopened",
    ]
    assert queries.inbox_count(store, attention) == 6
    assert queries.inbox_position(store, attention, inbox["low"]) == 2
    assert queries.inbox_position(store, attention, inbox["resolved"]) is None


def test_pages_are_consistent_with_the_full_list(store: Store, inbox) -> None:
    full = page(store, limit=100)
    assert len(full) == queries.inbox_count(store, InboxFilter()) == 10
    assert (
        page(store, limit=3) + page(store, offset=3, limit=3) + page(store, offset=6, limit=10)
        == full
    )
    assert page(store, offset=50) == []
    for position, ticket_id in enumerate(full):
        assert queries.inbox_position(store, InboxFilter(), ticket_id) == position


def test_filter_by_status(store: Store, inbox) -> None:
    def by(*statuses: str) -> list[str]:
        return names(inbox, page(store, InboxFilter(view="status", statuses=statuses)))

    assert by("answered") == ["answered_urgent", "answered_high"]
    assert by("new", "open") == ["urgent", "high", "old_normal", "young_normal", "reopened", "low"]
    assert by("open") == ["reopened"]
    assert by("spam") == ["spam"]
    assert by("deleted") == ["deleted"]
    assert by("spam", "deleted") == ["spam", "deleted"]
    assert by("postponed", "resolved") == ["postponed", "resolved"]
    assert queries.inbox_count(store, InboxFilter(view="status", statuses=("answered",))) == 2


def test_filter_by_assignee_department_and_tag(store: Store, inbox) -> None:
    assert names(inbox, page(store, InboxFilter(assignee="bob"))) == ["urgent", "answered_high"]
    assert names(inbox, page(store, InboxFilter(assignee="Bob"))) == ["urgent", "answered_high"]
    assert names(inbox, page(store, InboxFilter(assignee="dave"))) == ["low"]
    assert page(store, InboxFilter(assignee="nobody")) == []
    unassigned = names(inbox, page(store, InboxFilter(assignee="-")))
    assert unassigned == [
        "high",
        "old_normal",
        "young_normal",
        "reopened",
        "answered_urgent",
        "postponed",
        "resolved",
    ]
    assert names(inbox, page(store, InboxFilter(department="Billing"))) == [
        "old_normal",
        "answered_urgent",
    ]
    assert names(inbox, page(store, InboxFilter(department="billing"))) == [
        "old_normal",
        "answered_urgent",
    ]
    assert names(inbox, page(store, InboxFilter(tag="vip"))) == [
        "young_normal",
        "resolved",
    ]  # spam stays hidden
    assert names(inbox, page(store, InboxFilter(tag="vip", view=queries.VIEW_ATTENTION))) == [
        "young_normal"
    ]
    assert names(inbox, page(store, InboxFilter(tag="VIP", assignee="-"))) == [
        "young_normal",
        "resolved",
    ]


def test_status_counts(store: Store, inbox) -> None:
    assert queries.status_counts(store) == {
        "new": 5,
        "open": 1,
        "answered": 2,
        "postponed": 1,
        "resolved": 1,
        "spam": 1,
        "deleted": 1,
        "merged": 0,
    }


# -- query plans: every page comes from the ordering index ----------------------------------
def captured_page_sql(
    store: Store, flt: InboxFilter, monkeypatch: pytest.MonkeyPatch
) -> tuple[str, list]:
    """The SQL and parameters inbox_page really runs."""
    seen: list[tuple[str, list]] = []
    real = store.query

    def spy(sql, params=()):
        seen.append((sql, list(params)))
        return real(sql, params)

    monkeypatch.setattr(store, "query", spy)
    queries.inbox_page(store, flt, offset=40, limit=20)
    monkeypatch.setattr(store, "query", real)
    [(sql, params)] = [(s, p) for s, p in seen if "ORDER BY" in s]
    return sql, params


def plan_of(store: Store, sql: str, params: list) -> list[tuple[int, int, str]]:
    return [(r[0], r[1], r[3]) for r in store.conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]


def subtree(plan: list[tuple[int, int, str]], root: int) -> list[str]:
    ids = {root}
    details = []
    for node, parent, detail in plan:  # parents always come before their children
        if parent in ids:
            ids.add(node)
            details.append(detail)
    return details


@pytest.mark.parametrize(
    "flt",
    [
        pytest.param(InboxFilter(), id="default"),
        pytest.param(InboxFilter(view=queries.VIEW_ATTENTION), id="attention"),
        pytest.param(InboxFilter(view="status", statuses=("resolved",)), id="one-status"),
        pytest.param(InboxFilter(assignee="bob"), id="assignee"),
        pytest.param(InboxFilter(assignee="-"), id="unassigned"),
        pytest.param(InboxFilter(department="Billing"), id="department"),
    ],
)
def test_inbox_page_reads_its_order_from_an_index(
    service: TicketService, store: Store, inbox, monkeypatch, flt
) -> None:
    if store.dialect == "postgresql":
        pytest.skip("SQLite's query plan; PostgreSQL's depends on table statistics (store_bench measures it)")
    sql, params = captured_page_sql(store, flt, monkeypatch)
    plan = plan_of(store, sql, params)
    text = "\n".join(d for _, _, d in plan)

    # The page's ids: taken in order from an index, never a table scan, never a sort.
    [page_root] = [
        node for node, _, detail in plan if detail in ("MATERIALIZE page", "CO-ROUTINE page")
    ]
    inner = subtree(plan, page_root)
    ticket_access = [d for d in inner if d.startswith(("SEARCH t ", "SCAN t "))]
    assert ticket_access and all("INDEX tickets_" in d for d in ticket_access), text
    assert not any("TEMP B-TREE" in d for d in inner), text

    # The outer query only looks up those few ids by primary key; the one sort it may do
    # is over the page itself (at most `limit` rows), outside the page subquery.
    outer = [d for node, parent, d in plan if parent == 0 and node != page_root]
    assert "SCAN page" in outer, text
    assert not any(d.startswith("SCAN t") for d in outer), text
    assert any(d.startswith("SEARCH t USING INTEGER PRIMARY KEY") for d in outer), text

    # And the answer is still right.
    assert page(store, flt) == [r.id for r in queries.inbox_page(store, flt, limit=1000)][:50]


def test_failed_transaction_rolls_back_with_a_one_line_store_error(
    store: Store, searchable
) -> None:
    before = dump(store)
    with pytest.raises(StoreError) as caught, store.transaction() as conn:
        conn.execute("UPDATE tickets SET subject = 'changed' WHERE id = ?", [searchable["printer"]])
        conn.execute("INSERT INTO tickets(id) VALUES (NULL)")  # violates NOT NULL
    assert "\n" not in str(caught.value)
    assert dump(store) == before
    assert search(store, "printer") == [
        searchable["printer"]
    ]  # the search index was rolled back too
    assert search(store, "changed") == []


def test_another_programs_database_is_refused_and_left_alone(tmp_path, backend, request):
    import sqlite3

    from tui_desk.domain.errors import StoreError
    from tui_desk.store import open_store

    if backend == "postgresql":  # a team's TUI_DESK_DB pointing at their application's database
        import psycopg

        url = request.getfixturevalue("pg_url")
        with psycopg.connect(url, autocommit=True) as other:
            other.execute("CREATE TABLE invoices (id bigint PRIMARY KEY, amount numeric)")
            with pytest.raises(StoreError, match="another program"):
                open_store(url).conn  # noqa: B018 - the first connection migrates
            tables = other.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
            assert tables == [("invoices",)]
        return
    path = tmp_path / "other.db"
    other = sqlite3.connect(path)
    other.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, amount REAL)")
    other.commit()
    other.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another program"):
        open_store(path)
    assert path.read_bytes() == before


def test_upgrading_a_v3_store_with_a_custom_merged_status_keeps_its_tickets(tmp_path, clock) -> None:
    import sqlite3

    import sqlite_utils

    from tui_desk.core.lifecycle import TicketService
    from tui_desk.store import queries
    from tui_desk.store.schema import MIGRATIONS

    path = tmp_path / "v3.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for migrate in MIGRATIONS[:3]:
        migrate(sqlite_utils.Database(conn))
    conn.execute("PRAGMA user_version = 3")
    conn.execute("INSERT INTO statuses(key, name, meaning, builtin, position) VALUES ('merged', 'Merged', 'done', 0, 100)")
    conn.execute("INSERT INTO customers(email, name, created_at) VALUES ('a@example.com', 'A', '2026-01-01')")
    conn.execute(
        "INSERT INTO tickets(subject, customer_id, status, priority, priority_rank, created_at, updated_at, version,"
        " message_count, bucket, sort_key) VALUES ('Old', 1, 'merged', 'normal', 2, '2026-01-01T00:00:00+00:00',"
        " '2026-01-01T00:00:00+00:00', 1, 0, 2, 0)"
    )
    conn.close()

    store = open_store(path)  # no "UNIQUE constraint failed": the custom status moves aside
    try:
        ticket = queries.get_ticket(store, 1)
        custom = TicketService(store, clock=clock).status_def(ticket.status)
        assert (custom.key, custom.label, custom.builtin) == ("merged-2", "Merged", False)
        assert TicketService(store, clock=clock).status_def("merged").builtin
    finally:
        store.close()


def test_agent_names_are_the_active_agents_in_order(store: Store) -> None:
    """What the app offers to assign to (ticket_actions, navigation): on PostgreSQL too, where an
    integer column is no truth value of its own."""
    service = TicketService(store, actor="alice")
    first = service.create_ticket(email="a@example.com", subject="s", body="b")
    service.assign(first, "carol")
    service.assign(first, "bob")
    with store.transaction() as conn:
        conn.execute("UPDATE agents SET active = 0 WHERE name = 'carol'")
    assert queries.agent_names(store) == ["bob"]
