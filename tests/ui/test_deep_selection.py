"""A refresh keeps the selected ticket selected however deep in the inbox it sits (issue 16,
docs/issue16/launch.md): another agent's change must not send the cursor elsewhere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, open_store, queries

from .conftest import ACTOR, make_app
from .helpers import StepClock, settle

TICKETS = 120  # more than one page of the inbox (100 rows)
DEEP = 105  # on the second page, past the cap below


@pytest.fixture
def busy(tmp_path: Path) -> Iterator[tuple[Store, TicketService, list[int]]]:
    store = open_store(tmp_path / "busy.db")
    clock = StepClock()
    service = TicketService(store, clock=clock, actor=ACTOR)
    ids = []
    for n in range(TICKETS):
        ids.append(service.create_ticket(email=f"c{n}@example.com", name=f"C {n}", subject=f"Request {n}", body="Help"))
        clock.advance()
    yield store, service, ids
    store.close()


async def test_a_ticket_deeper_than_the_position_cap_stays_selected_when_rows_above_it_leave(busy, monkeypatch) -> None:
    store, service, _ids = busy
    monkeypatch.setattr(queries, "POSITION_CAP", 10)  # counting the rows before it gives up
    app = make_app(store)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(pilot)
        inbox = app.main.inbox
        inbox.move_to(DEEP)
        await settle(pilot)
        chosen = inbox.current
        assert chosen is not None and app.main.ticket is not None and app.main.ticket.id == chosen.id
        above = [inbox.row_at(i) for i in (0, 1)]
        for row in above:  # two tickets above it are resolved by someone else: the rows below move up
            assert row is not None
            service.resolve(row.id)
        app.main.refresh_inbox()  # what the live refresh does when the store changed
        await settle(pilot)
        assert inbox.current is not None and inbox.current.id == chosen.id
        assert inbox.cursor == DEEP - 2
        assert app.main.ticket is not None and app.main.ticket.id == chosen.id
