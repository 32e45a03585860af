"""Rows written together with their ids given (store/bulk.py insert_rows, the import's batch path,
core/new_tickets.py): the ids are the ones a row-by-row write gives, and once PostgreSQL's sequences
are moved past them (store/pg_row_ids.py) the store goes on after them."""

from __future__ import annotations

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, bulk, pg_row_ids

pytestmark = pytest.mark.both_backends


def test_rows_with_their_ids_given_and_the_next_row_after_them(store: Store, service: TicketService) -> None:
    first = service.create_ticket(email="ana@example.org", subject="First", body="One.")
    with store.transaction() as conn:
        ids = (pg_row_ids if store.dialect == "postgresql" else bulk).next_row_ids(conn)
        assert ids["tickets"] == first + 1
        bulk.insert_rows(conn, "customers", [
            {"id": ids["customers"], "email": "bo@example.org", "name": "Bo", "created_at": "2026-03-02T09:00:00Z"},
        ])
        bulk.insert_rows(conn, "tickets", [
            {"id": ids["tickets"], "subject": "Second", "customer_id": ids["customers"], "status": "new",
             "priority": "normal", "priority_rank": 2, "created_at": "2026-03-02T09:00:00Z",
             "updated_at": "2026-03-02T09:00:00Z", "message_count": 1, "bucket": 0, "sort_key": 0},
        ])
        bulk.insert_rows(conn, "messages", [
            {"id": ids["messages"], "ticket_id": ids["tickets"], "kind": "customer", "author": "bo@example.org",
             "body": "Two.", "created_at": "2026-03-02T09:00:00Z"},
            {"id": ids["messages"] + 1, "ticket_id": ids["tickets"], "kind": "customer", "author": "bo@example.org",
             "body": "Three, with a Cc.", "created_at": "2026-03-02T09:00:00Z", "cc": '["cy@example.org"]'},
        ])
        if store.dialect == "postgresql":
            following = {**ids, "customers": ids["customers"] + 1, "tickets": ids["tickets"] + 1,
                         "messages": ids["messages"] + 2}
            pg_row_ids.move_sequences(conn, ids, following)
    # A ticket made one at a time afterwards takes the next numbers, on either backend (its sequences moved on).
    third = service.create_ticket(email="cy@example.org", subject="Third", body="Four.")
    assert third == ids["tickets"] + 1
    bodies = [row["body"] for row in store.query("SELECT body FROM messages ORDER BY id")]
    assert bodies == ["One.", "Two.", "Three, with a Cc.", "Four."]
    assert store.query_one("SELECT cc FROM messages WHERE body = 'Two.'") == {"cc": None}  # left out: its default
    assert [row["id"] for row in store.query("SELECT id FROM customers ORDER BY id")] == [1, 2, 3]


def test_only_the_tables_of_the_batch_path(store: Store) -> None:
    with store.transaction() as conn, pytest.raises(ValueError):
        bulk.insert_rows(conn, "agents", [{"id": 1, "name": "x"}])
