"""SLA in the app: the column, the thread header, and a warning when the open ticket turns late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tui_desk.ui.app import TuiDeskApp

from .conftest import ACTOR, Desk
from .helpers import SIZE, current_subject, notifications, settle, thread_text


class MovableClock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


async def test_the_open_ticket_warns_when_its_first_response_becomes_overdue(desk: Desk) -> None:
    # VPN (urgent, created Monday 09:00): first response due 10:00 under the built-in policy.
    clock = MovableClock(datetime(2026, 11, 23, 9, 30, tzinfo=UTC))
    app = TuiDeskApp(desk.store, clock=clock, actor=ACTOR, live_interval=None)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert current_subject(app) == "VPN drops every hour"
        assert "SLA: first response due 2026-11-23 10:00 (in 30min)" in thread_text(app)
        assert not notifications(app, "warning") and not notifications(app, "error")

        clock.at += timedelta(minutes=25)  # 5 minutes left: near
        app.main.sla_tick()
        await settle(pilot)
        assert any("first response due" in n for n in notifications(app, "warning"))

        clock.at += timedelta(minutes=10)  # 5 minutes late
        app.main.sla_tick()
        await settle(pilot)
        assert "first response overdue by 5min" in thread_text(app)
        assert any("overdue" in n for n in notifications(app, "error"))
