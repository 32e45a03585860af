"""The inbox's counts past the cap (issue 16): the top line and the line under the inbox say
"N+" when counting would go on past queries.COUNT_CAP, the exact number under it, and the
list still scrolls to every ticket of the view."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import Store, open_store, queries

from .conftest import ACTOR, make_app
from .helpers import SIZE, StepClock, press, settle, status_bar_text

TICKETS = 120  # more than two pages of the inbox (50 rows each)
CAP = 60  # past the first page: its rows do not tell how many there are


@pytest.fixture
def busy_store(tmp_path: Path) -> Iterator[Store]:
    store = open_store(tmp_path / "busy.db")
    clock = StepClock()
    service = TicketService(store, clock=clock, actor=ACTOR)
    for n in range(TICKETS):
        service.create_ticket(email=f"c{n}@example.com", name=f"Customer {n}", subject=f"Request {n}", body="Help")
        clock.advance()
    yield store
    store.close()


def subtitle(app) -> str:
    return str(app.query_one("#inbox-pane").border_subtitle)


async def test_past_the_cap_the_counts_say_at_least_and_every_row_is_reachable(busy_store, monkeypatch) -> None:
    monkeypatch.setattr(queries, "COUNT_CAP", CAP)
    app = make_app(busy_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert subtitle(app) == f"{CAP}+ tickets"
        assert f"New {CAP}+" in status_bar_text(app)
        assert CAP < app.main.inbox.total < TICKETS  # the rows known to be there so far
        for _ in range(3):  # to the last row known: loading its page finds more
            await press(pilot, "end")
        assert app.main.inbox.total == TICKETS
        assert app.main.inbox.current is not None and app.main.inbox.current.subject == f"Request {TICKETS - 1}"
        assert subtitle(app) == f"{TICKETS} tickets"  # the end was found: exact after all


async def test_under_the_cap_the_counts_are_exact(busy_store, monkeypatch) -> None:
    monkeypatch.setattr(queries, "COUNT_CAP", TICKETS)
    app = make_app(busy_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert subtitle(app) == f"{TICKETS} tickets"
        assert f"New {TICKETS}" in status_bar_text(app) and f"New {TICKETS}+" not in status_bar_text(app)
        assert app.main.inbox.total == TICKETS
