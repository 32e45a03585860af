"""Issue 12 items 11 and 15 in the app: no purge at start by default; undo moves past what it cannot undo."""

from __future__ import annotations

from datetime import UTC, datetime

from tui_desk.core.actions import ActionKind, perform
from tui_desk.core.rules import RulesConfig
from tui_desk.domain.clock import fixed_clock
from tui_desk.ui.app import TuiDeskApp

from .conftest import ACTOR, Desk, make_app
from .helpers import SIZE, notifications, press, settle, status_of


async def test_item11_app_start_on_an_old_store_purges_nothing_by_default(desk: Desk) -> None:
    duplicate = desk.ids["duplicate"]  # deleted when the desk was built
    years_later = fixed_clock(datetime(2028, 1, 1, 9, 0, tzinfo=UTC))
    app = TuiDeskApp(
        desk.store, clock=years_later, actor=ACTOR, live_interval=None, rules=RulesConfig.from_config({})
    )
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
    assert status_of(desk.store, duplicate) == "deleted"


async def test_item15_u_skips_a_note_and_the_next_u_undoes_the_action_before_it(desk: Desk) -> None:
    vpn, invoice = desk.ids["vpn"], desk.ids["invoice"]
    service = desk.service
    service.actor = ACTOR
    perform(service, ActionKind.RESOLVE, [vpn], service.resolve)
    perform(service, ActionKind.NOTE, [invoice], lambda i: service.add_note(i, "called the bank"))
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "u")
        assert any(f"It is skipped: undo again to undo resolve on #{vpn}" in n for n in notifications(app, "warning"))
        assert status_of(desk.store, vpn) == "resolved"
        await press(pilot, "u")
        assert status_of(desk.store, vpn) == "new"
