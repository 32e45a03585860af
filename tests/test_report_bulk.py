"""The report summaries counted in bulk at the end of an import batch (store/report_bulk.py) are the
counts the per-row triggers give; a change that would move uncounted rows is refused, never miscounted."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from support import FakeClock

from tui_desk.core.lifecycle import TicketService
from tui_desk.domain.errors import StoreError
from tui_desk.store import open_store, report_bulk

REPORT_TABLES = ("report_created", "report_moves", "report_tags")


def _summaries(path: object, later: bool) -> dict[str, Any]:
    """A desk with a ticket already there, then new tickets, replies and follow-ups in one transaction."""
    store = open_store(path)
    try:
        clock = FakeClock()
        service = TicketService(store, clock=clock, actor="agent")
        old = service.create_ticket(email="ann@example.org", subject="Old", body="Before.")
        service.reply(old, "Answered.")
        with store.transaction() as conn, (report_bulk.counted_later(conn) if later else nullcontext()):
            for hour in range(3):
                clock.advance(timedelta(hours=1))
                new = service.create_ticket(email=f"c{hour}@example.org", subject="New", body="Help.")
                service.reply(new, "On it.")
                service.add_customer_message(new, "Thanks, but no.")  # answered -> open: a move
            service.add_customer_message(old, "Still broken.")  # a ticket counted before
        return {table: sorted(map(repr, store.query(f"SELECT * FROM {table}"))) for table in REPORT_TABLES}
    finally:
        store.close()


@pytest.mark.both_backends  # PostgreSQL keeps its triggers: the same counts, row by row
def test_counted_in_bulk_as_row_by_row(another_db) -> None:
    bulk = _summaries(another_db("bulk.db"), later=True)
    assert bulk == _summaries(another_db("rows.db"), later=False)
    assert len(bulk["report_moves"]) >= 2  # the moves were counted, not only the tickets


@pytest.mark.parametrize("action", ["mark_spam", "delete"])  # SQLite: PostgreSQL turns no trigger off
def test_a_change_that_would_move_uncounted_rows_is_refused(tmp_path: Path, action: str) -> None:
    store = open_store(tmp_path / "desk.db")
    try:
        service = TicketService(store, clock=FakeClock(), actor="agent")
        before = {table: store.query(f"SELECT * FROM {table}") for table in REPORT_TABLES}
        with pytest.raises(StoreError), store.transaction() as conn, report_bulk.counted_later(conn):
            ticket = service.create_ticket(email="ann@example.org", subject="Spam?", body="Buy now.")
            getattr(service, action)(ticket)  # out of the counts: would take away what was never counted
        assert {table: store.query(f"SELECT * FROM {table}") for table in REPORT_TABLES} == before
        ticket = service.create_ticket(email="bo@example.org", subject="Later", body="Hello.")  # triggers back
        assert store.scalar("SELECT sum(n) FROM report_created") == 1
        getattr(service, action)(ticket)
        assert store.scalar("SELECT sum(n) FROM report_created WHERE left_out = 1") == 1
    finally:
        store.close()
