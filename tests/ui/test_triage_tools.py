"""Triage power tools from the keyboard: marks, bulk actions, undo, merge and split."""

from __future__ import annotations

from tui_desk.core.lifecycle import TicketService
from tui_desk.store import open_store, queries
from tui_desk.ui.screens.dialogs import ChoiceDialog, ConfirmDialog, TextPrompt

from .conftest import Desk, make_app
from .helpers import (
    SIZE,
    current_subject,
    inbox_subjects,
    notifications,
    press,
    settle,
    status_bar_text,
    status_of,
    thread_text,
    type_text,
    widget_text,
)

ATTENTION = ["VPN drops every hour", "Site down for EU customers", "Invoice charged twice", "Password reset link expired"]


async def test_space_marks_and_bulk_resolve_changes_only_the_marked(desk: Desk) -> None:
    ids = desk.ids
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "space", "j", "space")  # VPN, (skip Site), Invoice
        assert app.main.inbox.marked == {ids["vpn"], ids["invoice"]}
        assert "2 marked" in status_bar_text(app)
        lines = widget_text(app.main.inbox).splitlines()
        assert lines[1].startswith("✔") and lines[3].startswith("✔") and lines[2].startswith("●")
        await press(pilot, "e")
        assert {status_of(desk.store, ids[k]) for k in ("vpn", "invoice")} == {"resolved"}
        assert status_of(desk.store, ids["site"]) == "open"
        assert app.main.inbox.marked == set()
        assert "2 resolved · u undoes" in notifications(app)
        assert inbox_subjects(app) == [ATTENTION[1], ATTENTION[3]]


async def test_mark_all_then_bulk_names_the_refused(desk: Desk) -> None:
    ids = desk.ids
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "2")  # All: includes the resolved and postponed ones
        await press(pilot, "asterisk")
        total = app.main.inbox.total
        assert len(app.main.inbox.marked) == total == 7
        await press(pilot, "p")
        await press(pilot, "enter")  # the first quick choice
        postponed = [k for k in ("vpn", "site", "invoice", "password", "printer") if status_of(desk.store, ids[k]) == "postponed"]
        assert len(postponed) == 5
        warning = notifications(app, "warning")[-1]
        assert warning.startswith("5 postponed until Mon 23 Nov 13:00, 2 refused")  # the notice names the time
        assert f"#{ids['refund']}" in warning and f"#{ids['server']}" in warning
        assert status_of(desk.store, ids["refund"]) == "resolved"


async def test_escape_clears_the_marks_and_changing_view_too(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "space", "space")
        assert len(app.main.inbox.marked) == 2
        await press(pilot, "escape")
        assert app.main.inbox.marked == set()
        assert "marked" not in status_bar_text(app)
        await press(pilot, "space", "2")
        assert app.main.inbox.marked == set()


async def test_undo_key_takes_back_a_bulk_action_and_reports_it(desk: Desk) -> None:
    ids = desk.ids
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "j", "space", "space")  # Invoice (high) and Password (normal)
        await press(pilot, "P", "home", "enter")  # both urgent
        assert "2 priority set · u undoes" in notifications(app)
        assert queries.get_ticket(desk.store, ids["password"]).priority == "urgent"
        await press(pilot, "u")
        assert queries.get_ticket(desk.store, ids["invoice"]).priority == "high"
        assert queries.get_ticket(desk.store, ids["password"]).priority == "normal"
        assert "Undone: set priority on 2 tickets" in notifications(app)
        await press(pilot, "u")
        assert "Nothing to undo" in notifications(app, "warning")


async def test_undo_refused_after_another_agent_changed_the_ticket(desk: Desk) -> None:
    vpn = desk.ids["vpn"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "e")
        assert status_of(desk.store, vpn) == "resolved"
        other = TicketService(open_store(desk.path), clock=desk.clock, actor="bob")
        other.assign(vpn, "bob")
        await press(pilot, "u")
        assert status_of(desk.store, vpn) == "resolved"
        assert any("changed since (assigned by bob)" in n for n in notifications(app, "warning"))


