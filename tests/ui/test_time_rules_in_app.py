"""The app runs the time rules itself: at start (after the first rows) and every minute."""

from __future__ import annotations

from datetime import UTC, datetime

from tui_desk.core.rules import RulesConfig
from tui_desk.domain.clock import fixed_clock
from tui_desk.store import queries
from tui_desk.ui.app import TuiDeskApp

from .conftest import ACTOR, Desk
from .helpers import SIZE, inbox_subjects, notifications, settle


async def test_a_postponed_ticket_comes_back_when_its_time_has_passed(desk: Desk) -> None:
    server = desk.ids["server"]  # postponed from New until 2026-11-30 09:00
    later = fixed_clock(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    app = TuiDeskApp(desk.store, clock=later, actor=ACTOR, live_interval=None, rules=RulesConfig())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert queries.get_ticket(desk.store, server).status == "new"
        woken = [e for e in queries.ticket_events(desk.store, server) if e.kind == "woken"]
        assert [(e.actor, e.from_value, e.to_value) for e in woken] == [("system", "postponed", "new")]
        assert "Server room too warm" in inbox_subjects(app)
        assert any("1 woken" in message for message in notifications(app))


async def test_without_rules_the_app_changes_nothing_by_itself(desk: Desk) -> None:
    server = desk.ids["server"]
    later = fixed_clock(datetime(2026, 11, 30, 9, 30, tzinfo=UTC))
    app = TuiDeskApp(desk.store, clock=later, actor=ACTOR, live_interval=None, rules=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert queries.get_ticket(desk.store, server).status == "postponed"
