"""Routing in the app (issue 18, docs/issue18/routing.md): the Unassigned view, a routed ticket's
timeline, and the rules that did not load named in a notification."""

from __future__ import annotations

from tui_desk.core.routing import attach, routing_from_config
from tui_desk.domain.clock import fixed_clock
from tui_desk.store import queries
from tui_desk.ui.app import TuiDeskApp
from tui_desk.ui.screens.dialogs import ChoiceDialog

from .conftest import ACTOR, Desk, make_app
from .helpers import (
    NOW,
    SIZE,
    inbox_subjects,
    notifications,
    press,
    settle,
    timeline_text,
    widget_text,
)

ASSIGNED = "Password reset link expired"  # the attention ticket alice has (tests/ui/conftest.py)


async def test_unassigned_view_lists_attention_tickets_without_an_agent(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        attention = inbox_subjects(app)
        assert ASSIGNED in attention
        await press(pilot, "v")
        assert isinstance(app.screen, ChoiceDialog)
        assert "Unassigned" in widget_text(app.screen.query_one("#choices"))
        await press(pilot, "down", "down", "enter")  # Needs attention, All, Unassigned
        await settle(pilot)
        assert app.query_one("#inbox-pane").border_title == "Inbox: Unassigned"
        assert inbox_subjects(app) == [s for s in attention if s != ASSIGNED]
        await press(pilot, "2")  # All: the view's "no agent" does not stay behind as a filter
        await settle(pilot)
        assert app.main.inbox.total == queries.inbox_count(desk.store, queries.InboxFilter(view="all"))


async def test_routed_ticket_shows_its_rule_in_the_timeline_and_bad_rules_are_named(desk: Desk) -> None:
    config = {
        "routing": [
            {"name": "vpn", "match": {"subject": "vpn"}, "tags": ["network"]},
            {"name": "broken [b]bold[/b]", "match": {"subject": "(("}},
        ]
    }
    routing = routing_from_config(config)
    attach(desk.service, routing)
    ticket_id = desk.service.create_ticket(email="ruth@example.com", subject="VPN again", body="It dropped.")
    assert queries.get_ticket(desk.store, ticket_id).tags == ("network",)
    app = TuiDeskApp(desk.store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, routing=routing)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [warning] = notifications(app, "warning")
        assert "broken [b]bold[/b]" in warning and "not loaded" in warning  # plain text, not markup
        app.main.action_view("all")
        await settle(pilot)
        while inbox_subjects(app)[app.main.inbox.cursor] != "VPN again":
            await press(pilot, "j")
        await settle(pilot)
        assert "routing: vpn" in timeline_text(app)


async def test_many_broken_rules_are_one_notification(desk: Desk) -> None:
    # Thirty broken rules were thirty warnings covering the screen (docs/issue18/attack.md).
    routing = routing_from_config({"routing": [{"name": f"bad {n}", "match": {"subject": "(("}} for n in range(30)]})
    app = TuiDeskApp(desk.store, clock=fixed_clock(NOW), actor=ACTOR, live_interval=None, routing=routing)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        [warning] = notifications(app, "warning")
        assert "'bad 0'" in warning and "'bad 2'" in warning and "'bad 3'" not in warning
        assert "27 more rule problems" in warning
