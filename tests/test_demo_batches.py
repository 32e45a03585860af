"""`tui-desk demo` makes and writes its tickets in batches (issue 16: a million tickets in a few
hundred MB), and still gives the same data for the same seed and time."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from tui_desk.demo import fill, fill_demo
from tui_desk.store import Store

pytestmark = pytest.mark.both_backends

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TABLES = ("agents", "departments", "tags", "customers", "tickets", "ticket_tags", "messages", "attachments", "events")

# Taken from the demo as it was before batching (every ticket made, sorted, then written at once):
# the batches must give the same rows, ids included.
DIGEST_300_SEED_7 = "9526243ee899702467d48a7780e849f0be33e33d7c340ebdbc6ceb3ed78cb930"


def _digest(store: Store) -> str:
    digest = hashlib.sha256()
    for table in (*TABLES, "statuses"):
        for row in store.conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2"):
            digest.update(repr(tuple(row)).encode())
    return digest.hexdigest()


def test_the_same_seed_and_time_give_the_rows_the_demo_always_gave(store: Store, backend: str) -> None:
    if backend != "sqlite":
        pytest.skip("the digest was taken on SQLite (PostgreSQL returns other Python types)")
    fill_demo(store, tickets=300, seed=7, now=NOW)
    assert _digest(store) == DIGEST_300_SEED_7


def test_the_tickets_are_written_a_batch_at_a_time(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fill, "BATCH_TICKETS", 100)
    seen: list[tuple[int, int, int]] = []

    def progress(written: int, total: int) -> None:
        # Inside the fill's transaction: what the batches have written so far.
        seen.append((written, total, store.scalar("SELECT count(*) FROM tickets")))

    assert fill_demo(store, tickets=250, seed=3, now=NOW, progress=progress) == 250
    assert seen == [(100, 250, 100), (200, 250, 200), (250, 250, 250)]
    # Ids still follow arrival, and every message, event and attachment is its ticket's.
    created = [row[0] for row in store.conn.execute("SELECT created_at FROM tickets ORDER BY id")]
    assert created == sorted(created)
    assert store.scalar("SELECT count(*) FROM messages m LEFT JOIN tickets t ON t.id = m.ticket_id WHERE t.id IS NULL") == 0
    assert store.scalar("SELECT count(*) FROM tickets t WHERE message_count != (SELECT count(*) FROM messages m WHERE m.ticket_id = t.id)") == 0


def test_a_second_fill_appends_after_what_is_there(store: Store) -> None:
    fill_demo(store, tickets=120, seed=1, now=NOW)
    before = {table: store.scalar(f"SELECT count(*) FROM {table}") for table in ("tickets", "messages", "events")}
    fill_demo(store, tickets=120, seed=2, now=NOW)
    after = {table: store.scalar(f"SELECT count(*) FROM {table}") for table in ("tickets", "messages", "events")}
    assert after["tickets"] == 2 * before["tickets"]
    assert after["messages"] > before["messages"] and after["events"] > before["events"]
    # The new rows took ids above the old ones: no event or attachment points at another ticket's.
    assert store.scalar(
        "SELECT count(*) FROM events e JOIN tickets t ON t.id = e.ticket_id WHERE e.at < t.created_at"
    ) == 0


def test_sla_clocks_replayed_a_range_at_a_time_are_the_clocks_replayed_at_once(store: Store) -> None:
    from tui_desk.core.lifecycle import TicketService
    from tui_desk.store.sla_clocks import SLA_COLUMNS, fingerprints

    fill_demo(store, tickets=150, seed=4, now=NOW)
    columns = ", ".join(SLA_COLUMNS)
    expected = store.conn.execute(f"SELECT id, {columns} FROM tickets ORDER BY id").fetchall()
    assert any(row[4] is not None for row in expected)  # some clocks run: a due time
    assert fingerprints(store.conn).get("sla_fingerprint")
    with store.transaction() as conn:
        conn.execute("UPDATE tickets SET sla_elapsed = 0, sla_running_since = NULL, sla_first_elapsed = NULL,"
                     " sla_due = NULL")
        conn.execute("DELETE FROM meta WHERE key LIKE 'sla_%'")
    service = TicketService(store, clock=lambda: NOW)
    assert service.rebuild_sla(chunk=37) == 150
    assert store.conn.execute(f"SELECT id, {columns} FROM tickets ORDER BY id").fetchall() == expected
    assert fingerprints(store.conn).get("sla_fingerprint") == service.sla_fingerprint()
