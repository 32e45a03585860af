"""Issue 14 item 1: the PostgreSQL schema has every table and column of the SQLite store, ticket
numbers from a sequence that a purge never gives back, and word search without stemming."""

from __future__ import annotations

from pathlib import Path

import pg_server
import pytest

from tui_desk.domain.errors import StoreError
from tui_desk.store import open_store

psycopg = pytest.importorskip("psycopg", reason="psycopg is not installed (pip install -e '.[test]')")

from tui_desk.store import pg_schema  # noqa: E402 - needs psycopg only for its types

# SQLite's FTS5 tables are PostgreSQL's GIN expression indexes (tickets_search, messages_search).
FTS_PREFIXES = ("tickets_fts", "messages_fts")


def sqlite_tables(path: Path) -> dict[str, list[str]]:
    store = open_store(path)
    try:
        names = [
            name
            for (name,) in store.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            if not name.startswith(("sqlite_", *FTS_PREFIXES))
        ]
        return {n: [row[1] for row in store.conn.execute(f"PRAGMA table_info({n})")] for n in names}
    finally:
        store.close()


def pg_tables(conn: psycopg.Connection) -> dict[str, list[str]]:
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = 'public' ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        tables.setdefault(table, []).append(column)
    return tables


@pytest.fixture
def pg(pg_url: str):
    with psycopg.connect(pg_url) as conn:
        assert pg_schema.migrate(conn) == 0
        yield conn


def test_every_sqlite_table_has_its_postgresql_table_with_the_same_columns(pg, tmp_path: Path) -> None:
    sqlite = sqlite_tables(tmp_path / "desk.db")
    postgres = pg_tables(pg)
    assert "tickets" in sqlite and "outbox" in sqlite and "action_tickets" in sqlite
    for table, columns in sqlite.items():
        assert table in postgres, table
        assert sorted(postgres[table]) == sorted(columns), table
    assert set(postgres) - set(sqlite) == {"schema_version"}
    search = {
        name: definition
        for name, definition in pg.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexname LIKE '%search'")
    }
    assert set(search) == {"tickets_search", "messages_search"}
    assert all("gin" in d and "search_words" in d for d in search.values())


def test_a_new_desk_starts_with_the_same_statuses_and_saved_replies(pg, tmp_path: Path) -> None:
    store = open_store(tmp_path / "desk.db")
    try:
        statuses = store.conn.execute("SELECT key, name, meaning, builtin, position FROM statuses ORDER BY key").fetchall()
        templates = store.conn.execute("SELECT name, body FROM templates ORDER BY name").fetchall()
        meta = store.conn.execute("SELECT key, value FROM meta ORDER BY key").fetchall()
    finally:
        store.close()
    assert pg.execute("SELECT key, name, meaning, builtin, position FROM statuses ORDER BY key").fetchall() == statuses
    assert pg.execute("SELECT name, body FROM templates ORDER BY name").fetchall() == templates
    assert pg.execute("SELECT key, value FROM meta ORDER BY key").fetchall() == meta


def test_migrating_again_changes_nothing_and_a_newer_schema_is_refused(pg) -> None:
    assert pg_schema.migrate(pg) == pg_schema.PG_SCHEMA_VERSION
    assert pg.execute("SELECT count(*) FROM statuses").fetchone() == (8,)
    assert pg_schema.schema_version(pg) == pg_schema.PG_SCHEMA_VERSION
    pg.execute("INSERT INTO schema_version(version) VALUES (%s)", [pg_schema.PG_SCHEMA_VERSION + 1])
    pg.commit()
    with pytest.raises(StoreError, match="newer tui-desk"):
        pg_schema.migrate(pg, "postgresql://agent:***@db/desk")


