"""The PostgreSQL adapter's rewrites of the store's SQLite SQL (no server needed)."""

from __future__ import annotations

from tui_desk.store.pg_connection import translate


def test_placeholders_and_percent_signs() -> None:
    assert translate("SELECT id FROM tickets WHERE subject = ? AND body LIKE '50%'") == (
        "SELECT id FROM tickets WHERE subject = %s AND body LIKE '50%%'",
        False,
    )


def test_an_insert_into_a_table_with_ids_returns_its_id() -> None:
    text, returning = translate("INSERT INTO events(ticket_id, at) VALUES (?, ?)")
    assert returning and text == "INSERT INTO events(ticket_id, at) VALUES (%s, %s) RETURNING id"
    assert translate("INSERT INTO ticket_tags(ticket_id, tag_id) VALUES (?, ?)")[1] is False


def test_insert_or_ignore_and_or_replace() -> None:
    text, _ = translate("INSERT OR IGNORE INTO tags(name) VALUES (?)")
    assert text == "INSERT INTO tags(name) VALUES (%s) ON CONFLICT DO NOTHING RETURNING id"
    text, _ = translate("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)")
    assert text == "INSERT INTO meta(key, value) VALUES (%s, %s) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value"


def test_json_lists_and_times() -> None:
    text, _ = translate("DELETE FROM tickets WHERE id IN (SELECT value FROM json_each(?))")
    assert text == "DELETE FROM tickets WHERE id IN (SELECT value::bigint FROM json_array_elements_text(%s::json))"
    text, _ = translate("SELECT unixepoch(at) FROM events")
    assert text == "SELECT floor(extract(epoch FROM (at)::timestamptz))::bigint FROM events"
    # As the store writes it where the Python's SQLite is older than 3.38 (store/sla_clocks.py).
    text, _ = translate("SELECT CAST(strftime('%s', t.at) AS INTEGER) FROM events t")
    assert text == "SELECT floor(extract(epoch FROM (t.at)::timestamptz))::bigint FROM events t"