async def test_merge_the_marked_tickets_into_the_selected_one(desk: Desk) -> None:
    ids = desk.ids
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j", "space", "space")  # mark Site and Invoice
        await press(pilot, "home")
        assert current_subject(app) == "VPN drops every hour"
        await press(pilot, "M")
        assert isinstance(app.screen, ConfirmDialog)
        assert "Merge 2 marked tickets into #" in widget_text(app.screen)
        await press(pilot, "y")
        assert queries.get_ticket(desk.store, ids["site"]).merged_into == ids["vpn"]
        assert queries.get_ticket(desk.store, ids["invoice"]).merged_into == ids["vpn"]
        assert inbox_subjects(app) == [ATTENTION[0], ATTENTION[3]]
        assert "Nobody in Zagreb can load the shop." in thread_text(app)
        await press(pilot, "u")
        assert inbox_subjects(app) == ATTENTION
        assert queries.ticket_messages(desk.store, ids["site"])[0].body == "Nobody in Zagreb can load the shop."


async def test_merge_one_ticket_into_a_typed_number(desk: Desk) -> None:
    ids = desk.ids
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        await press(pilot, "M")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, f"#{ids['printer']}")
        await press(pilot, "enter")
        assert queries.get_ticket(desk.store, ids["site"]).merged_into == ids["printer"]
        assert status_of(desk.store, ids["printer"]) == "open"  # the site's customer waits on us
        await press(pilot, "M")
        await type_text(pilot, "nonsense")
        await press(pilot, "enter")
        assert any("Not a ticket id" in n for n in notifications(app, "error"))


async def test_split_a_customer_message_into_a_new_ticket(desk: Desk) -> None:
    site = desk.ids["site"]
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "j")
        assert current_subject(app) == "Site down for EU customers"
        await press(pilot, "S")
        assert isinstance(app.screen, ChoiceDialog)
        assert "Still down, we are losing orders." in widget_text(app.screen)
        await press(pilot, "enter")  # the newest customer message comes first
        assert queries.get_ticket(desk.store, site).message_count == 2
        new_id = max(r[0] for r in desk.store.conn.execute("SELECT id FROM tickets"))
        assert [m.body for m in queries.ticket_messages(desk.store, new_id)] == ["Still down, we are losing orders."]
        assert f"The message is now ticket #{new_id}" in notifications(app)


async def test_hash_goes_to_a_ticket_by_number_in_the_view_that_holds_it(desk: Desk) -> None:
    ids = desk.ids
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "number_sign")
        assert isinstance(app.screen, TextPrompt)
        await type_text(pilot, f"#{ids['prize']}")
        await press(pilot, "enter")
        assert current_subject(app) == "You won a prize!!!"  # in the Spam view
        assert app.main.view_key == "spam"
        await press(pilot, "number_sign")
        await type_text(pilot, str(ids["refund"]))
        await press(pilot, "enter")
        assert current_subject(app) == "Refund for order 1042"
        await press(pilot, "number_sign")
        await type_text(pilot, "424242")
        await press(pilot, "enter")
        assert "No ticket #424242" in notifications(app, "error")
        assert current_subject(app) == "Refund for order 1042"


async def test_to_solve_leaves_the_marks_of_the_view_it_leaves(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "5", "asterisk")  # Resolved: the refund ticket
        assert app.main.inbox.marked == {desk.ids["refund"]}
        await press(pilot, "s")
        assert inbox_subjects(app) == ATTENTION
        # A bulk action now must not reach a ticket the agent no longer sees.
        assert app.main.inbox.marked == set() and "marked" not in status_bar_text(app)


async def test_mark_all_that_finishes_after_a_view_change_marks_nothing(desk: Desk, monkeypatch) -> None:  # noqa: ANN001
    import time

    real_inbox_ids = queries.inbox_ids

    def slow_inbox_ids(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(0.3)  # a large store
        return real_inbox_ids(*args, **kwargs)

    monkeypatch.setattr(queries, "inbox_ids", slow_inbox_ids)
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2", "asterisk", "1")  # All, mark all, back to Needs attention at once
        await settle(pilot)
        await pilot.pause(0.4)
        await settle(pilot)
        assert inbox_subjects(app) == ATTENTION
        assert app.main.inbox.marked == set()


async def test_a_number_too_large_for_a_ticket_is_said_plainly(desk: Desk) -> None:
    app = make_app(desk.store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await press(pilot, "number_sign")
        await type_text(pilot, "999999999999999999999999999999")
        await press(pilot, "enter")
        assert any("Not a ticket id" in text for text in notifications(app, "error"))