def _new_ticket(conn: psycopg.Connection, subject: str) -> int:
    row = conn.execute(
        "INSERT INTO tickets(subject, customer_id, status, priority, priority_rank, created_at, updated_at,"
        " bucket, sort_key) VALUES (%s, 1, 'new', 'normal', 2, '2026-03-02T09:00:00Z', '2026-03-02T09:00:00Z', 0, 0)"
        " RETURNING id",
        [subject],
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_a_purged_tickets_number_never_comes_back(pg) -> None:
    pg.execute("INSERT INTO customers(email, created_at) VALUES ('carol@example.com', '2026-03-02T09:00:00Z')")
    first, second, third = (_new_ticket(pg, f"ticket {n}") for n in range(3))
    assert (first, second, third) == (1, 2, 3)
    # A purge: the highest ticket, then every ticket.
    pg.execute("DELETE FROM tickets WHERE id = %s", [third])
    assert _new_ticket(pg, "after the purge") == 4
    pg.execute("DELETE FROM tickets")
    pg.commit()
    assert _new_ticket(pg, "after purging all") == 5


def test_names_and_addresses_ignore_case_as_sqlites_nocase_does(pg) -> None:
    pg.execute("INSERT INTO customers(email, created_at) VALUES ('Carol@Example.com', 'x')")
    pg.execute("INSERT INTO agents(name) VALUES ('Alice'), ('bob')")
    # The store's own SQL, unchanged: `=` on the column and an explicit COLLATE NOCASE.
    assert pg.execute("SELECT name FROM agents WHERE name = %s", ["ALICE"]).fetchall() == [("Alice",)]
    assert pg.execute("SELECT 1 FROM agents WHERE name = %s COLLATE NOCASE", ["BOB"]).fetchall() == [(1,)]
    assert pg.execute("SELECT name FROM agents ORDER BY name COLLATE NOCASE").fetchall() == [("Alice",), ("bob",)]
    for sql in (
        "INSERT INTO customers(email, created_at) VALUES ('carol@example.COM', 'x')",
        "INSERT INTO agents(name) VALUES ('alice')",
        "INSERT INTO tags(name) VALUES ('VIP'), ('vip')",
        "INSERT INTO departments(name) VALUES ('Sales'), ('SALES')",
        "INSERT INTO templates(name, body, created_at, updated_at) VALUES ('thanks', '', 'x', 'x'), ('THANKS', '', 'x', 'x')",
    ):
        with pytest.raises(psycopg.errors.UniqueViolation), pg.transaction():
            pg.execute(sql)


def _found(conn: psycopg.Connection, words: str) -> list[int]:
    query = pg_schema.search_query(words)
    if query is None:
        return []
    return [
        ticket_id
        for (ticket_id,) in conn.execute(
            "SELECT id FROM tickets WHERE search_words(subject) @@ to_tsquery('tui_desk_text', %s) ORDER BY id",
            [query],
        )
    ]


def test_search_finds_words_without_stemming_and_without_accents(pg) -> None:
    pg.execute("INSERT INTO customers(email, created_at) VALUES ('carol@example.com', 'x')")
    running = _new_ticket(pg, "Printer running out of toner")
    cafe = _new_ticket(pg, "Café Zürich: račun nije stigao")
    assert _found(pg, "running") == [running]
    assert _found(pg, "run") == [running]  # the last word is a prefix, as in SQLite
    assert _found(pg, "run toner") == []  # no English stemming
    assert _found(pg, "of toner") == [running]  # no English stop words either
    assert _found(pg, "racun stig") == [cafe] and _found(pg, "RAČUN") == [cafe]  # as remove_diacritics
    assert _found(pg, "cafe zurich") == [cafe]
    assert _found(pg, "--") == [] and pg_schema.search_query("  ") is None


# What people search for in a help desk, in the languages of its catalogues and beyond.
SUBJECTS = [
    "Invoice 2026-031 not received",
    "Mail from carol@example.com bounced",
    "See https://shop.example.com/orders/12 please",
    "Version 3.1.4 broke the export",
    "foo_bar and baz-qux in the log",
    "Račun nije stigao, molim pomoć",
    "Arve ei jõudnud kohale, öösel",
    "Rēķins nav saņemts — lūdzu",
    "Factura nu a sosit; mulțumesc",
    "Ελληνικά κείμενο για τιμολόγιο",
    "Hindi dumating ang resibo ko",
    "Müller's café «naïve» order",
]
SEARCHES = [
    "invoice", "2026", "031", "carol", "example com", "carol@example.com", "shop orders 12",
    "3.1.4", "3 1", "foo", "bar", "foo_bar", "baz qux", "racun", "Račun pomoć", "molim pom",
    "joudnud", "öösel", "rekins", "saņemts lūdzu", "multumesc", "factura sosit",
    "ελληνικα", "τιμολ", "resibo", "muller", "cafe naive", "s", "order", "nothing here",
]  # fmt: skip

# unaccent also takes the tonos off Greek letters; FTS5's remove_diacritics only Latin marks.
FINDS_MORE = {"ελληνικα"}


def test_search_finds_what_sqlites_fts5_finds_on_the_same_subjects(pg, tmp_path: Path) -> None:
    from tui_desk.store.queries import fts_query

    store = open_store(tmp_path / "desk.db")
    pg.execute("INSERT INTO customers(email, created_at) VALUES ('carol@example.com', 'x')")
    store.conn.execute("INSERT INTO customers(id, email, created_at) VALUES (1, 'carol@example.com', 'x')")
    for subject in SUBJECTS:
        number = _new_ticket(pg, subject)
        store.conn.execute(
            "INSERT INTO tickets(id, subject, customer_id, status, priority, priority_rank, created_at,"
            " updated_at, bucket, sort_key) VALUES (?, ?, 1, 'new', 'normal', 2, 'x', 'x', 0, 0)",
            [number, subject],
        )
    try:
        for words in SEARCHES:
            query = fts_query(words)
            sqlite = [] if query is None else [
                row[0] for row in store.conn.execute("SELECT rowid FROM tickets_fts WHERE tickets_fts MATCH ? ORDER BY rowid", [query])
            ]  # fmt: skip
            found = _found(pg, words)
            assert set(sqlite) <= set(found), words  # never less than SQLite finds
            if words not in FINDS_MORE:
                assert found == sqlite, words
    finally:
        store.close()


def test_a_new_desk_is_refused_in_a_database_that_cannot_search_other_languages(
    pg_server_session: pg_server.PgServer,
) -> None:
    with pg_server_session.database("TEMPLATE template0 LC_CTYPE 'C' LC_COLLATE 'C'") as url, psycopg.connect(url) as conn:
        with pytest.raises(StoreError, match="UTF-8 locale"):
            pg_schema.migrate(conn, "postgresql://desk@/c")
        assert pg_schema.schema_version(conn) == 0  # nothing was made


def test_the_sqlite_store_given_a_url_says_where_postgresql_stores_open(tmp_path: Path, monkeypatch) -> None:
    """Only open_store knows both backends; the SQLite class handed a URL says so in one line,
    hides the password and makes no file named like the URL (it no longer says "not ready")."""
    from tui_desk.store import Store

    monkeypatch.chdir(tmp_path)
    with pytest.raises(StoreError) as raised:
        Store("postgresql://agent:s3cret@db.example/desk")
    message = str(raised.value)
    assert message == (
        "A PostgreSQL store is opened by open_store, not by the SQLite store: postgresql://agent:***@db.example/desk"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_desk_of_schema_2_keeps_who_is_where_and_takes_any_ticket_number(pg_url: str, monkeypatch) -> None:
    from support import FakeClock

    from tui_desk.core import presence
    from tui_desk.core.presence import Doing

    clock = FakeClock()
    with monkeypatch.context() as patch:  # a tui-desk of PostgreSQL schema 2 made this desk
        patch.setattr(pg_schema, "PG_MIGRATIONS", pg_schema.PG_MIGRATIONS[:2])
        patch.setattr(pg_schema, "PG_SCHEMA_VERSION", 2)
        old = open_store(pg_url)
        presence.mark(old, "bob", 7, Doing.VIEWING, clock)
        old.close()
    store = open_store(pg_url)
    try:
        assert store.scalar("SELECT max(version) FROM schema_version") == pg_schema.PG_SCHEMA_VERSION
        assert [p.agent for p in presence.on_ticket(store, 7, clock)] == ["bob"]
        presence.mark(store, "carol", 2**31 + 7, Doing.REPLYING, clock)
        assert [p.agent for p in presence.on_ticket(store, 2**31 + 7, clock)] == ["carol"]
    finally:
        store.close()
