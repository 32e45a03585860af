"""A demo desk filled on PostgreSQL is read well at once (docs/issue14/load.md).

After a bulk fill the planner's statistics would say the tables are empty until autovacuum
comes by, and the inbox's deep pages and counts would sort the whole table meanwhile.
"""

from __future__ import annotations

from datetime import UTC, datetime

from tui_desk.demo import fill_demo
from tui_desk.store import open_store


def test_a_demo_fill_leaves_the_planner_knowing_the_tables(pg_url: str) -> None:
    store = open_store(pg_url)
    try:
        fill_demo(store, tickets=300, seed=3, now=datetime(2026, 3, 2, tzinfo=UTC))
        known = dict(
            store.conn.execute(
                "SELECT relname, reltuples FROM pg_class WHERE relname IN ('tickets', 'messages', 'events')"
            ).fetchall()
        )
        for table in ("tickets", "messages", "events"):
            assert known[table] == store.scalar(f"SELECT count(*) FROM {table}"), table
        # VACUUM marked the pages all-visible: the inbox index answers without the table.
        assert store.scalar("SELECT relallvisible FROM pg_class WHERE relname = 'tickets'") > 0
    finally:
        store.close()
